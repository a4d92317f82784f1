package types

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/kalamdb/kalamdb/pgerr"
)

func errWrongValue(oid OID, v any) error {
	return pgerr.New(pgerr.InternalError, "cannot send %T as %s", v, NameOf(Of(oid)))
}

// AppendBinary appends v's PostgreSQL binary wire format to buf.
func AppendBinary(buf []byte, oid OID, v any) ([]byte, error) {
	switch oid {
	case Bool:
		if x, ok := v.(bool); ok {
			if x {
				return append(buf, 1), nil
			}
			return append(buf, 0), nil
		}
	case Int2:
		if x, ok := v.(int64); ok {
			return binary.BigEndian.AppendUint16(buf, uint16(x)), nil
		}
	case Int4, OIDType, Regclass, Regtype:
		if x, ok := v.(int64); ok {
			return binary.BigEndian.AppendUint32(buf, uint32(x)), nil
		}
	case Int8:
		if x, ok := v.(int64); ok {
			return binary.BigEndian.AppendUint64(buf, uint64(x)), nil
		}
	case Float4:
		if x, ok := v.(float64); ok {
			return binary.BigEndian.AppendUint32(buf, math.Float32bits(float32(x))), nil
		}
	case Float8:
		if x, ok := v.(float64); ok {
			return binary.BigEndian.AppendUint64(buf, math.Float64bits(x)), nil
		}
	case Numeric:
		if x, ok := v.(*apd.Decimal); ok {
			return appendNumericBinary(buf, x), nil
		}
	case Text, Varchar, Bpchar, Name, JSON, Unknown, Char:
		if x, ok := v.(string); ok {
			return append(buf, x...), nil
		}
	case JSONB:
		if x, ok := v.(string); ok {
			return append(append(buf, 1), x...), nil
		}
	case Record:
		if x, ok := v.(Row); ok {
			return appendRowBinary(buf, x)
		}
	case Bytea:
		if x, ok := v.([]byte); ok {
			return append(buf, x...), nil
		}
	case UUIDOID:
		if x, ok := v.(UUID); ok {
			return append(buf, x[:]...), nil
		}
	case Date:
		if x, ok := v.(time.Time); ok {
			return binary.BigEndian.AppendUint32(buf, uint32(int32(daysOf(x)))), nil
		}
	case Time:
		if x, ok := v.(time.Time); ok {
			return binary.BigEndian.AppendUint64(buf, uint64(microsOf(x))), nil
		}
	case Timestamp, Timestamptz:
		if x, ok := v.(time.Time); ok {
			return binary.BigEndian.AppendUint64(buf, uint64(microsOf(x))), nil
		}
	case IntervalOID:
		if x, ok := v.(Interval); ok {
			buf = binary.BigEndian.AppendUint64(buf, uint64(x.Micros))
			buf = binary.BigEndian.AppendUint32(buf, uint32(x.Days))
			return binary.BigEndian.AppendUint32(buf, uint32(x.Months)), nil
		}
	default:
		if elem := ElemOf(oid); elem != 0 {
			if x, ok := v.([]any); ok {
				return appendArrayBinary(buf, elem, x)
			}
		} else {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "binary output of type %s is not supported", NameOf(Of(oid)))
		}
	}
	return nil, errWrongValue(oid, v)
}

func errBinaryLen(oid OID) error {
	return errBinary("incorrect binary data format for type " + NameOf(Of(oid)))
}

// ParseBinary reads a value of type oid from its binary wire format (22P03
// on malformed input).
func ParseBinary(oid OID, b []byte) (any, error) {
	fixed := func(n int) error {
		if len(b) != n {
			return errBinaryLen(oid)
		}
		return nil
	}
	switch oid {
	case Bool:
		if err := fixed(1); err != nil {
			return nil, err
		}
		return b[0] != 0, nil
	case Int2:
		if err := fixed(2); err != nil {
			return nil, err
		}
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case Int4:
		if err := fixed(4); err != nil {
			return nil, err
		}
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case OIDType, Regclass, Regtype:
		if err := fixed(4); err != nil {
			return nil, err
		}
		return int64(binary.BigEndian.Uint32(b)), nil
	case Int8:
		if err := fixed(8); err != nil {
			return nil, err
		}
		return int64(binary.BigEndian.Uint64(b)), nil
	case Float4:
		if err := fixed(4); err != nil {
			return nil, err
		}
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case Float8:
		if err := fixed(8); err != nil {
			return nil, err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case Numeric:
		return parseNumericBinary(b)
	case Text, Varchar, Bpchar, JSON, Unknown:
		s := string(b)
		if err := checkUTF8(s); err != nil {
			return nil, err
		}
		if oid == JSON {
			if err := validateJSON(s); err != nil {
				return nil, err
			}
		}
		return s, nil
	case Name:
		s := string(b)
		if err := checkUTF8(s); err != nil {
			return nil, err
		}
		return clipName(s), nil
	case Char:
		if len(b) > 1 {
			return nil, errBinaryLen(oid)
		}
		return parseChar(string(b)), nil
	case JSONB:
		if len(b) == 0 || b[0] != 1 {
			return nil, errBinary("unsupported jsonb version number")
		}
		s := string(b[1:])
		if err := checkUTF8(s); err != nil {
			return nil, err
		}
		return parseJSONB(s)
	case Bytea:
		return append([]byte{}, b...), nil
	case UUIDOID:
		if err := fixed(16); err != nil {
			return nil, err
		}
		return UUID(b), nil
	case Date:
		if err := fixed(4); err != nil {
			return nil, err
		}
		d := int64(int32(binary.BigEndian.Uint32(b)))
		if d < minDateDays || d >= endDateDays {
			return nil, &pgerr.Error{Code: pgerr.DatetimeFieldOverflow, Message: "date out of range"}
		}
		return dateFromDays(d), nil
	case Time:
		if err := fixed(8); err != nil {
			return nil, err
		}
		us := int64(binary.BigEndian.Uint64(b))
		if us < 0 || us > usecsPerDay {
			return nil, &pgerr.Error{Code: pgerr.DatetimeFieldOverflow, Message: "time out of range"}
		}
		return timeFromMicros(us), nil
	case Timestamp, Timestamptz:
		if err := fixed(8); err != nil {
			return nil, err
		}
		us := int64(binary.BigEndian.Uint64(b))
		if us < minTimestamp || us >= endTimestamp {
			return nil, &pgerr.Error{Code: pgerr.DatetimeFieldOverflow, Message: "timestamp out of range"}
		}
		return timeFromMicros(us), nil
	case IntervalOID:
		if err := fixed(16); err != nil {
			return nil, err
		}
		return Interval{
			Micros: int64(binary.BigEndian.Uint64(b)),
			Days:   int32(binary.BigEndian.Uint32(b[8:])),
			Months: int32(binary.BigEndian.Uint32(b[12:])),
		}, nil
	}
	if ElemOf(oid) != 0 {
		return parseArrayBinary(oid, b)
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "binary input of type %s is not supported", NameOf(Of(oid)))
}

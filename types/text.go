package types

import (
	"strconv"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/kalamdb/kalamdb/pgerr"
)

// AppendText appends v's PostgreSQL text output to buf. loc is the
// session's TimeZone, used for timestamptz. v must not be nil.
func AppendText(buf []byte, oid OID, v any, loc *time.Location) []byte {
	switch x := v.(type) {
	case string:
		if oid == Char {
			return appendChar(buf, x)
		}
		return append(buf, x...)
	case int64:
		return strconv.AppendInt(buf, x, 10)
	case bool:
		if x {
			return append(buf, 't')
		}
		return append(buf, 'f')
	case float64:
		if oid == Float4 {
			return appendFloat(buf, x, 32)
		}
		return appendFloat(buf, x, 64)
	case *apd.Decimal:
		return appendNumeric(buf, x)
	case []byte:
		return appendBytea(buf, x)
	case time.Time:
		switch oid {
		case Date:
			return appendDate(buf, x)
		case Time:
			return appendTime(buf, x)
		case Timestamp:
			return appendTimestamp(buf, x, false, nil)
		}
		return appendTimestamp(buf, x, true, loc)
	case UUID:
		return appendUUID(buf, x)
	case Interval:
		return appendInterval(buf, x)
	case Row:
		return appendRow(buf, x, loc)
	case []any:
		elem := ElemOf(oid)
		if elem == 0 {
			elem = Text
		}
		return appendArrayText(buf, elem, x, loc)
	case int32:
		return strconv.AppendInt(buf, int64(x), 10)
	case int:
		return strconv.AppendInt(buf, int64(x), 10)
	case float32:
		return appendFloat(buf, float64(x), 32)
	case apd.Decimal:
		return appendNumeric(buf, &x)
	}
	// Not one of the representations; print something rather than panic.
	return append(buf, "?"...)
}

// ParseText reads a value of type t from its text form, as PostgreSQL's
// input functions do (22P02, 22003, 22007, 22008, 22001 for varchar(n)).
func ParseText(t Type, s string, loc *time.Location) (any, error) {
	switch t.OID {
	case Text, Unknown:
		if err := checkUTF8(s); err != nil {
			return nil, err
		}
		return s, nil
	case Varchar, Bpchar:
		if err := checkUTF8(s); err != nil {
			return nil, err
		}
		return coerceChars(t.OID, t.Mod, s, false)
	case Name:
		if err := checkUTF8(s); err != nil {
			return nil, err
		}
		return clipName(s), nil
	case Char:
		return parseChar(s), nil
	case Bool:
		return parseBool(s)
	case Int2, Int4, Int8:
		return parseInt(t.OID, s)
	case OIDType, Regclass, Regtype:
		return parseOID(s)
	case Float4, Float8:
		return parseFloat(t.OID, s)
	case Numeric:
		d, err := parseNumeric(s)
		if err != nil {
			return nil, err
		}
		return applyNumericTypmod(d, t.Mod)
	case Bytea:
		return parseBytea(s)
	case JSON:
		if err := checkUTF8(s); err != nil {
			return nil, err
		}
		if err := validateJSON(s); err != nil {
			return nil, err
		}
		return s, nil
	case JSONB:
		if err := checkUTF8(s); err != nil {
			return nil, err
		}
		return parseJSONB(s)
	case UUIDOID:
		return parseUUID(s)
	case Date:
		return parseDateText(s)
	case Time:
		tm, err := parseTimeText(s)
		if err != nil {
			return nil, err
		}
		return roundTime(tm, t.Mod), nil
	case Timestamp, Timestamptz:
		ts, err := parseTimestampText(s, t.OID == Timestamptz, loc)
		if err != nil {
			return nil, err
		}
		return roundTime(ts, t.Mod), nil
	case IntervalOID:
		return parseInterval(s)
	}
	if ElemOf(t.OID) != 0 {
		return parseArrayText(t, s, loc)
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "input of type %s is not supported", NameOf(t))
}

package wire

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql"
	"github.com/kalamdb/kalamdb/types"
)

// Wire format codes.
const (
	formatText   int16 = 0
	formatBinary int16 = 1
)

// rowDescription describes cols, with formats as resolved by
// resultFormats (nil for all text).
func rowDescription(cols []sql.Column, formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, col := range cols {
		fields[i] = pgproto3.FieldDescription{
			Name:                 []byte(col.Name),
			TableOID:             col.TableOID,
			TableAttributeNumber: uint16(col.Attr),
			DataTypeOID:          uint32(col.Type.OID),
			DataTypeSize:         typeSize(col.Type.OID),
			TypeModifier:         col.Type.Mod,
			Format:               formatAt(formats, i),
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}

// typeSize is pg_type.typlen: the fixed width of a type, -1 for varlena.
func typeSize(oid types.OID) int16 {
	switch oid {
	case types.Bool:
		return 1
	case types.Int2:
		return 2
	case types.Int4, types.Float4, types.OIDType, types.Date:
		return 4
	case types.Int8, types.Float8, types.Time, types.Timestamp, types.Timestamptz:
		return 8
	case types.IntervalOID, types.UUIDOID:
		return 16
	case types.Name:
		return 64
	case types.Unknown:
		return -2
	}
	return -1
}

// formatAt is column i's format under PostgreSQL's rule: no codes means
// text, one code applies to every column, otherwise one code per column.
func formatAt(formats []int16, i int) int16 {
	switch {
	case len(formats) == 0:
		return formatText
	case len(formats) == 1:
		return formats[0]
	case i < len(formats):
		return formats[i]
	}
	return formatText
}

// checkFormatCodes rejects format codes other than text and binary.
func checkFormatCodes(formats []int16) error {
	for _, f := range formats {
		if f != formatText && f != formatBinary {
			return pgerr.New(pgerr.InvalidParameterValue, "unsupported format code: %d", f)
		}
	}
	return nil
}

// dataRow is a DataRow encoded straight from values into the write
// buffer, without a [][]byte per row.
type dataRow struct {
	cols    []sql.Column
	formats []int16
	row     []any
	loc     *time.Location
	// floatDigits is the session's extra_float_digits.
	floatDigits int
}

func (*dataRow) Backend() {}

func (*dataRow) Decode([]byte) error {
	return fmt.Errorf("dataRow is encode-only")
}

func (r *dataRow) Encode(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 'D', 0, 0, 0, 0)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(r.row)))
	for i, v := range r.row {
		if v == nil {
			dst = binary.BigEndian.AppendUint32(dst, 0xffffffff)
			continue
		}
		oid := types.Text
		if i < len(r.cols) {
			oid = r.cols[i].Type.OID
		}
		lenAt := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		if formatAt(r.formats, i) == formatBinary {
			var err error
			dst, err = types.AppendBinary(dst, oid, v)
			if err != nil {
				return dst[:start], err
			}
		} else if f, ok := v.(float64); ok && r.floatDigits < 1 {
			dst = types.AppendFloatText(dst, oid, f, r.floatDigits)
		} else {
			dst = types.AppendText(dst, oid, v, r.loc)
		}
		binary.BigEndian.PutUint32(dst[lenAt:], uint32(len(dst)-lenAt-4))
	}
	binary.BigEndian.PutUint32(dst[start+1:], uint32(len(dst)-start-1))
	return dst, nil
}

// decodeParams turns Bind's parameter values into Go values of the
// statement's parameter types.
func decodeParams(b *pgproto3.Bind, paramTypes []types.OID, loc *time.Location) ([]any, error) {
	if len(b.Parameters) != len(paramTypes) {
		name := b.PreparedStatement
		return nil, pgerr.New(pgerr.ProtocolViolation,
			"bind message supplies %d parameters, but prepared statement %q requires %d",
			len(b.Parameters), name, len(paramTypes))
	}
	if n := len(b.ParameterFormatCodes); n > 1 && n != len(b.Parameters) {
		return nil, pgerr.New(pgerr.ProtocolViolation, "bind message has %d parameter formats but %d parameters",
			n, len(b.Parameters))
	}
	if err := checkFormatCodes(b.ParameterFormatCodes); err != nil {
		return nil, err
	}
	params := make([]any, len(b.Parameters))
	for i, raw := range b.Parameters {
		if raw == nil {
			continue // NULL
		}
		v, err := decodeParam(paramTypes[i], formatAt(b.ParameterFormatCodes, i), raw, loc)
		if err != nil {
			if e, ok := pgerr.As(err); ok {
				return nil, e
			}
			return nil, pgerr.Wrap(err, pgerr.InvalidBinaryRepresentation,
				"incorrect binary data format in bind parameter %d", i+1)
		}
		params[i] = v
	}
	return params, nil
}

// decodeParam decodes one non-NULL parameter. raw points into the read
// buffer, so nothing kept may alias it.
func decodeParam(oid types.OID, format int16, raw []byte, loc *time.Location) (any, error) {
	untyped := oid == 0 || oid == types.Unknown
	if format == formatBinary {
		if untyped {
			return string(raw), nil
		}
		return types.ParseBinary(oid, bytes.Clone(raw))
	}
	s := string(raw)
	if e := checkUTF8(s); e != nil {
		return nil, e
	}
	if untyped {
		return s, nil
	}
	return types.ParseText(types.Of(oid), s, loc)
}

// paramDescription is ParameterDescription for any number of parameters.
// PostgreSQL prepares statements with more than 65535 parameters and
// sends their OIDs with the 16-bit count wrapped (clients infer the count
// from the length); pgproto3's own encoder refuses them.
type paramDescription struct {
	oids []uint32
}

func (*paramDescription) Backend() {}

func (*paramDescription) Decode([]byte) error {
	return fmt.Errorf("paramDescription is encode-only")
}

func (p *paramDescription) Encode(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 't', 0, 0, 0, 0)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(p.oids)))
	for _, o := range p.oids {
		dst = binary.BigEndian.AppendUint32(dst, o)
	}
	binary.BigEndian.PutUint32(dst[start+1:], uint32(len(dst)-start-1))
	return dst, nil
}

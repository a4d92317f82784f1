package coldstore

import (
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"
	"github.com/kalamdb/kalamdb/types"
)

// System column names; table columns are named "c<id>".
const (
	colKey     = "_key"
	colSeq     = "_seq"
	colDeleted = "_deleted"
	sysColumns = 3
)

// Field metadata keys: the SQL name and type travel with the file so a
// segment decodes without the catalog and external tools can label columns.
const (
	metaName = "kalamdb.name"
	metaOID  = "kalamdb.type_oid"
	metaMod  = "kalamdb.type_mod"
	metaID   = "kalamdb.column_id"
)

// epoch2000 is the date every time-of-day value is anchored to (see types).
var epoch2000 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// fieldName is the Parquet column name of a table column.
func fieldName(id uint32) string { return "c" + strconv.FormatUint(uint64(id), 10) }

// parseFieldName is the inverse of fieldName.
func parseFieldName(name string) (uint32, bool) {
	if len(name) < 2 || name[0] != 'c' || (name[1] == '0' && len(name) > 2) {
		return 0, false
	}
	n, err := strconv.ParseUint(name[1:], 10, 32)
	return uint32(n), err == nil
}

// intervalType keeps PostgreSQL's three interval fields exactly; Arrow's
// month-day-nano type has no Parquet mapping and Parquet's INTERVAL keeps
// only milliseconds.
var intervalType = arrow.StructOf(
	arrow.Field{Name: "months", Type: arrow.PrimitiveTypes.Int32},
	arrow.Field{Name: "days", Type: arrow.PrimitiveTypes.Int32},
	arrow.Field{Name: "micros", Type: arrow.PrimitiveTypes.Int64},
)

// arrowType maps a SQL type to its Arrow (and so Parquet) type. numeric is
// stored as its exact text (utf8): decimal128 cannot hold unconstrained
// numerics, NaN or Infinity.
func arrowType(oid types.OID) (arrow.DataType, error) {
	switch oid {
	case types.Bool:
		return arrow.FixedWidthTypes.Boolean, nil
	case types.Int8, types.OIDType, types.Regclass, types.Regtype:
		return arrow.PrimitiveTypes.Int64, nil
	case types.Int4:
		return arrow.PrimitiveTypes.Int32, nil
	case types.Int2:
		return arrow.PrimitiveTypes.Int16, nil
	case types.Float8:
		return arrow.PrimitiveTypes.Float64, nil
	case types.Float4:
		return arrow.PrimitiveTypes.Float32, nil
	case types.Numeric, types.Text, types.Varchar, types.Bpchar, types.Name,
		types.Char, types.JSON, types.JSONB:
		return arrow.BinaryTypes.String, nil
	case types.Bytea:
		return arrow.BinaryTypes.Binary, nil
	case types.UUIDOID:
		return &arrow.FixedSizeBinaryType{ByteWidth: 16}, nil
	case types.Timestamptz:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, nil
	case types.Timestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond}, nil
	case types.Date:
		return arrow.FixedWidthTypes.Date32, nil
	case types.Time:
		return arrow.FixedWidthTypes.Time64us, nil
	case types.IntervalOID:
		return intervalType, nil
	}
	if elem := types.ElemOf(oid); elem != 0 {
		et, err := arrowType(elem)
		if err != nil {
			return nil, err
		}
		return arrow.ListOfField(arrow.Field{Name: "element", Type: et, Nullable: true}), nil
	}
	return nil, fmt.Errorf("%w: oid %d", ErrUnsupportedType, oid)
}

// statsKind reports whether min/max of a type can be kept as AppendKey
// encodings that order like SQL's = and <. bpchar is left out (its equality
// ignores trailing spaces), as are json (no equality), numeric, interval
// and arrays (no key encoding).
func statsKind(oid types.OID) bool {
	switch oid {
	case types.Bool, types.Int8, types.Int4, types.Int2, types.Float8, types.Float4,
		types.Text, types.Varchar, types.Name, types.Bytea, types.UUIDOID,
		types.Timestamptz, types.Timestamp, types.Date, types.Time,
		types.OIDType, types.Regclass, types.Regtype:
		return true
	}
	return false
}

// appendArrow appends v (a types representation, nil for NULL) to b.
func appendArrow(b array.Builder, oid types.OID, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	bad := func() error { return fmt.Errorf("%w: %T for type %d", ErrValueType, v, oid) }
	switch b := b.(type) {
	case *array.BooleanBuilder:
		x, ok := v.(bool)
		if !ok {
			return bad()
		}
		b.Append(x)
	case *array.Int64Builder:
		x, ok := v.(int64)
		if !ok {
			return bad()
		}
		b.Append(x)
	case *array.Int32Builder:
		x, ok := v.(int64)
		if !ok || x != int64(int32(x)) {
			return bad()
		}
		b.Append(int32(x))
	case *array.Int16Builder:
		x, ok := v.(int64)
		if !ok || x != int64(int16(x)) {
			return bad()
		}
		b.Append(int16(x))
	case *array.Float64Builder:
		x, ok := v.(float64)
		if !ok {
			return bad()
		}
		b.Append(x)
	case *array.Float32Builder:
		x, ok := v.(float64)
		if !ok {
			return bad()
		}
		b.Append(float32(x))
	case *array.StringBuilder:
		switch x := v.(type) {
		case string:
			b.Append(x)
		case *apd.Decimal:
			b.Append(x.Text('G'))
		default:
			return bad()
		}
	case *array.BinaryBuilder:
		x, ok := v.([]byte)
		if !ok {
			return bad()
		}
		b.Append(x)
	case *array.FixedSizeBinaryBuilder:
		x, ok := v.(types.UUID)
		if !ok {
			return bad()
		}
		b.Append(x[:])
	case *array.TimestampBuilder:
		x, ok := v.(time.Time)
		if !ok {
			return bad()
		}
		b.Append(arrow.Timestamp(x.UnixMicro()))
	case *array.Date32Builder:
		x, ok := v.(time.Time)
		if !ok {
			return bad()
		}
		b.Append(arrow.Date32(floorDiv(x.UnixMicro(), 86_400_000_000)))
	case *array.Time64Builder:
		x, ok := v.(time.Time)
		if !ok {
			return bad()
		}
		b.Append(arrow.Time64(x.Sub(epoch2000).Microseconds()))
	case *array.StructBuilder:
		x, ok := v.(types.Interval)
		if !ok {
			return bad()
		}
		b.Append(true)
		b.FieldBuilder(0).(*array.Int32Builder).Append(x.Months)
		b.FieldBuilder(1).(*array.Int32Builder).Append(x.Days)
		b.FieldBuilder(2).(*array.Int64Builder).Append(x.Micros)
	case *array.ListBuilder:
		x, ok := v.([]any)
		if !ok {
			return bad()
		}
		b.Append(true)
		elem := types.ElemOf(oid)
		for _, e := range x {
			if err := appendArrow(b.ValueBuilder(), elem, e); err != nil {
				return err
			}
		}
	default:
		return bad()
	}
	return nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// valueAt reads row i of arr as a types representation (nil for NULL).
func valueAt(arr arrow.Array, oid types.OID, i int) (any, error) {
	if arr.IsNull(i) {
		return nil, nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return a.Value(i), nil
	case *array.Int64:
		return a.Value(i), nil
	case *array.Int32:
		return int64(a.Value(i)), nil
	case *array.Int16:
		return int64(a.Value(i)), nil
	case *array.Float64:
		return a.Value(i), nil
	case *array.Float32:
		return float64(a.Value(i)), nil
	case *array.String:
		s := a.Value(i)
		if oid == types.Numeric {
			d, _, err := apd.NewFromString(s)
			if err != nil {
				return nil, fmt.Errorf("%w: numeric %q", ErrCorrupt, s)
			}
			return d, nil
		}
		return string([]byte(s)), nil // copy: s aliases the Arrow buffer
	case *array.Binary:
		return append([]byte{}, a.Value(i)...), nil
	case *array.FixedSizeBinary:
		var u types.UUID
		if copy(u[:], a.Value(i)) != 16 {
			return nil, fmt.Errorf("%w: uuid width", ErrCorrupt)
		}
		return u, nil
	case *array.Timestamp:
		return time.UnixMicro(int64(a.Value(i))).UTC(), nil
	case *array.Date32:
		return time.UnixMicro(int64(a.Value(i)) * 86_400_000_000).UTC(), nil
	case *array.Time64:
		return epoch2000.Add(time.Duration(a.Value(i)) * time.Microsecond), nil
	case *array.Struct:
		m, ok1 := a.Field(0).(*array.Int32)
		d, ok2 := a.Field(1).(*array.Int32)
		us, ok3 := a.Field(2).(*array.Int64)
		if a.NumField() != 3 || !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("%w: interval layout", ErrCorrupt)
		}
		return types.Interval{Months: m.Value(i), Days: d.Value(i), Micros: us.Value(i)}, nil
	case *array.List:
		start, end := a.ValueOffsets(i)
		vals, elem := a.ListValues(), types.ElemOf(oid)
		out := make([]any, 0, end-start)
		for j := start; j < end; j++ {
			v, err := valueAt(vals, elem, int(j))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: arrow type %s", ErrCorrupt, arr.DataType())
}

// columnType recovers a column's SQL type from its field metadata.
func columnType(f arrow.Field) (types.Type, error) {
	oid, err1 := strconv.ParseUint(metaValue(f, metaOID), 10, 32)
	mod, err2 := strconv.ParseInt(metaValue(f, metaMod), 10, 32)
	if err1 != nil || err2 != nil {
		return types.Type{}, fmt.Errorf("%w: column %s has no type metadata", ErrCorrupt, f.Name)
	}
	return types.Type{OID: types.OID(oid), Mod: int32(mod)}, nil
}

func metaValue(f arrow.Field, key string) string {
	if i := f.Metadata.FindKey(key); i >= 0 {
		return f.Metadata.Values()[i]
	}
	return ""
}

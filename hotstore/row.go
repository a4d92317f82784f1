package hotstore

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
	"unsafe"

	"github.com/cockroachdb/apd/v3"
	"github.com/kalamdb/kalamdb/types"
)

// Kind tags of the row codec. They are part of the on-disk format: never
// renumber, only append.
const (
	kindNull     = 0
	kindFalse    = 1
	kindTrue     = 2
	kindInt      = 3 // zigzag varint
	kindFloat    = 4 // 8 bytes, little-endian IEEE bits
	kindDecSmall = 5 // flags, zigzag exponent, uvarint coefficient
	kindDecBig   = 6 // flags, zigzag exponent, uvarint length, big-endian coefficient
	kindString   = 7 // uvarint length, bytes
	kindBytes    = 8 // uvarint length, bytes
	kindTime     = 9 // zigzag varint of microseconds since the Unix epoch
	kindUUID     = 10
	kindInterval = 11 // zigzag varints: months, days, micros
	kindArray    = 12 // uvarint count, then kind+payload per element
)

// Decimal flags: the form in the low bits, the sign in the high bit.
const (
	decFormMask = 0x03
	decNegative = 0x80
)

// maxArrayDepth bounds nesting so a hostile or corrupt row cannot exhaust
// the stack; SQL arrays here are one-dimensional.
const maxArrayDepth = 8

// EncodeRow encodes a row as (column id, value) pairs, NULLs included, so
// rows written before an ADD or DROP COLUMN still decode. Values are any of
// the representations listed in package types.
func EncodeRow(buf []byte, ids []uint32, vals []any) ([]byte, error) {
	if len(ids) != len(vals) {
		return buf, fmt.Errorf("encode row: %d ids for %d values", len(ids), len(vals))
	}
	var err error
	for i, v := range vals {
		buf = binary.AppendUvarint(buf, uint64(ids[i]))
		if buf, err = appendValue(buf, v, 0); err != nil {
			return buf, fmt.Errorf("encode column %d: %w", ids[i], err)
		}
	}
	return buf, nil
}

func appendValue(buf []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(buf, kindNull), nil
	case bool:
		if x {
			return append(buf, kindTrue), nil
		}
		return append(buf, kindFalse), nil
	case int64:
		return binary.AppendVarint(append(buf, kindInt), x), nil
	case float64:
		return binary.LittleEndian.AppendUint64(append(buf, kindFloat), math.Float64bits(x)), nil
	case *apd.Decimal:
		return appendDecimal(buf, x), nil
	case string:
		buf = binary.AppendUvarint(append(buf, kindString), uint64(len(x)))
		return append(buf, x...), nil
	case []byte:
		buf = binary.AppendUvarint(append(buf, kindBytes), uint64(len(x)))
		return append(buf, x...), nil
	case time.Time:
		return binary.AppendVarint(append(buf, kindTime), x.UnixMicro()), nil
	case types.UUID:
		return append(append(buf, kindUUID), x[:]...), nil
	case types.Interval:
		buf = binary.AppendVarint(append(buf, kindInterval), int64(x.Months))
		buf = binary.AppendVarint(buf, int64(x.Days))
		return binary.AppendVarint(buf, x.Micros), nil
	case []any:
		if depth >= maxArrayDepth {
			return buf, errDeepArray
		}
		buf = binary.AppendUvarint(append(buf, kindArray), uint64(len(x)))
		var err error
		for _, e := range x {
			if buf, err = appendValue(buf, e, depth+1); err != nil {
				return buf, err
			}
		}
		return buf, nil
	default:
		return buf, fmt.Errorf("%w: %T", ErrValueType, v)
	}
}

func appendDecimal(buf []byte, d *apd.Decimal) []byte {
	flags := byte(d.Form) & decFormMask
	if d.Negative {
		flags |= decNegative
	}
	if d.Coeff.BitLen() <= 64 {
		buf = append(buf, kindDecSmall, flags)
		buf = binary.AppendVarint(buf, int64(d.Exponent))
		return binary.AppendUvarint(buf, d.Coeff.Uint64())
	}
	buf = append(buf, kindDecBig, flags)
	buf = binary.AppendVarint(buf, int64(d.Exponent))
	mag := d.Coeff.Bytes()
	buf = binary.AppendUvarint(buf, uint64(len(mag)))
	return append(buf, mag...)
}

// sharedStringMax bounds the rest of a row that DecodeRow copies into one
// string shared by its string columns.
const sharedStringMax = 4 << 10

// DecodeRow calls fn for every stored (column id, value) pair of data.
// Strings, byte slices and arrays are fresh copies that outlive data. The
// top-level strings of a row of modest size share one allocation: a chat
// row has several text columns, and decoding is on every read path.
func DecodeRow(data []byte, fn func(id uint32, v any)) error {
	return decodeRow(data, false, fn)
}

// decodeRow is DecodeRow; stable data (see DecodeStableRowArena) lends
// its bytes to the top-level strings instead of a copy.
func decodeRow(data []byte, stable bool, fn func(id uint32, v any)) error {
	var shared string // copy of base (base itself when stable), made at the first string
	var base []byte
	for len(data) > 0 {
		id, n := binary.Uvarint(data)
		if n <= 0 || id > math.MaxUint32 {
			return errCorruptRow
		}
		b := data[n:]
		if len(b) > 0 && b[0] == kindString && (base != nil || len(b) <= sharedStringMax) {
			raw, rest, err := readLen(b[1:])
			if err != nil {
				return err
			}
			switch {
			case base != nil:
			case stable:
				base, shared = b, unsafe.String(unsafe.SliceData(b), len(b))
			default:
				base, shared = b, string(b)
			}
			off := cap(base) - cap(raw) // raw lies inside base
			fn(uint32(id), shared[off:off+len(raw)])
			data = rest
			continue
		}
		v, rest, err := readValue(b, 0)
		if err != nil {
			return err
		}
		fn(uint32(id), v)
		data = rest
	}
	return nil
}

func readValue(b []byte, depth int) (any, []byte, error) {
	if len(b) == 0 {
		return nil, b, errCorruptRow
	}
	kind, b := b[0], b[1:]
	switch kind {
	case kindNull:
		return nil, b, nil
	case kindFalse:
		return false, b, nil
	case kindTrue:
		return true, b, nil
	case kindInt:
		x, n := binary.Varint(b)
		if n <= 0 {
			return nil, b, errCorruptRow
		}
		return x, b[n:], nil
	case kindFloat:
		if len(b) < 8 {
			return nil, b, errCorruptRow
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b)), b[8:], nil
	case kindDecSmall, kindDecBig:
		return readDecimal(kind, b)
	case kindString, kindBytes:
		raw, rest, err := readLen(b)
		if err != nil {
			return nil, b, err
		}
		if kind == kindString {
			return string(raw), rest, nil
		}
		return append(make([]byte, 0, len(raw)), raw...), rest, nil
	case kindTime:
		x, n := binary.Varint(b)
		if n <= 0 {
			return nil, b, errCorruptRow
		}
		return time.UnixMicro(x).UTC(), b[n:], nil
	case kindUUID:
		if len(b) < 16 {
			return nil, b, errCorruptRow
		}
		var u types.UUID
		copy(u[:], b)
		return u, b[16:], nil
	case kindInterval:
		var f [3]int64
		for i := range f {
			x, n := binary.Varint(b)
			if n <= 0 {
				return nil, b, errCorruptRow
			}
			f[i], b = x, b[n:]
		}
		if f[0] != int64(int32(f[0])) || f[1] != int64(int32(f[1])) {
			return nil, b, errCorruptRow
		}
		return types.Interval{Months: int32(f[0]), Days: int32(f[1]), Micros: f[2]}, b, nil
	case kindArray:
		return readArray(b, depth)
	default:
		return nil, b, errCorruptRow
	}
}

func readArray(b []byte, depth int) (any, []byte, error) {
	if depth >= maxArrayDepth {
		return nil, b, errCorruptRow
	}
	count, n := binary.Uvarint(b)
	// Every element takes at least one byte: a cheap bound that stops a
	// corrupt count from allocating gigabytes.
	if n <= 0 || count > uint64(len(b)-n) {
		return nil, b, errCorruptRow
	}
	b = b[n:]
	arr := make([]any, count)
	for i := range arr {
		v, rest, err := readValue(b, depth+1)
		if err != nil {
			return nil, b, err
		}
		arr[i], b = v, rest
	}
	return arr, b, nil
}

func readDecimal(kind byte, b []byte) (any, []byte, error) {
	if len(b) < 1 {
		return nil, b, errCorruptRow
	}
	flags := b[0]
	if flags&^(decFormMask|decNegative) != 0 {
		return nil, b, errCorruptRow
	}
	b = b[1:]
	exp, n := binary.Varint(b)
	if n <= 0 || exp != int64(int32(exp)) {
		return nil, b, errCorruptRow
	}
	b = b[n:]
	d := &apd.Decimal{
		Form:     apd.Form(flags & decFormMask),
		Negative: flags&decNegative != 0,
		Exponent: int32(exp),
	}
	if kind == kindDecSmall {
		c, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, b, errCorruptRow
		}
		d.Coeff.SetUint64(c)
		return d, b[n:], nil
	}
	mag, rest, err := readLen(b)
	if err != nil {
		return nil, b, err
	}
	d.Coeff.SetBytes(mag)
	return d, rest, nil
}

// readLen reads a uvarint length and that many bytes, without copying.
func readLen(b []byte) (raw, rest []byte, err error) {
	l, n := binary.Uvarint(b)
	if n <= 0 || l > uint64(len(b)-n) {
		return nil, b, errCorruptRow
	}
	end := n + int(l)
	return b[n:end], b[end:], nil
}

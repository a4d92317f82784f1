package hotstore

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/kalamdb/kalamdb/types"
)

// Type tags of the key codec. Their relative order only matters between
// values of different types, which never share a primary-key column.
const (
	keyBool   = 0x10
	keyInt    = 0x20
	keyFloat  = 0x30
	keyString = 0x40
	keyBytes  = 0x50
	keyTime   = 0x60
	keyUUID   = 0x70
)

// canonicalNaN is the one NaN the codec writes; it sorts above +Inf.
const canonicalNaN = 0x7FF8000000000000

// AppendKey appends the order-preserving (memcomparable) encoding of a
// non-NULL primary-key value (bool, int64, float64, string, []byte,
// time.Time, types.UUID) to buf. Encodings of several columns concatenate
// and still sort as the tuple.
func AppendKey(buf []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case bool:
		b := byte(0)
		if x {
			b = 1
		}
		return append(buf, keyBool, b), nil
	case int64:
		return appendOrderedInt(append(buf, keyInt), x), nil
	case float64:
		return binary.BigEndian.AppendUint64(append(buf, keyFloat), floatBits(x)), nil
	case string:
		return appendEscaped(append(buf, keyString), x), nil
	case []byte:
		return appendEscaped(append(buf, keyBytes), x), nil
	case time.Time:
		return appendOrderedInt(append(buf, keyTime), x.UnixMicro()), nil
	case types.UUID:
		return append(append(buf, keyUUID), x[:]...), nil
	case nil:
		return buf, ErrNullKey
	default:
		return buf, fmt.Errorf("%w: %T", ErrKeyType, v)
	}
}

// DecodeKey reads one value written by AppendKey and returns the rest.
// Non-canonical encodings (a negative zero, a NaN other than the one
// AppendKey writes) are rejected so that decoding and re-encoding always
// reproduce the input.
func DecodeKey(b []byte) (v any, rest []byte, err error) {
	if len(b) == 0 {
		return nil, b, errShortKey
	}
	tag, body := b[0], b[1:]
	switch tag {
	case keyBool:
		if len(body) < 1 || body[0] > 1 {
			return nil, b, errBadKey
		}
		return body[0] == 1, body[1:], nil
	case keyInt, keyTime:
		if len(body) < 8 {
			return nil, b, errShortKey
		}
		n := int64(binary.BigEndian.Uint64(body) ^ (1 << 63))
		if tag == keyTime {
			return time.UnixMicro(n).UTC(), body[8:], nil
		}
		return n, body[8:], nil
	case keyFloat:
		if len(body) < 8 {
			return nil, b, errShortKey
		}
		u := binary.BigEndian.Uint64(body)
		if u&(1<<63) != 0 {
			u ^= 1 << 63
		} else {
			u = ^u
		}
		f := math.Float64frombits(u)
		if (f == 0 && math.Signbit(f)) || (math.IsNaN(f) && u != canonicalNaN) {
			return nil, b, errBadKey
		}
		return f, body[8:], nil
	case keyString, keyBytes:
		raw, rest, err := unescape(body)
		if err != nil {
			return nil, b, err
		}
		if tag == keyString {
			return string(raw), rest, nil
		}
		return raw, rest, nil
	case keyUUID:
		if len(body) < 16 {
			return nil, b, errShortKey
		}
		var u types.UUID
		copy(u[:], body)
		return u, body[16:], nil
	default:
		return nil, b, errBadKey
	}
}

// appendOrderedInt writes n big-endian with the sign bit flipped, so that
// negative numbers sort before positive ones.
func appendOrderedInt(buf []byte, n int64) []byte {
	return binary.BigEndian.AppendUint64(buf, uint64(n)^(1<<63))
}

// floatBits maps a float64 to a uint64 whose unsigned order is the numeric
// order: positive numbers get the sign bit set, negative ones are inverted.
// -0 is written as 0 and every NaN as one NaN above +Inf.
func floatBits(f float64) uint64 {
	var u uint64
	switch {
	case f == 0:
		u = 0
	case math.IsNaN(f):
		u = canonicalNaN
	default:
		u = math.Float64bits(f)
	}
	if u&(1<<63) != 0 {
		return ^u
	}
	return u | 1<<63
}

// appendEscaped writes s with every 0x00 escaped as 0x00 0xFF and ends it
// with 0x00 0x01. The terminator sorts below every escaped byte, so a
// string sorts before its extensions and tuples concatenate.
func appendEscaped[T string | []byte](buf []byte, s T) []byte {
	for {
		i := indexZero(s)
		if i < 0 {
			break
		}
		buf = append(buf, s[:i]...)
		buf = append(buf, 0x00, 0xFF)
		s = s[i+1:]
	}
	buf = append(buf, s...)
	return append(buf, 0x00, 0x01)
}

func indexZero[T string | []byte](s T) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return -1
}

// unescape reverses appendEscaped, returning a fresh copy of the bytes.
func unescape(b []byte) (raw, rest []byte, err error) {
	end := -1
	escapes := 0
scan:
	for i := 0; i < len(b); i++ {
		if b[i] != 0 {
			continue
		}
		if i+1 >= len(b) {
			return nil, b, errShortKey
		}
		switch b[i+1] {
		case 0x01:
			end = i
			break scan
		case 0xFF:
			escapes++
			i++
		default:
			return nil, b, errBadKey
		}
	}
	if end < 0 {
		return nil, b, errShortKey
	}
	raw = make([]byte, 0, end-escapes)
	for i := 0; i < end; i++ {
		raw = append(raw, b[i])
		if b[i] == 0 {
			i++ // skip the 0xFF of the escape
		}
	}
	return raw, b[end+2:], nil
}

// Keyspace tags: the first byte of every Badger key.
const (
	tagRow  = 'r' // tagRow table user pk -> record
	tagSeq  = 's' // tagSeq table user seq -> pk
	tagMeta = 'm' // tagMeta key -> value (catalog)
	tagSys  = 'x' // internal state (the seq lease)
)

// appendPartition writes tag, the table id and the escaped user: the prefix
// shared by every key of one partition in one keyspace.
func appendPartition(buf []byte, tag byte, p Partition) []byte {
	buf = append(buf, tag)
	buf = binary.BigEndian.AppendUint32(buf, p.Table)
	return appendEscaped(buf, p.User)
}

// appendTable writes the prefix shared by every partition of a table.
func appendTable(buf []byte, tag byte, table uint32) []byte {
	return binary.BigEndian.AppendUint32(append(buf, tag), table)
}

// prefixEnd returns the smallest key greater than every key starting with
// prefix (which ends with the 0x00 0x01 terminator, so no carry is needed).
func prefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	end[len(end)-1]++
	return end
}

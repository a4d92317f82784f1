package hotstore

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/kalamdb/kalamdb/types"
)

func mustDecimal(t testing.TB, s string) *apd.Decimal {
	t.Helper()
	d, _, err := apd.NewFromString(s)
	if err != nil {
		t.Fatalf("decimal %q: %v", s, err)
	}
	return d
}

type pair struct {
	id uint32
	v  any
}

func decodePairs(t testing.TB, data []byte) []pair {
	t.Helper()
	var got []pair
	if err := DecodeRow(data, func(id uint32, v any) { got = append(got, pair{id, v}) }); err != nil {
		t.Fatalf("DecodeRow: %v", err)
	}
	return got
}

func valueEqual(a, b any) bool {
	switch x := a.(type) {
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case *apd.Decimal:
		y, ok := b.(*apd.Decimal)
		return ok && x.Form == y.Form && x.Negative == y.Negative &&
			x.Exponent == y.Exponent && x.Coeff.Cmp(&y.Coeff) == 0
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !valueEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func TestRowRoundTrip(t *testing.T) {
	vals := []any{
		nil,
		true,
		false,
		int64(0),
		int64(math.MinInt64),
		int64(math.MaxInt64),
		3.25,
		math.Copysign(0, -1),
		math.Inf(-1),
		math.NaN(),
		mustDecimal(t, "-123.4500"),
		mustDecimal(t, "123456789012345678901234567890.0000000001"),
		mustDecimal(t, "NaN"),
		mustDecimal(t, "-Infinity"),
		"",
		"héllo\x00world",
		[]byte{},
		[]byte{0, 1, 2, 0xFF},
		time.UnixMicro(-62135596800000000).UTC(),
		time.Date(2024, 2, 29, 12, 30, 0, 123456000, time.UTC),
		types.UUID{0xde, 0xad, 0xbe, 0xef, 15: 1},
		types.Interval{Months: -14, Days: 3, Micros: -1},
		[]any{},
		[]any{"a", nil, "c"},
		[]any{int64(1), int64(-2), nil},
		[]any{[]any{int64(1)}, []any{}},
	}
	ids := make([]uint32, len(vals))
	for i := range ids {
		ids[i] = uint32(i * 1000) // multi-byte uvarints
	}
	ids[len(ids)-1] = math.MaxUint32
	data, err := EncodeRow(nil, ids, vals)
	if err != nil {
		t.Fatalf("EncodeRow: %v", err)
	}
	got := decodePairs(t, data)
	if len(got) != len(vals) {
		t.Fatalf("decoded %d pairs, want %d", len(got), len(vals))
	}
	for i, p := range got {
		if p.id != ids[i] || !valueEqual(p.v, vals[i]) {
			t.Fatalf("pair %d: got (%d, %#v), want (%d, %#v)", i, p.id, p.v, ids[i], vals[i])
		}
	}
}

// A row written before ADD COLUMN lacks the new id entirely, while an
// explicit NULL is stored: readers can tell a default from a NULL.
func TestRowNullIsExplicit(t *testing.T) {
	data, err := EncodeRow(nil, []uint32{1, 2}, []any{int64(7), nil})
	if err != nil {
		t.Fatalf("EncodeRow: %v", err)
	}
	got := decodePairs(t, data)
	want := []pair{{1, int64(7)}, {2, nil}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
}

func TestEncodeRowErrors(t *testing.T) {
	tests := []struct {
		name string
		ids  []uint32
		vals []any
		want error
	}{
		{"length mismatch", []uint32{1}, nil, nil},
		{"int32 not a representation", []uint32{1}, []any{int32(1)}, ErrValueType},
		{"struct", []uint32{1}, []any{struct{}{}}, ErrValueType},
		{"too deep", []uint32{1}, []any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{[]any{}}}}}}}}}}, ErrValueType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EncodeRow(nil, tt.ids, tt.vals)
			if err == nil {
				t.Fatalf("got nil error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDecodeRowRejects(t *testing.T) {
	tests := map[string][]byte{
		"id without value":   {1},
		"unknown kind":       {1, 99},
		"short float":        {1, kindFloat, 1, 2},
		"string past end":    {1, kindString, 5, 'a'},
		"huge array count":   {1, kindArray, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F},
		"bad decimal flags":  {1, kindDecSmall, 0x40, 0, 0},
		"interval overflow":  {1, kindInterval, 0x80, 0x80, 0x80, 0x80, 0x20, 0, 0},
		"id over uint32":     {0xFF, 0xFF, 0xFF, 0xFF, 0x1F, kindNull},
		"truncated varint":   {1, kindInt, 0x80},
		"short uuid":         {1, kindUUID, 1},
		"array elem missing": {1, kindArray, 2, kindNull},
	}
	for name, b := range tests {
		if err := DecodeRow(b, func(uint32, any) {}); err == nil {
			t.Fatalf("%s: DecodeRow(%x) succeeded", name, b)
		}
	}
}

func FuzzDecodeRow(f *testing.F) {
	seed, _ := EncodeRow(nil, []uint32{1, 2, 3, 4, 5, 6, 7},
		[]any{nil, int64(-3), "x", []any{int64(1), nil}, mustDecimal(f, "1.5"), types.Interval{Days: 1}, time.UnixMicro(5)})
	f.Add(seed)
	f.Add([]byte{1, kindArray, 1, kindArray, 0})
	f.Add([]byte{1, kindDecBig, 0, 2, 3, 1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		var ids []uint32
		var vals []any
		err := DecodeRow(data, func(id uint32, v any) {
			ids = append(ids, id)
			vals = append(vals, v)
		})
		if err != nil {
			return
		}
		// Decoding is not injective (overlong varints), but what we encode
		// must decode to itself.
		enc, err := EncodeRow(nil, ids, vals)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		var got []pair
		if err := DecodeRow(enc, func(id uint32, v any) { got = append(got, pair{id, v}) }); err != nil {
			t.Fatalf("decode re-encoded: %v", err)
		}
		if len(got) != len(vals) {
			t.Fatalf("got %d pairs, want %d", len(got), len(vals))
		}
		for i := range got {
			if got[i].id != ids[i] || !valueEqual(got[i].v, vals[i]) {
				t.Fatalf("pair %d: got (%d, %#v), want (%d, %#v)", i, got[i].id, got[i].v, ids[i], vals[i])
			}
		}
		enc2, _ := EncodeRow(nil, ids, vals)
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not deterministic")
		}
	})
}

func BenchmarkEncodeRow(b *testing.B) {
	ids := []uint32{1, 2, 3, 4, 5, 6}
	vals := []any{int64(1234567890123), "conv-42", "user_alice", "hello there, this is a chat message", time.Now(), false}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = EncodeRow(buf[:0], ids, vals)
	}
}

func BenchmarkDecodeRow(b *testing.B) {
	ids := []uint32{1, 2, 3, 4, 5, 6}
	vals := []any{int64(1234567890123), "conv-42", "user_alice", "hello there, this is a chat message", time.Now(), false}
	data, _ := EncodeRow(nil, ids, vals)
	b.ReportAllocs()
	for b.Loop() {
		_ = DecodeRow(data, func(uint32, any) {})
	}
}

package hotstore

import (
	"bytes"
	"cmp"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/types"
)

// keyCompare is the reference order of key values of one type.
func keyCompare(a, b any) int {
	switch x := a.(type) {
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case int64:
		return cmp.Compare(x, b.(int64))
	case float64:
		y := b.(float64)
		// cmp.Compare orders NaN first; the key codec puts it last.
		switch xn, yn := math.IsNaN(x), math.IsNaN(y); {
		case xn && yn:
			return 0
		case xn:
			return 1
		case yn:
			return -1
		}
		return cmp.Compare(x, y)
	case string:
		return strings.Compare(x, b.(string))
	case []byte:
		return bytes.Compare(x, b.([]byte))
	case time.Time:
		return x.Compare(b.(time.Time))
	case types.UUID:
		y := b.(types.UUID)
		return bytes.Compare(x[:], y[:])
	}
	panic("unknown key type")
}

func keyEqual(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	return reflect.DeepEqual(a, b) || (isNaN(a) && isNaN(b))
}

func isNaN(v any) bool {
	f, ok := v.(float64)
	return ok && math.IsNaN(f)
}

// randKey returns a random value of key type kind, drawn from small domains
// so that equal values and shared prefixes are common.
func randKey(r *rand.Rand, kind int) any {
	switch kind {
	case 0:
		return r.IntN(2) == 1
	case 1:
		edges := []int64{math.MinInt64, -1, 0, 1, math.MaxInt64}
		if r.IntN(4) == 0 {
			return edges[r.IntN(len(edges))]
		}
		return r.Int64N(21) - 10
	case 2:
		edges := []float64{math.Inf(-1), -1.5, math.Copysign(0, -1), 0, 1e-300, 2.5, math.Inf(1), math.NaN(), -math.MaxFloat64, math.SmallestNonzeroFloat64}
		if r.IntN(2) == 0 {
			return edges[r.IntN(len(edges))]
		}
		return (r.Float64() - 0.5) * 100
	case 3:
		return string(randBytes(r))
	case 4:
		return randBytes(r)
	case 5:
		return time.UnixMicro(r.Int64N(2e12) - 1e12).UTC()
	default:
		var u types.UUID
		u[0] = byte(r.IntN(3))
		u[15] = byte(r.IntN(3))
		return u
	}
}

func randBytes(r *rand.Rand) []byte {
	alphabet := []byte{0x00, 0x01, 'a', 'b', 0xFE, 0xFF}
	b := make([]byte, r.IntN(5))
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return b
}

func encodeTuple(t *testing.T, vals []any) []byte {
	t.Helper()
	var buf []byte
	for _, v := range vals {
		var err error
		if buf, err = AppendKey(buf, v); err != nil {
			t.Fatalf("AppendKey(%#v): %v", v, err)
		}
	}
	return buf
}

func TestKeyOrderProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		ncols := 1 + r.IntN(3)
		kinds := make([]int, ncols)
		for c := range kinds {
			kinds[c] = r.IntN(7)
		}
		a, b := make([]any, ncols), make([]any, ncols)
		want := 0
		for c, k := range kinds {
			a[c], b[c] = randKey(r, k), randKey(r, k)
			if want == 0 {
				want = keyCompare(a[c], b[c])
			}
		}
		ea, eb := encodeTuple(t, a), encodeTuple(t, b)
		if got := bytes.Compare(ea, eb); got != want {
			t.Fatalf("compare(%#v, %#v): bytes say %d, values say %d\n%x\n%x", a, b, got, want, ea, eb)
		}
		rest := ea
		for c := range a {
			v, r2, err := DecodeKey(rest)
			if err != nil {
				t.Fatalf("DecodeKey column %d of %#v: %v", c, a, err)
			}
			if !keyEqual(v, a[c]) && !(keyCompare(v, a[c]) == 0) {
				t.Fatalf("round trip column %d: got %#v, want %#v", c, v, a[c])
			}
			rest = r2
		}
		if len(rest) != 0 {
			t.Fatalf("%d bytes left after decoding %#v", len(rest), a)
		}
	}
}

func TestKeyOrderExamples(t *testing.T) {
	tests := []struct {
		name string
		a, b any
		want int
	}{
		{"negative zero equals zero", math.Copysign(0, -1), 0.0, 0},
		{"NaN above +Inf", math.NaN(), math.Inf(1), 1},
		{"-Inf below min", math.Inf(-1), -math.MaxFloat64, -1},
		{"prefix string first", "a", "a\x00", -1},
		{"escaped zero below 0x01", "a\x00", "a\x01", -1},
		{"shorter first", "ab", "abc", -1},
		{"min int", int64(math.MinInt64), int64(-1), -1},
		{"sign flip", int64(-1), int64(0), -1},
		{"false before true", false, true, -1},
		{"time before epoch", time.UnixMicro(-1).UTC(), time.UnixMicro(0).UTC(), -1},
		{"bytes 0xFF after 0x00", []byte{0xFF}, []byte{0x00, 0x00}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ea := encodeTuple(t, []any{tt.a})
			eb := encodeTuple(t, []any{tt.b})
			if got := bytes.Compare(ea, eb); got != tt.want {
				t.Fatalf("got %d, want %d (%x vs %x)", got, tt.want, ea, eb)
			}
		})
	}
}

func TestAppendKeyRejects(t *testing.T) {
	for _, v := range []any{nil, int32(1), 1, []any{"x"}, types.Interval{}} {
		if _, err := AppendKey(nil, v); err == nil {
			t.Fatalf("AppendKey(%#v): got nil error", v)
		}
	}
}

func TestDecodeKeyRejects(t *testing.T) {
	tests := map[string][]byte{
		"empty":              {},
		"unknown tag":        {0x99},
		"short int":          {keyInt, 1, 2},
		"bool 2":             {keyBool, 2},
		"unterminated":       {keyString, 'a', 'b'},
		"bad escape":         {keyString, 'a', 0x00, 0x05},
		"negative zero":      {keyFloat, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
		"non-canonical NaN":  {keyFloat, 0xFF, 0xF8, 0, 0, 0, 0, 0, 1},
		"short uuid":         {keyUUID, 1, 2, 3},
		"lone zero at end":   {keyBytes, 0x00},
		"short float":        {keyFloat, 0x80},
		"short time":         {keyTime},
		"escape without end": {keyBytes, 0x00, 0xFF},
	}
	for name, b := range tests {
		if v, _, err := DecodeKey(b); err == nil {
			t.Fatalf("%s: DecodeKey(%x) = %#v, want error", name, b, v)
		}
	}
}

func FuzzDecodeKey(f *testing.F) {
	seeds := [][]any{
		{int64(-5), "hello"},
		{true, 3.5, []byte{0, 0xFF, 1}},
		{time.UnixMicro(123456).UTC(), types.UUID{1, 2, 3}},
		{math.NaN(), math.Inf(-1), "a\x00b"},
	}
	for _, s := range seeds {
		var buf []byte
		for _, v := range s {
			buf, _ = AppendKey(buf, v)
		}
		f.Add(buf)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rest := b
		for len(rest) > 0 {
			v, r, err := DecodeKey(rest)
			if err != nil {
				return
			}
			if len(r) >= len(rest) {
				t.Fatalf("DecodeKey consumed nothing from %x", rest)
			}
			enc, err := AppendKey(nil, v)
			if err != nil {
				t.Fatalf("re-encode %#v: %v", v, err)
			}
			if consumed := rest[:len(rest)-len(r)]; !bytes.Equal(enc, consumed) {
				t.Fatalf("round trip of %x gave %#v then %x", consumed, v, enc)
			}
			rest = r
		}
	})
}

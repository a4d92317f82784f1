package hotstore

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/kalamdb/kalamdb/types"
)

// decodeBoth decodes data with DecodeRow and with DecodeRowArena and
// returns both results.
func decodeBoth(t testing.TB, data []byte, a *Arena) (want, got []pair, wantErr, gotErr error) {
	t.Helper()
	wantErr = DecodeRow(data, func(id uint32, v any) { want = append(want, pair{id, v}) })
	gotErr = DecodeRowArena(data, a, func(id uint32, v any) { got = append(got, pair{id, v}) })
	return want, got, wantErr, gotErr
}

func TestDecodeRowArenaMatchesDecodeRow(t *testing.T) {
	ts := time.Date(2024, 5, 6, 7, 8, 9, 123000, time.UTC)
	long := strings.Repeat("x", sharedStringMax+10)
	tests := []struct {
		name string
		vals []any
	}{
		{"chat row", []any{int64(1234567), "conv_1", "user_1", "hello there", ts}},
		{"small ints and nulls", []any{int64(0), int64(255), int64(-1), nil, true, false}},
		{"long string first", []any{long, "after", int64(1 << 40)}},
		{"other kinds", []any{3.5, []byte("raw"), types.UUID{1, 2}, []any{"a", int64(2)}, types.Interval{Months: 1, Days: 2, Micros: 3}}},
		{"empty", nil},
	}
	var a Arena // shared across rows, as a scan shares it
	for _, tt := range tests {
		ids := make([]uint32, len(tt.vals))
		for i := range ids {
			ids[i] = uint32(i + 1)
		}
		data, err := EncodeRow(nil, ids, tt.vals)
		if err != nil {
			t.Fatalf("%s: encode: %v", tt.name, err)
		}
		// Many rows through one arena cross its chunk boundaries.
		for range 3 * arenaChunk / max(len(tt.vals), 1) {
			want, got, wantErr, gotErr := decodeBoth(t, data, &a)
			if wantErr != nil || gotErr != nil {
				t.Fatalf("%s: errors %v, %v", tt.name, wantErr, gotErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: got %#v, want %#v", tt.name, got, want)
			}
		}
	}
}

// TestArenaValuesStayPut checks that values handed out earlier keep their
// contents while the arena hands out more (slots are never rewritten).
func TestArenaValuesStayPut(t *testing.T) {
	var a Arena
	var strs, ints, times []any
	for i := range 5 * arenaChunk {
		strs = append(strs, a.String(strings.Repeat("s", i%7)))
		ints = append(ints, a.Int(int64(i)*1000))
		times = append(times, a.Time(time.UnixMicro(int64(i)).UTC()))
	}
	for i := range 5 * arenaChunk {
		if got, want := strs[i], strings.Repeat("s", i%7); got != want {
			t.Fatalf("string %d: got %q, want %q", i, got, want)
		}
		if got, want := ints[i], int64(i)*1000; got != want {
			t.Fatalf("int %d: got %v, want %v", i, got, want)
		}
		if got, want := times[i].(time.Time), time.UnixMicro(int64(i)).UTC(); !got.Equal(want) {
			t.Fatalf("time %d: got %v, want %v", i, got, want)
		}
	}
}

func FuzzDecodeRowArena(f *testing.F) {
	seed, _ := EncodeRow(nil, []uint32{1, 2, 3, 4}, []any{int64(-5), "text", time.UnixMicro(77).UTC(), []any{"x"}})
	f.Add(seed)
	f.Add([]byte{1, kindInt})
	f.Add([]byte{1, kindString, 5, 'a'})
	f.Fuzz(func(t *testing.T, data []byte) {
		var a Arena
		want, got, wantErr, gotErr := decodeBoth(t, data, &a)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("errors differ: DecodeRow %v, DecodeRowArena %v", wantErr, gotErr)
		}
		// Compared as text: NaN is not DeepEqual to itself, and decimals
		// are pointers.
		if g, w := pairsText(got), pairsText(want); wantErr == nil && g != w {
			t.Fatalf("got %s, want %s", g, w)
		}
	})
}

func BenchmarkDecodeRowArena(b *testing.B) {
	data, _ := EncodeRow(nil, []uint32{1, 2, 3, 4, 5},
		[]any{int64(1234567), "conv_000123", "user_000123", strings.Repeat("hello ", 35), time.Now()})
	var a Arena
	b.ReportAllocs()
	for b.Loop() {
		_ = DecodeRowArena(data, &a, func(uint32, any) {})
	}
}

func pairsText(ps []pair) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%d=%v;", p.id, p.v)
	}
	return b.String()
}

// TestDecodeStableRowAliasesData checks that a stable row decoded without
// an arena lends its bytes to its strings, and that the values match
// DecodeRow's.
func TestDecodeStableRowAliasesData(t *testing.T) {
	ts := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	data, err := EncodeRow(nil, []uint32{1, 2, 3, 4}, []any{int64(70000), "conv_1", "hello there", ts})
	if err != nil {
		t.Fatal(err)
	}
	var want, got []pair
	if err := DecodeRow(data, func(id uint32, v any) { want = append(want, pair{id, v}) }); err != nil {
		t.Fatal(err)
	}
	if err := DecodeStableRowArena(data, nil, func(id uint32, v any) { got = append(got, pair{id, v}) }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
	inData := func(s string) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(data)))
		return p >= lo && p+uintptr(len(s)) <= lo+uintptr(len(data))
	}
	for _, g := range got {
		if s, ok := g.v.(string); ok && !inData(s) {
			t.Fatalf("column %d: %q was copied, want it to point into the record", g.id, s)
		}
	}
	for _, w := range want {
		if s, ok := w.v.(string); ok && inData(s) {
			t.Fatalf("DecodeRow column %d: %q points into the record, want a copy", w.id, s)
		}
	}
}

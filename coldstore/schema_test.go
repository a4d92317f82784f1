package coldstore

import (
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/types"
)

func dec(t *testing.T, s string) *apd.Decimal {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		t.Fatalf("decimal %q: %v", s, err)
	}
	return d
}

func TestRoundTripEveryType(t *testing.T) {
	schema := typedSchema
	ts := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)
	full := map[uint32]any{
		1: true, 2: int64(-1 << 62), 3: int64(-2147483648), 4: int64(32767), 5: 3.25, 6: float64(float32(0.1)),
		7: dec(t, "123456789012345678901234567890.1234500"), 8: "héllo", 9: "", 10: []byte{0, 1, 255},
		11: `{"a": 1}`, 12: `{"a": 1}`, 13: types.UUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		14: ts, 15: ts, 16: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC),
		17: time.Date(2000, 1, 1, 23, 59, 59, 999999000, time.UTC),
		18: types.Interval{Months: -14, Days: 3, Micros: -1}, 19: []any{"a", nil, ""}, 20: []any{int64(1), nil},
		21: "ab  ", 22: int64(4294967295), 23: []any{types.UUID{9}},
	}
	nulls := map[uint32]any{}
	for _, c := range schema {
		nulls[c.ID] = nil
	}
	special := map[uint32]any{
		5: -0.5, 7: dec(t, "NaN"), 19: []any{}, 20: []any{}, 16: time.Date(-100, 3, 1, 0, 0, 0, 0, time.UTC),
	}
	numerics := []string{"-0", "Infinity", "-Infinity", "1E+3", "0.000001", "1.50"}
	rows := []row{
		{key: intKey(t, 1), seq: 10, vals: full},
		{key: intKey(t, 2), seq: 11, vals: nulls},
		{key: intKey(t, 3), seq: 12, vals: special},
		{key: intKey(t, 4), seq: 13, deleted: true},
	}
	for i, n := range numerics {
		rows = append(rows, row{key: intKey(t, int64(10+i)), seq: int64(20 + i), vals: map[uint32]any{7: dec(t, n)}})
	}
	s := openStore(t)
	flush(t, s, testPart, schema, rows...)
	out, _ := scan(t, s, testPart, ScanOptions{IncludeDeleted: true})
	if len(out) != len(rows) {
		t.Fatalf("got %d rows, want %d", len(out), len(rows))
	}
	for i, r := range rows {
		want := map[uint32]any{}
		if !r.deleted {
			for _, c := range schema {
				want[c.ID] = r.vals[c.ID] // absent from the row: NULL
			}
		}
		if got, w := out[i].vals, normMap(want); got != w {
			t.Fatalf("row %d:\n got %s\nwant %s", i, got, w)
		}
		if out[i].seq != r.seq || out[i].deleted != r.deleted {
			t.Fatalf("row %d: seq/deleted %d/%v, want %d/%v", i, out[i].seq, out[i].deleted, r.seq, r.deleted)
		}
	}
}

func TestFlushRejectsBadInput(t *testing.T) {
	schema := []catalog.Column{col(1, "i4", types.Int4)}
	tests := []struct {
		name string
		rows []row
	}{
		{"unsorted", []row{{key: intKey(t, 2), seq: 1}, {key: intKey(t, 1), seq: 2}}},
		{"duplicate", []row{{key: intKey(t, 1), seq: 1}, {key: intKey(t, 1), seq: 2}}},
		{"out of range", []row{{key: intKey(t, 1), seq: 1, vals: map[uint32]any{1: int64(1 << 40)}}}},
		{"wrong type", []row{{key: intKey(t, 1), seq: 1, vals: map[uint32]any{1: "x"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			if _, err := s.Flush(t.Context(), testPart, schema, 1, &rowSource{rows: tt.rows, t: t}); err == nil {
				t.Fatalf("flush succeeded")
			}
			segs, err := s.Segments(testPart)
			if err != nil || len(segs) != 0 {
				t.Fatalf("segments %v, %v; want none", segs, err)
			}
			if names := listDir(t, partDir(s, testPart)); len(names) != 0 {
				t.Fatalf("files left: %v", names)
			}
		})
	}
}

func TestEscapeName(t *testing.T) {
	for _, in := range []string{"user_alice", "", ".", "..", "a/b", "a.b", "%41", "ü", "x\x00y"} {
		esc := escapeName(in)
		if esc == "." || esc == ".." || esc == "" {
			t.Fatalf("escapeName(%q) = %q", in, esc)
		}
		back, ok := unescapeName(esc)
		if !ok || back != in {
			t.Fatalf("unescapeName(%q) = %q, %v; want %q", esc, back, ok, in)
		}
	}
	if got := escapeName("user_alice"); got != "user_alice" {
		t.Fatalf("escapeName(user_alice) = %q", got)
	}
}

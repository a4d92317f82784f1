package types

import (
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

func TestArrayDims(t *testing.T) {
	tests := []struct {
		a    []any
		dims []int
		flat []any
		text string
	}{
		{[]any{}, nil, []any{}, "{}"},
		{[]any{int64(1), nil}, []int{2}, []any{int64(1), nil}, "{1,NULL}"},
		{[]any{[]any{int64(1), int64(2)}, []any{int64(3), nil}}, []int{2, 2}, []any{int64(1), int64(2), int64(3), nil}, "{{1,2},{3,NULL}}"},
		{[]any{[]any{[]any{int64(1)}}, []any{[]any{int64(2)}}}, []int{2, 1, 1}, []any{int64(1), int64(2)}, "{{{1}},{{2}}}"},
	}
	for _, tc := range tests {
		if got := ArrayDims(tc.a); !slices.Equal(got, tc.dims) {
			t.Fatalf("ArrayDims(%v) = %v, want %v", tc.a, got, tc.dims)
		}
		if got := FlattenArray(tc.a); !slices.Equal(got, tc.flat) {
			t.Fatalf("FlattenArray(%v) = %v, want %v", tc.a, got, tc.flat)
		}
		if got := string(AppendText(nil, Int4Array, tc.a, nil)); got != tc.text {
			t.Fatalf("text of %v = %q, want %q", tc.a, got, tc.text)
		}
	}
}

// TestMultiDimBinaryMatchesPgtype decodes a two-dimensional array_send
// with pgx.
func TestMultiDimBinaryMatchesPgtype(t *testing.T) {
	a := []any{[]any{int64(1), int64(2), int64(3)}, []any{int64(4), nil, int64(6)}}
	b, err := appendArrayBinary(nil, Int4, a)
	if err != nil {
		t.Fatal(err)
	}
	var got pgtype.Array[*int32]
	if err := pgtype.NewMap().Scan(uint32(Int4Array), pgtype.BinaryFormatCode, b, &got); err != nil {
		t.Fatalf("pgx scan: %v", err)
	}
	if len(got.Dims) != 2 || got.Dims[0].Length != 2 || got.Dims[1].Length != 3 || got.Dims[0].LowerBound != 1 {
		t.Fatalf("dims = %+v, want 2x3 from 1", got.Dims)
	}
	var flat []string
	for _, e := range got.Elements {
		if e == nil {
			flat = append(flat, "NULL")
			continue
		}
		flat = append(flat, string(rune('0'+*e)))
	}
	if want := []string{"1", "2", "3", "4", "NULL", "6"}; !slices.Equal(flat, want) {
		t.Fatalf("elements = %v, want %v", flat, want)
	}
}

func TestRowTextAndCompare(t *testing.T) {
	r := Row{Vals: []any{int64(1), "a b", nil, "", `q"\`}, Types: []OID{Int4, Text, Text, Text, Text}}
	if got, want := string(AppendText(nil, Record, r, nil)), `(1,"a b",,"","q""\\")`; got != want {
		t.Fatalf("record text = %q, want %q", got, want)
	}
	tests := []struct {
		a, b Row
		want int
	}{
		{Row{[]any{int64(1), "b"}, []OID{Int4, Text}}, Row{[]any{int64(1), "c"}, []OID{Int4, Text}}, -1},
		{Row{[]any{int64(2)}, []OID{Int4}}, Row{[]any{int64(1)}, []OID{Int4}}, 1},
		{Row{[]any{nil}, []OID{Int4}}, Row{[]any{int64(1)}, []OID{Int4}}, 1},
		{Row{[]any{nil}, []OID{Int4}}, Row{[]any{nil}, []OID{Int4}}, 0},
	}
	for _, tc := range tests {
		if got := Compare(Record, tc.a, tc.b); got != tc.want {
			t.Fatalf("Compare(%v, %v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestRowBinaryMatchesPgtype decodes record_send with pgx.
func TestRowBinaryMatchesPgtype(t *testing.T) {
	r := Row{Vals: []any{int64(7), "x", nil}, Types: []OID{Int4, Text, Int8}}
	b, err := AppendBinary(nil, Record, r)
	if err != nil {
		t.Fatal(err)
	}
	v, err := pgtype.RecordCodec{}.DecodeValue(pgtype.NewMap(), uint32(Record), pgtype.BinaryFormatCode, b)
	if err != nil {
		t.Fatalf("pgx decode: %v", err)
	}
	got, _ := v.([]any)
	if len(got) != 3 || got[0] != int32(7) || got[1] != "x" || got[2] != nil {
		t.Fatalf("record = %#v, want [7 x <nil>]", got)
	}
}

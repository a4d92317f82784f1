package types

import (
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/jackc/pgx/v5/pgtype"
)

// These tests check the binary codecs against pgx's pgtype, an independent
// implementation of PostgreSQL's wire formats, in both directions.

func mustNumeric(t *testing.T, s string) *apd.Decimal {
	t.Helper()
	d, err := parseNumeric(s)
	if err != nil {
		t.Fatalf("parseNumeric(%q): %v", s, err)
	}
	return d
}

// numericFromPgtype converts a pgtype.Numeric to this package's form.
func numericFromPgtype(n pgtype.Numeric) *apd.Decimal {
	switch {
	case n.NaN:
		return &apd.Decimal{Form: apd.NaN}
	case n.InfinityModifier == pgtype.Infinity:
		return &apd.Decimal{Form: apd.Infinite}
	case n.InfinityModifier == pgtype.NegativeInfinity:
		return &apd.Decimal{Form: apd.Infinite, Negative: true}
	}
	d := &apd.Decimal{Exponent: n.Exp}
	d.Coeff.SetMathBigInt(new(big.Int).Abs(n.Int))
	d.Negative = n.Int.Sign() < 0
	return normalizeDecimal(d)
}

func TestBinaryMatchesPgtype(t *testing.T) {
	m := pgtype.NewMap()
	ts := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	old := time.Date(1900, 3, 4, 5, 6, 7, 0, time.UTC)
	u := UUID{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11}
	str := func(s string) *string { return &s }
	cases := []struct {
		oid  OID
		v    any // this package's value
		pg   any // the same value as pgtype scans it
		scan func() any
	}{
		{Bool, true, true, func() any { return new(bool) }},
		{Int2, int64(-32768), int16(-32768), func() any { return new(int16) }},
		{Int4, int64(2147483647), int32(2147483647), func() any { return new(int32) }},
		{Int8, int64(-9223372036854775808), int64(-9223372036854775808), func() any { return new(int64) }},
		{Float4, float64(float32(0.1)), float32(0.1), func() any { return new(float32) }},
		{Float8, 1e100, 1e100, func() any { return new(float64) }},
		{Text, "héllo", "héllo", func() any { return new(string) }},
		{Varchar, "v", "v", func() any { return new(string) }},
		{Name, "pg_class", "pg_class", func() any { return new(string) }},
		{JSON, `{"a" : 1}`, `{"a" : 1}`, func() any { return new(string) }},
		{JSONB, `{"a": 1, "bb": [1, 2]}`, `{"a": 1, "bb": [1, 2]}`, func() any { return new(string) }},
		{Bytea, []byte{0, 1, 0xff}, []byte{0, 1, 0xff}, func() any { return new([]byte) }},
		{UUIDOID, u, [16]byte(u), func() any { return new([16]byte) }},
		{Date, time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), func() any { return new(time.Time) }},
		{Date, time.Date(1492, 10, 12, 0, 0, 0, 0, time.UTC), time.Date(1492, 10, 12, 0, 0, 0, 0, time.UTC), func() any { return new(time.Time) }},
		{Timestamp, ts, ts, func() any { return new(time.Time) }},
		{Timestamp, old, old, func() any { return new(time.Time) }},
		{Timestamptz, ts, ts, func() any { return new(time.Time) }},
		{Time, timeFromMicros(3723000001), pgtype.Time{Microseconds: 3723000001, Valid: true}, func() any { return new(pgtype.Time) }},
		{IntervalOID, Interval{Months: -14, Days: 3, Micros: -14706500000}, pgtype.Interval{Months: -14, Days: 3, Microseconds: -14706500000, Valid: true}, func() any { return new(pgtype.Interval) }},
		{TextArray, []any{"a", nil, "c d", ""}, []*string{str("a"), nil, str("c d"), str("")}, func() any { return new([]*string) }},
		{TextArray, []any{}, []string{}, func() any { return new([]string) }},
		{Int8Array, []any{int64(1), int64(-2)}, []int64{1, -2}, func() any { return new([]int64) }},
		{Int4Array, []any{int64(7)}, []int32{7}, func() any { return new([]int32) }},
		{BoolArray, []any{true, false}, []bool{true, false}, func() any { return new([]bool) }},
		{Float8Array, []any{1.5}, []float64{1.5}, func() any { return new([]float64) }},
		{UUIDArray, []any{u}, [][16]byte{u}, func() any { return new([][16]byte) }},
		{JSONBArray, []any{`{"a": 1}`}, []string{`{"a": 1}`}, func() any { return new([]string) }},
		{TimestamptzArray, []any{ts}, []time.Time{ts}, func() any { return new([]time.Time) }},
		{IntervalArray, []any{Interval{Days: 1}}, []pgtype.Interval{{Days: 1, Valid: true}}, func() any { return new([]pgtype.Interval) }},
	}
	for _, c := range cases {
		name := NameOf(Of(c.oid))
		// ours -> pgtype
		buf, err := AppendBinary(nil, c.oid, c.v)
		if err != nil {
			t.Fatalf("%s: AppendBinary: %v", name, err)
		}
		dst := c.scan()
		if err := m.Scan(uint32(c.oid), pgtype.BinaryFormatCode, buf, dst); err != nil {
			t.Fatalf("%s: pgtype scan: %v", name, err)
		}
		got := reflect.ValueOf(dst).Elem().Interface()
		switch g := got.(type) {
		case time.Time:
			got = g.UTC()
		case []time.Time:
			for i := range g {
				g[i] = g[i].UTC()
			}
		}
		if !reflect.DeepEqual(got, c.pg) {
			t.Fatalf("%s: pgtype decoded %#v, want %#v", name, got, c.pg)
		}
		// pgtype -> ours
		enc, err := m.Encode(uint32(c.oid), pgtype.BinaryFormatCode, c.pg, nil)
		if err != nil {
			t.Fatalf("%s: pgtype encode: %v", name, err)
		}
		back, err := ParseBinary(c.oid, enc)
		if err != nil {
			t.Fatalf("%s: ParseBinary(%x): %v", name, enc, err)
		}
		if Compare(c.oid, back, c.v) != 0 || !reflect.DeepEqual(back, c.v) {
			t.Fatalf("%s: ParseBinary gave %#v, want %#v", name, back, c.v)
		}
	}
}

func TestNumericBinaryMatchesPgtype(t *testing.T) {
	m := pgtype.NewMap()
	for _, s := range []string{"0", "0.00", "1.50", "-1.50", "10000", "12345678901234567890.123456789",
		"0.0001", "0.00001", "-0.000000012345", "99999999", "1e20", "1.5e-3", "NaN", "Infinity", "-Infinity",
		"123.4567", "1000000.0001", "-7"} {
		d := mustNumeric(t, s)
		buf := appendNumericBinary(nil, d)
		var n pgtype.Numeric
		if err := m.Scan(uint32(Numeric), pgtype.BinaryFormatCode, buf, &n); err != nil {
			t.Fatalf("%s: pgtype scan: %v", s, err)
		}
		if got := numericFromPgtype(n); compareNumeric(got, d) != 0 {
			t.Fatalf("%s: pgtype decoded %s", s, got.String())
		}
		if d.Form == apd.Finite && d.IsZero() {
			continue // pgtype drops the scale of zero
		}
		// pgtype's text encoding keeps the scale it decoded, so it must
		// print the same digits we do.
		txt, err := m.Encode(uint32(Numeric), pgtype.TextFormatCode, n, nil)
		if err != nil {
			t.Fatalf("%s: pgtype text: %v", s, err)
		}
		if want := string(appendNumeric(nil, d)); string(txt) != want {
			t.Fatalf("%s: pgtype text %q, want %q", s, txt, want)
		}
		enc, err := m.Encode(uint32(Numeric), pgtype.BinaryFormatCode, n, nil)
		if err != nil {
			t.Fatalf("%s: pgtype encode: %v", s, err)
		}
		back, err := parseNumericBinary(enc)
		if err != nil {
			t.Fatalf("%s: parseNumericBinary: %v", s, err)
		}
		if got, want := string(appendNumeric(nil, back)), string(appendNumeric(nil, d)); got != want {
			t.Fatalf("%s: round trip through pgtype gave %s, want %s", s, got, want)
		}
	}
}

package types

import (
	"math"
	"testing"
	"time"
)

func TestCompare(t *testing.T) {
	cases := []struct {
		typ  Type
		a, b string
		want int
	}{
		{Of(Int8), "1", "2", -1},
		{Of(Float8), "NaN", "Infinity", 1},
		{Of(Float8), "NaN", "NaN", 0},
		{Of(Float8), "-0", "0", 0},
		{Of(Numeric), "1.50", "1.5", 0},
		{Of(Numeric), "NaN", "Infinity", 1},
		{Of(Numeric), "-Infinity", "-1e100", -1},
		{Of(Text), "B", "a", -1},
		{Of(Text), "ab", "a", 1},
		{Of(Bpchar), "a  ", "a", 0},
		{Of(Bool), "f", "t", -1},
		{Of(Bytea), "\\x00ff", "\\x01", -1},
		{Of(IntervalOID), "1 mon", "30 days", 0},
		{Of(IntervalOID), "1 day", "23:59:59", 1},
		{Of(IntervalOID), "-1 days +24:00:00", "00:00:00", 0},
		{Of(Timestamptz), "2024-01-02 03:00:00+01", "2024-01-02 02:00:00Z", 0},
		{Of(TextArray), "{a,b}", "{a,b,c}", -1},
		{Of(TextArray), "{a,NULL}", "{a,z}", 1},
		{Of(Int8Array), "{2}", "{1,5}", 1},
		{Of(JSONB), `{"a": 1}`, `{"a": 1, "b": 2}`, -1},
		{Of(JSONB), `[]`, `null`, -1},
		{Of(JSONB), `1`, `[1]`, -1},
		{Of(JSONB), `"a"`, `1`, -1},
		{Of(JSONB), `1.0`, `1`, 0},
		{Of(JSONB), `{"b": 1}`, `{"aa": 1}`, 1}, // keys compare as strings here
		{Of(UUIDOID), "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002", -1},
	}
	for _, c := range cases {
		a, b := mustParse(t, c.typ, c.a), mustParse(t, c.typ, c.b)
		if got := Compare(c.typ.OID, a, b); got != c.want {
			t.Fatalf("Compare(%s, %q, %q) = %d, want %d", NameOf(c.typ), c.a, c.b, got, c.want)
		}
		if got := Compare(c.typ.OID, b, a); got != -c.want {
			t.Fatalf("Compare(%s, %q, %q) = %d, want %d", NameOf(c.typ), c.b, c.a, got, -c.want)
		}
	}
	if Compare(Float8, math.Inf(1), math.NaN()) != -1 {
		t.Fatalf("Infinity should sort below NaN")
	}
}

func TestAppendTextForms(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Kolkata")
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		oid  OID
		v    any
		loc  *time.Location
		want string
	}{
		{Float8, 0.1, nil, "0.1"},
		{Float8, 1e100, nil, "1e+100"},
		{Float8, math.Inf(-1), nil, "-Infinity"},
		{Float8, 123456789012345678.0, nil, "1.2345678901234568e+17"},
		{Float4, float64(float32(0.1)), nil, "0.1"},
		{Float4, 1e6, nil, "1e+06"},
		{Timestamptz, ts, loc, "2024-01-02 08:34:05+05:30"},
		{Timestamptz, ts, time.FixedZone("x", -8*3600), "2024-01-01 19:04:05-08"},
		{Timestamp, ts.Add(123456 * time.Microsecond), nil, "2024-01-02 03:04:05.123456"},
		{Timestamp, ts.Add(500 * time.Millisecond), nil, "2024-01-02 03:04:05.5"},
		{Date, time.Date(-43, 3, 15, 0, 0, 0, 0, time.UTC), nil, "0044-03-15 BC"},
		{IntervalOID, Interval{}, nil, "00:00:00"},
		{IntervalOID, Interval{Months: 14, Days: 3, Micros: 14706500000}, nil, "1 year 2 mons 3 days 04:05:06.5"},
		{IntervalOID, Interval{Days: -1, Micros: 7200000000}, nil, "-1 days +02:00:00"},
		{IntervalOID, Interval{Micros: math.MinInt64}, nil, "-2562047788:00:54.775808"},
		{TextArray, []any{"a", "b", "c d", nil, "", "NULL", `x"y\`}, nil, `{a,b,"c d",NULL,"","NULL","x\"y\\"}`},
		{Bytea, []byte{1, 2}, nil, `\x0102`},
		{Char, "\xe9", nil, `\351`},
	}
	for _, c := range cases {
		if got := string(AppendText(nil, c.oid, c.v, c.loc)); got != c.want {
			t.Fatalf("AppendText(%s, %v) = %q, want %q", NameOf(Of(c.oid)), c.v, got, c.want)
		}
	}
}

func TestBinaryErrors(t *testing.T) {
	cases := []struct {
		oid OID
		b   []byte
	}{
		{Int4, []byte{1, 2}},
		{Numeric, []byte{0, 1, 0, 0, 0, 0, 0, 0}},
		{Numeric, []byte{0, 1, 0, 0, 0x12, 0x34, 0, 0, 0x27, 0x10}},
		{JSONB, []byte{2, '1'}},
		{Text, []byte{0xff}},
		{TextArray, []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0x7f, 0, 0, 0, 0, 0, 0, 1}},
		{Timestamp, []byte{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	}
	for _, c := range cases {
		if v, err := ParseBinary(c.oid, c.b); err == nil {
			t.Fatalf("ParseBinary(%s, %x) = %v, want an error", NameOf(Of(c.oid)), c.b, v)
		}
	}
}

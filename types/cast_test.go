package types

import (
	"math"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/pgerr"
)

func TestCast(t *testing.T) {
	loc, _ := time.LoadLocation("America/New_York")
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		v        any
		from, to Type
		want     string // text output of the result in loc, or the error
	}{
		{int64(70000), Of(Int4), Of(Int2), "smallint out of range"},
		{int64(7), Of(Int8), Of(Int2), "7"},
		{2.5, Of(Float8), Of(Int4), "2"},
		{3.5, Of(Float8), Of(Int4), "4"},
		{-2.5, Of(Float8), Of(Int8), "-2"},
		{math.NaN(), Of(Float8), Of(Int4), "integer out of range"},
		{1e300, Of(Float8), Of(Float4), "value out of range: overflow"},
		{0.1, Of(Float8), Of(Numeric), "0.1"},
		{1.0 / 3, Of(Float8), Of(Numeric), "0.333333333333333"},
		{mustParse(t, Of(Numeric), "2.5"), Of(Numeric), Of(Int4), "3"},
		{mustParse(t, Of(Numeric), "-2.5"), Of(Numeric), Of(Int4), "-3"},
		{mustParse(t, Of(Numeric), "NaN"), Of(Numeric), Of(Int4), "cannot convert NaN to integer"},
		{mustParse(t, Of(Numeric), "1.25"), Of(Numeric), Type{Numeric, 2<<16 | 1 + 4}, "1.3"},
		{mustParse(t, Of(Numeric), "0.1"), Of(Numeric), Of(Float8), "0.1"},
		{int64(5), Of(Int4), Of(Numeric), "5"},
		{true, Of(Bool), Of(Int4), "1"},
		{int64(0), Of(Int4), Of(Bool), "f"},
		{int64(1), Of(Int8), Of(Bool), "cannot cast type bigint to boolean"},
		{true, Of(Bool), Of(Text), "true"},
		{int64(12), Of(Int4), Of(Text), "12"},
		{"abcdef", Of(Text), Type{Varchar, 7}, "abc"},
		{"ab ", Type{Bpchar, 7}, Of(Text), "ab"},
		{"ab", Of(Text), Type{Bpchar, 7}, "ab "},
		{" 42 ", Of(Text), Of(Int4), "42"},
		{"x", Of(Text), Of(Int4), `invalid input syntax for type integer: "x"`},
		{`{"b":1,"a":2}`, Of(Text), Of(JSONB), `{"a": 2, "b": 1}`},
		{`{"b":1,"a":2}`, Of(JSON), Of(JSONB), `{"a": 2, "b": 1}`},
		{`{"a": 2}`, Of(JSONB), Of(JSON), `{"a": 2}`},
		{`12.5`, Of(JSONB), Of(Numeric), "12.5"},
		{`12.5`, Of(JSONB), Of(Int4), "13"},
		{`"x"`, Of(JSONB), Of(Int4), "cannot cast jsonb string to type integer"},
		{`true`, Of(JSONB), Of(Bool), "t"},
		{ts, Of(Timestamp), Of(Timestamptz), "2024-01-02 03:04:05-05"},
		{ts, Of(Timestamptz), Of(Timestamp), "2024-01-01 22:04:05"},
		{ts, Of(Timestamptz), Of(Date), "2024-01-01"},
		{ts, Of(Timestamp), Of(Date), "2024-01-02"},
		{time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), Of(Date), Of(Timestamptz), "2024-01-02 00:00:00-05"},
		{time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), Of(Date), Of(Timestamp), "2024-01-02 00:00:00"},
		{ts, Of(Timestamp), Of(Time), "03:04:05"},
		{timeFromMicros(5400000000), Of(Time), Of(IntervalOID), "01:30:00"},
		{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", Of(Text), Of(UUIDOID), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{UUID{1}, Of(UUIDOID), Of(Text), "01000000-0000-0000-0000-000000000000"},
		{"\\x0102", Of(Text), Of(Bytea), "\\x0102"},
		{[]byte{1}, Of(Bytea), Of(Text), "\\x01"},
		{UUID{}, Of(UUIDOID), Of(Int4), "cannot cast type uuid to integer"},
		{[]any{"1", nil, "3"}, Of(TextArray), Of(Int8Array), "{1,NULL,3}"},
		{[]any{int64(1)}, Of(Int8Array), Of(Text), "{1}"},
		{"{abc,de}", Of(Text), Type{VarcharArray, 6}, "{ab,de}"},
		{Interval{Days: 1, Micros: -3600000000}, Of(IntervalOID), Of(Time), "23:00:00"},
	}
	for _, c := range cases {
		got, err := Cast(c.v, c.from, c.to, loc)
		var s string
		if err != nil {
			s = err.Error()
		} else {
			s = string(AppendText(nil, c.to.OID, got, loc))
		}
		if s != c.want {
			t.Fatalf("Cast(%v, %s, %s) = %q, want %q", c.v, NameOf(c.from), NameOf(c.to), s, c.want)
		}
	}
}

func TestCastAssignTooLong(t *testing.T) {
	_, err := CastAssign("abcd", Of(Text), Type{Varchar, 7}, nil)
	if e, ok := pgerr.As(err); !ok || e.Code != pgerr.StringDataRightTruncation || e.Message != "value too long for type character varying(3)" {
		t.Fatalf("CastAssign error = %v", err)
	}
	got, err := CastAssign("abc   ", Of(Text), Type{Varchar, 7}, nil)
	if err != nil || got != "abc" {
		t.Fatalf("CastAssign trailing spaces = %q, %v", got, err)
	}
}

func TestCastContextOf(t *testing.T) {
	cases := []struct {
		from, to OID
		want     CastContext
		ok       bool
	}{
		{Int4, Int8, CastImplicit, true},
		{Int8, Int4, CastAssignment, true},
		{Numeric, Int4, CastAssignment, true},
		{Int4, Text, CastAssignment, true},
		{Text, Int4, CastExplicit, true},
		{Varchar, Text, CastImplicit, true},
		{Unknown, Int8, CastImplicit, true},
		{Timestamptz, Timestamp, CastAssignment, true},
		{Int4, Bool, CastExplicit, true},
		{TextArray, Int8Array, CastExplicit, true},
		{UUIDOID, Int4, 0, false},
	}
	for _, c := range cases {
		got, ok := CastContextOf(c.from, c.to)
		if got != c.want || ok != c.ok {
			t.Fatalf("CastContextOf(%d, %d) = %v %v, want %v %v", c.from, c.to, got, ok, c.want, c.ok)
		}
	}
}

func mustParse(t *testing.T, typ Type, s string) any {
	t.Helper()
	v, err := ParseText(typ, s, time.UTC)
	if err != nil {
		t.Fatalf("ParseText(%s, %q): %v", NameOf(typ), s, err)
	}
	return v
}

package types

import (
	"testing"
	"time"
)

// fuzzTypes are the types the fuzzers pick from by index.
var fuzzTypes = []Type{
	Of(Bool), Of(Int2), Of(Int4), Of(Int8), Of(Float4), Of(Float8), Of(Numeric), {OID: Numeric, Mod: 5<<16 | 2 + 4},
	Of(Text), {OID: Varchar, Mod: 8}, {OID: Bpchar, Mod: 7}, Of(Name), Of(Bytea), Of(JSON), Of(JSONB), Of(UUIDOID),
	Of(Date), Of(Time), Of(Timestamp), Of(Timestamptz), Of(IntervalOID), Of(TextArray), Of(Int8Array),
	Of(JSONBArray), Of(NumericArray), Of(OIDType), Of(Char), Of(Float4Array), Of(TimestamptzArray), Of(IntervalArray),
}

func fuzzType(i uint8) Type { return fuzzTypes[int(i)%len(fuzzTypes)] }

func FuzzParseText(f *testing.F) {
	seeds := []string{"t", "32767", "-1", "1e100", "NaN", "1.50", "-Infinity", "abc", "\\x0102", `{"b":1,"a":[1,2]}`,
		"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "2024-01-02", "03:04:05.5", "2024-01-02 03:04:05.123456+05:30",
		"1 year 2 mons 3 days 04:05:06.5", "-1 days +02:00:00", `{a,b,"c d",NULL}`, `{1,2,NULL}`, "P1Y2M", "0044-03-15 BC",
		"1h30m", `{"{\"a\": 1}"}`, "[1:2]={1,2}", "epoch", "{}", "  12  "}
	for i, s := range seeds {
		for k := range fuzzTypes {
			if k%7 == i%7 {
				f.Add(uint8(k), s)
			}
		}
	}
	loc, _ := time.LoadLocation("Asia/Kolkata")
	f.Fuzz(func(t *testing.T, k uint8, s string) {
		typ := fuzzType(k)
		v, err := ParseText(typ, s, loc)
		if err != nil {
			return
		}
		out := string(AppendText(nil, typ.OID, v, loc))
		v2, err := ParseText(typ, out, loc)
		if err != nil {
			t.Fatalf("%s: %q parsed, printed as %q, which fails: %v", NameOf(typ), s, out, err)
		}
		if Compare(typ.OID, v, v2) != 0 {
			t.Fatalf("%s: %q -> %q -> %#v, want %#v", NameOf(typ), s, out, v2, v)
		}
		if out2 := string(AppendText(nil, typ.OID, v2, loc)); out2 != out {
			t.Fatalf("%s: text output unstable: %q then %q", NameOf(typ), out, out2)
		}
	})
}

func FuzzParseBinary(f *testing.F) {
	loc := time.UTC
	for k, typ := range fuzzTypes {
		for _, s := range []string{"1", "-12.5", "2024-01-02", `{a,NULL}`, "1 day", `{"a": 1}`, "{1,2}"} {
			if v, err := ParseText(typ, s, loc); err == nil {
				b, err := AppendBinary(nil, typ.OID, v)
				if err == nil {
					f.Add(uint8(k), b)
				}
			}
		}
	}
	f.Add(uint8(6), []byte{0, 1, 0x80, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, k uint8, b []byte) {
		typ := fuzzType(k)
		v, err := ParseBinary(typ.OID, b)
		if err != nil {
			return
		}
		enc, err := AppendBinary(nil, typ.OID, v)
		if err != nil {
			t.Fatalf("%s: %x parsed to %#v, which fails to encode: %v", NameOf(typ), b, v, err)
		}
		v2, err := ParseBinary(typ.OID, enc)
		if err != nil {
			t.Fatalf("%s: re-encoded %x fails: %v", NameOf(typ), enc, err)
		}
		if Compare(typ.OID, v, v2) != 0 {
			t.Fatalf("%s: %x -> %#v -> %#v", NameOf(typ), b, v, v2)
		}
		// The text form of anything decoded must read back too.
		out := AppendText(nil, typ.OID, v, loc)
		if typ.OID != Char {
			if _, err := ParseText(Of(typ.OID), string(out), loc); err != nil {
				t.Fatalf("%s: %x printed as %q, which fails: %v", NameOf(typ), b, out, err)
			}
		}
	})
}

package types

import (
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
)

func TestLookup(t *testing.T) {
	cases := []struct {
		name   string
		mods   []int32
		want   Type
		serial bool
		format string
	}{
		{"bigint", nil, Of(Int8), false, "bigint"},
		{"pg_catalog.int8", nil, Of(Int8), false, "bigint"},
		{"int", nil, Of(Int4), false, "integer"},
		{"smallint", nil, Of(Int2), false, "smallint"},
		{"bool", nil, Of(Bool), false, "boolean"},
		{"double precision", nil, Of(Float8), false, "double precision"},
		{"real", nil, Of(Float4), false, "real"},
		{"numeric", []int32{10, 2}, Type{Numeric, 10<<16 | 2 + 4}, false, "numeric(10,2)"},
		{"decimal", []int32{5}, Type{Numeric, 5<<16 + 4}, false, "numeric(5,0)"},
		{"varchar", []int32{20}, Type{Varchar, 24}, false, "character varying(20)"},
		{"character varying", nil, Of(Varchar), false, "character varying"},
		{"character", nil, Type{Bpchar, 5}, false, "character(1)"},
		{"bpchar", nil, Of(Bpchar), false, "bpchar"},
		{"timestamptz", nil, Of(Timestamptz), false, "timestamp with time zone"},
		{"timestamp", []int32{3}, Type{Timestamp, 3}, false, "timestamp(3) without time zone"},
		{"jsonb", nil, Of(JSONB), false, "jsonb"},
		{"uuid", nil, Of(UUIDOID), false, "uuid"},
		{"interval", nil, Of(IntervalOID), false, "interval"},
		{"serial", nil, Of(Int4), true, "integer"},
		{"bigserial", nil, Of(Int8), true, "bigint"},
		{"serial8", nil, Of(Int8), true, "bigint"},
		{"smallserial", nil, Of(Int2), true, "smallint"},
		{"_text", nil, Of(TextArray), false, "text[]"},
		{"_int8", nil, Of(Int8Array), false, "bigint[]"},
		{"text[]", nil, Of(TextArray), false, "text[]"},
		{"_varchar", []int32{5}, Type{VarcharArray, 9}, false, "character varying(5)[]"},
		{"oid", nil, Of(OIDType), false, "oid"},
		{"name", nil, Of(Name), false, "name"},
	}
	for _, c := range cases {
		got, serial, err := Lookup(c.name, c.mods)
		if err != nil {
			t.Fatalf("Lookup(%q): %v", c.name, err)
		}
		if got != c.want || serial != c.serial {
			t.Fatalf("Lookup(%q) = %+v %v, want %+v %v", c.name, got, serial, c.want, c.serial)
		}
		if f := NameOf(got); f != c.format {
			t.Fatalf("NameOf(%+v) = %q, want %q", got, f, c.format)
		}
	}
}

func TestLookupErrors(t *testing.T) {
	cases := []struct {
		name string
		mods []int32
		code string
		msg  string
	}{
		{"x", nil, pgerr.UndefinedObject, `type "x" does not exist`},
		{"_nosuch", nil, pgerr.UndefinedObject, `type "_nosuch" does not exist`},
		{"varchar", []int32{0}, "22023", "length for type varchar must be at least 1"},
		{"numeric", []int32{1001}, "22023", "NUMERIC precision 1001 must be between 1 and 1000"},
		{"integer", []int32{3}, pgerr.SyntaxError, `type modifier is not allowed for type "integer"`},
	}
	for _, c := range cases {
		_, _, err := Lookup(c.name, c.mods)
		e, ok := pgerr.As(err)
		if !ok || e.Code != c.code || e.Message != c.msg {
			t.Fatalf("Lookup(%q, %v) error = %v, want %s %q", c.name, c.mods, err, c.code, c.msg)
		}
	}
}

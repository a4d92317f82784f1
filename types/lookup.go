package types

import (
	"strconv"
	"strings"

	"github.com/kalamdb/kalamdb/pgerr"
)

// Type names accepted by Lookup, as PostgreSQL's grammar and pg_type spell
// them.
var typeNames = map[string]OID{
	"bool": Bool, "boolean": Bool,
	"int2": Int2, "smallint": Int2,
	"int4": Int4, "int": Int4, "integer": Int4,
	"int8": Int8, "bigint": Int8,
	"float4": Float4, "real": Float4,
	"float8": Float8, "double precision": Float8, "float": Float8,
	"numeric": Numeric, "decimal": Numeric,
	"text":    Text,
	"varchar": Varchar, "character varying": Varchar,
	"bpchar": Bpchar, "char": Bpchar, "character": Bpchar,
	"\"char\"": Char,
	"name":     Name,
	"bytea":    Bytea,
	"json":     JSON, "jsonb": JSONB,
	"uuid":      UUIDOID,
	"timestamp": Timestamp, "timestamp without time zone": Timestamp,
	"timestamptz": Timestamptz, "timestamp with time zone": Timestamptz,
	"date": Date,
	"time": Time, "time without time zone": Time,
	"interval": IntervalOID,
	"oid":      OIDType,
	"regclass": Regclass, "regtype": Regtype,
	"unknown": Unknown, "void": Void, "record": Record,
}

// Lookup returns the type named by a SQL type name as pg_query gives it
// (lower case, possibly qualified with pg_catalog: "int8", "bigint",
// "varchar", "character varying", "timestamptz", "bool", "jsonb", "_text",
// "text[]", "serial", "bigserial", ...) with the typmods given (nil when
// none). serial/bigserial return int4/int8 and serial=true. Unknown names
// fail with 42704 (type "x" does not exist).
func Lookup(name string, typmods []int32) (t Type, serial bool, err error) {
	full := name
	name = strings.TrimPrefix(name, "pg_catalog.")
	switch name {
	case "serial", "serial4":
		return Of(Int4), true, noTypmods(typmods, "serial")
	case "bigserial", "serial8":
		return Of(Int8), true, noTypmods(typmods, "bigserial")
	case "smallserial", "serial2":
		return Of(Int2), true, noTypmods(typmods, "smallserial")
	}
	array := false
	if strings.HasSuffix(name, "[]") {
		array, name = true, strings.TrimSpace(strings.TrimSuffix(name, "[]"))
	} else if len(name) > 1 && name[0] == '_' {
		if _, ok := typeNames[name[1:]]; ok {
			array, name = true, name[1:]
		}
	}
	oid, ok := typeNames[name]
	if !ok || (array && ArrayOf(oid) == 0) {
		return Type{}, false, pgerr.New(pgerr.UndefinedObject, "type %q does not exist", full)
	}
	t = Of(oid)
	if oid == Bpchar && name != "bpchar" && typmods == nil {
		t.Mod = 1 + 4 // SQL's CHARACTER means CHARACTER(1)
	}
	if typmods != nil {
		if t.Mod, err = typmodIn(oid, typmods); err != nil {
			return Type{}, false, err
		}
	}
	if array {
		t.OID = ArrayOf(oid)
	}
	return t, false, nil
}

func noTypmods(typmods []int32, name string) error {
	if typmods != nil {
		return pgerr.New(pgerr.SyntaxError, "type modifier is not allowed for type %q", name)
	}
	return nil
}

// typmodIn turns a type's typmods into its Mod as the type's typmodin
// function does.
func typmodIn(oid OID, mods []int32) (int32, error) {
	invalid := func() error { return pgerr.New(codeInvalidParameter, "invalid type modifier") }
	switch oid {
	case Varchar, Bpchar:
		name := "varchar"
		if oid == Bpchar {
			name = "char"
		}
		if len(mods) != 1 {
			return 0, invalid()
		}
		if mods[0] < 1 {
			return 0, pgerr.New(codeInvalidParameter, "length for type %s must be at least 1", name)
		}
		if mods[0] > 10485760 {
			return 0, pgerr.New(codeInvalidParameter, "length for type %s cannot exceed 10485760", name)
		}
		return mods[0] + 4, nil
	case Numeric:
		if len(mods) == 0 || len(mods) > 2 {
			return 0, pgerr.New(codeInvalidParameter, "invalid NUMERIC type modifier")
		}
		p, s := mods[0], int32(0)
		if len(mods) == 2 {
			s = mods[1]
		}
		if p < 1 || p > 1000 {
			return 0, pgerr.New(codeInvalidParameter, "NUMERIC precision %d must be between 1 and 1000", p)
		}
		if s < -1000 || s > 1000 {
			return 0, pgerr.New(codeInvalidParameter, "NUMERIC scale %d must be between -1000 and 1000", s)
		}
		return (p<<16 | s&0x7ff) + 4, nil
	case Timestamp, Timestamptz, Time:
		if len(mods) != 1 {
			return 0, invalid()
		}
		if mods[0] < 0 {
			return 0, pgerr.New(codeInvalidParameter, "TIMESTAMP(%d) precision must not be negative", mods[0])
		}
		return min(mods[0], 6), nil
	case IntervalOID:
		// Field restrictions (DAY TO SECOND, ...) are accepted and not
		// enforced; only a precision is kept.
		if len(mods) == 2 && mods[1] >= 0 {
			return min(mods[1], 6), nil
		}
		return -1, nil
	}
	return 0, pgerr.New(pgerr.SyntaxError, "type modifier is not allowed for type %q", NameOf(Of(oid)))
}

// numericPS splits a numeric Mod into precision and scale.
func numericPS(mod int32) (p, s int32) {
	m := mod - 4
	return m >> 16 & 0xffff, (m&0x7ff ^ 1024) - 1024
}

// NameOf returns PostgreSQL's format_type name of t ("bigint", "character
// varying(20)", "timestamp with time zone", "text[]").
func NameOf(t Type) string {
	if e := ElemOf(t.OID); e != 0 {
		return NameOf(Type{OID: e, Mod: t.Mod}) + "[]"
	}
	itoa := func(v int32) string { return strconv.Itoa(int(v)) }
	switch t.OID {
	case Bool:
		return "boolean"
	case Bytea:
		return "bytea"
	case Char:
		return "\"char\""
	case Name:
		return "name"
	case Int8:
		return "bigint"
	case Int2:
		return "smallint"
	case Int4:
		return "integer"
	case Text:
		return "text"
	case OIDType:
		return "oid"
	case JSON:
		return "json"
	case Float4:
		return "real"
	case Float8:
		return "double precision"
	case Bpchar:
		if t.Mod >= 4 {
			return "character(" + itoa(t.Mod-4) + ")"
		}
		return "bpchar"
	case Varchar:
		if t.Mod >= 4 {
			return "character varying(" + itoa(t.Mod-4) + ")"
		}
		return "character varying"
	case Date:
		return "date"
	case Time:
		if t.Mod >= 0 {
			return "time(" + itoa(t.Mod) + ") without time zone"
		}
		return "time without time zone"
	case Timestamp:
		if t.Mod >= 0 {
			return "timestamp(" + itoa(t.Mod) + ") without time zone"
		}
		return "timestamp without time zone"
	case Timestamptz:
		if t.Mod >= 0 {
			return "timestamp(" + itoa(t.Mod) + ") with time zone"
		}
		return "timestamp with time zone"
	case IntervalOID:
		if t.Mod >= 0 {
			return "interval(" + itoa(t.Mod) + ")"
		}
		return "interval"
	case Numeric:
		if t.Mod >= 4 {
			p, s := numericPS(t.Mod)
			return "numeric(" + itoa(p) + "," + itoa(s) + ")"
		}
		return "numeric"
	case Regclass:
		return "regclass"
	case Regtype:
		return "regtype"
	case UUIDOID:
		return "uuid"
	case JSONB:
		return "jsonb"
	case Unknown:
		return "unknown"
	case Void:
		return "void"
	case Record:
		return "record"
	}
	return strconv.FormatUint(uint64(t.OID), 10)
}

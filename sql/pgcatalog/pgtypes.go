package pgcatalog

import (
	"strconv"
	"strings"

	"github.com/kalamdb/kalamdb/types"
)

// builtinType is one row of pg_type for a built-in type.
type builtinType struct {
	oid      uint32
	name     string
	len      int16
	cat      byte   // typcategory
	kind     byte   // typtype: b base, p pseudo
	io       string // input function prefix: io+"in", io+"out"...; "x_" means x_in
	array    uint32 // its array type
	align    byte
	byval    bool
	pref     bool   // typispreferred
	coll     uint32 // typcollation
	sqlName  string // format_type's name when it differs from name
	noIOFunc bool
	elem     uint32 // typelem of a fixed-size base type made of others (point: float8)
	delim    byte   // typdelim when not ','
}

// builtinTypes are the base and pseudo types clients look up. Their
// array types are derived from the array field.
var builtinTypes = []builtinType{
	{oid: 16, name: "bool", len: 1, cat: 'B', io: "bool", array: 1000, align: 'c', byval: true, pref: true, sqlName: "boolean"},
	{oid: 17, name: "bytea", len: -1, cat: 'U', io: "bytea", array: 1001, align: 'i'},
	{oid: 18, name: "char", len: 1, cat: 'Z', io: "char", array: 1002, align: 'c', byval: true, sqlName: `"char"`},
	{oid: 19, name: "name", len: 64, cat: 'S', io: "name", array: 1003, align: 'c', coll: oidCColl},
	{oid: 20, name: "int8", len: 8, cat: 'N', io: "int8", array: 1016, align: 'd', byval: true, sqlName: "bigint"},
	{oid: 21, name: "int2", len: 2, cat: 'N', io: "int2", array: 1005, align: 's', byval: true, sqlName: "smallint"},
	{oid: 22, name: "int2vector", len: -1, cat: 'A', io: "int2vector", array: 1006, align: 'i'},
	{oid: 23, name: "int4", len: 4, cat: 'N', io: "int4", array: 1007, align: 'i', byval: true, sqlName: "integer"},
	{oid: 24, name: "regproc", len: 4, cat: 'N', io: "regproc", array: 1008, align: 'i', byval: true},
	{oid: 25, name: "text", len: -1, cat: 'S', io: "text", array: 1009, align: 'i', pref: true, coll: oidDefaultColl},
	{oid: 26, name: "oid", len: 4, cat: 'N', io: "oid", array: 1028, align: 'i', byval: true, pref: true},
	{oid: 27, name: "tid", len: 6, cat: 'U', io: "tid", array: 1010, align: 's'},
	{oid: 28, name: "xid", len: 4, cat: 'U', io: "xid", array: 1011, align: 'i', byval: true},
	{oid: 29, name: "cid", len: 4, cat: 'U', io: "cid", array: 1012, align: 'i', byval: true},
	{oid: 30, name: "oidvector", len: -1, cat: 'A', io: "oidvector", array: 1013, align: 'i'},
	{oid: 114, name: "json", len: -1, cat: 'U', io: "json_", array: 199, align: 'i'},
	{oid: 142, name: "xml", len: -1, cat: 'U', io: "xml_", array: 143, align: 'i'},
	{oid: 194, name: "pg_node_tree", len: -1, cat: 'Z', io: "pg_node_tree_", align: 'i', coll: oidDefaultColl},
	{oid: 650, name: "cidr", len: -1, cat: 'I', io: "cidr_", array: 651, align: 'i'},
	// The geometric types: KalamDB has no values of them, but drivers
	// look them up (pgx's LoadType("_box") wants box's ';' delimiter).
	{oid: 600, name: "point", len: 16, cat: 'G', io: "point_", array: 1017, align: 'd', elem: 701},
	{oid: 601, name: "lseg", len: 32, cat: 'G', io: "lseg_", array: 1018, align: 'd', elem: 600},
	{oid: 602, name: "path", len: -1, cat: 'G', io: "path_", array: 1019, align: 'd'},
	{oid: 603, name: "box", len: 32, cat: 'G', io: "box_", array: 1020, align: 'd', elem: 600, delim: ';'},
	{oid: 604, name: "polygon", len: -1, cat: 'G', io: "poly_", array: 1027, align: 'd'},
	{oid: 628, name: "line", len: 24, cat: 'G', io: "line_", array: 629, align: 'd', elem: 701},
	{oid: 700, name: "float4", len: 4, cat: 'N', io: "float4", array: 1021, align: 'i', byval: true, sqlName: "real"},
	{oid: 701, name: "float8", len: 8, cat: 'N', io: "float8", array: 1022, align: 'd', byval: true, pref: true, sqlName: "double precision"},
	{oid: 705, name: "unknown", len: -2, cat: 'X', io: "unknown", align: 'c', kind: 'p'},
	{oid: 718, name: "circle", len: 24, cat: 'G', io: "circle_", array: 719, align: 'd'},
	{oid: 790, name: "money", len: 8, cat: 'N', io: "cash_", array: 791, align: 'd', byval: true},
	{oid: 829, name: "macaddr", len: 6, cat: 'U', io: "macaddr_", array: 1040, align: 'i'},
	{oid: 869, name: "inet", len: -1, cat: 'I', io: "inet_", array: 1041, align: 'i', pref: true},
	{oid: 1033, name: "aclitem", len: 16, cat: 'U', io: "aclitem", array: 1034, align: 'd'},
	{oid: 1042, name: "bpchar", len: -1, cat: 'S', io: "bpchar", array: 1014, align: 'i', coll: oidDefaultColl, sqlName: "character"},
	{oid: 1043, name: "varchar", len: -1, cat: 'S', io: "varchar", array: 1015, align: 'i', coll: oidDefaultColl, sqlName: "character varying"},
	{oid: 1082, name: "date", len: 4, cat: 'D', io: "date_", array: 1182, align: 'i', byval: true},
	{oid: 1083, name: "time", len: 8, cat: 'D', io: "time_", array: 1183, align: 'd', byval: true, sqlName: "time without time zone"},
	{oid: 1114, name: "timestamp", len: 8, cat: 'D', io: "timestamp_", array: 1115, align: 'd', byval: true, sqlName: "timestamp without time zone"},
	{oid: 1184, name: "timestamptz", len: 8, cat: 'D', io: "timestamptz_", array: 1185, align: 'd', byval: true, pref: true, sqlName: "timestamp with time zone"},
	{oid: 1186, name: "interval", len: 16, cat: 'T', io: "interval_", array: 1187, align: 'd', pref: true},
	{oid: 1266, name: "timetz", len: 12, cat: 'D', io: "timetz_", array: 1270, align: 'd', sqlName: "time with time zone"},
	{oid: 1560, name: "bit", len: -1, cat: 'V', io: "bit_", array: 1561, align: 'i'},
	{oid: 1562, name: "varbit", len: -1, cat: 'V', io: "varbit_", array: 1563, align: 'i', pref: true, sqlName: "bit varying"},
	{oid: 1700, name: "numeric", len: -1, cat: 'N', io: "numeric_", array: 1231, align: 'i'},
	{oid: 2202, name: "regprocedure", len: 4, cat: 'N', io: "regprocedure", array: 2207, align: 'i', byval: true},
	{oid: 2203, name: "regoper", len: 4, cat: 'N', io: "regoper", array: 2208, align: 'i', byval: true},
	{oid: 2205, name: "regclass", len: 4, cat: 'N', io: "regclass", array: 2210, align: 'i', byval: true},
	{oid: 2206, name: "regtype", len: 4, cat: 'N', io: "regtype", array: 2211, align: 'i', byval: true},
	{oid: 2249, name: "record", len: -1, cat: 'P', io: "record_", array: 2287, align: 'd', kind: 'p'},
	{oid: 2275, name: "cstring", len: -2, cat: 'P', io: "cstring_", array: 1263, align: 'c', kind: 'p'},
	{oid: 2276, name: "any", len: 4, cat: 'P', io: "any_", align: 'i', byval: true, kind: 'p'},
	{oid: 2277, name: "anyarray", len: -1, cat: 'P', io: "anyarray_", align: 'd', kind: 'p'},
	{oid: 2278, name: "void", len: 4, cat: 'P', io: "void_", align: 'i', byval: true, kind: 'p'},
	{oid: 2279, name: "trigger", len: 4, cat: 'P', io: "trigger_", align: 'i', byval: true, kind: 'p'},
	{oid: 2283, name: "anyelement", len: 4, cat: 'P', io: "anyelement_", align: 'i', byval: true, kind: 'p'},
	{oid: 2950, name: "uuid", len: 16, cat: 'U', io: "uuid_", array: 2951, align: 'c'},
	{oid: 3614, name: "tsvector", len: -1, cat: 'U', io: "tsvector", array: 3643, align: 'i'},
	{oid: 3802, name: "jsonb", len: -1, cat: 'U', io: "jsonb_", array: 3807, align: 'i'},
	{oid: 4089, name: "regnamespace", len: 4, cat: 'N', io: "regnamespace", array: 4090, align: 'i', byval: true},
	{oid: 4096, name: "regrole", len: 4, cat: 'N', io: "regrole", array: 4097, align: 'i', byval: true},
}

// typeRow is a pg_type row in the form the relation and the functions
// both use.
type typeRow struct {
	builtinType
	elem    uint32
	relid   uint32
	nsp     uint32
	arrayOf bool
}

// allTypes lists the built-in types followed by their array types.
func allTypes() []typeRow {
	out := make([]typeRow, 0, 2*len(builtinTypes))
	for _, t := range builtinTypes {
		out = append(out, typeRow{builtinType: t, elem: t.elem, nsp: oidPGCatalog})
	}
	for _, t := range builtinTypes {
		if t.array == 0 {
			continue
		}
		a := builtinType{oid: t.array, name: "_" + t.name, len: -1, cat: 'A', io: "array_", align: t.align, coll: t.coll, delim: t.delim}
		if a.align != 'd' {
			a.align = 'i'
		}
		out = append(out, typeRow{builtinType: a, elem: t.oid, nsp: oidPGCatalog, arrayOf: true})
	}
	return out
}

// findType returns the built-in type with OID o.
func findType(o uint32) (typeRow, bool) {
	for _, t := range allTypes() {
		if t.oid == o {
			return t, true
		}
	}
	return typeRow{}, false
}

// typeRows are pg_type's rows: the built-in types and arrays, then one
// composite row type per table.
func (v *View) typeRows() [][]any {
	var rows [][]any
	for _, t := range allTypes() {
		rows = append(rows, typeTuple(t))
	}
	for _, t := range v.tables() {
		rows = append(rows, typeTuple(typeRow{
			builtinType: builtinType{oid: rowTypeOID(t.ID), name: t.Name, len: -1, cat: 'C', io: "record_", align: 'd', kind: 'c'},
			relid:       t.ID, nsp: v.schemaOID(t.Schema),
		}))
	}
	return rows
}

func typeTuple(t typeRow) []any {
	kind := t.kind
	if kind == 0 {
		kind = 'b'
	}
	in, out, recv, send := ioFuncs(t.io)
	var modin, modout any = "-", "-"
	switch t.name {
	case "bpchar", "varchar":
		modin, modout = t.name+"typmodin", t.name+"typmodout"
	case "numeric", "timestamp", "timestamptz", "time", "timetz", "interval", "bit", "varbit":
		modin, modout = t.name+"typmodin", t.name+"typmodout"
	}
	storage := "p"
	if t.len == -1 {
		storage = "x"
	}
	delim := ","
	if t.delim != 0 {
		delim = string(t.delim)
	}
	subscript := "-"
	if t.arrayOf {
		subscript = "array_subscript_handler"
	}
	return []any{
		oid(t.oid), t.name, oid(t.nsp), oid(oidBootstrap), int64(t.len), t.byval, string(kind), string(t.cat),
		t.pref, true, delim, oid(t.relid), subscript, oid(t.elem), oid(t.array), in, out, recv, send, modin, modout, "-",
		string(t.align), storage, false, oid(0), int64(-1), int64(0), oid(t.coll), nil, nil, nil,
	}
}

// ioFuncs names a type's input, output, receive and send functions.
func ioFuncs(io string) (in, out, recv, send string) {
	if strings.HasSuffix(io, "_") {
		return io + "in", io + "out", io + "recv", io + "send"
	}
	return io + "in", io + "out", io + "recv", io + "send"
}

var pgTypeColumns = cols(
	"oid", types.OIDType, "typname", types.Name, "typnamespace", types.OIDType, "typowner", types.OIDType,
	"typlen", types.Int2, "typbyval", types.Bool, "typtype", types.Char, "typcategory", types.Char,
	"typispreferred", types.Bool, "typisdefined", types.Bool, "typdelim", types.Char, "typrelid", types.OIDType,
	"typsubscript", types.Name, "typelem", types.OIDType, "typarray", types.OIDType, "typinput", types.Name,
	"typoutput", types.Name, "typreceive", types.Name, "typsend", types.Name, "typmodin", types.Name,
	"typmodout", types.Name, "typanalyze", types.Name, "typalign", types.Char, "typstorage", types.Char,
	"typnotnull", types.Bool, "typbasetype", types.OIDType, "typtypmod", types.Int4, "typndims", types.Int4,
	"typcollation", types.OIDType, "typdefaultbin", types.Text, "typdefault", types.Text, "typacl", types.TextArray,
)

// FormatType is format_type(oid, typmod): the SQL name of a type with
// its modifier, as \d prints it.
func (v *View) FormatType(o uint32, mod int32) string {
	t, ok := findType(o)
	if !ok {
		for _, tb := range v.Catalog.Tables() {
			if rowTypeOID(tb.ID) == o {
				return quoteIdent(tb.Name)
			}
		}
		return "???"
	}
	if t.arrayOf {
		e, _ := findType(t.elem)
		return v.FormatType(e.oid, mod) + "[]"
	}
	name := t.name
	if t.sqlName != "" {
		name = t.sqlName
	}
	if mod < 0 {
		return name
	}
	switch types.OID(o) {
	case types.Varchar, types.Bpchar:
		return name + "(" + strconv.Itoa(int(mod-4)) + ")"
	case types.Numeric:
		m := mod - 4
		return "numeric(" + strconv.Itoa(int(m>>16&0xffff)) + "," + strconv.Itoa(int(int16(m&0xffff))) + ")"
	case types.Timestamp, types.Timestamptz, types.Time:
		base, rest, _ := strings.Cut(name, " ")
		return base + "(" + strconv.Itoa(int(mod)) + ") " + rest
	}
	return name
}

// typeOIDByName resolves a type name as regtype input does.
func typeOIDByName(name string) (uint32, bool) {
	name = strings.TrimPrefix(strings.TrimSpace(name), "pg_catalog.")
	for _, t := range allTypes() {
		if t.name == name || t.sqlName == name {
			return t.oid, true
		}
	}
	if t, _, err := types.Lookup(name, nil); err == nil {
		return uint32(t.OID), true
	}
	return 0, false
}

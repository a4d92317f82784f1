package types

import "time"

// This file fixes the package's API for the rest of the tree; bodies are
// filled in by the types work item.

// Lookup returns the type named by a SQL type name as pg_query gives it
// (lower case, possibly qualified with pg_catalog: "int8", "bigint",
// "varchar", "character varying", "timestamptz", "bool", "jsonb", "_text",
// "serial", "bigserial", ...) with the typmods given (nil when none).
// serial/bigserial return int4/int8 and serial=true. Unknown names fail with
// 42704 (type "x" does not exist).
func Lookup(name string, typmods []int32) (t Type, serial bool, err error) {
	panic("types: unimplemented")
}

// NameOf returns PostgreSQL's format_type name of t ("bigint", "character
// varying(20)", "timestamp with time zone", "text[]").
func NameOf(t Type) string { panic("types: unimplemented") }

// AppendText appends v's PostgreSQL text output to buf. loc is the
// session's TimeZone, used for timestamptz. v must not be nil.
func AppendText(buf []byte, oid OID, v any, loc *time.Location) []byte { panic("types: unimplemented") }

// AppendBinary appends v's PostgreSQL binary wire format to buf.
func AppendBinary(buf []byte, oid OID, v any) ([]byte, error) { panic("types: unimplemented") }

// ParseText reads a value of type t from its text form, as PostgreSQL's
// input functions do (22P02, 22003, 22007, 22008, 22001 for varchar(n)).
func ParseText(t Type, s string, loc *time.Location) (any, error) { panic("types: unimplemented") }

// ParseBinary reads a value of type oid from its binary wire format (22P03
// on malformed input).
func ParseBinary(oid OID, b []byte) (any, error) { panic("types: unimplemented") }

// Compare orders two non-NULL values of the same type oid: -1, 0 or +1.
func Compare(oid OID, a, b any) int { panic("types: unimplemented") }

// Cast converts a non-NULL value from one type to another with
// PostgreSQL's cast semantics (explicit casts, including through text).
func Cast(v any, from, to Type, loc *time.Location) (any, error) { panic("types: unimplemented") }

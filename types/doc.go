// Package types defines KalamDB's SQL types and values: PostgreSQL OIDs and
// names, the Go representation of every value, and the text and binary wire
// formats, comparison and casts between them.
//
// A value is a Go `any` holding exactly one of these representations:
//
//	nil            NULL, for every type
//	bool           boolean
//	int64          smallint, integer, bigint (range-checked against the type)
//	float64        real, double precision (real rounded to float32 precision)
//	*apd.Decimal   numeric
//	string         text, varchar(n), json, jsonb (jsonb in canonical form), name
//	[]byte         bytea
//	time.Time      timestamp (wall clock, location UTC), timestamptz (instant, UTC),
//	               date (midnight UTC), time (that time of day on 2000-01-01 UTC)
//	UUID           uuid
//	Interval       interval
//	[]any          arrays (text[], bigint[], ... elements as above, nil for NULL;
//	               a multidimensional array nests []any rows of one shape)
//	Row            record (a row constructor's fields and their types)
//	int64          also oid, regclass, regtype (unsigned 32-bit values)
//	string         also character(n) (space padded) and "char" (0 or 1 byte)
//
// Every package that stores, computes or sends values relies on this table;
// extending it means extending Compare, the codecs and the hot store's row
// codec together.
//
// Text and binary formats follow PostgreSQL 15 with DateStyle ISO, MDY,
// IntervalStyle postgres, bytea_output hex and extra_float_digits 1.
// Caveats: arrays have lower bound 1; multidimensional ones exist only as
// query values (ARRAY[[...]]): their text and binary input fail with 0A000
// and tables store flat arrays only; records have no input; the special date/time inputs infinity, now, today, tomorrow and
// yesterday fail with 0A000 ('epoch' works); time zone abbreviations are a
// common subset of PostgreSQL's; interval typmods (fields, precision) are
// accepted but not enforced.
package types

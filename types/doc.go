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
//	               date (midnight UTC)
//	UUID           uuid
//	Interval       interval
//	[]any          text[] and bigint[] (elements as above, nil for NULL)
//
// Every package that stores, computes or sends values relies on this table;
// extending it means extending Compare, the codecs and the hot store's row
// codec together.
package types

package types

// OID is a PostgreSQL type OID.
type OID uint32

// Built-in type OIDs, as in PostgreSQL's pg_type.
const (
	Unknown     OID = 705
	Bool        OID = 16
	Bytea       OID = 17
	Name        OID = 19
	Int8        OID = 20
	Int2        OID = 21
	Int4        OID = 23
	Text        OID = 25
	OIDType     OID = 26
	JSON        OID = 114
	Float4      OID = 700
	Float8      OID = 701
	Varchar     OID = 1043
	Bpchar      OID = 1042
	Date        OID = 1082
	Time        OID = 1083
	Timestamp   OID = 1114
	Timestamptz OID = 1184
	IntervalOID OID = 1186
	Numeric     OID = 1700
	UUIDOID     OID = 2950
	JSONB       OID = 3802
	TextArray   OID = 1009
	Int8Array   OID = 1016
	Int4Array   OID = 1007
	Void        OID = 2278
	Record      OID = 2249
)

// Type is a column or expression type: its OID and PostgreSQL's type
// modifier (varchar(n) has Mod n+4; numeric(p,s) has ((p<<16)|s)+4; -1 when
// there is none).
type Type struct {
	OID OID
	Mod int32
}

// Of returns the type with OID oid and no modifier.
func Of(oid OID) Type { return Type{OID: oid, Mod: -1} }

// UUID is a uuid value.
type UUID [16]byte

// Interval is an interval value, kept in PostgreSQL's three fields.
type Interval struct {
	Months int32
	Days   int32
	Micros int64
}

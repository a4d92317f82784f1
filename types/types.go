package types

// OID is a PostgreSQL type OID.
type OID uint32

// Built-in type OIDs, as in PostgreSQL's pg_type.
const (
	Unknown     OID = 705
	Bool        OID = 16
	Bytea       OID = 17
	Char        OID = 18 // the one-byte "char" type, not character(n)
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
	Regclass    OID = 2205
	Regtype     OID = 2206
	UUIDOID     OID = 2950
	JSONB       OID = 3802
	Void        OID = 2278
	Record      OID = 2249

	BoolArray        OID = 1000
	ByteaArray       OID = 1001
	CharArray        OID = 1002
	NameArray        OID = 1003
	Int2Array        OID = 1005
	Int4Array        OID = 1007
	TextArray        OID = 1009
	BpcharArray      OID = 1014
	VarcharArray     OID = 1015
	Int8Array        OID = 1016
	Float4Array      OID = 1021
	Float8Array      OID = 1022
	OIDArray         OID = 1028
	TimestampArray   OID = 1115
	DateArray        OID = 1182
	TimeArray        OID = 1183
	TimestamptzArray OID = 1185
	IntervalArray    OID = 1187
	NumericArray     OID = 1231
	JSONArray        OID = 199
	RegclassArray    OID = 2210
	RegtypeArray     OID = 2211
	UUIDArray        OID = 2951
	JSONBArray       OID = 3807
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

// elemArray pairs every supported element type with its array type.
var elemArray = [...][2]OID{
	{Bool, BoolArray}, {Bytea, ByteaArray}, {Char, CharArray}, {Name, NameArray},
	{Int2, Int2Array}, {Int4, Int4Array}, {Text, TextArray}, {Bpchar, BpcharArray},
	{Varchar, VarcharArray}, {Int8, Int8Array}, {Float4, Float4Array},
	{Float8, Float8Array}, {OIDType, OIDArray}, {Timestamp, TimestampArray},
	{Date, DateArray}, {Time, TimeArray}, {Timestamptz, TimestamptzArray},
	{IntervalOID, IntervalArray}, {Numeric, NumericArray}, {JSON, JSONArray},
	{Regclass, RegclassArray}, {Regtype, RegtypeArray}, {UUIDOID, UUIDArray},
	{JSONB, JSONBArray},
}

// ElemOf returns the element type of array type oid, or 0 when oid is not
// an array type.
func ElemOf(oid OID) OID {
	for _, p := range elemArray {
		if p[1] == oid {
			return p[0]
		}
	}
	return 0
}

// ArrayOf returns the array type whose elements are oid, or 0 when there
// is none.
func ArrayOf(oid OID) OID {
	for _, p := range elemArray {
		if p[0] == oid {
			return p[1]
		}
	}
	return 0
}

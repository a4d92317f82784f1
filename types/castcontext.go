package types

// CastContext says where a cast may be applied without being written, as
// pg_cast.castcontext does.
type CastContext uint8

const (
	// CastExplicit casts apply only as CAST(x AS t) or x::t.
	CastExplicit CastContext = iota
	// CastAssignment casts also apply to INSERT and UPDATE values.
	CastAssignment
	// CastImplicit casts also apply inside expressions.
	CastImplicit
)

// implicitCasts and assignmentCasts are the pg_cast rows between the
// supported types (string-type I/O casts are handled by rule).
var implicitCasts = map[[2]OID]bool{
	{Int2, Int4}: true, {Int2, Int8}: true, {Int4, Int8}: true,
	{Int2, Float4}: true, {Int2, Float8}: true, {Int2, Numeric}: true,
	{Int4, Float4}: true, {Int4, Float8}: true, {Int4, Numeric}: true,
	{Int8, Float4}: true, {Int8, Float8}: true, {Int8, Numeric}: true,
	{Float4, Float8}: true, {Numeric, Float4}: true, {Numeric, Float8}: true,
	{Int2, OIDType}: true, {Int4, OIDType}: true, {Int8, OIDType}: true,
	{OIDType, Regclass}: true, {OIDType, Regtype}: true, {Regclass, OIDType}: true,
	{Regtype, OIDType}: true, {Int4, Regclass}: true, {Int8, Regclass}: true,
	{Int4, Regtype}: true, {Int8, Regtype}: true,
	{Date, Timestamp}: true, {Date, Timestamptz}: true, {Timestamp, Timestamptz}: true,
	{Time, IntervalOID}: true,
}

var assignmentCasts = map[[2]OID]bool{
	{Int8, Int4}: true, {Int8, Int2}: true, {Int4, Int2}: true,
	{Float8, Float4}: true, {Float4, Int2}: true, {Float4, Int4}: true, {Float4, Int8}: true,
	{Float8, Int2}: true, {Float8, Int4}: true, {Float8, Int8}: true,
	{Float4, Numeric}: true, {Float8, Numeric}: true,
	{Numeric, Int2}: true, {Numeric, Int4}: true, {Numeric, Int8}: true,
	{OIDType, Int4}: true, {OIDType, Int8}: true,
	{Timestamptz, Timestamp}: true, {Timestamp, Date}: true, {Timestamptz, Date}: true,
	{Timestamp, Time}: true, {Timestamptz, Time}: true, {IntervalOID, Time}: true,
	{JSON, JSONB}: true, {JSONB, JSON}: true,
}

var explicitCasts = map[[2]OID]bool{
	{Int4, Bool}: true, {Bool, Int4}: true,
	{JSONB, Bool}: true, {JSONB, Numeric}: true, {JSONB, Int2}: true, {JSONB, Int4}: true,
	{JSONB, Int8}: true, {JSONB, Float4}: true, {JSONB, Float8}: true,
}

// CastContextOf reports whether a cast from one type to another exists and
// where it applies (implicit, assignment or explicit only).
func CastContextOf(from, to OID) (CastContext, bool) {
	if from == to || from == Unknown {
		return CastImplicit, true
	}
	k := [2]OID{from, to}
	switch {
	case implicitCasts[k]:
		return CastImplicit, true
	case assignmentCasts[k]:
		return CastAssignment, true
	case explicitCasts[k]:
		return CastExplicit, true
	}
	if isStringType(to) {
		if isStringType(from) {
			if from == Name && to != Text {
				return CastAssignment, true
			}
			return CastImplicit, true
		}
		if from == Void || from == Record {
			return 0, false
		}
		return CastAssignment, true // through the output function
	}
	if isStringType(from) {
		if to == Void || to == Record {
			return 0, false
		}
		return CastExplicit, true // through the input function
	}
	if ef, et := ElemOf(from), ElemOf(to); ef != 0 && et != 0 {
		return CastContextOf(ef, et)
	}
	return 0, false
}

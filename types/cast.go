package types

import (
	"math"
	"strconv"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/kalamdb/kalamdb/pgerr"
)

// Cast converts a non-NULL value from one type to another with
// PostgreSQL's explicit cast semantics (CAST and ::), including casts
// through text. An explicit cast to varchar(n) or character(n) truncates.
func Cast(v any, from, to Type, loc *time.Location) (any, error) {
	return castValue(v, from, to, loc, true)
}

// CastAssign converts v as an assignment cast does (INSERT and UPDATE
// values): like Cast, except that a string too long for varchar(n) or
// character(n) fails with 22001 unless only spaces are cut. Callers check
// CastContextOf first.
func CastAssign(v any, from, to Type, loc *time.Location) (any, error) {
	return castValue(v, from, to, loc, false)
}

func errCannotCast(from, to Type) error {
	return pgerr.New(codeCannotCoerce, "cannot cast type %s to %s", NameOf(Of(from.OID)), NameOf(Of(to.OID)))
}

func isStringType(oid OID) bool {
	switch oid {
	case Text, Varchar, Bpchar, Name, Unknown, Char:
		return true
	}
	return false
}

func isIntType(oid OID) bool { return oid == Int2 || oid == Int4 || oid == Int8 }

func castValue(v any, from, to Type, loc *time.Location, explicit bool) (any, error) {
	f, t := from.OID, to.OID
	if loc == nil {
		loc = time.UTC
	}
	if f == t {
		return coerceMod(v, to, explicit)
	}
	if isStringType(t) {
		var s string
		switch {
		case isStringType(f):
			s, _ = v.(string)
			if f == Bpchar {
				s = rtrimSpaces(s)
			}
		case f == Bool:
			b, _ := v.(bool)
			s = "false"
			if b {
				s = "true"
			}
		default:
			s = string(AppendText(nil, f, v, loc))
		}
		switch t {
		case Name:
			return clipName(s), nil
		case Char:
			return parseChar(s), nil
		case Varchar, Bpchar:
			return coerceChars(t, to.Mod, s, explicit)
		}
		return s, nil
	}
	if isStringType(f) {
		s, _ := v.(string)
		if f == Char {
			s = string(appendChar(nil, s))
		}
		if t == Varchar || t == Bpchar || (ElemOf(t) != 0 && to.Mod >= 0) {
			r, err := ParseText(Of(t), s, loc)
			if err != nil {
				return nil, err
			}
			return coerceMod(r, to, explicit)
		}
		return ParseText(to, s, loc)
	}
	switch {
	case isIntType(f) || f == OIDType || f == Regclass || f == Regtype:
		x, _ := v.(int64)
		return castFromInt(x, f, to, from, explicit)
	case f == Float4 || f == Float8:
		x, _ := v.(float64)
		return castFromFloat(x, f, to, from)
	case f == Numeric:
		x, _ := v.(*apd.Decimal)
		if x == nil {
			break
		}
		return castFromNumeric(x, to, from)
	case f == Bool && t == Int4:
		if b, _ := v.(bool); b {
			return int64(1), nil
		}
		return int64(0), nil
	case f == JSON && t == JSONB:
		s, _ := v.(string)
		return parseJSONB(s)
	case f == JSONB && t == JSON:
		return v, nil
	case f == JSONB:
		s, _ := v.(string)
		return castFromJSONB(s, from, to)
	case f == Date || f == Timestamp || f == Timestamptz || f == Time || f == IntervalOID:
		return castDatetime(v, from, to, loc)
	case ElemOf(f) != 0 && ElemOf(t) != 0:
		a, _ := v.([]any)
		ef, et := Type{OID: ElemOf(f), Mod: from.Mod}, Type{OID: ElemOf(t), Mod: to.Mod}
		if _, ok := CastContextOf(ef.OID, et.OID); !ok {
			break
		}
		out := make([]any, len(a))
		for i, e := range a {
			if e == nil {
				continue
			}
			fe, te := ef, et
			if _, sub := e.([]any); sub { // a multidimensional array's row
				fe, te = from, to
			}
			r, err := castValue(e, fe, te, loc, explicit)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return nil, errCannotCast(from, to)
}

// coerceMod applies to's type modifier to a value already of its type.
func coerceMod(v any, to Type, explicit bool) (any, error) {
	switch to.OID {
	case Varchar, Bpchar:
		s, _ := v.(string)
		return coerceChars(to.OID, to.Mod, s, explicit)
	case Numeric:
		if d, ok := v.(*apd.Decimal); ok {
			return applyNumericTypmod(d, to.Mod)
		}
	case Timestamp, Timestamptz, Time:
		if tm, ok := v.(time.Time); ok {
			return roundTime(tm, to.Mod), nil
		}
	default:
		if e := ElemOf(to.OID); e != 0 && to.Mod >= 0 {
			a, _ := v.([]any)
			out := make([]any, len(a))
			for i, x := range a {
				if x == nil {
					continue
				}
				et := Type{OID: e, Mod: to.Mod}
				if _, sub := x.([]any); sub { // a multidimensional array's row
					et = to
				}
				r, err := coerceMod(x, et, explicit)
				if err != nil {
					return nil, err
				}
				out[i] = r
			}
			return out, nil
		}
	}
	return v, nil
}

func intRange(oid OID, v int64) (int64, error) {
	if oid == OIDType || oid == Regclass || oid == Regtype {
		if v < math.MinInt32 || v > math.MaxUint32 {
			return 0, errOutOfRange("OID out of range")
		}
		return int64(uint32(v)), nil
	}
	lo, hi := intBounds(oid)
	if v < lo || v > hi {
		return 0, errOutOfRange(intName(oid) + " out of range")
	}
	return v, nil
}

func castFromInt(x int64, f OID, to, from Type, explicit bool) (any, error) {
	switch t := to.OID; {
	case isIntType(t):
		if f == OIDType || f == Regclass || f == Regtype {
			if t == Int4 {
				return int64(int32(uint32(x))), nil // oid to int4 wraps
			}
		}
		return intRange(t, x)
	case t == OIDType || t == Regclass || t == Regtype:
		return intRange(t, x)
	case t == Float8:
		return float64(x), nil
	case t == Float4:
		return float64(float32(x)), nil
	case t == Numeric:
		return applyNumericTypmod(apd.New(x, 0), to.Mod)
	case t == Bool && f == Int4:
		return x != 0, nil
	}
	return nil, errCannotCast(from, to)
}

func castFromFloat(x float64, f OID, to, from Type) (any, error) {
	switch t := to.OID; {
	case isIntType(t):
		r := math.RoundToEven(x)
		lo, hi := intBounds(t)
		// float64(hi) may round up to 2^63, hence >=.
		if math.IsNaN(r) || r < float64(lo) || r >= float64(hi)+1 {
			return nil, errOutOfRange(intName(t) + " out of range")
		}
		return int64(r), nil
	case t == Float8:
		return x, nil
	case t == Float4:
		y := float32(x)
		if math.IsInf(float64(y), 0) && !math.IsInf(x, 0) {
			return nil, errOutOfRange("value out of range: overflow")
		}
		if y == 0 && x != 0 {
			return nil, errOutOfRange("value out of range: underflow")
		}
		return float64(y), nil
	case t == Numeric:
		d, err := floatToNumeric(x, f)
		if err != nil {
			return nil, err
		}
		return applyNumericTypmod(d, to.Mod)
	}
	return nil, errCannotCast(from, to)
}

// floatToNumeric is float8_numeric/float4_numeric: the value printed with
// DBL_DIG (FLT_DIG) significant digits, then read as numeric.
func floatToNumeric(x float64, f OID) (*apd.Decimal, error) {
	switch {
	case math.IsNaN(x):
		return &apd.Decimal{Form: apd.NaN}, nil
	case math.IsInf(x, 0):
		return &apd.Decimal{Form: apd.Infinite, Negative: x < 0}, nil
	}
	prec, bits := 14, 64
	if f == Float4 {
		prec, bits = 5, 32
	}
	var tmp [40]byte
	e := strconv.AppendFloat(tmp[:0], x, 'e', prec, bits)
	// Drop trailing zeros of the mantissa as %g does.
	k := 0
	for k < len(e) && e[k] != 'e' {
		k++
	}
	m, exp := e[:k], e[k:]
	for len(m) > 0 && m[len(m)-1] == '0' {
		m = m[:len(m)-1]
	}
	if len(m) > 0 && m[len(m)-1] == '.' {
		m = m[:len(m)-1]
	}
	return parseNumeric(string(m) + string(exp))
}

func castFromNumeric(x *apd.Decimal, to, from Type) (any, error) {
	switch t := to.OID; {
	case isIntType(t):
		switch x.Form {
		case apd.NaN, apd.NaNSignaling:
			return nil, pgerr.New(pgerr.FeatureNotSupported, "cannot convert NaN to %s", intName(t))
		case apd.Infinite:
			return nil, pgerr.New(pgerr.FeatureNotSupported, "cannot convert infinity to %s", intName(t))
		}
		var r apd.Decimal
		ctx := apd.BaseContext.WithPrecision(uint32(x.NumDigits()) + 2)
		ctx.Rounding = apd.RoundHalfUp
		if _, err := ctx.RoundToIntegralValue(&r, x); err != nil {
			return nil, errOutOfRange(intName(t) + " out of range")
		}
		i, err := r.Int64()
		if err != nil {
			return nil, errOutOfRange(intName(t) + " out of range")
		}
		return intRange(t, i)
	case t == Float8 || t == Float4:
		s := string(appendNumeric(nil, x))
		return parseFloat(t, s)
	}
	return nil, errCannotCast(from, to)
}

// castFromJSONB is jsonb's casts to scalar types, which need a scalar of
// the matching JSON type.
func castFromJSONB(s string, from, to Type) (any, error) {
	n, err := parseJSONBTree(s)
	if err != nil {
		return nil, err
	}
	want := jNumber
	switch to.OID {
	case Bool:
		want = jBool
	case Numeric, Int2, Int4, Int8, Float4, Float8:
	default:
		return nil, errCannotCast(from, to)
	}
	if n.kind != want {
		got := map[byte]string{jNull: "null", jString: "string", jNumber: "numeric", jBool: "boolean", jArray: "array", jObject: "object"}[n.kind]
		return nil, pgerr.New(codeInvalidParameter, "cannot cast jsonb %s to type %s", got, NameOf(Of(to.OID)))
	}
	if want == jBool {
		return n.b, nil
	}
	d, err := parseNumeric(n.str)
	if err != nil {
		return nil, err
	}
	return castValue(d, Of(Numeric), to, nil, true)
}

func castDatetime(v any, from, to Type, loc *time.Location) (any, error) {
	if iv, ok := v.(Interval); ok {
		if to.OID == Time {
			us := iv.Micros % usecsPerDay
			if us < 0 {
				us += usecsPerDay
			}
			return roundTime(timeFromMicros(us), to.Mod), nil
		}
		return nil, errCannotCast(from, to)
	}
	tm, _ := v.(time.Time)
	f, t := from.OID, to.OID
	// wall is the local date and time the value stands for.
	wall := tm
	if f == Timestamptz {
		l := tm.In(loc)
		y, mo, d := l.Date()
		h, mi, s := l.Clock()
		wall = time.Date(y, mo, d, h, mi, s, l.Nanosecond(), time.UTC)
	}
	switch {
	case f == Time && t == IntervalOID:
		return Interval{Micros: microsOf(tm)}, nil
	case f == Time:
		return nil, errCannotCast(from, to)
	case t == Date:
		if f == Date {
			return tm, nil
		}
		y, mo, d := wall.Date()
		return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC), nil
	case t == Time && f != Date:
		h, mi, s := wall.Clock()
		us := int64(h)*3600000000 + int64(mi)*60000000 + int64(s)*1000000 + int64(wall.Nanosecond()/1000)
		return roundTime(timeFromMicros(us), to.Mod), nil
	case t == Timestamp:
		if !timestampInRange(wall) {
			return nil, &pgerr.Error{Code: pgerr.DatetimeFieldOverflow, Message: "date out of range for timestamp"}
		}
		return roundTime(wall, to.Mod), nil
	case t == Timestamptz:
		if f == Timestamptz {
			return roundTime(tm, to.Mod), nil
		}
		y, mo, d := wall.Date()
		h, mi, s := wall.Clock()
		r := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), loc).UTC()
		if !timestampInRange(r) {
			return nil, &pgerr.Error{Code: pgerr.DatetimeFieldOverflow, Message: "timestamp out of range"}
		}
		return roundTime(r, to.Mod), nil
	}
	return nil, errCannotCast(from, to)
}

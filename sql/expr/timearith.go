package expr

import (
	"math"
	"time"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

const (
	usecPerDay  = 86400 * 1000000
	daysPerMon  = 30
	secsPerDay  = 86400
	dateTimeMax = 294276 // PostgreSQL's last timestamp year
)

// timeExpr evaluates a date/time operator with a function of both values.
type timeExpr struct {
	l, r Expr
	t    types.Type
	fn   func(env *Env, a, b any) (any, error)
}

func (x *timeExpr) Type() types.Type { return x.t }
func (x *timeExpr) Eval(env *Env, row []any) (any, error) {
	a, err := x.l.Eval(env, row)
	if err != nil || a == nil {
		return nil, err
	}
	b, err := x.r.Eval(env, row)
	if err != nil || b == nil {
		return nil, err
	}
	return x.fn(env, a, b)
}

// timeArith compiles + - * / where a date, timestamp or interval is
// involved, following PostgreSQL's operator table.
func (c *compiler) timeArith(name string, l, r Expr) (Expr, error) {
	lt, rt := c.typeOf(l), c.typeOf(r)
	// An untyped operand of + next to a timestamp is an interval; of -,
	// the same type as the other side, as PostgreSQL resolves it.
	guess := func(known types.OID) types.OID {
		switch {
		case known == types.IntervalOID && (name == "*" || name == "/"):
			return types.Float8
		case known == types.IntervalOID:
			return types.IntervalOID
		case known == types.Date && name != "-":
			return types.Int4
		case name == "+":
			return types.IntervalOID
		}
		return known
	}
	if lt.OID == types.Unknown {
		lt = types.Of(guess(rt.OID))
	}
	if rt.OID == types.Unknown {
		rt = types.Of(guess(lt.OID))
	}
	fail := func() (Expr, error) { return nil, opError(name, c.typeOf(l), c.typeOf(r)) }
	var lw, rw, res types.OID
	var fn func(env *Env, a, b any) (any, error)
	la, ra := lt.OID, rt.OID
	switch {
	case la == types.IntervalOID && ra == types.IntervalOID && (name == "+" || name == "-"):
		lw, rw, res = la, ra, types.IntervalOID
		fn = func(_ *Env, a, b any) (any, error) {
			y := b.(types.Interval)
			if name == "-" {
				y = types.Interval{Months: -y.Months, Days: -y.Days, Micros: -y.Micros}
			}
			return addIntervals(a.(types.Interval), y)
		}
	case dtRank(la) > 0 && ra == types.IntervalOID && (name == "+" || name == "-"),
		la == types.IntervalOID && dtRank(ra) > 0 && name == "+":
		ts, neg := la, name == "-"
		if la == types.IntervalOID {
			ts = ra
		}
		if ts == types.Date {
			ts = types.Timestamp
		}
		if la == types.IntervalOID {
			lw, rw = types.IntervalOID, ts
		} else {
			lw, rw = ts, types.IntervalOID
		}
		res = ts
		fn = func(env *Env, a, b any) (any, error) {
			if la == types.IntervalOID {
				a, b = b, a
			}
			iv := b.(types.Interval)
			if neg {
				iv = types.Interval{Months: -iv.Months, Days: -iv.Days, Micros: -iv.Micros}
			}
			loc := time.UTC
			if ts == types.Timestamptz {
				loc = env.loc()
			}
			return addToTime(a.(time.Time), iv, loc)
		}
	case la == types.Date && isInt(ra) && (name == "+" || name == "-"),
		isInt(la) && ra == types.Date && name == "+":
		lw, rw, res = la, ra, types.Date
		fn = func(_ *Env, a, b any) (any, error) {
			if la != types.Date {
				a, b = b, a
			}
			n := b.(int64)
			if name == "-" {
				n = -n
			}
			t := a.(time.Time).AddDate(0, 0, int(n))
			if t.Year() > dateTimeMax || t.Year() < -4713 {
				return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "date out of range")
			}
			return t, nil
		}
	case dtRank(la) > 0 && dtRank(ra) > 0 && name == "-":
		t, _ := commonType(lt, rt)
		lw, rw = t.OID, t.OID
		if t.OID == types.Date {
			res = types.Int4
			fn = func(_ *Env, a, b any) (any, error) {
				return int64(a.(time.Time).Sub(b.(time.Time)) / (24 * time.Hour)), nil
			}
		} else {
			res = types.IntervalOID
			fn = func(_ *Env, a, b any) (any, error) {
				us := a.(time.Time).Sub(b.(time.Time)).Microseconds()
				return types.Interval{Days: int32(us / usecPerDay), Micros: us % usecPerDay}, nil
			}
		}
	case la == types.IntervalOID && numRank(ra) > 0 && (name == "*" || name == "/"),
		numRank(la) > 0 && ra == types.IntervalOID && name == "*":
		if la == types.IntervalOID {
			lw, rw = la, types.Float8
		} else {
			lw, rw = types.Float8, ra
		}
		res = types.IntervalOID
		fn = func(_ *Env, a, b any) (any, error) {
			if la != types.IntervalOID {
				a, b = b, a
			}
			f := b.(float64)
			if name == "/" {
				if f == 0 {
					return nil, divByZero()
				}
				f = 1 / f
			}
			return mulInterval(a.(types.Interval), f)
		}
	default:
		return fail()
	}
	var err error
	if l, err = c.castOperand(l, lw); err != nil {
		return nil, err
	}
	if r, err = c.castOperand(r, rw); err != nil {
		return nil, err
	}
	return &timeExpr{l: l, r: r, t: types.Of(res), fn: fn}, nil
}

// castOperand converts an operand to the type its chosen operator takes
// (implicitly: the operator table only lists implicit conversions).
func (c *compiler) castOperand(e Expr, oid types.OID) (Expr, error) {
	return c.mustCoerce(e, types.Of(oid))
}

func addIntervals(a, b types.Interval) (any, error) {
	m := int64(a.Months) + int64(b.Months)
	d := int64(a.Days) + int64(b.Days)
	us := a.Micros + b.Micros
	if m != int64(int32(m)) || d != int64(int32(d)) ||
		((a.Micros >= 0) == (b.Micros >= 0) && (us >= 0) != (a.Micros >= 0)) {
		return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "interval out of range")
	}
	return types.Interval{Months: int32(m), Days: int32(d), Micros: us}, nil
}

// addToTime adds an interval as timestamp_pl_interval does: months (with
// the day clamped to the month's end), then days in loc's calendar, then
// the time part.
func addToTime(t time.Time, iv types.Interval, loc *time.Location) (any, error) {
	lt := t.In(loc)
	if iv.Months != 0 {
		y, m, d := lt.Date()
		total := int(m) - 1 + int(iv.Months)
		y += floorDiv(total, 12)
		m = time.Month(total - floorDiv(total, 12)*12 + 1)
		if last := daysIn(y, m); d > last {
			d = last
		}
		h, mi, s := lt.Clock()
		lt = time.Date(y, m, d, h, mi, s, lt.Nanosecond(), loc)
	}
	if iv.Days != 0 {
		lt = lt.AddDate(0, 0, int(iv.Days))
	}
	r := lt.Add(time.Duration(iv.Micros) * time.Microsecond).UTC()
	if r.Year() > dateTimeMax || r.Year() < -4713 {
		return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "timestamp out of range")
	}
	return r, nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// mulInterval is interval_mul: fractional months cascade into days (30
// per month) and fractional days into time.
func mulInterval(iv types.Interval, f float64) (any, error) {
	m := float64(iv.Months) * f
	d := float64(iv.Days) * f
	if math.IsNaN(m) || math.IsNaN(d) || math.Abs(m) > math.MaxInt32 || math.Abs(d) > math.MaxInt32 {
		return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "interval out of range")
	}
	rm, rd := math.Trunc(m), math.Trunc(d)
	monRemDays := (m - rm) * daysPerMon
	secRem := (d - rd + monRemDays - math.Trunc(monRemDays)) * secsPerDay
	rd += math.Trunc(monRemDays)
	if math.Abs(secRem) >= secsPerDay {
		rd += math.Trunc(secRem / secsPerDay)
		secRem -= math.Trunc(secRem/secsPerDay) * secsPerDay
	}
	us := float64(iv.Micros)*f + secRem*1e6
	if math.IsNaN(us) || math.Abs(us) > math.MaxInt64/2 || math.Abs(rd) > math.MaxInt32 {
		return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "interval out of range")
	}
	return types.Interval{Months: int32(rm), Days: int32(rd), Micros: int64(math.RoundToEven(us))}, nil
}

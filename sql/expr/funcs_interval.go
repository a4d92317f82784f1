package expr

import (
	"math"
	"strings"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// makeIntervalParams are make_interval's parameter names, in order.
var makeIntervalParams = [...]string{"years", "months", "weeks", "days", "hours", "mins", "secs"}

// positionalArgs turns named arguments (make_interval(days => 1)) into
// positional ones with the defaults filled in; other functions keep
// rejecting named arguments.
func positionalArgs(name string, args []*pg_query.Node) ([]*pg_query.Node, error) {
	named := false
	for _, a := range args {
		if a.GetNamedArgExpr() != nil {
			named = true
		}
	}
	if !named {
		return args, nil
	}
	if name != "make_interval" {
		return nil, unsupported("named function arguments")
	}
	out := make([]*pg_query.Node, len(makeIntervalParams))
	for i, a := range args {
		na := a.GetNamedArgExpr()
		if na == nil {
			if i >= len(out) {
				return nil, nil
			}
			out[i] = a
			continue
		}
		pos := -1
		for j, p := range makeIntervalParams {
			if strings.EqualFold(p, na.Name) {
				pos = j
			}
		}
		if pos < 0 || out[pos] != nil {
			return nil, pgerr.New(pgerr.UndefinedFunction, "function make_interval(%s => ...) does not exist", na.Name)
		}
		out[pos] = na.Arg
	}
	for i := range out {
		if out[i] == nil {
			out[i] = pg_query.MakeAConstIntNode(0, -1)
		}
	}
	return out, nil
}

// resolveInterval covers age, make_interval and timezone (AT TIME ZONE).
func (c *compiler) resolveInterval(name string, args []Expr) (*builtin, []Expr, error) {
	switch name {
	case "age":
		if len(args) == 1 {
			args = append([]Expr{&sessionExpr{t: types.Of(types.Timestamp), fn: func(env *Env) (any, error) {
				return localDate(envOf(env).Now, env.loc()), nil
			}}}, args...)
		}
		if len(args) != 2 {
			return nil, nil, nil
		}
		t := c.timeArg(args[0])
		if c.typeOf(args[0]).OID == types.Unknown {
			t = c.timeArg(args[1])
		} else if t2 := c.timeArg(args[1]); t == types.Timestamp && t2 == types.Timestamptz && c.typeOf(args[1]).OID != types.Unknown {
			t = t2
		}
		if t != types.Timestamp && t != types.Timestamptz {
			return nil, nil, nil
		}
		conv, ok, err := c.sig(args, t, t)
		if !ok || err != nil {
			return nil, nil, err
		}
		return &builtin{ret: types.IntervalOID, volatile: t == types.Timestamptz, fn: func(env *Env, v []any) (any, error) {
			loc := time.UTC
			if t == types.Timestamptz {
				loc = env.loc()
			}
			return age(v[0].(time.Time).In(loc), v[1].(time.Time).In(loc)), nil
		}}, conv, nil
	case "make_interval":
		if len(args) > len(makeIntervalParams) {
			return nil, nil, nil
		}
		want := []types.OID{tInt, tInt, tInt, tInt, tInt, tInt, types.Float8}
		for len(args) < len(want) {
			args = append(args, &constExpr{v: int64(0), t: types.Of(tInt)})
		}
		conv, ok, err := c.sig(args, want...)
		if !ok || err != nil {
			return nil, nil, err
		}
		return pure(types.IntervalOID, func(v []any) (any, error) {
			months := v[0].(int64)*12 + v[1].(int64)
			days := v[2].(int64)*7 + v[3].(int64)
			micros := (v[4].(int64)*3600+v[5].(int64)*60)*1e6 + int64(math.Round(v[6].(float64)*1e6))
			if months != int64(int32(months)) || days != int64(int32(days)) {
				return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "interval out of range")
			}
			return types.Interval{Months: int32(months), Days: int32(days), Micros: micros}, nil
		}), conv, nil
	case "timezone":
		if len(args) != 2 {
			return nil, nil, nil
		}
		t := c.typeOf(args[1]).OID
		switch t {
		case types.Timestamp, types.Timestamptz:
		case types.Date:
			t = types.Timestamp
		case types.Unknown:
			t = types.Timestamptz
		default:
			return nil, nil, nil
		}
		conv, ok, err := c.sig(args, tText, t)
		if !ok || err != nil {
			return nil, nil, err
		}
		ret := types.OID(types.Timestamp)
		if t == types.Timestamp {
			ret = types.Timestamptz
		}
		return pure(ret, func(v []any) (any, error) {
			loc, err := zoneNamed(v[0].(string))
			if err != nil {
				return nil, err
			}
			tm := v[1].(time.Time)
			if t == types.Timestamptz {
				return wallClock(tm, loc), nil
			}
			// A wall-clock time read in loc.
			y, m, d := tm.Date()
			h, mi, s := tm.Clock()
			return time.Date(y, m, d, h, mi, s, tm.Nanosecond(), loc).UTC(), nil
		}), conv, nil
	}
	return nil, nil, nil
}

// zoneNamed resolves a time zone name for AT TIME ZONE.
func zoneNamed(name string) (*time.Location, error) {
	switch strings.ToUpper(name) {
	case "UTC", "GMT", "Z", "ZULU":
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || strings.EqualFold(name, "local") {
		return nil, pgerr.New(pgerr.InvalidParameterValue, "time zone \"%s\" not recognized", name)
	}
	return loc, nil
}

// age is PostgreSQL's timestamp_age: a field-by-field difference in
// years, months, days and time, borrowing from the month of the earlier
// side (both already in the zone that decides their fields).
func age(t1, t2 time.Time) types.Interval {
	neg := t1.Before(t2)
	y1, mo1, d1 := t1.Date()
	h1, mi1, s1 := t1.Clock()
	y2, mo2, d2 := t2.Date()
	h2, mi2, s2 := t2.Clock()
	us := int64(t1.Nanosecond()/1000 - t2.Nanosecond()/1000)
	sec, min, hour := s1-s2, mi1-mi2, h1-h2
	day, mon, year := d1-d2, int(mo1)-int(mo2), y1-y2
	if neg {
		us, sec, min, hour, day, mon, year = -us, -sec, -min, -hour, -day, -mon, -year
	}
	for us < 0 {
		us += 1e6
		sec--
	}
	for sec < 0 {
		sec += 60
		min--
	}
	for min < 0 {
		min += 60
		hour--
	}
	for hour < 0 {
		hour += 24
		day--
	}
	for day < 0 {
		if neg {
			day += daysIn(y1, mo1)
		} else {
			day += daysIn(y2, mo2)
		}
		mon--
	}
	for mon < 0 {
		mon += 12
		year--
	}
	if neg {
		us, sec, min, hour, day, mon, year = -us, -sec, -min, -hour, -day, -mon, -year
	}
	return types.Interval{
		Months: int32(year*12 + mon),
		Days:   int32(day),
		Micros: ((int64(hour)*60+int64(min))*60+int64(sec))*1e6 + us,
	}
}

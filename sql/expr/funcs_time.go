package expr

import (
	"crypto/rand"
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// sessionExpr reads a value from the session or the clock.
type sessionExpr struct {
	t  types.Type
	fn func(env *Env) (any, error)
}

func (x *sessionExpr) Type() types.Type                    { return x.t }
func (x *sessionExpr) Eval(env *Env, _ []any) (any, error) { return x.fn(env) }

func envOf(env *Env) *Env {
	if env == nil {
		return &Env{}
	}
	return env
}

// localDate is the session's current date, as a date value (midnight UTC).
func localDate(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// wallClock is t's wall-clock time in loc as a timestamp value.
func wallClock(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	y, m, d := l.Date()
	h, mi, s := l.Clock()
	return time.Date(y, m, d, h, mi, s, l.Nanosecond(), time.UTC)
}

// roundPrecision rounds a timestamp to p fractional digits (p in 0..6).
func roundPrecision(t time.Time, p int32) time.Time {
	if p < 0 || p >= 6 {
		return t
	}
	return t.Round(time.Duration(math.Pow10(int(9 - p))))
}

func (c *compiler) sqlValueFunction(f *pg_query.SQLValueFunction) (Expr, error) {
	ts := func(oid types.OID, local bool, prec int32) (Expr, error) {
		return &sessionExpr{t: types.Of(oid), fn: func(env *Env) (any, error) {
			now := roundPrecision(envOf(env).Now.UTC(), prec)
			if local {
				return wallClock(now, env.loc()), nil
			}
			return now, nil
		}}, nil
	}
	str := func(oid types.OID, fn func(env *Env) string) (Expr, error) {
		return &sessionExpr{t: types.Of(oid), fn: func(env *Env) (any, error) { return fn(envOf(env)), nil }}, nil
	}
	switch f.Op {
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		return &sessionExpr{t: types.Of(types.Date), fn: func(env *Env) (any, error) {
			return localDate(envOf(env).Now, env.loc()), nil
		}}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP:
		return ts(types.Timestamptz, false, -1)
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N:
		return ts(types.Timestamptz, false, f.Typmod)
	case pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP:
		return ts(types.Timestamp, true, -1)
	case pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		return ts(types.Timestamp, true, f.Typmod)
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER,
		pg_query.SQLValueFunctionOp_SVFOP_USER:
		return str(types.Name, func(env *Env) string { return env.User })
	case pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER:
		return str(types.Name, func(env *Env) string { return env.SessionUser })
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		return str(types.Name, func(env *Env) string { return env.Database })
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		return str(types.Name, func(*Env) string { return "public" })
	}
	return nil, unsupported("time of day values (CURRENT_TIME, LOCALTIME)")
}

func (c *compiler) resolveSession(name string, args []Expr) (*builtin, []Expr, error) {
	session := func(ret types.OID, fn func(env *Env) (any, error)) (*builtin, []Expr, error) {
		if len(args) != 0 {
			return nil, nil, nil
		}
		return &builtin{ret: ret, volatile: true, fn: func(env *Env, _ []any) (any, error) { return fn(envOf(env)) }}, args, nil
	}
	switch name {
	case "now", "transaction_timestamp", "statement_timestamp":
		return session(types.Timestamptz, func(env *Env) (any, error) { return env.Now.UTC(), nil })
	case "clock_timestamp":
		return session(types.Timestamptz, func(*Env) (any, error) { return time.Now().UTC().Truncate(time.Microsecond), nil })
	case "version":
		return session(types.Text, func(env *Env) (any, error) { return env.Version, nil })
	case "current_database":
		return session(types.Name, func(env *Env) (any, error) { return env.Database, nil })
	case "current_schema":
		return session(types.Name, func(*Env) (any, error) { return "public", nil })
	case "gen_random_uuid":
		return session(types.UUIDOID, func(*Env) (any, error) {
			var u types.UUID
			_, _ = rand.Read(u[:])
			u[6] = u[6]&0x0f | 0x40
			u[8] = u[8]&0x3f | 0x80
			return u, nil
		})
	case "kalamdb_id":
		return session(types.Int8, func(env *Env) (any, error) {
			if env.NextSeq == nil {
				return nil, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "kalamdb_id() is not available here")
			}
			return env.NextSeq(), nil
		})
	case "current_setting":
		if len(args) == 1 {
			args = append(args, &constExpr{v: false, t: boolType})
		}
		conv, ok, err := c.sig(args, tText, types.Bool)
		if !ok || err != nil {
			return nil, nil, err
		}
		return &builtin{ret: tText, volatile: true, fn: func(env *Env, v []any) (any, error) {
			n := strings.ToLower(v[0].(string))
			if env != nil && env.Setting != nil {
				if s, ok := env.Setting(n); ok {
					return s, nil
				}
			}
			if v[1].(bool) {
				return nil, nil
			}
			return nil, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", n)
		}}, conv, nil
	}
	return nil, nil, nil
}

// timeArg picks the timestamp type a date/time function works on.
func (c *compiler) timeArg(a Expr) types.OID {
	switch t := c.typeOf(a).OID; t {
	case types.Timestamp, types.Timestamptz, types.IntervalOID:
		return t
	case types.Date:
		return types.Timestamp
	case types.Unknown:
		return types.Timestamptz
	}
	return 0
}

func (c *compiler) resolveTime(name string, args []Expr) (*builtin, []Expr, error) {
	switch name {
	case "date_trunc":
		if len(args) != 2 {
			return nil, nil, nil
		}
		t := c.timeArg(args[1])
		if c.typeOf(args[1]).OID == types.Date {
			t = types.Timestamptz // PostgreSQL's preferred datetime type
		}
		if t == 0 {
			return nil, nil, nil
		}
		conv, ok, err := c.sig(args, tText, t)
		if !ok || err != nil {
			return nil, nil, err
		}
		return &builtin{ret: t, fn: func(env *Env, v []any) (any, error) {
			return dateTrunc(v[0].(string), t, v[1], env.loc())
		}, volatile: t == types.Timestamptz}, conv, nil
	case "extract", "date_part":
		if len(args) != 2 {
			return nil, nil, nil
		}
		t := c.typeOf(args[1]).OID
		if t != types.Date {
			t = c.timeArg(args[1])
		}
		if t == 0 {
			return nil, nil, nil
		}
		conv, ok, err := c.sig(args, tText, t)
		if !ok || err != nil {
			return nil, nil, err
		}
		asNumeric := name == "extract"
		ret := types.OID(types.Float8)
		if asNumeric {
			ret = types.Numeric
		}
		return &builtin{ret: ret, fn: func(env *Env, v []any) (any, error) {
			d, err := extract(v[0].(string), t, v[1], env.loc())
			if err != nil || asNumeric {
				return d, err
			}
			f, _ := d.Float64()
			return f, nil
		}, volatile: t == types.Timestamptz}, conv, nil
	case "to_timestamp":
		conv, ok, err := c.sig(args, types.Float8)
		if !ok || err != nil {
			return nil, nil, err
		}
		return pure(types.Timestamptz, func(v []any) (any, error) {
			f := v[0].(float64)
			if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 9.2e12 {
				return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "timestamp out of range: \"%g\"", f)
			}
			us := int64(math.Round(f * 1e6))
			return time.UnixMicro(us).UTC(), nil
		}), conv, nil
	}
	return nil, nil, nil
}

func unitError(unit string, t types.OID) error {
	return pgerr.New(pgerr.InvalidParameterValue, "unit \"%s\" not recognized for type %s", unit, typeName(types.Of(t)))
}

// dateTrunc truncates a timestamp (in loc for timestamptz) or interval.
func dateTrunc(unit string, t types.OID, v any, loc *time.Location) (any, error) {
	if t == types.IntervalOID {
		return truncInterval(unit, v.(types.Interval))
	}
	unit = canonicalUnit(unit)
	tm := v.(time.Time)
	if t == types.Timestamptz {
		tm = tm.In(loc)
	} else {
		loc = time.UTC
	}
	y, m, d := tm.Date()
	h, mi, s := tm.Clock()
	ns := tm.Nanosecond()
	switch unit {
	case "microseconds":
		ns = ns / 1000 * 1000
	case "milliseconds":
		ns = ns / 1000000 * 1000000
	case "second":
		ns = 0
	case "minute":
		s, ns = 0, 0
	case "hour":
		mi, s, ns = 0, 0, 0
	case "day":
		h, mi, s, ns = 0, 0, 0, 0
	case "week":
		wd := (int(tm.Weekday()) + 6) % 7 // days since Monday
		d -= wd
		h, mi, s, ns = 0, 0, 0, 0
	case "month":
		d, h, mi, s, ns = 1, 0, 0, 0, 0
	case "quarter":
		m = (m-1)/3*3 + 1
		d, h, mi, s, ns = 1, 0, 0, 0, 0
	case "year":
		m, d, h, mi, s, ns = 1, 1, 0, 0, 0, 0
	case "decade":
		y = floorDiv(y, 10) * 10
		m, d, h, mi, s, ns = 1, 1, 0, 0, 0, 0
	case "century":
		y = floorDiv(y-1, 100)*100 + 1
		m, d, h, mi, s, ns = 1, 1, 0, 0, 0, 0
	case "millennium":
		y = floorDiv(y-1, 1000)*1000 + 1
		m, d, h, mi, s, ns = 1, 1, 0, 0, 0, 0
	default:
		return nil, unitError(unit, t)
	}
	return time.Date(y, m, d, h, mi, s, ns, loc).UTC(), nil
}

// extract is EXTRACT(field FROM v) as numeric.
func extract(field string, t types.OID, v any, loc *time.Location) (*apd.Decimal, error) {
	field = canonicalUnit(field)
	if t == types.IntervalOID {
		return extractInterval(field, v.(types.Interval))
	}
	tm := v.(time.Time)
	if t == types.Timestamptz {
		tm = tm.In(loc)
	}
	y, m, d := tm.Date()
	h, mi, s := tm.Clock()
	us := int64(tm.Nanosecond() / 1000)
	isDate := t == types.Date
	i := func(n int64) (*apd.Decimal, error) { return apd.New(n, 0), nil }
	if isDate {
		switch field {
		case "hour", "minute", "second", "milliseconds", "microseconds":
			return nil, unitError(field, t)
		}
	}
	switch field {
	case "year":
		return i(int64(y))
	case "month":
		return i(int64(m))
	case "day":
		return i(int64(d))
	case "hour":
		return i(int64(h))
	case "minute":
		return i(int64(mi))
	case "second":
		return apd.New(int64(s)*1000000+us, -6), nil
	case "milliseconds":
		return apd.New(int64(s)*1000000+us, -3), nil
	case "microseconds":
		return i(int64(s)*1000000 + us)
	case "dow":
		return i(int64(tm.Weekday()))
	case "isodow":
		return i(int64((int(tm.Weekday())+6)%7 + 1))
	case "doy":
		return i(int64(tm.YearDay()))
	case "week":
		_, w := tm.ISOWeek()
		return i(int64(w))
	case "isoyear":
		iy, _ := tm.ISOWeek()
		return i(int64(iy))
	case "quarter":
		return i(int64((m-1)/3 + 1))
	case "decade":
		return i(int64(floorDiv(y, 10)))
	case "century":
		if y > 0 {
			return i(int64((y + 99) / 100))
		}
		return i(int64(-((99 - (y - 1)) / 100)))
	case "millennium":
		if y > 0 {
			return i(int64((y + 999) / 1000))
		}
		return i(int64(-((999 - (y - 1)) / 1000)))
	case "epoch":
		if isDate {
			return i(tm.Unix())
		}
		return apd.New(tm.UnixMicro(), -6), nil
	}
	return nil, unitError(field, t)
}

func extractInterval(field string, iv types.Interval) (*apd.Decimal, error) {
	i := func(n int64) (*apd.Decimal, error) { return apd.New(n, 0), nil }
	switch field {
	case "year":
		return i(int64(iv.Months / 12))
	case "month":
		return i(int64(iv.Months % 12))
	case "day":
		return i(int64(iv.Days))
	case "hour":
		return i(iv.Micros / 3600000000)
	case "minute":
		return i(iv.Micros / 60000000 % 60)
	case "second":
		return apd.New(iv.Micros%60000000, -6), nil
	case "epoch":
		secs := (int64(iv.Months)/12*365+int64(iv.Months)%12*30)*86400 + int64(iv.Days)*86400
		// PostgreSQL counts a year as 365.25 days here.
		secs += int64(iv.Months) / 12 * 21600
		return apd.New(secs*1000000+iv.Micros, -6), nil
	}
	return nil, unitError(field, types.IntervalOID)
}

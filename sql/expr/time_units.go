package expr

import (
	"strings"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// canonicalUnit maps the spellings PostgreSQL accepts for a date/time
// unit (plurals and abbreviations, any case) to the one date_trunc and
// extract switch on; other words are returned lower-cased.
func canonicalUnit(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	switch u {
	case "microsecond", "microseconds", "us", "usec", "usecs", "useconds":
		return "microseconds"
	case "millisecond", "milliseconds", "ms", "msec", "msecs", "mseconds":
		return "milliseconds"
	case "second", "seconds", "s", "sec", "secs":
		return "second"
	case "minute", "minutes", "m", "min", "mins":
		return "minute"
	case "hour", "hours", "h", "hr", "hrs":
		return "hour"
	case "day", "days", "d":
		return "day"
	case "week", "weeks", "w":
		return "week"
	case "month", "months", "mon", "mons":
		return "month"
	case "quarter", "qtr":
		return "quarter"
	case "year", "years", "y", "yr", "yrs":
		return "year"
	case "decade", "decades", "dec":
		return "decade"
	case "century", "centuries", "c", "cent":
		return "century"
	case "millennium", "millennia", "mil", "mils":
		return "millennium"
	}
	return u
}

// truncInterval is date_trunc on an interval: the fields below unit are
// zeroed.
func truncInterval(unit string, iv types.Interval) (any, error) {
	const (
		sec  = int64(1e6)
		min  = 60 * sec
		hour = 60 * min
	)
	trunc := func(v, q int64) int64 { return v - v%q }
	switch canonicalUnit(unit) {
	case "microseconds":
	case "milliseconds":
		iv.Micros = trunc(iv.Micros, 1000)
	case "second":
		iv.Micros = trunc(iv.Micros, sec)
	case "minute":
		iv.Micros = trunc(iv.Micros, min)
	case "hour":
		iv.Micros = trunc(iv.Micros, hour)
	case "day":
		iv.Micros = 0
	case "month":
		iv.Days, iv.Micros = 0, 0
	case "quarter", "year", "decade", "century", "millennium":
		q := map[string]int32{"quarter": 3, "year": 12, "decade": 120, "century": 1200, "millennium": 12000}[canonicalUnit(unit)]
		iv.Months -= iv.Months % q
		iv.Days, iv.Micros = 0, 0
	case "week":
		return nil, pgerr.New(pgerr.FeatureNotSupported, "unit \"%s\" not supported for type interval", unit)
	default:
		return nil, unitError(unit, types.IntervalOID)
	}
	return iv, nil
}

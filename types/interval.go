package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/kalamdb/kalamdb/pgerr"
)

// appendInterval is interval_out with IntervalStyle = postgres.
func appendInterval(buf []byte, iv Interval) []byte {
	year, mon := iv.Months/12, iv.Months%12
	zero, before := true, false
	part := func(v int64, unit string) {
		if v == 0 {
			return
		}
		if !zero {
			buf = append(buf, ' ')
		}
		if before && v > 0 {
			buf = append(buf, '+')
		}
		buf = strconv.AppendInt(buf, v, 10)
		buf = append(buf, ' ')
		buf = append(buf, unit...)
		if v != 1 {
			buf = append(buf, 's')
		}
		before, zero = v < 0, false
	}
	part(int64(year), "year")
	part(int64(mon), "mon")
	part(int64(iv.Days), "day")
	us := iv.Micros
	if zero || us != 0 {
		if !zero {
			buf = append(buf, ' ')
		}
		neg := us < 0
		if neg {
			buf = append(buf, '-')
		} else if before {
			buf = append(buf, '+')
		}
		// Work on the magnitude in uint64 so the minimum value is fine.
		u := uint64(us)
		if neg {
			u = -u
		}
		h := u / 3600000000
		u %= 3600000000
		buf = appendPadded(buf, int64(h), 2)
		buf = append(buf, ':')
		buf = appendPadded(buf, int64(u/60000000), 2)
		buf = append(buf, ':')
		u %= 60000000
		buf = appendPadded(buf, int64(u/1000000), 2)
		buf = appendFraction(buf, int64(u%1000000))
	}
	return buf
}

// ivAcc accumulates interval fields with overflow checks.
type ivAcc struct {
	months, days, micros int64
	bad                  bool
}

func (a *ivAcc) add(p *int64, v int64) {
	s := *p + v
	if (v > 0 && s < *p) || (v < 0 && s > *p) {
		a.bad = true
	}
	*p = s
}

func (a *ivAcc) addMul(p *int64, v, scale int64) {
	if v != 0 && (v > math.MaxInt64/scale || v < math.MinInt64/scale) {
		a.bad = true
		return
	}
	a.add(p, v*scale)
}

// fracMicros adds frac×scale microseconds, rounded.
func (a *ivAcc) fracMicros(frac float64, scale int64) {
	if frac == 0 {
		return
	}
	f := frac * float64(scale)
	if math.Abs(f) > 9e18 {
		a.bad = true
		return
	}
	a.add(&a.micros, int64(math.RoundToEven(f)))
}

// fracDays adds frac×scale days, the remainder as microseconds.
func (a *ivAcc) fracDays(frac float64, scale int64) {
	if frac == 0 {
		return
	}
	f := frac * float64(scale)
	d := math.Trunc(f)
	a.add(&a.days, int64(d))
	a.fracMicros(f-d, usecsPerDay)
}

func (a *ivAcc) fracYears(frac float64, scale int64) {
	if frac == 0 {
		return
	}
	a.add(&a.months, int64(math.RoundToEven(frac*float64(scale)*12)))
}

const (
	ivYear = iota + 1
	ivMonth
	ivWeek
	ivDay
	ivHour
	ivMinute
	ivSecond
	ivMilli
	ivMicro
	ivDecade
	ivCentury
	ivMillennium
)

var intervalUnits = map[string]int{
	"y": ivYear, "yr": ivYear, "yrs": ivYear, "year": ivYear, "years": ivYear,
	"mon": ivMonth, "mons": ivMonth, "month": ivMonth, "months": ivMonth,
	"w": ivWeek, "week": ivWeek, "weeks": ivWeek,
	"d": ivDay, "day": ivDay, "days": ivDay,
	"h": ivHour, "hr": ivHour, "hrs": ivHour, "hour": ivHour, "hours": ivHour,
	"m": ivMinute, "min": ivMinute, "mins": ivMinute, "minute": ivMinute, "minutes": ivMinute,
	"s": ivSecond, "sec": ivSecond, "secs": ivSecond, "second": ivSecond, "seconds": ivSecond,
	"ms": ivMilli, "msec": ivMilli, "msecs": ivMilli, "millisecond": ivMilli, "milliseconds": ivMilli,
	"us": ivMicro, "usec": ivMicro, "usecs": ivMicro, "microsecond": ivMicro, "microseconds": ivMicro,
	"dec": ivDecade, "decs": ivDecade, "decade": ivDecade, "decades": ivDecade,
	"c": ivCentury, "cent": ivCentury, "century": ivCentury, "centuries": ivCentury,
	"mil": ivMillennium, "mils": ivMillennium, "millennium": ivMillennium, "millennia": ivMillennium,
}

// apply adds number val (with fraction frac of the same sign) in unit u.
func (a *ivAcc) apply(u int, val int64, frac float64) {
	switch u {
	case ivYear, ivDecade, ivCentury, ivMillennium:
		scale := int64(1)
		switch u {
		case ivDecade:
			scale = 10
		case ivCentury:
			scale = 100
		case ivMillennium:
			scale = 1000
		}
		a.addMul(&a.months, val, 12*scale)
		a.fracYears(frac, scale)
	case ivMonth:
		a.add(&a.months, val)
		a.fracDays(frac, 30)
	case ivWeek:
		a.addMul(&a.days, val, 7)
		a.fracDays(frac, 7)
	case ivDay:
		a.add(&a.days, val)
		a.fracMicros(frac, usecsPerDay)
	case ivHour:
		a.addMul(&a.micros, val, 3600000000)
		a.fracMicros(frac, 3600000000)
	case ivMinute:
		a.addMul(&a.micros, val, 60000000)
		a.fracMicros(frac, 60000000)
	case ivSecond:
		a.addMul(&a.micros, val, 1000000)
		a.fracMicros(frac, 1000000)
	case ivMilli:
		a.addMul(&a.micros, val, 1000)
		a.fracMicros(frac, 1000)
	case ivMicro:
		a.add(&a.micros, val)
		a.fracMicros(frac, 1)
	}
}

// ivToken is one lexed interval field.
type ivToken struct {
	kind byte // 'n' number, 't' time, 'w' word
	text string
}

func lexInterval(s string) ([]ivToken, bool) {
	var toks []ivToken
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case isSpace(c) || c == ',':
			i++
		case c >= '0' && c <= '9' || c == '.' || ((c == '+' || c == '-') && i+1 < len(s) && (s[i+1] >= '0' && s[i+1] <= '9' || s[i+1] == '.')):
			j := i + 1
			kind := byte('n')
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == ':') {
				if s[j] == ':' {
					kind = 't'
				}
				j++
			}
			toks = append(toks, ivToken{kind, s[i:j]})
			i = j
		case c >= 'a' && c <= 'z' || c == '@':
			j := i + 1
			for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
				j++
			}
			if c == '@' {
				j = i + 1
			}
			toks = append(toks, ivToken{'w', s[i:j]})
			i = j
		default:
			return nil, false
		}
	}
	return toks, true
}

// splitNumber splits a signed decimal into its integer part and fraction
// (with the same sign).
func splitNumber(t string) (int64, float64, bool) {
	if t == "" {
		return 0, 0, false
	}
	neg := false
	body := t
	if body[0] == '+' || body[0] == '-' {
		neg, body = body[0] == '-', body[1:]
	}
	ip, fp, hasPoint := strings.Cut(body, ".")
	if ip == "" && fp == "" || strings.IndexByte(fp, '.') >= 0 || (ip != "" && !allDigits(ip)) || (fp != "" && !allDigits(fp)) {
		return 0, 0, false
	}
	var v int64
	if ip != "" {
		u, err := strconv.ParseInt(ip, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		v = u
	}
	var f float64
	if hasPoint && fp != "" {
		f, _ = strconv.ParseFloat("0."+fp, 64)
	}
	if neg {
		v, f = -v, -f
	}
	return v, f, true
}

// parseInterval is interval_in for IntervalStyle postgres input and the
// verbose and ISO 8601 forms.
func parseInterval(s string) (Interval, error) {
	low := asciiLower(trimSpace(s))
	var a ivAcc
	ok := false
	if strings.HasPrefix(low, "p") {
		ok = parseISOInterval(low[1:], &a)
	} else {
		ok = parsePostgresInterval(low, &a)
	}
	if !ok {
		return Interval{}, errDatetimeSyntax("interval", s)
	}
	if a.bad || a.months > math.MaxInt32 || a.months < math.MinInt32 || a.days > math.MaxInt32 || a.days < math.MinInt32 {
		return Interval{}, &pgerr.Error{Code: codeIntervalOverflow, Message: "interval field value out of range: " + quote(s)}
	}
	return Interval{Months: int32(a.months), Days: int32(a.days), Micros: a.micros}, nil
}

func parsePostgresInterval(low string, a *ivAcc) bool {
	toks, ok := lexInterval(low)
	if !ok || len(toks) == 0 {
		return false
	}
	var seen uint32 // units already given
	ago := false
	any := false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case 'w':
			switch t.text {
			case "@":
				if i != 0 {
					return false
				}
				continue
			case "ago":
				if i != len(toks)-1 || !any {
					return false
				}
				ago = true
				continue
			}
			return false
		case 't':
			const clock = 1<<ivHour | 1<<ivMinute | 1<<ivSecond
			if seen&clock != 0 {
				return false
			}
			seen |= clock
			if !parseIntervalClock(t.text, a) {
				return false
			}
			any = true
		case 'n':
			val, frac, ok := splitNumber(t.text)
			if !ok {
				return false
			}
			unit := ivSecond
			if i+1 < len(toks) && toks[i+1].kind == 'w' {
				if u, ok := intervalUnits[toks[i+1].text]; ok {
					unit = u
					i++
				} else if toks[i+1].text != "ago" {
					return false
				}
			} else if i+1 < len(toks) && toks[i+1].kind == 't' {
				unit = ivDay // "1 02:00:00"
			}
			if seen&(1<<unit) != 0 {
				return false
			}
			seen |= 1 << unit
			a.apply(unit, val, frac)
			any = true
		}
	}
	if !any {
		return false
	}
	if ago {
		a.months, a.days, a.micros = -a.months, -a.days, -a.micros
	}
	return true
}

// parseIntervalClock reads [-]hh:mm[:ss[.f]].
func parseIntervalClock(t string, a *ivAcc) bool {
	sign := int64(1)
	if t[0] == '+' || t[0] == '-' {
		if t[0] == '-' {
			sign = -1
		}
		t = t[1:]
	}
	parts := strings.Split(t, ":")
	if len(parts) > 3 || !allDigits(parts[0]) || !allDigits(parts[1]) || len(parts[0]) > 18 {
		return false
	}
	h, _ := strconv.ParseInt(parts[0], 10, 64)
	m, _ := strconv.ParseInt(parts[1], 10, 64)
	if m > 59 {
		return false
	}
	// Accumulate with the sign applied so the minimum value fits.
	a.addMul(&a.micros, sign*h, 3600000000)
	a.addMul(&a.micros, sign*m, 60000000)
	if len(parts) == 3 {
		sec, frac, ok := splitNumber(parts[2])
		if !ok || sec > 60 || parts[2][0] == '+' || parts[2][0] == '-' {
			return false
		}
		a.addMul(&a.micros, sign*sec, 1000000)
		a.add(&a.micros, sign*int64(math.RoundToEven(frac*1e6)))
	}
	return true
}

// parseISOInterval reads the part after "P": nY nM nW nD T nH nM nS.
func parseISOInterval(s string, a *ivAcc) bool {
	inTime := false
	any := false
	for len(s) > 0 {
		if s[0] == 't' {
			if inTime {
				return false
			}
			inTime, s = true, s[1:]
			continue
		}
		j := 0
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || (j == 0 && (s[j] == '-' || s[j] == '+'))) {
			j++
		}
		if j == 0 || j == len(s) {
			return false
		}
		val, frac, ok := splitNumber(s[:j])
		if !ok {
			return false
		}
		var u int
		switch s[j] {
		case 'y':
			u = ivYear
		case 'm':
			u = ivMonth
			if inTime {
				u = ivMinute
			}
		case 'w':
			u = ivWeek
		case 'd':
			u = ivDay
		case 'h':
			u = ivHour
		case 's':
			u = ivSecond
		default:
			return false
		}
		if inTime != (u == ivHour || u == ivMinute || u == ivSecond) {
			return false
		}
		a.apply(u, val, frac)
		any = true
		s = s[j+1:]
	}
	return any
}

// intervalKey is PostgreSQL's interval comparison value (30-day months,
// 24-hour days) as an exact (days, micros-in-day) pair.
func intervalKey(iv Interval) (int64, int64) {
	days := int64(iv.Months)*30 + int64(iv.Days)
	q, r := iv.Micros/usecsPerDay, iv.Micros%usecsPerDay
	if r < 0 {
		q, r = q-1, r+usecsPerDay
	}
	return days + q, r
}

func compareInterval(a, b Interval) int {
	ad, ar := intervalKey(a)
	bd, br := intervalKey(b)
	if c := cmpInt(ad, bd); c != 0 {
		return c
	}
	return cmpInt(ar, br)
}

package types

import (
	"strconv"
	"time"
)

// Dates, timestamps and times are time.Time values in UTC: a date at
// midnight, a timestamp as its wall clock, a timestamptz as its instant, a
// time as that time of day on 2000-01-01 (24:00:00 is 2000-01-02).

const (
	pgEpochUnix   = 946684800 // 2000-01-01 00:00:00 UTC
	usecsPerDay   = 86400000000
	minTimestamp  = -211813488000000000 // 4714-11-24 BC 00:00:00 UTC
	endTimestamp  = 9223371331200000000 // 294277-01-01 00:00:00 UTC
	minDateDays   = -2451545            // 4714-11-24 BC
	endDateDays   = 2147483494 - 2451545
	maxTimeMicros = usecsPerDay
)

// pgEpoch is 2000-01-01 00:00:00 UTC, the zero of every binary date/time.
func pgEpoch() time.Time { return time.Unix(pgEpochUnix, 0).UTC() }

// timeFromMicros converts microseconds since 2000-01-01 to a UTC time.
func timeFromMicros(us int64) time.Time {
	sec, rem := us/1000000, us%1000000
	if rem < 0 {
		sec, rem = sec-1, rem+1000000
	}
	return time.Unix(sec+pgEpochUnix, rem*1000).UTC()
}

// microsOf converts t to microseconds since 2000-01-01 (UTC).
func microsOf(t time.Time) int64 {
	return (t.Unix()-pgEpochUnix)*1000000 + int64(t.Nanosecond()/1000)
}

func daysOf(t time.Time) int64 {
	s := t.Unix() - pgEpochUnix
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

func dateFromDays(d int64) time.Time { return time.Unix(d*86400+pgEpochUnix, 0).UTC() }

// appendDatePart writes YYYY-MM-DD (at least four year digits) and
// reports whether the year is BC.
func appendDatePart(buf []byte, y int, m time.Month, d int) ([]byte, bool) {
	bc := y <= 0
	if bc {
		y = 1 - y
	}
	buf = appendPadded(buf, int64(y), 4)
	buf = append(buf, '-')
	buf = appendPadded(buf, int64(m), 2)
	buf = append(buf, '-')
	return appendPadded(buf, int64(d), 2), bc
}

func appendPadded(buf []byte, v int64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], v, 10)
	for i := len(s); i < width; i++ {
		buf = append(buf, '0')
	}
	return append(buf, s...)
}

// appendClock writes HH:MM:SS[.ffffff] with trailing zeros trimmed.
func appendClock(buf []byte, h, m, s int, micros int64) []byte {
	buf = appendPadded(buf, int64(h), 2)
	buf = append(buf, ':')
	buf = appendPadded(buf, int64(m), 2)
	buf = append(buf, ':')
	buf = appendPadded(buf, int64(s), 2)
	return appendFraction(buf, micros)
}

func appendFraction(buf []byte, micros int64) []byte {
	if micros == 0 {
		return buf
	}
	buf = append(buf, '.')
	var d [6]byte
	for i := 5; i >= 0; i-- {
		d[i] = byte('0' + micros%10)
		micros /= 10
	}
	n := 6
	for d[n-1] == '0' {
		n--
	}
	return append(buf, d[:n]...)
}

func appendDate(buf []byte, t time.Time) []byte {
	y, m, d := t.Date()
	buf, bc := appendDatePart(buf, y, m, d)
	if bc {
		buf = append(buf, " BC"...)
	}
	return buf
}

func appendTimestamp(buf []byte, t time.Time, tz bool, loc *time.Location) []byte {
	if tz {
		if loc == nil {
			loc = time.UTC
		}
		t = t.In(loc)
	}
	y, mo, d := t.Date()
	buf, bc := appendDatePart(buf, y, mo, d)
	buf = append(buf, ' ')
	h, mi, s := t.Clock()
	buf = appendClock(buf, h, mi, s, int64(t.Nanosecond()/1000))
	if tz {
		_, off := t.Zone()
		buf = appendOffset(buf, off)
	}
	if bc {
		buf = append(buf, " BC"...)
	}
	return buf
}

// appendOffset writes a UTC offset as +hh[:mm[:ss]].
func appendOffset(buf []byte, off int) []byte {
	if off < 0 {
		buf, off = append(buf, '-'), -off
	} else {
		buf = append(buf, '+')
	}
	buf = appendPadded(buf, int64(off/3600), 2)
	if off%3600 != 0 {
		buf = append(buf, ':')
		buf = appendPadded(buf, int64(off/60%60), 2)
		if off%60 != 0 {
			buf = append(buf, ':')
			buf = appendPadded(buf, int64(off%60), 2)
		}
	}
	return buf
}

func appendTime(buf []byte, t time.Time) []byte {
	us := microsOf(t)
	if us >= usecsPerDay {
		return append(buf, "24:00:00"...)
	}
	h, m, s := t.Clock()
	return appendClock(buf, h, m, s, int64(t.Nanosecond()/1000))
}

// timestampScales are AdjustTimestampForTypmod's rounding steps.
var timestampScales = [...]int64{1000000, 100000, 10000, 1000, 100, 10, 1}

// roundMicros rounds us to prec fractional digits, half away from zero.
func roundMicros(us int64, prec int32) int64 {
	if prec < 0 || prec >= 6 {
		return us
	}
	sc := timestampScales[prec]
	if us >= 0 {
		return (us + sc/2) / sc * sc
	}
	return -((-us + sc/2) / sc * sc)
}

func roundTime(t time.Time, prec int32) time.Time {
	if prec < 0 || prec >= 6 {
		return t
	}
	return timeFromMicros(roundMicros(microsOf(t), prec))
}

func timestampInRange(t time.Time) bool {
	if t.Year() > 294277 || t.Year() < -4714 {
		return false
	}
	us := microsOf(t)
	return us >= minTimestamp && us < endTimestamp
}

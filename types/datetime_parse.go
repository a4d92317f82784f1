package types

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kalamdb/kalamdb/pgerr"
)

// dtFields is a parsed date/time string.
type dtFields struct {
	hasDate, hasTime, hasZone bool
	year, month, day          int
	hour, min, sec            int
	micros                    int64
	zoneOff                   int            // seconds east of UTC when hasZone and zoneLoc is nil
	zoneLoc                   *time.Location // a named zone
	bc                        bool
	zoneName                  string // an unknown zone, for the error
}

// zoneAbbrevs are common entries of PostgreSQL's default
// timezone_abbreviations, in seconds east of UTC.
var zoneAbbrevs = map[string]int{
	"est": -5 * 3600, "edt": -4 * 3600, "cst": -6 * 3600, "cdt": -5 * 3600,
	"mst": -7 * 3600, "mdt": -6 * 3600, "pst": -8 * 3600, "pdt": -7 * 3600,
	"akst": -9 * 3600, "akdt": -8 * 3600, "hst": -10 * 3600,
	"wet": 0, "west": 3600, "cet": 3600, "cest": 2 * 3600, "eet": 2 * 3600, "eest": 3 * 3600,
	"bst": 3600, "msk": 3 * 3600, "jst": 9 * 3600, "kst": 9 * 3600,
	"aest": 10 * 3600, "aedt": 11 * 3600, "nzst": 12 * 3600, "nzdt": 13 * 3600,
}

// errBadField marks a date/time field out of range (22008) as opposed to
// a syntax error (22007).
type dtError int

const (
	dtOK dtError = iota
	dtSyntax
	dtRange
	dtUnsupported
	dtBadZone
)

var monthNames = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

var weekdays = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func monthOf(w string) int {
	if len(w) < 3 {
		return 0
	}
	for i, m := range monthNames {
		if strings.HasPrefix(w, m) {
			full := strings.ToLower(time.Month(i + 1).String())
			if w == m || w == full || (i == 8 && w == "sept") {
				return i + 1
			}
		}
	}
	return 0
}

func isWeekday(w string) bool {
	for i, d := range weekdays {
		if w == d || w == strings.ToLower(time.Weekday(i).String()) {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDateTime reads the date/time forms PostgreSQL's DateStyle ISO, MDY
// accepts: ISO dates (with 'T' or space before the time), M/D/Y, YYYYMMDD,
// month names, HH:MM[:SS[.f]] with AM/PM, zones Z/UTC/GMT/+hh[:mm]/+hhmm or
// an IANA name, a trailing BC.
func parseDateTime(s string) (dtFields, dtError) {
	var f dtFields
	low := asciiLower(trimSpace(s))
	// Split on spaces and commas, and at a 'T' between a date and a time.
	var fields []string
	for _, w := range strings.FieldsFunc(low, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' || r == '\r' }) {
		if i := strings.IndexByte(w, 't'); i > 0 && i+1 < len(w) && w[i-1] >= '0' && w[i-1] <= '9' && w[i+1] >= '0' && w[i+1] <= '9' {
			fields = append(fields, w[:i], w[i+1:])
			continue
		}
		fields = append(fields, w)
	}
	if len(fields) == 0 {
		return f, dtSyntax
	}
	var nums []string // bare numbers for textual-month dates
	pm, am := false, false
	for i := 0; i < len(fields); i++ {
		w := fields[i]
		switch {
		case w == "epoch":
			if f.hasDate || f.hasTime {
				return f, dtSyntax
			}
			f.hasDate, f.hasTime, f.hasZone = true, true, true
			f.year, f.month, f.day = 1970, 1, 1
		case w == "infinity" || w == "-infinity" || w == "+infinity" || w == "now" || w == "today" ||
			w == "tomorrow" || w == "yesterday" || w == "allballs":
			return f, dtUnsupported
		case w == "bc":
			f.bc = true
		case w == "ad":
		case w == "am":
			am = true
		case w == "pm":
			pm = true
		case w == "z" || w == "utc" || w == "gmt" || w == "zulu" || w == "ut":
			if f.hasZone {
				return f, dtSyntax
			}
			f.hasZone = true
		case strings.IndexByte(w, ':') > 0 && w[0] >= '0' && w[0] <= '9':
			if f.hasTime {
				return f, dtSyntax
			}
			// A time, maybe with a zone glued on.
			t := w
			if j := strings.IndexAny(t, "+-z"); j > 0 {
				if e := parseZone(t[j:], &f); e != dtOK {
					return f, e
				}
				t = t[:j]
			}
			if e := parseClock(t, &f); e != dtOK {
				return f, e
			}
		case (w[0] == '+' || w[0] == '-') && len(w) > 1:
			if e := parseZone(w, &f); e != dtOK {
				return f, e
			}
		case w[0] >= '0' && w[0] <= '9' && strings.ContainsAny(w, "-/."):
			if f.hasDate {
				return f, dtSyntax
			}
			if e := parseNumericDate(w, &f); e != dtOK {
				return f, e
			}
		case allDigits(w):
			if len(w) == 8 && !f.hasDate && len(nums) == 0 {
				f.hasDate = true
				f.year, _ = strconv.Atoi(w[:4])
				f.month, _ = strconv.Atoi(w[4:6])
				f.day, _ = strconv.Atoi(w[6:])
			} else {
				nums = append(nums, w)
			}
		case monthOf(strings.TrimSuffix(w, ".")) > 0:
			if f.month != 0 || f.hasDate {
				return f, dtSyntax
			}
			f.month = monthOf(strings.TrimSuffix(w, "."))
		case isWeekday(strings.TrimSuffix(w, ".")):
		case len(w) > 2 && w[0] >= 'a' && w[0] <= 'z':
			// A zone name or abbreviation.
			if f.hasZone {
				return f, dtSyntax
			}
			if off, ok := zoneAbbrevs[w]; ok {
				f.hasZone, f.zoneOff = true, off
				continue
			}
			j := strings.Index(asciiLower(s), w)
			loc, err := time.LoadLocation(s[j : j+len(w)])
			if err != nil {
				if strings.IndexByte(w, '/') >= 0 {
					f.zoneName = w
					return f, dtBadZone
				}
				return f, dtSyntax
			}
			f.hasZone, f.zoneLoc = true, loc
		default:
			return f, dtSyntax
		}
	}
	if f.month != 0 && !f.hasDate {
		// Textual month: the numbers are day and year ("Jan 2 2024", "2 Jan 2024").
		if len(nums) != 2 {
			return f, dtSyntax
		}
		a, b := nums[0], nums[1]
		if len(a) > 2 {
			a, b = b, a
		}
		f.day, _ = strconv.Atoi(a)
		f.year = atoiLimited(b)
		if len(b) <= 2 {
			f.year = twoDigitYear(f.year)
		}
		f.hasDate = true
	} else if len(nums) > 0 {
		return f, dtSyntax
	}
	if am || pm {
		if !f.hasTime || f.hour > 12 || f.hour < 1 && !am && !pm {
			return f, dtRange
		}
		if pm && f.hour != 12 {
			f.hour += 12
		} else if am && f.hour == 12 {
			f.hour = 0
		}
	}
	if f.bc {
		if f.year <= 0 {
			return f, dtRange
		}
		f.year = 1 - f.year
	} else if f.hasDate && f.year == 0 {
		return f, dtRange
	}
	if f.hasDate && (f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysIn(f.year, f.month)) {
		return f, dtRange
	}
	return f, dtOK
}

func atoiLimited(s string) int {
	if len(s) > 9 {
		return math.MaxInt32
	}
	v, _ := strconv.Atoi(s)
	return v
}

func twoDigitYear(y int) int {
	if y < 70 {
		return y + 2000
	}
	return y + 1900
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseNumericDate reads Y-M-D, Y/M/D, M/D/Y, M-D-Y and D.M.Y-free forms.
func parseNumericDate(w string, f *dtFields) dtError {
	sep := w[strings.IndexAny(w, "-/.")]
	parts := strings.Split(w, string(sep))
	if len(parts) != 3 {
		return dtSyntax
	}
	for _, p := range parts {
		if !allDigits(p) {
			return dtSyntax
		}
	}
	f.hasDate = true
	if len(parts[0]) >= 3 { // year first
		f.year = atoiLimited(parts[0])
		f.month = atoiLimited(parts[1])
		f.day = atoiLimited(parts[2])
		return dtOK
	}
	f.month = atoiLimited(parts[0])
	f.day = atoiLimited(parts[1])
	f.year = atoiLimited(parts[2])
	if len(parts[2]) <= 2 {
		f.year = twoDigitYear(f.year)
	}
	return dtOK
}

// parseClock reads HH:MM[:SS[.frac]].
func parseClock(t string, f *dtFields) dtError {
	parts := strings.Split(t, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return dtSyntax
	}
	frac := ""
	last := parts[len(parts)-1]
	if j := strings.IndexByte(last, '.'); j >= 0 {
		if len(parts) == 2 {
			// MM:SS.f form is not used for times of day; reject.
			return dtSyntax
		}
		frac = last[j+1:]
		parts[len(parts)-1] = last[:j]
		if frac != "" && !allDigits(frac) {
			return dtSyntax
		}
	}
	for _, p := range parts {
		if !allDigits(p) || len(p) > 9 {
			return dtSyntax
		}
	}
	f.hasTime = true
	f.hour = atoiLimited(parts[0])
	f.min = atoiLimited(parts[1])
	if len(parts) == 3 {
		f.sec = atoiLimited(parts[2])
	}
	if frac != "" {
		v, _ := strconv.ParseFloat("0."+frac, 64)
		f.micros = int64(math.RoundToEven(v * 1e6))
	}
	if f.hour < 0 || f.min < 0 || f.min > 59 || f.sec < 0 || f.sec > 60 ||
		f.hour > 24 || (f.hour == 24 && (f.min > 0 || f.sec > 0 || f.micros > 0)) {
		return dtRange
	}
	return dtOK
}

// parseZone reads z, +hh, +hh:mm[:ss], +hhmm.
func parseZone(z string, f *dtFields) dtError {
	if f.hasZone {
		return dtSyntax
	}
	if z == "z" {
		f.hasZone = true
		return dtOK
	}
	sign := 1
	if z[0] == '-' {
		sign = -1
	} else if z[0] != '+' {
		return dtSyntax
	}
	z = z[1:]
	var h, m, s int
	switch {
	case strings.IndexByte(z, ':') >= 0:
		p := strings.Split(z, ":")
		if len(p) > 3 {
			return dtSyntax
		}
		for _, x := range p {
			if !allDigits(x) || len(x) > 2 {
				return dtSyntax
			}
		}
		h, _ = strconv.Atoi(p[0])
		m, _ = strconv.Atoi(p[1])
		if len(p) == 3 {
			s, _ = strconv.Atoi(p[2])
		}
	case allDigits(z) && len(z) <= 2:
		h, _ = strconv.Atoi(z)
	case allDigits(z) && len(z) == 4:
		h, _ = strconv.Atoi(z[:2])
		m, _ = strconv.Atoi(z[2:])
	case allDigits(z) && len(z) == 6:
		h, _ = strconv.Atoi(z[:2])
		m, _ = strconv.Atoi(z[2:4])
		s, _ = strconv.Atoi(z[4:])
	default:
		return dtSyntax
	}
	if h > 15 || m > 59 || s > 59 {
		return dtRange
	}
	f.hasZone = true
	f.zoneOff = sign * (h*3600 + m*60 + s)
	return dtOK
}

func dtErr(e dtError, typ, s string, f *dtFields) error {
	switch e {
	case dtRange:
		return &pgerr.Error{Code: pgerr.DatetimeFieldOverflow, Message: "date/time field value out of range: " + quote(s)}
	case dtUnsupported:
		return &pgerr.Error{Code: pgerr.FeatureNotSupported, Message: "special date/time value " + quote(trimSpace(s)) + " is not supported for type " + typ}
	case dtBadZone:
		return &pgerr.Error{Code: codeInvalidParameter, Message: "time zone " + quote(f.zoneName) + " not recognized"}
	}
	return errDatetimeSyntax(typ, s)
}

// parseTimestampText is timestamp_in (tz=false) and timestamptz_in.
func parseTimestampText(s string, tz bool, loc *time.Location) (time.Time, error) {
	typ := "timestamp"
	if tz {
		typ = "timestamp with time zone"
	}
	f, e := parseDateTime(s)
	if e == dtOK && !f.hasDate {
		e = dtSyntax
	}
	if e != dtOK {
		return time.Time{}, dtErr(e, typ, s, &f)
	}
	t := time.Date(f.year, time.Month(f.month), f.day, f.hour, f.min, f.sec, int(f.micros)*1000, time.UTC)
	if tz {
		switch {
		case f.zoneLoc != nil:
			t = time.Date(f.year, time.Month(f.month), f.day, f.hour, f.min, f.sec, int(f.micros)*1000, f.zoneLoc).UTC()
		case f.hasZone:
			t = t.Add(-time.Duration(f.zoneOff) * time.Second)
		default:
			if loc == nil {
				loc = time.UTC
			}
			t = time.Date(f.year, time.Month(f.month), f.day, f.hour, f.min, f.sec, int(f.micros)*1000, loc).UTC()
		}
	}
	if us := microsOf(t); us < minTimestamp || us >= endTimestamp || t.Year() > 294277 || t.Year() < -4714 {
		return time.Time{}, &pgerr.Error{Code: pgerr.DatetimeFieldOverflow, Message: "timestamp out of range: " + quote(s)}
	}
	return t, nil
}

// parseDateText is date_in.
func parseDateText(s string) (time.Time, error) {
	f, e := parseDateTime(s)
	if e == dtOK && !f.hasDate {
		e = dtSyntax
	}
	if e != dtOK {
		return time.Time{}, dtErr(e, "date", s, &f)
	}
	if f.year > 5874897 || f.year < -4713 {
		return time.Time{}, &pgerr.Error{Code: pgerr.DatetimeFieldOverflow, Message: "date out of range: " + quote(s)}
	}
	t := time.Date(f.year, time.Month(f.month), f.day, 0, 0, 0, 0, time.UTC)
	if d := daysOf(t); d < minDateDays || d >= endDateDays {
		return time.Time{}, &pgerr.Error{Code: pgerr.DatetimeFieldOverflow, Message: "date out of range: " + quote(s)}
	}
	return t, nil
}

// parseTimeText is time_in; a date or zone in the input is ignored.
func parseTimeText(s string) (time.Time, error) {
	f, e := parseDateTime(s)
	if e == dtOK && !f.hasTime {
		e = dtSyntax
	}
	if e != dtOK {
		return time.Time{}, dtErr(e, "time", s, &f)
	}
	us := int64(f.hour)*3600000000 + int64(f.min)*60000000 + int64(f.sec)*1000000 + f.micros
	if us > usecsPerDay {
		return time.Time{}, dtErr(dtRange, "time", s, &f)
	}
	return timeFromMicros(us), nil
}

package expr

import (
	"fmt"
	"strings"
	"time"

	"github.com/kalamdb/kalamdb/types"
)

// resolveToChar is to_char(timestamp|timestamptz|date|interval, text)
// for the common date/time patterns.
func (c *compiler) resolveToChar(name string, args []Expr) (*builtin, []Expr, error) {
	if name != "to_char" || len(args) != 2 {
		return nil, nil, nil
	}
	t := c.timeArg(args[0])
	if t == 0 || t == types.IntervalOID {
		return nil, nil, nil
	}
	conv, ok, err := c.sig(args, t, tText)
	if !ok || err != nil {
		return nil, nil, err
	}
	return &builtin{ret: tText, volatile: t == types.Timestamptz, fn: func(env *Env, v []any) (any, error) {
		tm := v[0].(time.Time)
		zone := ""
		if t == types.Timestamptz {
			tm = tm.In(env.loc())
			zone, _ = tm.Zone()
			if zone == "" || strings.HasPrefix(zone, "+") || strings.HasPrefix(zone, "-") {
				zone = numericZone(tm)
			}
		}
		return toChar(tm, v[1].(string), zone), nil
	}}, conv, nil
}

// numericZone renders a zone without an abbreviation as PostgreSQL does
// (+05, -0330).
func numericZone(tm time.Time) string {
	_, off := tm.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	if off%3600 == 0 {
		return fmt.Sprintf("%s%02d", sign, off/3600)
	}
	return fmt.Sprintf("%s%02d%02d", sign, off/3600, off%3600/60)
}

// toCharKeys are the recognised patterns, longer ones first where one
// is a prefix of another.
var toCharKeys = [...]string{
	"HH24", "HH12", "HH", "MI", "SS", "MS", "US",
	"YYYY", "YYY", "YY", "Y",
	"MONTH", "Month", "month", "MON", "Mon", "mon", "MM",
	"DAY", "Day", "day", "DY", "Dy", "dy", "DDD", "DD", "D",
	"A.M.", "P.M.", "a.m.", "p.m.", "AM", "PM", "am", "pm",
	"TZ", "tz", "Q",
}

// toChar formats tm (already in its display zone) with a PostgreSQL
// to_char pattern; unknown characters are copied, "quoted" text is
// literal and FM suppresses padding for the next pattern.
func toChar(tm time.Time, f, zone string) string {
	var b strings.Builder
	for i := 0; i < len(f); {
		if f[i] == '"' {
			j := i + 1
			for j < len(f) && f[j] != '"' {
				if f[j] == '\\' && j+1 < len(f) {
					j++
				}
				b.WriteByte(f[j])
				j++
			}
			i = j + 1
			continue
		}
		fm := false
		if strings.HasPrefix(f[i:], "FM") || strings.HasPrefix(f[i:], "fm") {
			fm = true
			i += 2
		}
		key := ""
		for _, k := range toCharKeys {
			if strings.HasPrefix(f[i:], k) {
				key = k
				break
			}
		}
		if key == "" {
			if i < len(f) {
				b.WriteByte(f[i])
			}
			i++
			continue
		}
		i += len(key)
		b.WriteString(toCharField(tm, key, fm, zone))
	}
	return b.String()
}

func toCharField(tm time.Time, key string, fm bool, zone string) string {
	num := func(v, width int) string {
		if fm {
			return fmt.Sprint(v)
		}
		return fmt.Sprintf("%0*d", width, v)
	}
	word := func(s string, upper, lower bool) string {
		switch {
		case upper:
			s = strings.ToUpper(s)
		case lower:
			s = strings.ToLower(s)
		}
		if fm {
			return s
		}
		return fmt.Sprintf("%-9s", s)
	}
	h := tm.Hour()
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	switch key {
	case "HH24":
		return num(h, 2)
	case "HH12", "HH":
		return num(h12, 2)
	case "MI":
		return num(tm.Minute(), 2)
	case "SS":
		return num(tm.Second(), 2)
	case "MS":
		return num(tm.Nanosecond()/1e6, 3)
	case "US":
		return num(tm.Nanosecond()/1e3, 6)
	case "YYYY":
		return num(tm.Year(), 4)
	case "YYY":
		return num(tm.Year()%1000, 3)
	case "YY":
		return num(tm.Year()%100, 2)
	case "Y":
		return fmt.Sprint(tm.Year() % 10)
	case "MONTH", "Month", "month":
		return word(tm.Month().String(), key == "MONTH", key == "month")
	case "MON", "Mon", "mon":
		s := tm.Month().String()[:3]
		if key == "MON" {
			return strings.ToUpper(s)
		} else if key == "mon" {
			return strings.ToLower(s)
		}
		return s
	case "MM":
		return num(int(tm.Month()), 2)
	case "DAY", "Day", "day":
		return word(tm.Weekday().String(), key == "DAY", key == "day")
	case "DY", "Dy", "dy":
		s := tm.Weekday().String()[:3]
		if key == "DY" {
			return strings.ToUpper(s)
		} else if key == "dy" {
			return strings.ToLower(s)
		}
		return s
	case "DDD":
		return num(tm.YearDay(), 3)
	case "DD":
		return num(tm.Day(), 2)
	case "D":
		return fmt.Sprint(int(tm.Weekday()) + 1)
	case "AM", "PM", "am", "pm", "A.M.", "P.M.", "a.m.", "p.m.":
		pm := h >= 12
		s := map[bool]string{false: "AM", true: "PM"}[pm]
		if strings.Contains(key, ".") {
			s = s[:1] + "." + s[1:] + "."
		}
		if key[0] >= 'a' {
			s = strings.ToLower(s)
		}
		return s
	case "TZ":
		return strings.ToUpper(zone)
	case "tz":
		return strings.ToLower(zone)
	case "Q":
		return fmt.Sprint((int(tm.Month())-1)/3 + 1)
	}
	return ""
}

package types

import (
	"math"
	"strconv"
	"strings"
)

// isSpace is PostgreSQL's scanner_isspace / isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// parseBool is boolin: a unique prefix of true/false/yes/no, on/off, 1/0.
func parseBool(s string) (bool, error) {
	t := trimSpace(s)
	if len(t) > 0 {
		l := strings.ToLower(t)
		switch {
		case strings.HasPrefix("true", l), strings.HasPrefix("yes", l), l == "1",
			len(l) >= 2 && l == "on":
			return true, nil
		case strings.HasPrefix("false", l), strings.HasPrefix("no", l), l == "0",
			len(l) >= 2 && strings.HasPrefix("off", l):
			return false, nil
		}
	}
	return false, errSyntax("boolean", s)
}

// intName is the type name used in integer messages.
func intName(oid OID) string {
	switch oid {
	case Int2:
		return "smallint"
	case Int8:
		return "bigint"
	case OIDType:
		return "oid"
	}
	return "integer"
}

func intBounds(oid OID) (lo, hi int64) {
	switch oid {
	case Int2:
		return math.MinInt16, math.MaxInt16
	case Int4:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// parseInt is int2in/int4in/int8in (PostgreSQL 15: decimal digits only,
// surrounding whitespace allowed).
func parseInt(oid OID, s string) (int64, error) {
	t := trimSpace(s)
	neg := false
	if len(t) > 0 && (t[0] == '-' || t[0] == '+') {
		neg, t = t[0] == '-', t[1:]
	}
	if len(t) == 0 {
		return 0, errSyntax(intName(oid), s)
	}
	lo, hi := intBounds(oid)
	// Accumulate negatively so that the minimum value fits.
	var v int64
	overflow := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c < '0' || c > '9' {
			return 0, errSyntax(intName(oid), s)
		}
		d := int64(c - '0')
		if v < (math.MinInt64+d)/10 {
			overflow = true
			continue
		}
		v = v*10 - d
	}
	if !neg {
		if v == math.MinInt64 {
			overflow = true
		}
		v = -v
	}
	if overflow || v < lo || v > hi {
		return 0, errRange(intName(oid), s)
	}
	return v, nil
}

// parseOID is oidin: an unsigned 32-bit number, negative values wrapping
// as strtoul does.
func parseOID(s string) (int64, error) {
	v, err := parseInt(Int8, s)
	if err != nil || v < math.MinInt32 || v > math.MaxUint32 {
		if err == nil || isCode(err, "22003") {
			return 0, errRange("oid", s)
		}
		return 0, errSyntax("oid", s)
	}
	return int64(uint32(v)), nil
}

// parseFloat is float8in/float4in.
func parseFloat(oid OID, s string) (float64, error) {
	name := "double precision"
	bits := 64
	if oid == Float4 {
		name, bits = "real", 32
	}
	t := trimSpace(s)
	switch strings.ToLower(t) {
	case "nan", "+nan", "-nan":
		return math.NaN(), nil
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	}
	if !validFloatSyntax(t) {
		return 0, errSyntax(name, s)
	}
	f, err := strconv.ParseFloat(t, bits)
	if err != nil || math.IsInf(f, 0) {
		return 0, errOutOfRange(quote(s) + " is out of range for type " + name)
	}
	if f == 0 && hasNonzeroDigit(t) {
		return 0, errOutOfRange(quote(s) + " is out of range for type " + name)
	}
	return f, nil
}

// validFloatSyntax accepts what strtod accepts in decimal form:
// [sign] digits [. digits] [e [sign] digits], with at least one digit.
func validFloatSyntax(t string) bool {
	i := 0
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		i++
	}
	digits := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(t) && t[i] == '.' {
		i++
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		j := i + 1
		if j < len(t) && (t[j] == '+' || t[j] == '-') {
			j++
		}
		k := j
		for k < len(t) && t[k] >= '0' && t[k] <= '9' {
			k++
		}
		if k > j {
			i = k
		}
	}
	return i == len(t)
}

func hasNonzeroDigit(t string) bool {
	for i := 0; i < len(t); i++ {
		if t[i] == 'e' || t[i] == 'E' {
			return false
		}
		if t[i] >= '1' && t[i] <= '9' {
			return true
		}
	}
	return false
}

// appendFloat is float8out/float4out with extra_float_digits = 1: the
// shortest exact digits, in %g style with printf's precision thresholds
// (15 digits for double precision, 6 for real).
func appendFloat(buf []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	}
	if bits == 32 {
		f = float64(float32(f))
	}
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, bits)
	// e is d[.ddd]e±xx; read the exponent.
	k := len(e) - 1
	for e[k] != 'e' {
		k--
	}
	exp := 0
	for _, c := range e[k+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[k+1] == '-' {
		exp = -exp
	}
	limit := 15
	if bits == 32 {
		limit = 6
	}
	if exp < -4 || exp >= limit {
		return append(buf, e...)
	}
	return strconv.AppendFloat(buf, f, 'f', -1, bits)
}

// asciiLower lower-cases ASCII letters only, keeping byte offsets.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// AppendFloatText is float8out/float4out for a session's
// extra_float_digits: above 0 the shortest exact digits (AppendText's
// output), otherwise printf's %.*g with 15 (double precision) or 6 (real)
// plus extra_float_digits significant digits, as PostgreSQL does.
func AppendFloatText(buf []byte, oid OID, f float64, extraDigits int) []byte {
	bits, digits := 64, 15
	if oid == Float4 {
		bits, digits = 32, 6
		f = float64(float32(f))
	}
	if extraDigits > 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return appendFloat(buf, f, bits)
	}
	digits += max(extraDigits, -digits+1)
	return strconv.AppendFloat(buf, f, 'g', digits, bits)
}

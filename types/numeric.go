package types

import (
	"encoding/binary"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/kalamdb/kalamdb/pgerr"
)

// Numeric values are kept with Exponent = -dscale (never positive), so the
// scale a value was written with survives ("1.50" stays "1.50"), and zero
// is never negative.

const (
	numericMaxIntDigits = 131072 // NUMERIC_WEIGHT_MAX+1 base-10000 digits
	numericMaxDscale    = 16383  // NUMERIC_DSCALE_MAX
)

func errNumericOverflow() error { return errOutOfRange("value overflows numeric format") }

// parseNumeric is numeric_in.
func parseNumeric(s string) (*apd.Decimal, error) {
	t := trimSpace(s)
	switch strings.ToLower(t) {
	case "nan":
		return &apd.Decimal{Form: apd.NaN}, nil
	case "infinity", "+infinity", "inf", "+inf":
		return &apd.Decimal{Form: apd.Infinite}, nil
	case "-infinity", "-inf":
		return &apd.Decimal{Form: apd.Infinite, Negative: true}, nil
	}
	neg := false
	if len(t) > 0 && (t[0] == '+' || t[0] == '-') {
		neg, t = t[0] == '-', t[1:]
	}
	var digits []byte
	var stack [40]byte
	digits = stack[:0]
	scale, nd := 0, 0
	seenPoint := false
	i := 0
	for ; i < len(t); i++ {
		c := t[i]
		if c >= '0' && c <= '9' {
			nd++
			if len(digits) > 0 || c != '0' {
				digits = append(digits, c)
			}
			if seenPoint {
				scale++
			}
		} else if c == '.' && !seenPoint {
			seenPoint = true
		} else {
			break
		}
	}
	if nd == 0 {
		return nil, errSyntax("numeric", s)
	}
	exp := int64(0)
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		i++
		eneg := false
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			eneg, i = t[i] == '-', i+1
		}
		start := i
		for ; i < len(t) && t[i] >= '0' && t[i] <= '9'; i++ {
			if exp < 1<<40 {
				exp = exp*10 + int64(t[i]-'0')
			}
		}
		if i == start {
			return nil, errSyntax("numeric", s)
		}
		if exp >= 1<<30-1 {
			return nil, errNumericOverflow()
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(t) {
		return nil, errSyntax("numeric", s)
	}
	e := int64(-scale) + exp // value = digits × 10^e
	dscale := max(-e, 0)
	if dscale > numericMaxDscale || (len(digits) > 0 && int64(len(digits))+e > numericMaxIntDigits) {
		return nil, errNumericOverflow()
	}
	if len(digits) > 0 && e > 0 {
		for k := int64(0); k < e; k++ {
			digits = append(digits, '0')
		}
	}
	return makeDecimal(neg, digits, int32(-dscale)), nil
}

// makeDecimal builds a finite decimal from decimal digits (possibly empty
// for zero) and an exponent.
func makeDecimal(neg bool, digits []byte, exp int32) *apd.Decimal {
	d := &apd.Decimal{Exponent: exp}
	if len(digits) <= 18 {
		var v int64
		for _, c := range digits {
			v = v*10 + int64(c-'0')
		}
		d.Coeff.SetInt64(v)
	} else {
		d.Coeff.SetString(string(digits), 10)
	}
	d.Negative = neg && d.Coeff.Sign() != 0
	return d
}

// normalizeDecimal returns d in the canonical form: exponent not positive,
// no negative zero, NaN unsigned.
func normalizeDecimal(d *apd.Decimal) *apd.Decimal {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return &apd.Decimal{Form: apd.NaN}
	case apd.Infinite:
		return &apd.Decimal{Form: apd.Infinite, Negative: d.Negative}
	}
	if d.Exponent <= 0 && !(d.Negative && d.Coeff.Sign() == 0) {
		return d
	}
	r := new(apd.Decimal).Set(d)
	if r.Exponent > 0 {
		var ten apd.BigInt
		ten.SetInt64(10)
		ten.Exp(&ten, apd.NewBigInt(int64(r.Exponent)), nil)
		r.Coeff.Mul(&r.Coeff, &ten)
		r.Exponent = 0
	}
	if r.Coeff.Sign() == 0 {
		r.Negative = false
	}
	return r
}

// appendNumeric is numeric_out.
func appendNumeric(buf []byte, d *apd.Decimal) []byte {
	if d.Form == apd.NaN || d.Form == apd.NaNSignaling {
		return append(buf, "NaN"...)
	}
	return d.Append(buf, 'f')
}

// applyNumericTypmod is apply_typmod: round to the scale, then check the
// precision.
func applyNumericTypmod(d *apd.Decimal, mod int32) (*apd.Decimal, error) {
	if mod < 4 || d.Form == apd.NaN {
		return d, nil
	}
	p, s := numericPS(mod)
	if d.Form == apd.Infinite {
		return nil, &pgerr.Error{Code: pgerr.NumericValueOutOfRange, Message: "numeric field overflow",
			Detail: "A field with precision " + itoa(int64(p)) + ", scale " + itoa(int64(s)) + " cannot hold an infinite value."}
	}
	r := new(apd.Decimal)
	ctx := apd.BaseContext.WithPrecision(uint32(d.NumDigits()) + uint32(max(s, -s)) + 2)
	ctx.Rounding = apd.RoundHalfUp
	if _, err := ctx.Quantize(r, d, -s); err != nil {
		return nil, errNumericOverflow()
	}
	r = normalizeDecimal(r)
	// Digits before the point must be at most p-s.
	if r.Coeff.Sign() != 0 {
		intDigits := int64(r.NumDigits()) + int64(r.Exponent)
		if intDigits > int64(p-s) {
			max := "1"
			if p-s != 0 {
				max = "10^" + itoa(int64(p-s))
			}
			return nil, &pgerr.Error{Code: pgerr.NumericValueOutOfRange, Message: "numeric field overflow",
				Detail: "A field with precision " + itoa(int64(p)) + ", scale " + itoa(int64(s)) +
					" must round to an absolute value less than " + max + "."}
		}
	}
	return r, nil
}

// Binary numeric sign words.
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
)

// appendNumericBinary writes numeric_send's format: ndigits, weight, sign,
// dscale, then base-10000 digits.
func appendNumericBinary(buf []byte, d *apd.Decimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return binary.BigEndian.AppendUint64(buf, uint64(numericNaN)<<16)
	case apd.Infinite:
		sign := uint64(numericPInf)
		if d.Negative {
			sign = numericNInf
		}
		return binary.BigEndian.AppendUint64(buf, sign<<16)
	}
	d = normalizeDecimal(d)
	dscale := int(-d.Exponent)
	var scratch [48]byte
	ds := d.Coeff.Append(scratch[:0], 10)
	if len(ds) == 1 && ds[0] == '0' {
		ds = ds[:0]
	}
	// Split into integer and fraction digits, then pad both to whole
	// base-10000 digits.
	ip := len(ds) - dscale // digits before the point
	lead, intEnd, weight := 0, 0, -1
	if ip > 0 {
		lead = (4 - ip%4) % 4
		intEnd = lead + ip
		weight = intEnd/4 - 1
	} else {
		lead = -ip // zeros right after the point
	}
	total := lead + len(ds)
	trail := (4 - (total-intEnd)%4) % 4
	n := (total + trail) / 4
	digitAt := func(i int) int { // decimal digit i of the padded string
		i -= lead
		if i < 0 || i >= len(ds) {
			return 0
		}
		return int(ds[i] - '0')
	}
	groups := make([]uint16, 0, n)
	for g := 0; g < n; g++ {
		v := 0
		for k := 0; k < 4; k++ {
			v = v*10 + digitAt(g*4+k)
		}
		groups = append(groups, uint16(v))
	}
	for len(groups) > 0 && groups[0] == 0 {
		groups, weight = groups[1:], weight-1
	}
	for len(groups) > 0 && groups[len(groups)-1] == 0 {
		groups = groups[:len(groups)-1]
	}
	if len(groups) == 0 {
		weight = 0
	}
	sign := uint16(numericPos)
	if d.Negative {
		sign = numericNeg
	}
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(groups)))
	buf = binary.BigEndian.AppendUint16(buf, uint16(int16(weight)))
	buf = binary.BigEndian.AppendUint16(buf, sign)
	buf = binary.BigEndian.AppendUint16(buf, uint16(dscale))
	for _, g := range groups {
		buf = binary.BigEndian.AppendUint16(buf, g)
	}
	return buf
}

// parseNumericBinary is numeric_recv.
func parseNumericBinary(b []byte) (*apd.Decimal, error) {
	if len(b) < 8 {
		return nil, errBinary("insufficient data left in message")
	}
	n := int(int16(binary.BigEndian.Uint16(b)))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	b = b[8:]
	if n < 0 || len(b) != 2*n {
		return nil, errBinary("invalid length in external \"numeric\" value")
	}
	switch sign {
	case numericPos, numericNeg:
	case numericNaN:
		return &apd.Decimal{Form: apd.NaN}, nil
	case numericPInf:
		return &apd.Decimal{Form: apd.Infinite}, nil
	case numericNInf:
		return &apd.Decimal{Form: apd.Infinite, Negative: true}, nil
	default:
		return nil, errBinary("invalid sign in external \"numeric\" value")
	}
	if dscale > numericMaxDscale {
		return nil, errBinary("invalid scale in external \"numeric\" value")
	}
	digits := make([]byte, 0, 4*n+8)
	for i := 0; i < n; i++ {
		g := binary.BigEndian.Uint16(b[2*i:])
		if g >= 10000 {
			return nil, errBinary("invalid digit in external \"numeric\" value")
		}
		digits = append(digits, byte('0'+g/1000), byte('0'+g/100%10), byte('0'+g/10%10), byte('0'+g%10))
	}
	// digits × 10^e with e = 4*(weight-n+1); bring e to -dscale,
	// truncating hidden digits as numeric_recv does.
	e := 4 * (weight - n + 1)
	if e > -dscale {
		for k := 0; k < e+dscale; k++ {
			digits = append(digits, '0')
		}
	} else if cut := -dscale - e; cut > 0 {
		if cut >= len(digits) {
			digits = digits[:0]
		} else {
			digits = digits[:len(digits)-cut]
		}
	}
	for len(digits) > 0 && digits[0] == '0' {
		digits = digits[1:]
	}
	if len(digits) > 0 && len(digits)-dscale > numericMaxIntDigits {
		return nil, errBinary("invalid length in external \"numeric\" value")
	}
	return makeDecimal(sign == numericNeg, digits, int32(-dscale)), nil
}

// compareNumeric orders numerics as PostgreSQL: -Infinity < numbers <
// Infinity < NaN, NaN equal to itself.
func compareNumeric(a, b *apd.Decimal) int {
	ra, rb := numericRank(a), numericRank(b)
	if ra != rb {
		return cmpInt(int64(ra), int64(rb))
	}
	if ra != 1 {
		return 0
	}
	return a.Cmp(b)
}

func numericRank(d *apd.Decimal) int {
	switch d.Form {
	case apd.Finite:
		return 1
	case apd.Infinite:
		if d.Negative {
			return 0
		}
		return 2
	}
	return 3
}

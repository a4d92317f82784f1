package expr

import (
	"math"

	"github.com/cockroachdb/apd/v3"

	"github.com/kalamdb/kalamdb/pgerr"
)

// numCtx computes numeric results exactly enough for PostgreSQL's scales;
// results that need rounding are rounded explicitly to PostgreSQL's scale.
var numCtx = func() *apd.Context {
	c := apd.BaseContext.WithPrecision(2000)
	c.Rounding = apd.RoundHalfUp
	return c
}()

// PostgreSQL's numeric display scale limits and minimum significant
// digits of inexact results (numeric.c).
const (
	minSigDigits = 16
	maxScale     = 1000
)

// dscale is a numeric's display scale (digits after the point).
func dscale(d *apd.Decimal) int {
	if d.Exponent < 0 {
		return int(-d.Exponent)
	}
	return 0
}

// weight10 is the decimal exponent of d's most significant digit.
func weight10(d *apd.Decimal) int {
	n := int(d.NumDigits())
	return int(d.Exponent) + n - 1
}

// baseWeight returns PostgreSQL's base-10000 weight of d's first digit
// group and that group's value, as numeric.c sees them.
func baseWeight(d *apd.Decimal) (weight, first int) {
	if d.IsZero() {
		return 0, 0
	}
	w10 := weight10(d)
	weight = floorDiv(w10, 4)
	// The first group holds decimal positions 4w .. 4w+3.
	digits := d.Coeff.String()
	for p := 4*weight + 3; p >= 4*weight; p-- {
		idx := len(digits) - 1 - (p - int(d.Exponent))
		first *= 10
		if idx >= 0 && idx < len(digits) {
			first += int(digits[idx] - '0')
		}
	}
	return weight, first
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func clampScale(s int) int {
	if s < 0 {
		return 0
	}
	if s > maxScale {
		return maxScale
	}
	return s
}

// roundScale rounds x half away from zero to scale digits after the point.
func roundScale(x *apd.Decimal, scale int) (*apd.Decimal, error) {
	r := new(apd.Decimal)
	if _, err := numCtx.Quantize(r, x, int32(-scale)); err != nil {
		return nil, numericOverflow(err)
	}
	return r, nil
}

func numericOverflow(err error) error {
	return pgerr.Wrap(err, pgerr.NumericValueOutOfRange, "value overflows numeric format")
}

func divByZero() error { return pgerr.New(pgerr.DivisionByZero, "division by zero") }

// numDiv divides with PostgreSQL's select_div_scale: at least 16
// significant digits, and no fewer digits than either input shows.
func numDiv(a, b *apd.Decimal) (*apd.Decimal, error) {
	if b.IsZero() && b.Form == apd.Finite {
		return nil, divByZero()
	}
	w1, f1 := baseWeight(a)
	w2, f2 := baseWeight(b)
	qweight := w1 - w2
	if f1 <= f2 {
		qweight--
	}
	rscale := minSigDigits - qweight*4
	rscale = max(rscale, dscale(a), dscale(b))
	rscale = clampScale(rscale)
	// Truncate with guard digits, then round once at the result scale.
	intDigits := max(weight10(a)-weight10(b)+2, 1)
	ctx := numCtx.WithPrecision(uint32(intDigits + rscale + 4))
	ctx.Rounding = apd.RoundDown
	q := new(apd.Decimal)
	if _, err := ctx.Quo(q, a, b); err != nil {
		return nil, numericOverflow(err)
	}
	return roundScale(q, rscale)
}

// numMod is PostgreSQL's numeric %, the remainder of truncated division.
func numMod(a, b *apd.Decimal) (*apd.Decimal, error) {
	if b.IsZero() && b.Form == apd.Finite {
		return nil, divByZero()
	}
	r := new(apd.Decimal)
	if _, err := numCtx.Rem(r, a, b); err != nil {
		return nil, numericOverflow(err)
	}
	return roundScale(r, max(dscale(a), dscale(b)))
}

// numPow is numeric ^ numeric with power_var's result scale.
func numPow(a, b *apd.Decimal) (*apd.Decimal, error) {
	if a.IsZero() && b.Negative && !b.IsZero() {
		return nil, pgerr.New("2201F", "zero raised to a negative power is undefined")
	}
	bi := new(apd.Decimal)
	frac := new(apd.Decimal)
	b.Modf(bi, frac)
	if a.Negative && !frac.IsZero() {
		return nil, pgerr.New("2201F", "a negative number raised to a non-integer power yields a complex result")
	}
	fa, _ := a.Float64()
	fb, _ := b.Float64()
	f := 0.0
	if fa != 0 {
		f = fb * math.Log10(math.Abs(fa))
	}
	if f > 131072 || math.IsInf(f, 0) {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	rscale := clampScale(max(minSigDigits-int(f), dscale(a), dscale(b)))
	ctx := numCtx.WithPrecision(uint32(max(int(f), 0) + rscale + 8))
	r := new(apd.Decimal)
	if _, err := ctx.Pow(r, a, b); err != nil {
		return nil, numericOverflow(err)
	}
	return roundScale(r, rscale)
}

// numSqrt is numeric sqrt with numeric_sqrt's result scale.
func numSqrt(a *apd.Decimal) (*apd.Decimal, error) {
	if a.Negative && !a.IsZero() {
		return nil, pgerr.New("2201F", "cannot take square root of a negative number")
	}
	w, _ := baseWeight(a)
	sweight := (w+1)*4/2 - 1
	rscale := clampScale(max(minSigDigits-sweight, dscale(a)))
	ctx := numCtx.WithPrecision(uint32(max(sweight, 0) + rscale + 8))
	r := new(apd.Decimal)
	if _, err := ctx.Sqrt(r, a); err != nil {
		return nil, numericOverflow(err)
	}
	return roundScale(r, rscale)
}

func numAdd(a, b *apd.Decimal, sub bool) (*apd.Decimal, error) {
	r := new(apd.Decimal)
	var err error
	if sub {
		_, err = numCtx.Sub(r, a, b)
	} else {
		_, err = numCtx.Add(r, a, b)
	}
	if err != nil {
		return nil, numericOverflow(err)
	}
	return r, nil
}

func numMul(a, b *apd.Decimal) (*apd.Decimal, error) {
	r := new(apd.Decimal)
	if _, err := numCtx.Mul(r, a, b); err != nil {
		return nil, numericOverflow(err)
	}
	return r, nil
}

// toNumeric converts an integer or numeric value to *apd.Decimal.
func toNumeric(v any) *apd.Decimal {
	switch x := v.(type) {
	case *apd.Decimal:
		return x
	case int64:
		return apd.New(x, 0)
	case float64:
		d := new(apd.Decimal)
		d.SetFloat64(x)
		return d
	}
	return apd.New(0, 0)
}

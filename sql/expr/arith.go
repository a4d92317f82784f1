package expr

import (
	"math"

	"github.com/cockroachdb/apd/v3"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// arithExpr is a numeric binary operator over operands already converted
// to its type t (integers, floats or numeric).
type arithExpr struct {
	op   byte
	l, r Expr
	t    types.Type
}

func (x *arithExpr) Type() types.Type { return x.t }
func (x *arithExpr) Eval(env *Env, row []any) (any, error) {
	a, err := x.l.Eval(env, row)
	if err != nil || a == nil {
		return nil, err
	}
	b, err := x.r.Eval(env, row)
	if err != nil || b == nil {
		return nil, err
	}
	return arith(x.op, x.t.OID, a, b)
}

func intRangeError(oid types.OID) error {
	switch oid {
	case types.Int2:
		return pgerr.New(pgerr.NumericValueOutOfRange, "smallint out of range")
	case types.Int8:
		return pgerr.New(pgerr.NumericValueOutOfRange, "bigint out of range")
	}
	return pgerr.New(pgerr.NumericValueOutOfRange, "integer out of range")
}

// checkInt range-checks an integer result for its type.
func checkInt(oid types.OID, v int64) (any, error) {
	switch oid {
	case types.Int2:
		if v < math.MinInt16 || v > math.MaxInt16 {
			return nil, intRangeError(oid)
		}
	case types.Int4:
		if v < math.MinInt32 || v > math.MaxInt32 {
			return nil, intRangeError(oid)
		}
	}
	return v, nil
}

func arith(op byte, oid types.OID, a, b any) (any, error) {
	switch oid {
	case types.Int2, types.Int4, types.Int8:
		return intArith(op, oid, a.(int64), b.(int64))
	case types.Float4, types.Float8:
		return floatArith(op, oid, a.(float64), b.(float64))
	case types.Numeric:
		x, y := toNumeric(a), toNumeric(b)
		switch op {
		case '+':
			return numAdd(x, y, false)
		case '-':
			return numAdd(x, y, true)
		case '*':
			return numMul(x, y)
		case '/':
			return numDiv(x, y)
		case '%':
			return numMod(x, y)
		case '^':
			return numPow(x, y)
		}
	}
	return nil, pgerr.New(pgerr.InternalError, "arithmetic on type %d", oid)
}

func intArith(op byte, oid types.OID, a, b int64) (any, error) {
	var r int64
	switch op {
	case '+':
		r = a + b
		if (a >= 0) == (b >= 0) && (r >= 0) != (a >= 0) {
			return nil, intRangeError(oid)
		}
	case '-':
		r = a - b
		if (a >= 0) != (b >= 0) && (r >= 0) != (a >= 0) {
			return nil, intRangeError(oid)
		}
	case '*':
		r = a * b
		if a != 0 && (r/a != b || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64)) {
			return nil, intRangeError(oid)
		}
	case '/':
		if b == 0 {
			return nil, divByZero()
		}
		if b == -1 {
			if a == math.MinInt64 {
				return nil, intRangeError(oid)
			}
			r = -a
		} else {
			r = a / b
		}
	case '%':
		if b == 0 {
			return nil, divByZero()
		}
		if b == -1 {
			return int64(0), nil
		}
		r = a % b
	default:
		return nil, pgerr.New(pgerr.InternalError, "integer operator %c", op)
	}
	return checkInt(oid, r)
}

func floatArith(op byte, oid types.OID, a, b float64) (any, error) {
	var r float64
	switch op {
	case '+':
		r = a + b
	case '-':
		r = a - b
	case '*':
		r = a * b
	case '/':
		if b == 0 {
			return nil, divByZero()
		}
		r = a / b
	case '^':
		return floatPow(a, b)
	default:
		return nil, pgerr.New(pgerr.InternalError, "float operator %c", op)
	}
	return checkFloat(oid, r, math.IsInf(a, 0) || math.IsInf(b, 0), (a == 0 || b == 0) || op == '+' || op == '-')
}

// checkFloat reports overflow (an infinite result from finite inputs) and
// underflow (zero from non-zero inputs) as float8_pl and friends do.
func checkFloat(oid types.OID, r float64, infIn, zeroOK bool) (any, error) {
	if oid == types.Float4 {
		r = float64(float32(r))
	}
	if math.IsInf(r, 0) && !infIn {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: overflow")
	}
	if r == 0 && !zeroOK {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: underflow")
	}
	return r, nil
}

func floatPow(a, b float64) (any, error) {
	if a == 0 && b < 0 {
		return nil, pgerr.New("2201F", "zero raised to a negative power is undefined")
	}
	if a < 0 && math.Floor(b) != b && !math.IsInf(b, 0) {
		return nil, pgerr.New("2201F", "a negative number raised to a non-integer power yields a complex result")
	}
	r := math.Pow(a, b)
	if math.IsInf(r, 0) && !math.IsInf(a, 0) && !math.IsInf(b, 0) {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: overflow")
	}
	if r == 0 && a != 0 && !math.IsInf(b, 0) {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value out of range: underflow")
	}
	return r, nil
}

func isTemporal(o types.OID) bool { return dtRank(o) > 0 || o == types.IntervalOID }

// arith compiles + - * / % ^.
func (c *compiler) arith(name string, l, r Expr) (Expr, error) {
	lt, rt := c.typeOf(l), c.typeOf(r)
	if isTemporal(lt.OID) || isTemporal(rt.OID) {
		return c.timeArith(name, l, r)
	}
	if lt.OID == types.Unknown && rt.OID == types.Unknown {
		e := pgerr.New("42725", "operator is not unique: unknown %s unknown", name)
		e.Hint = "Could not choose a best candidate operator. You might need to add explicit type casts."
		return nil, e
	}
	t, err := c.operandTypes(name, l, r)
	if err != nil {
		return nil, err
	}
	if numRank(t.OID) == 0 {
		return nil, opError(name, lt, rt)
	}
	switch name {
	case "^":
		// Only float8 and numeric have ^; integers go through float8.
		if t.OID != types.Numeric {
			t = types.Of(types.Float8)
		}
	case "%":
		if isFloat(t.OID) {
			return nil, opError(name, lt, rt)
		}
	}
	if l, err = c.mustCoerce(l, t); err != nil {
		return nil, err
	}
	if r, err = c.mustCoerce(r, t); err != nil {
		return nil, err
	}
	x := &arithExpr{op: name[0], l: l, r: r, t: t}
	if allConst(l, r) {
		return fold(x), nil
	}
	return x, nil
}

// negExpr is unary minus.
type negExpr struct{ e Expr }

func (x *negExpr) Type() types.Type { return x.e.Type() }
func (x *negExpr) Eval(env *Env, row []any) (any, error) {
	v, err := x.e.Eval(env, row)
	if err != nil || v == nil {
		return nil, err
	}
	switch n := v.(type) {
	case int64:
		if n == math.MinInt64 {
			return nil, intRangeError(types.Int8)
		}
		return checkInt(x.e.Type().OID, -n)
	case float64:
		return -n, nil
	case *apd.Decimal:
		return new(apd.Decimal).Neg(n), nil
	case types.Interval:
		if n.Micros == math.MinInt64 || n.Days == math.MinInt32 || n.Months == math.MinInt32 {
			return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "interval out of range")
		}
		return types.Interval{Months: -n.Months, Days: -n.Days, Micros: -n.Micros}, nil
	}
	return nil, pgerr.New(pgerr.InternalError, "negate %T", v)
}

func (c *compiler) prefixOp(name string, r Expr) (Expr, error) {
	t := c.typeOf(r)
	switch name {
	case "-", "+":
		if t.OID == types.Unknown {
			e := pgerr.New("42725", "operator is not unique: %s unknown", name)
			e.Hint = "Could not choose a best candidate operator. You might need to add explicit type casts."
			return nil, e
		}
		if numRank(t.OID) == 0 && t.OID != types.IntervalOID {
			break
		}
		if name == "+" {
			return r, nil
		}
		x := &negExpr{e: r}
		if isConst(r) {
			return fold(x), nil
		}
		return x, nil
	case "|/":
		f, err := c.mustCoerce(r, types.Of(types.Float8)) // |/ is float8 only
		if err != nil {
			return nil, err
		}
		return c.callBuiltin("sqrt", []Expr{f})
	case "@":
		return c.callBuiltin("abs", []Expr{r})
	case "~":
		if x := c.bitNot(r); x != nil {
			return x, nil
		}
	}
	e := pgerr.New(pgerr.UndefinedFunction, "operator does not exist: %s %s", name, typeName(t))
	e.Hint = "No operator matches the given name and argument type. You might need to add an explicit type cast."
	return nil, e
}

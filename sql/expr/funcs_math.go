package expr

import (
	"math"
	"math/rand/v2"

	"github.com/cockroachdb/apd/v3"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// roundNum rounds to scale digits after the point (negative: before it);
// the result shows max(scale, 0) digits as numeric_round does.
func roundNum(d *apd.Decimal, scale int64, mode apd.Rounder) (any, error) {
	scale = max(min(scale, maxScale), -maxScale)
	ctx := *numCtx
	ctx.Rounding = mode
	r := new(apd.Decimal)
	if _, err := ctx.Quantize(r, d, int32(-scale)); err != nil {
		return nil, numericOverflow(err)
	}
	if scale < 0 {
		if _, err := ctx.Quantize(r, r, 0); err != nil {
			return nil, numericOverflow(err)
		}
	}
	return r, nil
}

func (c *compiler) resolveMath(name string, args []Expr) (*builtin, []Expr, error) {
	one := func(intOK bool, fi func(oid types.OID, i int64) (any, error), ff func(f float64) (any, error), fn func(d *apd.Decimal) (any, error)) (*builtin, []Expr, error) {
		if len(args) != 1 {
			return nil, nil, nil
		}
		t, ok := c.numFamily(args[0], intOK)
		if !ok {
			return nil, nil, nil
		}
		conv, ok, err := c.sig(args, t)
		if !ok || err != nil {
			return nil, nil, err
		}
		switch {
		case isInt(t):
			return pure(t, func(v []any) (any, error) { return fi(t, v[0].(int64)) }), conv, nil
		case t == types.Numeric:
			return pure(t, func(v []any) (any, error) { return fn(v[0].(*apd.Decimal)) }), conv, nil
		}
		return pure(t, func(v []any) (any, error) { return ff(v[0].(float64)) }), conv, nil
	}
	switch name {
	case "abs":
		return one(true, func(oid types.OID, i int64) (any, error) {
			if i < 0 {
				return intArith('-', oid, 0, i)
			}
			return i, nil
		}, func(f float64) (any, error) { return math.Abs(f), nil },
			func(d *apd.Decimal) (any, error) { return new(apd.Decimal).Abs(d), nil })
	case "ceil", "ceiling", "floor":
		up := name != "floor"
		return one(false, nil, func(f float64) (any, error) {
			if up {
				return math.Ceil(f), nil
			}
			return math.Floor(f), nil
		}, func(d *apd.Decimal) (any, error) {
			if up {
				return roundNum(d, 0, apd.RoundCeiling)
			}
			return roundNum(d, 0, apd.RoundFloor)
		})
	case "round", "trunc":
		mode := apd.RoundHalfUp
		if name == "trunc" {
			mode = apd.RoundDown
		}
		if len(args) == 2 {
			conv, ok, err := c.sig(args, types.Numeric, tInt)
			if !ok || err != nil {
				return nil, nil, err
			}
			return pure(types.Numeric, func(v []any) (any, error) {
				return roundNum(v[0].(*apd.Decimal), v[1].(int64), mode)
			}), conv, nil
		}
		return one(false, nil, func(f float64) (any, error) {
			if name == "trunc" {
				return math.Trunc(f), nil
			}
			return math.RoundToEven(f), nil // rint()
		}, func(d *apd.Decimal) (any, error) { return roundNum(d, 0, mode) })
	case "sqrt":
		return one(false, nil, func(f float64) (any, error) {
			if f < 0 {
				return nil, pgerr.New("2201F", "cannot take square root of a negative number")
			}
			return math.Sqrt(f), nil
		}, func(d *apd.Decimal) (any, error) { return numSqrt(d) })
	case "mod", "power", "pow":
		if len(args) != 2 {
			return nil, nil, nil
		}
		op := byte('%')
		if name != "mod" {
			op = '^'
		}
		t, err := c.operandTypes(name, args[0], args[1])
		if err != nil || numRank(t.OID) == 0 {
			return nil, nil, nil
		}
		switch {
		case op == '^' && t.OID != types.Numeric:
			t = types.Of(types.Float8)
		case op == '%' && isFloat(t.OID):
			return nil, nil, nil
		}
		conv, ok, err := c.sig(args, t.OID, t.OID)
		if !ok || err != nil {
			return nil, nil, err
		}
		return pure(t.OID, func(v []any) (any, error) { return arith(op, t.OID, v[0], v[1]) }), conv, nil
	case "random":
		if len(args) != 0 {
			return nil, nil, nil
		}
		return &builtin{ret: types.Float8, volatile: true, fn: func(*Env, []any) (any, error) { return rand.Float64(), nil }}, args, nil
	}
	return nil, nil, nil
}

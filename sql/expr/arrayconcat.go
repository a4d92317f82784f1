package expr

import "github.com/kalamdb/kalamdb/types"

// arrayConcat is array || array, array || element and element || array.
// As in PostgreSQL a NULL array operand is treated as empty when the other
// side is an array.
func (c *compiler) arrayConcat(l, r Expr) (Expr, error) {
	lt, rt := c.typeOf(l), c.typeOf(r)
	le, re := elemOf(lt.OID), elemOf(rt.OID)
	var err error
	switch {
	case le != 0 && (re != 0 || rt.OID == types.Unknown):
		if r, err = c.mustCoerce(r, lt); err != nil {
			return nil, err
		}
		return &arrayConcatExpr{l: l, r: r, t: lt}, nil
	case le != 0:
		if r, err = c.mustCoerce(r, types.Of(le)); err != nil {
			return nil, err
		}
		return &arrayConcatExpr{l: l, r: r, t: lt, rElem: true}, nil
	case lt.OID == types.Unknown:
		if l, err = c.mustCoerce(l, rt); err != nil {
			return nil, err
		}
		return &arrayConcatExpr{l: l, r: r, t: rt}, nil
	default:
		if l, err = c.mustCoerce(l, types.Of(re)); err != nil {
			return nil, err
		}
		return &arrayConcatExpr{l: l, r: r, t: rt, lElem: true}, nil
	}
}

type arrayConcatExpr struct {
	l, r         Expr
	t            types.Type
	lElem, rElem bool // that side is one element, not an array
}

func (x *arrayConcatExpr) Type() types.Type { return x.t }
func (x *arrayConcatExpr) Eval(env *Env, row []any) (any, error) {
	lv, err := x.l.Eval(env, row)
	if err != nil {
		return nil, err
	}
	rv, err := x.r.Eval(env, row)
	if err != nil {
		return nil, err
	}
	part := func(v any, elem bool) []any {
		if elem {
			return []any{v}
		}
		a, _ := v.([]any)
		return a
	}
	if lv == nil && rv == nil {
		return nil, nil
	}
	out := append(append([]any{}, part(lv, x.lElem)...), part(rv, x.rElem)...)
	return out, nil
}

package expr

import (
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// bitExpr is an integer bitwise operator (& | # << >>); for a shift r is
// the int4 count.
type bitExpr struct {
	op   string
	l, r Expr
	t    types.Type
}

func (x *bitExpr) Type() types.Type { return x.t }
func (x *bitExpr) Eval(env *Env, row []any) (any, error) {
	a, err := x.l.Eval(env, row)
	if err != nil || a == nil {
		return nil, err
	}
	b, err := x.r.Eval(env, row)
	if err != nil || b == nil {
		return nil, err
	}
	return bitOp(x.op, x.t.OID, a.(int64), b.(int64)), nil
}

// bitOp computes an integer bitwise operator. Shifts behave as
// PostgreSQL's C code does on x86: the count is taken modulo the width of
// the promoted operand (32 bits for int2 and int4, 64 for int8) and the
// result wraps to the operand's type.
func bitOp(op string, oid types.OID, a, b int64) any {
	switch op {
	case "&":
		return a & b
	case "|":
		return a | b
	case "#":
		return a ^ b
	}
	var r int64
	if oid == types.Int8 {
		n := uint(b & 63)
		if op == "<<" {
			r = a << n
		} else {
			r = a >> n
		}
		return r
	}
	n := uint(b & 31)
	if op == "<<" {
		r = int64(int32(a) << n)
	} else {
		r = int64(int32(a) >> n)
	}
	if oid == types.Int2 {
		r = int64(int16(r))
	}
	return r
}

// bitwise compiles l op r for the integer bitwise operators.
func (c *compiler) bitwise(name string, l, r Expr) (Expr, error) {
	lt, rt := c.typeOf(l), c.typeOf(r)
	if lt.OID == types.Unknown && rt.OID == types.Unknown {
		e := pgerr.New("42725", "operator is not unique: unknown %s unknown", name)
		e.Hint = "Could not choose a best candidate operator. You might need to add explicit type casts."
		return nil, e
	}
	var lw, rw types.Type
	if name == "<<" || name == ">>" {
		lw, rw = lt, types.Of(types.Int4)
		if lt.OID == types.Unknown {
			lw = types.Of(types.Int4)
		}
	} else {
		t, err := c.operandTypes(name, l, r)
		if err != nil {
			return nil, err
		}
		lw, rw = t, t
	}
	if !isInt(lw.OID) {
		return nil, opError(name, lt, rt)
	}
	l2, ok, err := c.coerce(l, lw)
	if err != nil {
		return nil, err
	}
	r2, ok2, err := c.coerce(r, rw)
	if err != nil {
		return nil, err
	}
	if !ok || !ok2 {
		return nil, opError(name, lt, rt)
	}
	x := &bitExpr{op: name, l: l2, r: r2, t: lw}
	if allConst(l2, r2) {
		return fold(x), nil
	}
	return x, nil
}

// bitNotExpr is the prefix ~ on integers.
type bitNotExpr struct{ e Expr }

func (x *bitNotExpr) Type() types.Type { return x.e.Type() }
func (x *bitNotExpr) Eval(env *Env, row []any) (any, error) {
	v, err := x.e.Eval(env, row)
	if err != nil || v == nil {
		return nil, err
	}
	return ^v.(int64), nil
}

// bitNot compiles ~x; it is nil when x is not an integer.
func (c *compiler) bitNot(r Expr) Expr {
	t := c.typeOf(r)
	if t.OID == types.Unknown {
		var err error
		if r, err = c.mustCoerce(r, types.Of(types.Int4)); err != nil {
			return nil
		}
		t = types.Of(types.Int4)
	}
	if !isInt(t.OID) {
		return nil
	}
	x := &bitNotExpr{e: r}
	if isConst(r) {
		return fold(x)
	}
	return x
}

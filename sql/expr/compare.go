package expr

import (
	"bytes"
	"math"
	"strings"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

type cmpOp uint8

const (
	opEQ cmpOp = iota
	opNE
	opLT
	opLE
	opGT
	opGE
)

func cmpOpOf(name string) (cmpOp, bool) {
	switch name {
	case "=":
		return opEQ, true
	case "<>", "!=":
		return opNE, true
	case "<":
		return opLT, true
	case "<=":
		return opLE, true
	case ">":
		return opGT, true
	case ">=":
		return opGE, true
	}
	return 0, false
}

func (o cmpOp) test(c int) bool {
	switch o {
	case opEQ:
		return c == 0
	case opNE:
		return c != 0
	case opLT:
		return c < 0
	case opLE:
		return c <= 0
	case opGT:
		return c > 0
	}
	return c >= 0
}

// commute is the operator with its operands swapped (a < b is b > a).
func (o cmpOp) commute() cmpOp {
	switch o {
	case opLT:
		return opGT
	case opLE:
		return opGE
	case opGT:
		return opLT
	case opGE:
		return opLE
	}
	return o
}

// compareValues orders two non-NULL values of type oid, with fast paths
// for the representations most comparisons see.
func compareValues(oid types.OID, a, b any) int {
	switch x := a.(type) {
	case int64:
		if y, ok := b.(int64); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	case string:
		if y, ok := b.(string); ok && (oid == types.Text || oid == types.Varchar || oid == types.Name) {
			return strings.Compare(x, y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			return compareFloat(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case y:
				return -1
			}
			return 1
		}
	case []byte:
		if y, ok := b.([]byte); ok {
			return bytes.Compare(x, y)
		}
	}
	return types.Compare(oid, a, b)
}

// compareFloat orders floats as PostgreSQL does: NaN equals NaN and sorts
// above every other value.
func compareFloat(x, y float64) int {
	xn, yn := math.IsNaN(x), math.IsNaN(y)
	switch {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// comparable reports whether type oid has comparison operators.
func comparable(oid types.OID) bool {
	switch oid {
	case types.JSON, types.Void, types.Record:
		return false
	}
	return true
}

func opError(op string, l, r types.Type) error {
	e := pgerr.New(pgerr.UndefinedFunction, "operator does not exist: %s %s %s", typeName(l), op, typeName(r))
	e.Hint = "No operator matches the given name and argument types. You might need to add explicit type casts."
	return e
}

// operandTypes resolves the type two operands of a binary operator meet
// in, untyped ones taking the other's type.
func (c *compiler) operandTypes(op string, l, r Expr) (types.Type, error) {
	lt, rt := c.typeOf(l), c.typeOf(r)
	lu, ru := lt.OID == types.Unknown, rt.OID == types.Unknown
	switch {
	case lu && ru:
		return types.Of(types.Text), nil
	case lu:
		return types.Of(rt.OID), nil
	case ru:
		return types.Of(lt.OID), nil
	}
	t, ok := commonType(lt, rt)
	if !ok {
		return types.Type{}, opError(op, lt, rt)
	}
	return t, nil
}

// compare compiles l op r for a comparison operator.
func (c *compiler) compare(name string, op cmpOp, l, r Expr) (Expr, error) {
	t, err := c.operandTypes(name, l, r)
	if err != nil {
		return nil, err
	}
	if !comparable(t.OID) {
		return nil, opError(name, c.typeOf(l), c.typeOf(r))
	}
	if l, err = c.mustCoerce(l, t); err != nil {
		return nil, err
	}
	if r, err = c.mustCoerce(r, t); err != nil {
		return nil, err
	}
	return newCompare(op, l, r, t.OID), nil
}

func newCompare(op cmpOp, l, r Expr, oid types.OID) Expr {
	if k, ok := l.(*constExpr); ok {
		if _, ok := r.(*constExpr); !ok {
			l, r, op = r, k, op.commute()
		}
	}
	if k, ok := r.(*constExpr); ok {
		if k.v == nil {
			return &constExpr{t: types.Of(types.Bool)}
		}
		if lk, ok := l.(*constExpr); ok {
			if lk.v == nil {
				return &constExpr{t: types.Of(types.Bool)}
			}
			return &constExpr{v: op.test(compareValues(oid, lk.v, k.v)), t: types.Of(types.Bool)}
		}
		if col, ok := unwrapCol(l); ok {
			return &cmpColConst{idx: col.idx, k: k.v, op: op, oid: oid}
		}
		return &cmpConst{e: l, k: k.v, op: op, oid: oid}
	}
	return &cmpExpr{l: l, r: r, op: op, oid: oid}
}

// unwrapCol sees through retypes to a column read.
func unwrapCol(e Expr) (*colExpr, bool) {
	for {
		switch x := e.(type) {
		case *colExpr:
			return x, true
		case *retypeExpr:
			e = x.e
		default:
			return nil, false
		}
	}
}

// cmpColConst is column op constant, the most common predicate.
type cmpColConst struct {
	idx int
	k   any
	op  cmpOp
	oid types.OID
}

func (x *cmpColConst) Type() types.Type { return types.Of(types.Bool) }
func (x *cmpColConst) Eval(_ *Env, row []any) (any, error) {
	if x.idx >= len(row) {
		return nil, pgerr.New(pgerr.InternalError, "column index %d out of range", x.idx)
	}
	v := row[x.idx]
	if v == nil {
		return nil, nil
	}
	return x.op.test(compareValues(x.oid, v, x.k)), nil
}

// cmpConst is expression op constant.
type cmpConst struct {
	e   Expr
	k   any
	op  cmpOp
	oid types.OID
}

func (x *cmpConst) Type() types.Type { return types.Of(types.Bool) }
func (x *cmpConst) Eval(env *Env, row []any) (any, error) {
	v, err := x.e.Eval(env, row)
	if err != nil || v == nil {
		return nil, err
	}
	return x.op.test(compareValues(x.oid, v, x.k)), nil
}

type cmpExpr struct {
	l, r Expr
	op   cmpOp
	oid  types.OID
}

func (x *cmpExpr) Type() types.Type { return types.Of(types.Bool) }
func (x *cmpExpr) Eval(env *Env, row []any) (any, error) {
	a, err := x.l.Eval(env, row)
	if err != nil || a == nil {
		return nil, err
	}
	b, err := x.r.Eval(env, row)
	if err != nil || b == nil {
		return nil, err
	}
	return x.op.test(compareValues(x.oid, a, b)), nil
}

// distinctExpr is IS [NOT] DISTINCT FROM: NULL is a value like any other.
type distinctExpr struct {
	l, r Expr
	oid  types.OID
	not  bool
}

func (x *distinctExpr) Type() types.Type { return types.Of(types.Bool) }
func (x *distinctExpr) Eval(env *Env, row []any) (any, error) {
	a, err := x.l.Eval(env, row)
	if err != nil {
		return nil, err
	}
	b, err := x.r.Eval(env, row)
	if err != nil {
		return nil, err
	}
	var distinct bool
	switch {
	case a == nil || b == nil:
		distinct = a != nil || b != nil
	default:
		distinct = compareValues(x.oid, a, b) != 0
	}
	return distinct != x.not, nil
}

func (c *compiler) distinct(l, r Expr, not bool) (Expr, error) {
	t, err := c.operandTypes("=", l, r)
	if err != nil {
		return nil, err
	}
	if l, err = c.mustCoerce(l, t); err != nil {
		return nil, err
	}
	if r, err = c.mustCoerce(r, t); err != nil {
		return nil, err
	}
	x := &distinctExpr{l: l, r: r, oid: t.OID, not: not}
	if allConst(l, r) {
		return fold(x), nil
	}
	return x, nil
}

// inExpr is x [NOT] IN (items) with PostgreSQL's NULL rules: no match and
// a NULL item (or a NULL x) give NULL.
type inExpr struct {
	x     Expr
	items []Expr
	oid   types.OID
	not   bool
}

func (e *inExpr) Type() types.Type { return types.Of(types.Bool) }
func (e *inExpr) Eval(env *Env, row []any) (any, error) {
	v, err := e.x.Eval(env, row)
	if err != nil || v == nil {
		return nil, err
	}
	sawNull := false
	for _, it := range e.items {
		w, err := it.Eval(env, row)
		if err != nil {
			return nil, err
		}
		if w == nil {
			sawNull = true
			continue
		}
		if compareValues(e.oid, v, w) == 0 {
			return !e.not, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return e.not, nil
}

func (c *compiler) in(x Expr, items []Expr, not bool) (Expr, error) {
	all := append([]Expr{x}, items...)
	t, err := c.unify(all, func(a, b types.Type) error { return opError("=", a, b) })
	if err != nil {
		return nil, err
	}
	if !comparable(t.OID) {
		return nil, opError("=", t, t)
	}
	for i, e := range all {
		if all[i], err = c.mustCoerce(e, t); err != nil {
			return nil, err
		}
	}
	e := &inExpr{x: all[0], items: all[1:], oid: t.OID, not: not}
	if allConst(all...) {
		return fold(e), nil
	}
	return e, nil
}

// unify finds the type a list of expressions meets in (CASE results,
// COALESCE, IN lists): untyped ones follow the typed ones, all untyped is
// text. mismatch builds the error for two types that do not meet.
func (c *compiler) unify(es []Expr, mismatch func(a, b types.Type) error) (types.Type, error) {
	var t types.Type
	have := false
	for _, e := range es {
		et := c.typeOf(e)
		if et.OID == types.Unknown {
			continue
		}
		if !have {
			t, have = et, true
			continue
		}
		nt, ok := commonType(t, et)
		if !ok {
			return types.Type{}, mismatch(t, et)
		}
		t = nt
	}
	if !have {
		return types.Of(types.Text), nil
	}
	return t, nil
}

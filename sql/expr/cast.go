package expr

import (
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// typeOfName resolves a TypeName node with types.Lookup.
func typeOfName(tn *pg_query.TypeName) (types.Type, error) {
	if tn == nil || len(tn.Names) == 0 {
		return types.Type{}, pgerr.New(pgerr.SyntaxError, "missing type name")
	}
	if tn.PctType || tn.Setof {
		return types.Type{}, unsupported("%TYPE and SETOF type names")
	}
	name := stringArg(tn.Names[len(tn.Names)-1])
	if len(tn.Names) == 2 && stringArg(tn.Names[0]) != "pg_catalog" {
		return types.Type{}, pgerr.New(pgerr.UndefinedObject, "type \"%s.%s\" does not exist", stringArg(tn.Names[0]), name)
	}
	if len(tn.ArrayBounds) > 0 {
		name = "_" + name
	}
	var mods []int32
	for _, m := range tn.Typmods {
		k := m.GetAConst()
		if k == nil || k.GetIval() == nil {
			return types.Type{}, pgerr.New(pgerr.SyntaxError, "type modifiers must be simple constants or identifiers")
		}
		mods = append(mods, k.GetIval().Ival)
	}
	t, serial, err := types.Lookup(name, mods)
	if err != nil {
		return types.Type{}, err
	}
	if serial {
		return types.Type{}, pgerr.New(pgerr.UndefinedObject, "type \"%s\" does not exist", name)
	}
	return t, nil
}

func (c *compiler) typeCast(tc *pg_query.TypeCast) (Expr, error) {
	if e, ok, err := c.regCast(tc); ok || err != nil {
		return e, err
	}
	t, err := typeOfName(tc.TypeName)
	if err != nil {
		return nil, err
	}
	if a := tc.Arg.GetAArrayExpr(); a != nil && elemOf(t.OID) != 0 {
		return c.arrayExprAs(a, t)
	}
	e, err := c.expr(tc.Arg)
	if err != nil {
		return nil, err
	}
	return c.castTo(e, t)
}

// arrayOf is the array type of element type t (0 when we have none).
func arrayOf(t types.OID) types.OID { return types.ArrayOf(t) }

// elemOf is the element type of array type t (0 when t is no array).
func elemOf(t types.OID) types.OID { return types.ElemOf(t) }

// arrayExpr is ARRAY[...]; with nested (sub-array) elements it builds a
// multidimensional array.
type arrayExpr struct {
	elems  []Expr
	t      types.Type
	nested bool
}

func (x *arrayExpr) Type() types.Type { return x.t }
func (x *arrayExpr) Eval(env *Env, row []any) (any, error) {
	out := make([]any, len(x.elems))
	for i, e := range x.elems {
		v, err := e.Eval(env, row)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	if x.nested {
		return nestArrays(out)
	}
	return out, nil
}

// nestArrays checks the sub-arrays of a multidimensional ARRAY[...]:
// PostgreSQL drops NULL and empty ones only when all are, and otherwise
// wants them all of one shape.
func nestArrays(subs []any) (any, error) {
	var shape []int
	for i, v := range subs {
		a, _ := v.([]any)
		d := types.ArrayDims(a)
		if i == 0 {
			shape = d
			continue
		}
		if !slices.Equal(d, shape) {
			return nil, pgerr.New("2202E", "multidimensional arrays must have array expressions with matching dimensions")
		}
	}
	if len(shape) == 0 {
		return []any{}, nil
	}
	if len(shape) >= 6 {
		return nil, pgerr.New(pgerr.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (6)", len(shape)+1)
	}
	return subs, nil
}

// arrayExprAs is ARRAY[...]::t[]: as in PostgreSQL the elements are cast
// to the element type themselves, which also types an empty ARRAY[].
func (c *compiler) arrayExprAs(a *pg_query.A_ArrayExpr, t types.Type) (Expr, error) {
	elem := elemOf(t.OID)
	x := &arrayExpr{elems: make([]Expr, len(a.Elements)), t: t}
	for i, n := range a.Elements {
		var err error
		if sub := n.GetAArrayExpr(); sub != nil {
			x.elems[i], err = c.arrayExprAs(sub, t)
			x.nested = true
		} else if x.elems[i], err = c.expr(n); err == nil {
			x.elems[i], err = c.castTo(x.elems[i], types.Type{OID: elem, Mod: t.Mod})
		}
		if err != nil {
			return nil, err
		}
	}
	elems := x.elems
	if allConst(elems...) {
		return fold(x), nil
	}
	return x, nil
}

func (c *compiler) arrayExpr(a *pg_query.A_ArrayExpr) (Expr, error) {
	elems, err := c.exprs(a.Elements)
	if err != nil {
		return nil, err
	}
	if len(elems) == 0 {
		return nil, pgerr.New(pgerr.IndeterminateDatatype, "cannot determine type of empty array")
	}
	elems, t, err := c.unifyAll(elems, "ARRAY")
	if err != nil {
		return nil, err
	}
	if elemOf(t.OID) != 0 {
		// ARRAY[[1, 2], [3, 4]] or ARRAY[ARRAY[...], ...]: the same
		// array type, one more dimension.
		return &arrayExpr{elems: elems, t: types.Of(t.OID), nested: true}, nil
	}
	at := arrayOf(t.OID)
	if at == 0 {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "arrays of %s are not supported yet", typeName(t))
	}
	return &arrayExpr{elems: elems, t: types.Of(at)}, nil
}

// subscriptExpr is array[i][j]... (1-based): NULL when an index is out
// of range or when the number of subscripts is not the array's number of
// dimensions.
type subscriptExpr struct {
	arr Expr
	idx []Expr
	t   types.Type
}

func (x *subscriptExpr) Type() types.Type { return x.t }
func (x *subscriptExpr) Eval(env *Env, row []any) (any, error) {
	a, err := x.arr.Eval(env, row)
	if err != nil || a == nil {
		return nil, err
	}
	idx := make([]int64, len(x.idx))
	for k, e := range x.idx {
		i, err := e.Eval(env, row)
		if err != nil || i == nil {
			return nil, err
		}
		idx[k] = i.(int64)
	}
	arr := a.([]any)
	if len(types.ArrayDims(arr)) != len(idx) {
		return nil, nil
	}
	var cur any = arr
	for _, n := range idx {
		sub := cur.([]any)
		if n < 1 || n > int64(len(sub)) {
			return nil, nil
		}
		cur = sub[n-1]
	}
	return cur, nil
}

func (c *compiler) indirection(ind *pg_query.A_Indirection) (Expr, error) {
	e, err := c.expr(ind.Arg)
	if err != nil {
		return nil, err
	}
	var sub *subscriptExpr
	for _, n := range ind.Indirection {
		ix := n.GetAIndices()
		if ix == nil {
			return nil, unsupported("field selections")
		}
		if ix.IsSlice {
			return nil, unsupported("array slices")
		}
		if sub == nil {
			elem := elemOf(c.typeOf(e).OID)
			if elem == 0 {
				return nil, pgerr.New(pgerr.DatatypeMismatch, "cannot subscript type %s because it does not support subscripting", typeName(c.typeOf(e)))
			}
			sub = &subscriptExpr{arr: e, t: types.Of(elem)}
		}
		i, err := c.expr(ix.Uidx)
		if err != nil {
			return nil, err
		}
		if i, err = c.mustCoerce(i, types.Of(types.Int4)); err != nil {
			return nil, pgerr.New(pgerr.DatatypeMismatch, "array subscript must have type integer")
		}
		sub.idx = append(sub.idx, i)
	}
	if sub == nil {
		return e, nil
	}
	return sub, nil
}

// anyExpr is x op ANY/ALL (array).
type anyExpr struct {
	x, arr Expr
	op     cmpOp
	oid    types.OID
	all    bool
}

func (e *anyExpr) Type() types.Type { return boolType }
func (e *anyExpr) Eval(env *Env, row []any) (any, error) {
	a, err := e.arr.Eval(env, row)
	if err != nil || a == nil {
		return nil, err
	}
	arr := types.FlattenArray(a.([]any))
	if len(arr) == 0 {
		return e.all, nil
	}
	v, err := e.x.Eval(env, row)
	if err != nil || v == nil {
		return nil, err
	}
	sawNull := false
	for _, w := range arr {
		if w == nil {
			sawNull = true
			continue
		}
		if e.op.test(compareValues(e.oid, v, w)) != e.all {
			return !e.all, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return e.all, nil
}

func (c *compiler) anyAll(name string, x, arr Expr, all bool) (Expr, error) {
	op, ok := cmpOpOf(name)
	if !ok {
		return nil, unsupported("operators other than comparisons with ANY/ALL")
	}
	if c.isUnknown(x) && c.isUnknown(arr) {
		var err error
		if x, err = c.resolveUnknown(x); err != nil {
			return nil, err
		}
	}
	xt, at := c.typeOf(x), c.typeOf(arr)
	var err error
	if at.OID == types.Unknown {
		want := arrayOf(xt.OID)
		if want == 0 {
			return nil, opError(name, xt, at)
		}
		if arr, err = c.mustCoerce(arr, types.Of(want)); err != nil {
			return nil, err
		}
		at = arr.Type()
	}
	elem := elemOf(at.OID)
	if elem == 0 {
		return nil, pgerr.New(pgerr.WrongObjectType, "op ANY/ALL (array) requires array on right side")
	}
	t := types.Of(elem)
	if xt.OID != types.Unknown {
		ct, ok := commonType(xt, t)
		if !ok {
			return nil, opError(name, xt, t)
		}
		t = ct
	}
	if x, err = c.mustCoerce(x, t); err != nil {
		return nil, err
	}
	// Integer arrays hold int64 elements whatever their width.
	if isInt(t.OID) != isInt(elem) || (!isInt(t.OID) && t.OID != elem && !(isString(t.OID) && isString(elem))) {
		return nil, opError(name, xt, types.Of(elem))
	}
	return &anyExpr{x: x, arr: arr, op: op, oid: t.OID, all: all}, nil
}

package expr

import (
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
	e, err := c.expr(tc.Arg)
	if err != nil {
		return nil, err
	}
	return c.castTo(e, t)
}

// arrayOf is the array type of element type t (0 when we have none).
func arrayOf(t types.OID) types.OID {
	switch {
	case isString(t):
		return types.TextArray
	case t == types.Int8:
		return types.Int8Array
	case t == types.Int4 || t == types.Int2:
		return types.Int4Array
	}
	return 0
}

// elemOf is the element type of array type t (0 when t is no array).
func elemOf(t types.OID) types.OID {
	switch t {
	case types.TextArray:
		return types.Text
	case types.Int8Array:
		return types.Int8
	case types.Int4Array:
		return types.Int4
	case types.OIDArray, types.Int2Array, types.NameArray, types.CharArray:
		return types.ElemOf(t) // the catalogs' array columns
	}
	return 0
}

// arrayExpr is ARRAY[...].
type arrayExpr struct {
	elems []Expr
	t     types.Type
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
	return out, nil
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
	at := arrayOf(t.OID)
	if at == 0 {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "arrays of %s are not supported yet", typeName(t))
	}
	if at == types.Int4Array && t.OID == types.Int2 {
		for i := range elems {
			elems[i] = convert(elems[i], types.Of(types.Int4))
		}
	}
	return &arrayExpr{elems: elems, t: types.Of(at)}, nil
}

// subscriptExpr is array[i] (1-based; out of range is NULL).
type subscriptExpr struct {
	arr, idx Expr
	t        types.Type
}

func (x *subscriptExpr) Type() types.Type { return x.t }
func (x *subscriptExpr) Eval(env *Env, row []any) (any, error) {
	a, err := x.arr.Eval(env, row)
	if err != nil || a == nil {
		return nil, err
	}
	i, err := x.idx.Eval(env, row)
	if err != nil || i == nil {
		return nil, err
	}
	arr, n := a.([]any), i.(int64)
	if n < 1 || n > int64(len(arr)) {
		return nil, nil
	}
	return arr[n-1], nil
}

func (c *compiler) indirection(ind *pg_query.A_Indirection) (Expr, error) {
	e, err := c.expr(ind.Arg)
	if err != nil {
		return nil, err
	}
	for _, n := range ind.Indirection {
		ix := n.GetAIndices()
		if ix == nil {
			return nil, unsupported("field selections")
		}
		if ix.IsSlice {
			return nil, unsupported("array slices")
		}
		elem := elemOf(c.typeOf(e).OID)
		if elem == 0 {
			return nil, pgerr.New(pgerr.DatatypeMismatch, "cannot subscript type %s because it does not support subscripting", typeName(c.typeOf(e)))
		}
		i, err := c.expr(ix.Uidx)
		if err != nil {
			return nil, err
		}
		if i, err = c.mustCoerce(i, types.Of(types.Int4)); err != nil {
			return nil, pgerr.New(pgerr.DatatypeMismatch, "array subscript must have type integer")
		}
		e = &subscriptExpr{arr: e, idx: i, t: types.Of(elem)}
	}
	return e, nil
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
	arr := a.([]any)
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

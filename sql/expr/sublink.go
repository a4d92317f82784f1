package expr

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// subLink compiles EXISTS, scalar, ARRAY and [NOT] IN / op ANY / op ALL
// subqueries; the scope plans the subquery itself.
func (c *compiler) subLink(sl *pg_query.SubLink) (Expr, error) {
	ss, ok := c.scope.(SubqueryScope)
	if !ok {
		return nil, unsupported("subqueries")
	}
	sub, err := ss.Subquery(sl.Subselect)
	if err != nil {
		return nil, err
	}
	ts := sub.Types()
	oneColumn := func() error {
		if len(ts) != 1 {
			return pgerr.New(pgerr.SyntaxError, "subquery must return only one column")
		}
		return nil
	}
	switch sl.SubLinkType {
	case pg_query.SubLinkType_EXISTS_SUBLINK:
		return &existsExpr{sub: sub}, nil
	case pg_query.SubLinkType_EXPR_SUBLINK:
		if err := oneColumn(); err != nil {
			return nil, err
		}
		return &scalarSubExpr{sub: sub, t: ts[0]}, nil
	case pg_query.SubLinkType_ARRAY_SUBLINK:
		if err := oneColumn(); err != nil {
			return nil, err
		}
		arr := types.ArrayOf(ts[0].OID)
		if arr == 0 {
			return nil, pgerr.New(pgerr.UndefinedObject, "could not find array type for data type %s", typeName(ts[0]))
		}
		return &arraySubExpr{sub: sub, t: types.Of(arr)}, nil
	case pg_query.SubLinkType_ANY_SUBLINK, pg_query.SubLinkType_ALL_SUBLINK:
		name := "="
		if len(sl.OperName) > 0 {
			name = stringArg(sl.OperName[len(sl.OperName)-1])
		}
		op, ok := cmpOpOf(name)
		if !ok {
			return nil, unsupported("operators other than comparisons with ANY/ALL")
		}
		if r := sl.Testexpr.GetRowExpr(); r != nil {
			return c.rowSubLink(r, sub, name, op, sl.SubLinkType == pg_query.SubLinkType_ALL_SUBLINK)
		}
		if err := oneColumn(); err != nil {
			return nil, err
		}
		x, err := c.expr(sl.Testexpr)
		if err != nil {
			return nil, err
		}
		st := ts[0]
		t := st
		if xt := c.typeOf(x); xt.OID != types.Unknown {
			ct, ok := CommonType(xt, st)
			if !ok {
				return nil, opError(name, xt, st)
			}
			t = ct
		}
		if t.OID == types.Unknown {
			t = types.Of(types.Text)
		}
		if x, err = c.mustCoerce(x, t); err != nil {
			return nil, err
		}
		return &anySubExpr{x: x, sub: sub, op: op, subT: st, t: t, all: sl.SubLinkType == pg_query.SubLinkType_ALL_SUBLINK}, nil
	}
	return nil, unsupported("this kind of subquery")
}

type existsExpr struct{ sub Subquery }

func (e *existsExpr) Type() types.Type { return boolType }
func (e *existsExpr) Eval(env *Env, row []any) (any, error) {
	found := false
	err := e.sub.Run(env, row, func([]any) (bool, error) {
		found = true
		return false, nil
	})
	return found, err
}

type scalarSubExpr struct {
	sub Subquery
	t   types.Type
}

func (e *scalarSubExpr) Type() types.Type { return e.t }
func (e *scalarSubExpr) Eval(env *Env, row []any) (any, error) {
	var v any
	n := 0
	err := e.sub.Run(env, row, func(vals []any) (bool, error) {
		n++
		if n > 1 {
			return false, pgerr.New(pgerr.CardinalityViolation, "more than one row returned by a subquery used as an expression")
		}
		v = vals[0]
		return true, nil
	})
	return v, err
}

type arraySubExpr struct {
	sub Subquery
	t   types.Type
}

func (e *arraySubExpr) Type() types.Type { return e.t }
func (e *arraySubExpr) Eval(env *Env, row []any) (any, error) {
	out := []any{}
	err := e.sub.Run(env, row, func(vals []any) (bool, error) {
		out = append(out, vals[0])
		return true, nil
	})
	return out, err
}

// anySubExpr is x op ANY/ALL (subquery), IN being = ANY: no match and a
// NULL among the rows (or a NULL x over a non-empty result) give NULL.
type anySubExpr struct {
	x    Expr
	sub  Subquery
	op   cmpOp
	subT types.Type // the subquery column's type
	t    types.Type // the type both sides are compared in
	all  bool
}

func (e *anySubExpr) Type() types.Type { return boolType }
func (e *anySubExpr) Eval(env *Env, row []any) (any, error) {
	v, err := e.x.Eval(env, row)
	if err != nil {
		return nil, err
	}
	sawNull, decided := false, false
	err = e.sub.Run(env, row, func(vals []any) (bool, error) {
		w := vals[0]
		if w == nil || v == nil {
			sawNull = true
			return true, nil
		}
		if e.subT.OID != e.t.OID {
			var err error
			if w, err = types.Cast(w, e.subT, e.t, env.Loc); err != nil {
				return false, err
			}
		}
		if e.op.test(compareValues(e.t.OID, v, w)) != e.all {
			decided = true
			return false, nil
		}
		return true, nil
	})
	switch {
	case err != nil:
		return nil, err
	case decided:
		return !e.all, nil
	case sawNull:
		return nil, nil
	}
	return e.all, nil
}

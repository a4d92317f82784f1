package expr

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// rowExpr is a row constructor, (a, b) or ROW(a, b): a record value.
type rowExpr struct {
	fields []Expr
}

func (x *rowExpr) Type() types.Type { return types.Of(types.Record) }
func (x *rowExpr) Eval(env *Env, row []any) (any, error) {
	r := types.Row{Vals: make([]any, len(x.fields)), Types: make([]types.OID, len(x.fields))}
	for i, f := range x.fields {
		v, err := f.Eval(env, row)
		if err != nil {
			return nil, err
		}
		r.Vals[i], r.Types[i] = v, f.Type().OID
	}
	return r, nil
}

func (c *compiler) rowExpr(r *pg_query.RowExpr) (Expr, error) {
	fields, err := c.exprs(r.Args)
	if err != nil {
		return nil, err
	}
	return &rowExpr{fields: fields}, nil
}

// rowCmpExpr compares two rows field by field: = and <> combine the
// fields' results with AND and OR; <, <=, >, >= decide at the first pair
// that differs (NULL when a NULL comes first), as PostgreSQL's row
// comparisons do.
type rowCmpExpr struct {
	l, r []Expr
	oids []types.OID
	op   cmpOp
}

func (x *rowCmpExpr) Type() types.Type { return boolType }
func (x *rowCmpExpr) Eval(env *Env, row []any) (any, error) {
	a, err := evalAll(x.l, env, row)
	if err != nil {
		return nil, err
	}
	b, err := evalAll(x.r, env, row)
	if err != nil {
		return nil, err
	}
	return rowCompare(x.op, x.oids, a, b), nil
}

func evalAll(es []Expr, env *Env, row []any) ([]any, error) {
	out := make([]any, len(es))
	for i, e := range es {
		v, err := e.Eval(env, row)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// rowCompare applies op to rows a and b (true, false or nil for NULL).
func rowCompare(op cmpOp, oids []types.OID, a, b []any) any {
	switch op {
	case opEQ, opNE:
		sawNull := false
		for i := range a {
			if a[i] == nil || b[i] == nil {
				sawNull = true
				continue
			}
			if compareValues(oids[i], a[i], b[i]) != 0 {
				return op == opNE
			}
		}
		if sawNull {
			return nil
		}
		return op == opEQ
	}
	for i := range a {
		if a[i] == nil || b[i] == nil {
			return nil
		}
		if c := compareValues(oids[i], a[i], b[i]); c != 0 {
			return op.test(c)
		}
	}
	return op == opLE || op == opGE
}

func errRowLength() error {
	return pgerr.New(pgerr.SyntaxError, "unequal number of entries in row expressions")
}

// rowPair converts the fields of two rows to the types each pair meets in.
func (c *compiler) rowPair(name string, l, r []Expr) ([]Expr, []Expr, []types.OID, error) {
	if len(l) != len(r) {
		return nil, nil, nil, errRowLength()
	}
	ls, rs := make([]Expr, len(l)), make([]Expr, len(r))
	oids := make([]types.OID, len(l))
	for i := range l {
		t, err := c.operandTypes(name, l[i], r[i])
		if err != nil {
			return nil, nil, nil, err
		}
		if !comparable(t.OID) {
			return nil, nil, nil, opError(name, c.typeOf(l[i]), c.typeOf(r[i]))
		}
		if ls[i], err = c.mustCoerce(l[i], t); err != nil {
			return nil, nil, nil, err
		}
		if rs[i], err = c.mustCoerce(r[i], t); err != nil {
			return nil, nil, nil, err
		}
		oids[i] = t.OID
	}
	return ls, rs, oids, nil
}

// rowComparison compiles row op row; ok is false when the operands are
// not both row constructors.
func (c *compiler) rowComparison(name string, op cmpOp, l, r Expr) (Expr, bool, error) {
	lr, lok := l.(*rowExpr)
	rr, rok := r.(*rowExpr)
	if !lok || !rok {
		if lok || rok {
			return nil, true, opError(name, c.typeOf(l), c.typeOf(r))
		}
		return nil, false, nil
	}
	ls, rs, oids, err := c.rowPair(name, lr.fields, rr.fields)
	if err != nil {
		return nil, true, err
	}
	x := &rowCmpExpr{l: ls, r: rs, oids: oids, op: op}
	if allConst(ls...) && allConst(rs...) {
		return fold(x), true, nil
	}
	return x, true, nil
}

// rowIn is (a, b) [NOT] IN ((x, y), ...): an OR of row equalities, or an
// AND of row inequalities.
func (c *compiler) rowIn(x *rowExpr, items []Expr, not bool) (Expr, error) {
	name, op := "=", opEQ
	if not {
		name, op = "<>", opNE
	}
	tests := make([]Expr, len(items))
	for i, it := range items {
		e, ok, err := c.rowComparison(name, op, x, it)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, opError(name, x.Type(), c.typeOf(it))
		}
		tests[i] = e
	}
	return newLogic(not, tests), nil
}

// anyRowSubExpr is (a, b) op ANY/ALL (subquery): each result row is
// compared as a row, then combined as for a single column.
type anyRowSubExpr struct {
	xs    []Expr
	sub   Subquery
	op    cmpOp
	subTs []types.Type // the subquery's column types
	ts    []types.Type // the types each pair is compared in
	all   bool
}

func (e *anyRowSubExpr) Type() types.Type { return boolType }
func (e *anyRowSubExpr) Eval(env *Env, row []any) (any, error) {
	v, err := evalAll(e.xs, env, row)
	if err != nil {
		return nil, err
	}
	oids := make([]types.OID, len(e.ts))
	for i, t := range e.ts {
		oids[i] = t.OID
	}
	sawNull, decided := false, false
	err = e.sub.Run(env, row, func(vals []any) (bool, error) {
		w := make([]any, len(vals))
		for i, x := range vals {
			if x != nil && e.subTs[i].OID != e.ts[i].OID {
				var err error
				if x, err = types.Cast(x, e.subTs[i], e.ts[i], env.Loc); err != nil {
					return false, err
				}
			}
			w[i] = x
		}
		switch rowCompare(e.op, oids, v, w) {
		case nil:
			sawNull = true
		case !e.all:
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

// rowSubLink compiles (a, b) op ANY/ALL (subquery), IN and NOT IN.
func (c *compiler) rowSubLink(r *pg_query.RowExpr, sub Subquery, name string, op cmpOp, all bool) (Expr, error) {
	ts := sub.Types()
	xs, err := c.exprs(r.Args)
	if err != nil {
		return nil, err
	}
	if len(xs) < len(ts) {
		return nil, pgerr.New(pgerr.SyntaxError, "subquery has too many columns")
	}
	if len(xs) > len(ts) {
		return nil, pgerr.New(pgerr.SyntaxError, "subquery has too few columns")
	}
	if op != opEQ && op != opNE {
		return nil, unsupported("row comparisons other than = and <> with subqueries")
	}
	x := &anyRowSubExpr{xs: xs, sub: sub, op: op, subTs: ts, ts: make([]types.Type, len(ts)), all: all}
	for i, st := range ts {
		t := st
		if xt := c.typeOf(xs[i]); xt.OID != types.Unknown {
			ct, ok := CommonType(xt, st)
			if !ok {
				return nil, opError(name, xt, st)
			}
			t = ct
		}
		if t.OID == types.Unknown {
			t = types.Of(types.Text)
		}
		if !comparable(t.OID) {
			return nil, opError(name, t, t)
		}
		if x.xs[i], err = c.mustCoerce(xs[i], t); err != nil {
			return nil, err
		}
		x.ts[i] = t
	}
	return x, nil
}

package expr

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

var boolType = types.Of(types.Bool)

// logicExpr is AND (and=true) or OR over three-valued booleans: AND is
// false if any argument is, NULL if any is NULL, true otherwise; OR dually.
type logicExpr struct {
	and  bool
	args []Expr
}

func newLogic(and bool, args []Expr) Expr {
	x := &logicExpr{and: and, args: args}
	if allConst(args...) {
		return fold(x)
	}
	return x
}

func (x *logicExpr) Type() types.Type { return boolType }
func (x *logicExpr) Eval(env *Env, row []any) (any, error) {
	sawNull := false
	for _, a := range x.args {
		v, err := a.Eval(env, row)
		if err != nil {
			return nil, err
		}
		if v == nil {
			sawNull = true
			continue
		}
		if v.(bool) != x.and {
			return !x.and, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return x.and, nil
}

type notExpr struct{ e Expr }

func (x *notExpr) Type() types.Type { return boolType }
func (x *notExpr) Eval(env *Env, row []any) (any, error) {
	v, err := x.e.Eval(env, row)
	if err != nil || v == nil {
		return nil, err
	}
	return !v.(bool), nil
}

func (c *compiler) boolExpr(b *pg_query.BoolExpr) (Expr, error) {
	clause := "AND"
	switch b.Boolop {
	case pg_query.BoolExprType_OR_EXPR:
		clause = "OR"
	case pg_query.BoolExprType_NOT_EXPR:
		clause = "NOT"
	}
	args := make([]Expr, len(b.Args))
	for i, n := range b.Args {
		e, err := c.expr(n)
		if err != nil {
			return nil, err
		}
		if args[i], err = c.boolArg(e, clause); err != nil {
			return nil, err
		}
	}
	if clause == "NOT" {
		if len(args) != 1 {
			return nil, pgerr.New(pgerr.SyntaxError, "NOT takes one argument")
		}
		x := &notExpr{e: args[0]}
		if isConst(args[0]) {
			return fold(x), nil
		}
		return x, nil
	}
	return newLogic(clause == "AND", args), nil
}

// nullTestExpr is IS [NOT] NULL.
type nullTestExpr struct {
	e   Expr
	not bool
}

func (x *nullTestExpr) Type() types.Type { return boolType }
func (x *nullTestExpr) Eval(env *Env, row []any) (any, error) {
	v, err := x.e.Eval(env, row)
	if err != nil {
		return nil, err
	}
	return (v == nil) != x.not, nil
}

func (c *compiler) nullTest(n *pg_query.NullTest) (Expr, error) {
	e, err := c.expr(n.Arg)
	if err != nil {
		return nil, err
	}
	if e, err = c.resolveUnknown(e); err != nil {
		return nil, err
	}
	x := &nullTestExpr{e: e, not: n.Nulltesttype == pg_query.NullTestType_IS_NOT_NULL}
	if isConst(e) {
		return fold(x), nil
	}
	return x, nil
}

// boolTestExpr is IS [NOT] TRUE/FALSE/UNKNOWN: never NULL.
type boolTestExpr struct {
	e    Expr
	want any // true, false or nil (UNKNOWN)
	not  bool
}

func (x *boolTestExpr) Type() types.Type { return boolType }
func (x *boolTestExpr) Eval(env *Env, row []any) (any, error) {
	v, err := x.e.Eval(env, row)
	if err != nil {
		return nil, err
	}
	return (v == x.want) != x.not, nil
}

func (c *compiler) booleanTest(n *pg_query.BooleanTest) (Expr, error) {
	e, err := c.expr(n.Arg)
	if err != nil {
		return nil, err
	}
	x := &boolTestExpr{}
	clause := "IS TRUE"
	switch n.Booltesttype {
	case pg_query.BoolTestType_IS_TRUE:
		x.want = true
	case pg_query.BoolTestType_IS_NOT_TRUE:
		x.want, x.not, clause = true, true, "IS NOT TRUE"
	case pg_query.BoolTestType_IS_FALSE:
		x.want, clause = false, "IS FALSE"
	case pg_query.BoolTestType_IS_NOT_FALSE:
		x.want, x.not, clause = false, true, "IS NOT FALSE"
	case pg_query.BoolTestType_IS_UNKNOWN:
		clause = "IS UNKNOWN"
	case pg_query.BoolTestType_IS_NOT_UNKNOWN:
		x.not, clause = true, "IS NOT UNKNOWN"
	}
	if x.e, err = c.boolArg(e, clause); err != nil {
		return nil, err
	}
	if isConst(x.e) {
		return fold(x), nil
	}
	return x, nil
}

// caseExpr is a searched CASE; a simple CASE compiles its WHEN values into
// equality conditions against the operand.
type caseExpr struct {
	conds, results []Expr
	def            Expr
	t              types.Type
}

func (x *caseExpr) Type() types.Type { return x.t }
func (x *caseExpr) Eval(env *Env, row []any) (any, error) {
	for i, cond := range x.conds {
		v, err := cond.Eval(env, row)
		if err != nil {
			return nil, err
		}
		if v == true {
			return x.results[i].Eval(env, row)
		}
	}
	if x.def == nil {
		return nil, nil
	}
	return x.def.Eval(env, row)
}

func (c *compiler) caseExpr(n *pg_query.CaseExpr) (Expr, error) {
	var operand Expr
	if n.Arg != nil {
		var err error
		if operand, err = c.expr(n.Arg); err != nil {
			return nil, err
		}
	}
	x := &caseExpr{}
	var results []Expr
	for _, wn := range n.Args {
		w := wn.GetCaseWhen()
		if w == nil {
			return nil, pgerr.New(pgerr.SyntaxError, "malformed CASE")
		}
		cond, err := c.expr(w.Expr)
		if err != nil {
			return nil, err
		}
		if operand != nil {
			if cond, err = c.compare("=", opEQ, operand, cond); err != nil {
				return nil, err
			}
		} else if cond, err = c.boolArg(cond, "CASE/WHEN"); err != nil {
			return nil, err
		}
		r, err := c.expr(w.Result)
		if err != nil {
			return nil, err
		}
		x.conds = append(x.conds, cond)
		results = append(results, r)
	}
	if n.Defresult != nil {
		d, err := c.expr(n.Defresult)
		if err != nil {
			return nil, err
		}
		results = append(results, d)
	}
	all, t, err := c.unifyAll(results, "CASE")
	if err != nil {
		return nil, err
	}
	x.t = t
	x.results = all[:len(x.conds)]
	if n.Defresult != nil {
		x.def = all[len(all)-1]
	}
	return x, nil
}

// unifyAll converts es to the type they meet in; what names the construct
// in the 42804 message ("CASE types integer and text cannot be matched").
func (c *compiler) unifyAll(es []Expr, what string) ([]Expr, types.Type, error) {
	t, err := c.unify(es, func(a, b types.Type) error {
		return pgerr.New(pgerr.DatatypeMismatch, "%s types %s and %s cannot be matched", what, typeName(a), typeName(b))
	})
	if err != nil {
		return nil, t, err
	}
	out := make([]Expr, len(es))
	for i, e := range es {
		if out[i], err = c.mustCoerce(e, t); err != nil {
			return nil, t, err
		}
	}
	return out, t, nil
}

type coalesceExpr struct {
	args []Expr
	t    types.Type
}

func (x *coalesceExpr) Type() types.Type { return x.t }
func (x *coalesceExpr) Eval(env *Env, row []any) (any, error) {
	for _, a := range x.args {
		v, err := a.Eval(env, row)
		if err != nil || v != nil {
			return v, err
		}
	}
	return nil, nil
}

func (c *compiler) coalesce(ns []*pg_query.Node) (Expr, error) {
	args, err := c.exprs(ns)
	if err != nil {
		return nil, err
	}
	args, t, err := c.unifyAll(args, "COALESCE")
	if err != nil {
		return nil, err
	}
	return &coalesceExpr{args: args, t: t}, nil
}

// nullIfExpr is NULLIF(a, b): NULL when a = b, else a.
type nullIfExpr struct {
	a, b Expr
	oid  types.OID
}

func (x *nullIfExpr) Type() types.Type { return x.a.Type() }
func (x *nullIfExpr) Eval(env *Env, row []any) (any, error) {
	a, err := x.a.Eval(env, row)
	if err != nil || a == nil {
		return nil, err
	}
	b, err := x.b.Eval(env, row)
	if err != nil {
		return nil, err
	}
	if b != nil && compareValues(x.oid, a, b) == 0 {
		return nil, nil
	}
	return a, nil
}

func (c *compiler) nullIf(a, b Expr) (Expr, error) {
	t, err := c.operandTypes("=", a, b)
	if err != nil {
		return nil, err
	}
	if a, err = c.mustCoerce(a, t); err != nil {
		return nil, err
	}
	if b, err = c.mustCoerce(b, t); err != nil {
		return nil, err
	}
	return &nullIfExpr{a: a, b: b, oid: t.OID}, nil
}

// minMaxExpr is GREATEST/LEAST: NULL arguments are ignored.
type minMaxExpr struct {
	args  []Expr
	t     types.Type
	least bool
}

func (x *minMaxExpr) Type() types.Type { return x.t }
func (x *minMaxExpr) Eval(env *Env, row []any) (any, error) {
	var best any
	for _, a := range x.args {
		v, err := a.Eval(env, row)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		if best == nil {
			best = v
			continue
		}
		c := compareValues(x.t.OID, v, best)
		if (x.least && c < 0) || (!x.least && c > 0) {
			best = v
		}
	}
	return best, nil
}

func (c *compiler) minMax(n *pg_query.MinMaxExpr) (Expr, error) {
	args, err := c.exprs(n.Args)
	if err != nil {
		return nil, err
	}
	what := "GREATEST"
	least := n.Op == pg_query.MinMaxOp_IS_LEAST
	if least {
		what = "LEAST"
	}
	args, t, err := c.unifyAll(args, what)
	if err != nil {
		return nil, err
	}
	if !comparable(t.OID) {
		return nil, pgerr.New(pgerr.UndefinedFunction, "could not identify a comparison function for type %s", typeName(t))
	}
	x := &minMaxExpr{args: args, t: t, least: least}
	if allConst(args...) {
		return fold(x), nil
	}
	return x, nil
}

package expr

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// opName is the operator's name without an OPERATOR(schema.) qualifier.
func opName(names []*pg_query.Node) string {
	if len(names) == 0 {
		return ""
	}
	return stringArg(names[len(names)-1])
}

func (c *compiler) aexpr(a *pg_query.A_Expr) (Expr, error) {
	name := opName(a.Name)
	switch a.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP:
		if a.Lexpr == nil {
			r, err := c.expr(a.Rexpr)
			if err != nil {
				return nil, err
			}
			return c.prefixOp(name, r)
		}
		if a.Rexpr == nil {
			return nil, pgerr.New(pgerr.SyntaxError, "postfix operators are not supported")
		}
		l, r, err := c.pair(a.Lexpr, a.Rexpr)
		if err != nil {
			return nil, err
		}
		return c.binaryOp(name, l, r)
	case pg_query.A_Expr_Kind_AEXPR_OP_ANY, pg_query.A_Expr_Kind_AEXPR_OP_ALL:
		l, r, err := c.pair(a.Lexpr, a.Rexpr)
		if err != nil {
			return nil, err
		}
		return c.anyAll(name, l, r, a.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL)
	case pg_query.A_Expr_Kind_AEXPR_DISTINCT, pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		l, r, err := c.pair(a.Lexpr, a.Rexpr)
		if err != nil {
			return nil, err
		}
		return c.distinct(l, r, a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT)
	case pg_query.A_Expr_Kind_AEXPR_NULLIF:
		l, r, err := c.pair(a.Lexpr, a.Rexpr)
		if err != nil {
			return nil, err
		}
		return c.nullIf(l, r)
	case pg_query.A_Expr_Kind_AEXPR_IN:
		x, err := c.expr(a.Lexpr)
		if err != nil {
			return nil, err
		}
		list := a.Rexpr.GetList()
		if list == nil {
			return nil, unsupported("IN subqueries")
		}
		items, err := c.exprs(list.Items)
		if err != nil {
			return nil, err
		}
		if rx, ok := x.(*rowExpr); ok {
			return c.rowIn(rx, items, name == "<>")
		}
		return c.in(x, items, name == "<>")
	case pg_query.A_Expr_Kind_AEXPR_LIKE, pg_query.A_Expr_Kind_AEXPR_ILIKE:
		return c.like(name, a.Lexpr, a.Rexpr)
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN,
		pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		return c.between(a)
	case pg_query.A_Expr_Kind_AEXPR_SIMILAR:
		return nil, unsupported("SIMILAR TO patterns")
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "operator kind %s is not supported yet", a.Kind)
}

func (c *compiler) pair(ln, rn *pg_query.Node) (Expr, Expr, error) {
	l, err := c.expr(ln)
	if err != nil {
		return nil, nil, err
	}
	r, err := c.expr(rn)
	if err != nil {
		return nil, nil, err
	}
	return l, r, nil
}

func (c *compiler) exprs(ns []*pg_query.Node) ([]Expr, error) {
	out := make([]Expr, len(ns))
	for i, n := range ns {
		e, err := c.expr(n)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func (c *compiler) binaryOp(name string, l, r Expr) (Expr, error) {
	if op, ok := cmpOpOf(name); ok {
		if e, ok, err := c.rowComparison(name, op, l, r); ok || err != nil {
			return e, err
		}
		return c.compare(name, op, l, r)
	}
	switch name {
	case "+", "-", "*", "/", "%", "^":
		if name == "-" && c.typeOf(l).OID == types.JSONB {
			return c.jsonMinus(l, r)
		}
		return c.arith(name, l, r)
	case "||":
		return c.concatOp(l, r)
	case "&", "|", "#", "<<", ">>":
		return c.bitwise(name, l, r)
	case "~~", "!~~", "~~*", "!~~*":
		return c.likeExprs(name, l, r, nil)
	case "~", "~*", "!~", "!~*":
		return c.regexOp(name, l, r)
	case "->", "->>", "#>", "#>>", "@>", "<@", "?", "?|", "?&":
		return c.jsonOp(name, l, r)
	}
	return nil, opError(name, c.typeOf(l), c.typeOf(r))
}

func (c *compiler) between(a *pg_query.A_Expr) (Expr, error) {
	list := a.Rexpr.GetList()
	if list == nil || len(list.Items) != 2 {
		return nil, pgerr.New(pgerr.SyntaxError, "BETWEEN needs two bounds")
	}
	x, err := c.expr(a.Lexpr)
	if err != nil {
		return nil, err
	}
	lo, hi, err := c.pair(list.Items[0], list.Items[1])
	if err != nil {
		return nil, err
	}
	not := a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN || a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM
	sym := a.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM || a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM
	within := func(lo, hi Expr) (Expr, error) {
		if not {
			l, err := c.compare("<", opLT, x, lo)
			if err != nil {
				return nil, err
			}
			r, err := c.compare(">", opGT, x, hi)
			if err != nil {
				return nil, err
			}
			return newLogic(false, []Expr{l, r}), nil
		}
		l, err := c.compare(">=", opGE, x, lo)
		if err != nil {
			return nil, err
		}
		r, err := c.compare("<=", opLE, x, hi)
		if err != nil {
			return nil, err
		}
		return newLogic(true, []Expr{l, r}), nil
	}
	e, err := within(lo, hi)
	if err != nil || !sym {
		return e, err
	}
	e2, err := within(hi, lo)
	if err != nil {
		return nil, err
	}
	// SYMMETRIC: within either ordering; NOT: outside both.
	return newLogic(not, []Expr{e, e2}), nil
}

package expr

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// The optional scope interfaces below let the query planner (package sql)
// take part in compilation without expr knowing about relations.

// ColumnScope resolves column references to expressions of its own: outer
// references of correlated subqueries read Env.Outer instead of the row.
// When a scope implements it, Compile uses it instead of Scope.Column.
type ColumnScope interface {
	ColumnExpr(names []string) (Expr, error)
}

// CallScope is asked about every function call before aggregates and
// scalar functions: window functions and set-returning functions are
// computed by the plan and read back by the expression it returns.
type CallScope interface {
	Call(call *pg_query.FuncCall) (e Expr, ok bool, err error)
}

// SubqueryScope plans the subqueries of expressions compiled against it.
type SubqueryScope interface {
	Subquery(sel *pg_query.Node) (Subquery, error)
}

// Subquery is a planned subquery.
type Subquery interface {
	// Types are the result column types.
	Types() []types.Type
	// Run calls fn with each result row until fn returns false. row is
	// the enclosing expression's row, which correlated references read.
	Run(env *Env, row []any, fn func(vals []any) (bool, error)) error
}

// CommonType is the type two types meet in for UNION, VALUES and CASE
// (unknown gives way to the other); ok is false when they do not meet.
func CommonType(a, b types.Type) (types.Type, bool) {
	switch {
	case a.OID == types.Unknown:
		return b, true
	case b.OID == types.Unknown:
		return a, true
	}
	return commonType(a, b)
}

// Convert converts e to type t (an implicit or assignment conversion the
// caller already checked with CommonType).
func Convert(e Expr, t types.Type) Expr { return convert(e, t) }

// OuterColumn reads column idx of the enclosing row level levels up.
func OuterColumn(level, idx int, t types.Type) Expr { return &outerExpr{level: level, idx: idx, t: t} }

type outerExpr struct {
	level, idx int
	t          types.Type
}

func (e *outerExpr) Type() types.Type { return e.t }
func (e *outerExpr) Eval(env *Env, _ []any) (any, error) {
	i := len(env.Outer) - e.level
	if i < 0 || e.idx >= len(env.Outer[i]) {
		return nil, pgerr.New(pgerr.InternalError, "outer column %d.%d out of range", e.level, e.idx)
	}
	return env.Outer[i][e.idx], nil
}

func (c *compiler) columnExpr(names []string) (Expr, bool, error) {
	cs, ok := c.scope.(ColumnScope)
	if !ok {
		return nil, false, nil
	}
	e, err := cs.ColumnExpr(names)
	return e, true, err
}

func (c *compiler) callHook(fc *pg_query.FuncCall) (Expr, bool, error) {
	cs, ok := c.scope.(CallScope)
	if !ok {
		return nil, false, nil
	}
	return cs.Call(fc)
}

package sql

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// subquery plans a subquery of an expression compiled in outer.
func (b *binder) subquery(sel *pg_query.Node, outer outerScope) (expr.Subquery, error) {
	if b == nil || b.s == nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "subqueries are not supported here")
	}
	ss := sel.GetSelectStmt()
	if ss == nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "this kind of subquery is not supported")
	}
	before := b.outerRefs
	q, err := b.bindQuery(ss, outer)
	if err != nil {
		return nil, err
	}
	// Without references to enclosing rows the result is the same for
	// every outer row: it is computed once per execution.
	return &subPlan{q: q, correlated: b.outerRefs != before}, nil
}

// subPlan runs a subquery for package expr.
type subPlan struct {
	q          relQuery
	correlated bool
}

func (sp *subPlan) Types() []types.Type {
	cols := sp.q.resultColumns()
	ts := make([]types.Type, len(cols))
	for i, c := range cols {
		ts[i] = c.Type
	}
	return ts
}

func (sp *subPlan) Run(env *expr.Env, row []any, fn func(vals []any) (bool, error)) error {
	r, err := runOf(env)
	if err != nil {
		return err
	}
	if sp.correlated {
		return sp.q.run(r, withOuter(env, row), fn)
	}
	rows, ok := r.subs[sp]
	if !ok {
		if rows, err = collect(r, withOuter(env, row), sp.q); err != nil {
			return err
		}
		if r.subs == nil {
			r.subs = map[*subPlan][][]any{}
		}
		r.subs[sp] = rows
	}
	for _, vals := range rows {
		if more, err := fn(vals); err != nil || !more {
			return err
		}
	}
	return nil
}

package sql

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/sql/expr"
)

// returning is a RETURNING list, evaluated over the written row (with
// _seq and _deleted).
type returning struct {
	cols  []Column
	exprs []expr.Expr
}

func bindReturning(list []*pg_query.Node, ref *tableRef, params *expr.Params) (*returning, error) {
	if len(list) == 0 {
		return nil, nil
	}
	b := &binder{params: params}
	rel := newRelScope(b, tableRelCols(ref), nil)
	sp := &selectPlan{}
	if err := sp.bindTargets(b, list, rel, rel); err != nil {
		return nil, err
	}
	return &returning{cols: sp.cols, exprs: sp.projs}, nil
}

func (r *returning) columns() []Column {
	if r == nil {
		return nil
	}
	for i := range r.cols {
		r.cols[i].Type = r.exprs[i].Type()
	}
	return r.cols
}

func (r *returning) eval(env *expr.Env, row []any) ([]any, error) {
	out := make([]any, len(r.exprs))
	for i, e := range r.exprs {
		v, err := e.Eval(env, row)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// result is the statement's result: the returned rows, or just the tag.
func (r *returning) result(rows [][]any, tag string) *Result {
	if r == nil {
		return &Result{Tag: tag}
	}
	return &Result{Columns: r.cols, Rows: rows, Tag: tag}
}

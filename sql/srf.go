package sql

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// srfScope is the select list's scope: set-returning calls there are
// computed per input row, and their values follow the row's columns.
type srfScope struct {
	b     *binder
	inner outerScope
	calls []*tableFunc
}

func (s *srfScope) Column(names []string) (int, types.Type, error) { return s.inner.Column(names) }
func (s *srfScope) lookup(names []string) (int, int, types.Type, error) {
	return s.inner.lookup(names)
}
func (s *srfScope) ColumnExpr(names []string) (expr.Expr, error) {
	if cs, ok := s.inner.(expr.ColumnScope); ok {
		return cs.ColumnExpr(names)
	}
	return levelExpr(s.lookup(names))
}
func (s *srfScope) Aggregate(fc *pg_query.FuncCall) (int, types.Type, bool, error) {
	return s.inner.Aggregate(fc)
}
func (s *srfScope) Subquery(sel *pg_query.Node) (expr.Subquery, error) { return s.b.subquery(sel, s) }

func (s *srfScope) Call(fc *pg_query.FuncCall) (expr.Expr, bool, error) {
	name := strings.ToLower(strVal(fc.Funcname[len(fc.Funcname)-1]))
	if fc.Over == nil && isSetReturning(name) {
		f, err := s.b.bindTableFunc(fc, s.inner, false)
		if err != nil {
			return nil, false, err
		}
		s.calls = append(s.calls, f)
		t := f.cols[0].Type
		if len(f.cols) > 1 {
			t = types.Of(types.Record) // jsonb_each: one (key,value) value
		}
		return &srfSlot{s: s, k: len(s.calls) - 1, t: t}, true, nil
	}
	if cs, ok := s.inner.(expr.CallScope); ok {
		return cs.Call(fc)
	}
	return nil, false, nil
}

// values runs a select-list call over one input row.
func (f *tableFunc) values(env *expr.Env, row []any) ([]any, error) {
	var out []any
	err := f.generate(env, row, func(r []any) (bool, error) {
		if len(r) > 1 {
			row := types.Row{Vals: r, Types: make([]types.OID, len(r))}
			for i, c := range f.cols {
				row.Types[i] = c.Type.OID
			}
			out = append(out, row)
			return true, nil
		}
		out = append(out, r[0])
		return true, nil
	})
	return out, err
}

// srfSlot reads a set-returning call's current value: the calls' values
// are the last columns of the row.
type srfSlot struct {
	s *srfScope
	k int
	t types.Type
}

func (x *srfSlot) Type() types.Type { return x.t }
func (x *srfSlot) Eval(_ *expr.Env, row []any) (any, error) {
	return row[len(row)-len(x.s.calls)+x.k], nil
}

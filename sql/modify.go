package sql

import (
	"context"
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
)

// modifyPlan is UPDATE or DELETE: it collects the matching rows first and
// then writes, so a row is never seen twice by its own statement.
type modifyPlan struct {
	ref    *tableRef
	layout *rowLayout
	access *access
	filter expr.Expr
	sets   []assignment // UPDATE only
	delete bool
	ret    *returning
	// changes describes per-user tables for the change channel.
	changes *notify.Table
	// join is set for UPDATE ... FROM, DELETE ... USING and WHERE
	// subqueries (modify_from.go).
	join *joinedSource
}

type assignment struct {
	col int
	e   expr.Expr // nil: SET col = DEFAULT
}

func (p *modifyPlan) kind() planKind    { return kindWrite }
func (p *modifyPlan) columns() []Column { return p.ret.columns() }

func (s *Session) bindModifyTarget(rv *pg_query.RangeVar, where *pg_query.Node, params *expr.Params) (*modifyPlan, error) {
	ref, err := s.resolveTable(rv)
	if err != nil {
		return nil, err
	}
	layout, err := newRowLayout(ref.t)
	if err != nil {
		return nil, err
	}
	p := &modifyPlan{ref: ref, layout: layout, changes: changeTable(ref.t)}
	sc := tableScope{ref: ref}
	if where != nil {
		if p.filter, err = expr.CompileBool(where, sc, params, "WHERE"); err != nil {
			return nil, err
		}
	}
	p.access, _ = planAccess(sc, layout, where, nil, params)
	return p, nil
}

func (s *Session) bindUpdate(up *pg_query.UpdateStmt, params *expr.Params) (plan, error) {
	if up.WithClause != nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "UPDATE ... WITH is not supported yet")
	}
	if needsJoin(up.FromClause, up.WhereClause) {
		return s.bindUpdateFrom(up, params)
	}
	p, err := s.bindModifyTarget(up.Relation, up.WhereClause, params)
	if err != nil {
		return nil, err
	}
	if p.sets, err = s.bindAssignments(p.ref.t, up.TargetList, tableScope{ref: p.ref}, params); err != nil {
		return nil, err
	}
	if p.ret, err = bindReturning(up.ReturningList, p.ref, params); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Session) bindDelete(del *pg_query.DeleteStmt, params *expr.Params) (plan, error) {
	if del.WithClause != nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "DELETE ... WITH is not supported yet")
	}
	if needsJoin(del.UsingClause, del.WhereClause) {
		return s.bindDeleteUsing(del, params)
	}
	p, err := s.bindModifyTarget(del.Relation, del.WhereClause, params)
	if err != nil {
		return nil, err
	}
	p.delete = true
	if p.ret, err = bindReturning(del.ReturningList, p.ref, params); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *modifyPlan) exec(ctx context.Context, x *execCtx) (*Result, error) {
	if p.join != nil {
		return p.execJoined(ctx, x)
	}
	part, err := x.s.partition(p.ref)
	if err != nil {
		return nil, err
	}
	var matched [][]any
	err = p.access.scan(x, part, func(row []any) (bool, error) {
		if p.filter != nil {
			ok, err := p.filter.Eval(x.env, row)
			if err != nil || ok != true {
				return err == nil, err
			}
		}
		matched = append(matched, row)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return p.writeMatched(x, matched, func(old []any) ([]any, error) { return p.apply(x, part, old) })
}

// writeMatched writes each matched row with apply and builds the result:
// the RETURNING rows of what apply returns, and the command tag.
func (p *modifyPlan) writeMatched(x *execCtx, matched [][]any, apply func([]any) ([]any, error)) (*Result, error) {
	var out [][]any
	for _, m := range matched {
		row, err := apply(m)
		if err != nil {
			return nil, err
		}
		if p.ret != nil {
			r, err := p.ret.eval(x.env, row)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	tag := "UPDATE "
	if p.delete {
		tag = "DELETE "
	}
	return p.ret.result(out, tag+strconv.Itoa(len(matched))), nil
}

// apply deletes or updates one row and returns the row RETURNING sees.
func (p *modifyPlan) apply(x *execCtx, part hotstore.Partition, old []any) ([]any, error) {
	if p.delete {
		return old, p.layout.deleteRow(x, part, p.changes, old)
	}
	row := append([]any(nil), old...)
	for _, a := range p.sets {
		var v any
		if a.e != nil {
			var err error
			if v, err = a.e.Eval(x.env, old); err != nil {
				return nil, err
			}
		}
		row[a.col] = v
	}
	return row, p.layout.updateRow(x, part, p.changes, old, row)
}

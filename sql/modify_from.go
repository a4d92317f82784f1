package sql

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
)

// UPDATE ... FROM, DELETE ... USING and UPDATE/DELETE whose WHERE holds
// subqueries run through the query plan tree: the target table is the
// first FROM item, so each joined row starts with the target's row
// (hidden columns included) and the other items' columns follow. A
// target row joined to several rows is written once, with the first
// match, as PostgreSQL leaves the choice unspecified.

// joinedSource is the row source of a joined UPDATE or DELETE.
type joinedSource struct {
	src   rowSource
	width int // columns of the target row at the start of each row
}

// needsJoin reports whether an UPDATE/DELETE must go through the plan
// tree: other relations, or a subquery in WHERE.
func needsJoin(from []*pg_query.Node, where *pg_query.Node) bool {
	if len(from) > 0 {
		return true
	}
	found := false
	walk(where, func(n *pg_query.Node) {
		if n.GetSubLink() != nil {
			found = true
		}
	})
	return found
}

// bindJoinedTarget binds the target and the other FROM items with WHERE
// over the joined row; the scope resolves SET, WHERE and RETURNING.
func (s *Session) bindJoinedTarget(rv *pg_query.RangeVar, from []*pg_query.Node, where *pg_query.Node, params *expr.Params) (*modifyPlan, *relScope, error) {
	ref, err := s.resolveTable(rv)
	if err != nil {
		return nil, nil, err
	}
	layout, err := newRowLayout(ref.t)
	if err != nil {
		return nil, nil, err
	}
	b := &binder{s: s, params: params}
	items := append([]*pg_query.Node{{Node: &pg_query.Node_RangeVar{RangeVar: rv}}}, from...)
	f, err := b.bindFrom(items, nil, where, nil)
	if err != nil {
		return nil, nil, err
	}
	p := &modifyPlan{ref: ref, layout: layout, changes: changeTable(ref.t),
		join: &joinedSource{src: f.src, width: len(ref.t.Columns) + hiddenColumns}}
	if where != nil {
		if hasCall(where, false) {
			return nil, nil, pgerr.New(pgerr.GroupingError, "aggregate functions are not allowed in WHERE")
		}
		if p.filter, err = expr.CompileBool(where, f.scope, params, "WHERE"); err != nil {
			return nil, nil, err
		}
	}
	return p, f.scope, nil
}

func (s *Session) bindUpdateFrom(up *pg_query.UpdateStmt, params *expr.Params) (plan, error) {
	p, sc, err := s.bindJoinedTarget(up.Relation, up.FromClause, up.WhereClause, params)
	if err != nil {
		return nil, err
	}
	if p.sets, err = s.bindAssignments(p.ref.t, up.TargetList, sc, params); err != nil {
		return nil, err
	}
	if p.ret, err = bindReturningScope(up.ReturningList, sc, params); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Session) bindDeleteUsing(del *pg_query.DeleteStmt, params *expr.Params) (plan, error) {
	p, sc, err := s.bindJoinedTarget(del.Relation, del.UsingClause, del.WhereClause, params)
	if err != nil {
		return nil, err
	}
	p.delete = true
	if p.ret, err = bindReturningScope(del.ReturningList, sc, params); err != nil {
		return nil, err
	}
	return p, nil
}

// bindReturningScope is RETURNING over a joined row.
func bindReturningScope(list []*pg_query.Node, rel *relScope, params *expr.Params) (*returning, error) {
	if len(list) == 0 {
		return nil, nil
	}
	b := &binder{params: params}
	sp := &selectPlan{}
	if err := sp.bindTargets(b, list, rel, rel); err != nil {
		return nil, err
	}
	return &returning{cols: sp.cols, exprs: sp.projs}, nil
}

// execJoined collects the joined rows that pass WHERE, one per target
// row, then writes them.
func (p *modifyPlan) execJoined(_ context.Context, x *execCtx) (*Result, error) {
	part, err := x.s.partition(p.ref)
	if err != nil {
		return nil, err
	}
	r := newRun(x)
	x.env.Exec = r
	m := memTracker{r: r}
	seen := map[string]bool{}
	var matched [][]any
	err = p.join.src.run(r, x.env, func(row []any) (bool, error) {
		if p.filter != nil {
			ok, err := p.filter.Eval(x.env, row)
			if err != nil || ok != true {
				return err == nil, err
			}
		}
		key, err := p.layout.key(row[:p.join.width])
		if err != nil {
			return false, err
		}
		if seen[string(key)] {
			return true, nil
		}
		seen[string(key)] = true
		if err := m.add(row); err != nil {
			return false, err
		}
		matched = append(matched, append([]any(nil), row...))
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return p.writeMatched(x, matched, func(full []any) ([]any, error) { return p.applyJoined(x, part, full) })
}

// applyJoined writes one target row; SET expressions see the whole
// joined row and the result is the written target row followed by the
// other items' columns, for RETURNING.
func (p *modifyPlan) applyJoined(x *execCtx, part hotstore.Partition, full []any) ([]any, error) {
	w := p.join.width
	old := full[:w:w]
	if p.delete {
		return full, p.layout.deleteRow(x, part, p.changes, old)
	}
	row := append([]any(nil), old...)
	for _, a := range p.sets {
		var v any
		if a.e != nil {
			var err error
			if v, err = a.e.Eval(x.env, full); err != nil {
				return nil, err
			}
		}
		row[a.col] = v
	}
	if err := p.layout.updateRow(x, part, p.changes, old, row); err != nil {
		return nil, err
	}
	return append(row, full[w:]...), nil
}

// bindAssignments binds an UPDATE's SET list over scope, including
// SET (a, b) = (x, y).
func (s *Session) bindAssignments(t *catalog.Table, targets []*pg_query.Node, scope expr.Scope, params *expr.Params) ([]assignment, error) {
	var sets []assignment
	for _, n := range targets {
		rt := n.GetResTarget()
		i := t.ColumnIndex(rt.Name)
		if i < 0 {
			return nil, pgerr.New(pgerr.UndefinedColumn, "column %q of relation %q does not exist", rt.Name, t.Name)
		}
		if len(rt.Indirection) > 0 {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "assignment to array elements or fields is not supported")
		}
		val := rt.Val
		if ma := val.GetMultiAssignRef(); ma != nil {
			row := ma.Source.GetRowExpr()
			if row == nil {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "SET (...) = (SELECT ...) is not supported yet")
			}
			if int(ma.Ncolumns) != len(row.Args) {
				return nil, pgerr.New(pgerr.SyntaxError, "number of columns does not match number of values")
			}
			val = row.Args[ma.Colno-1]
		}
		a := assignment{col: i}
		var err error
		if val.GetSetToDefault() == nil {
			if a.e, err = expr.CompileAs(val, scope, params, t.Columns[i].Type); err != nil {
				return nil, err
			}
		} else if a.e, err = s.columnDefault(t, i, params); err != nil {
			return nil, err
		}
		sets = append(sets, a)
	}
	return sets, nil
}

package sql

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/pgerr"
)

// Views are kept in the catalog as SELECT text and expanded where a query
// names them, as a derived table bound afresh each time: a view sees the
// tables as they are when the query runs, and the session's partition
// rules apply inside it exactly as in the query itself.

// maxViewDepth bounds nested view expansion (a view over a view ...), so
// a view that ends up naming itself fails instead of recursing forever.
const maxViewDepth = 32

func (s *Session) bindCreateView(st *pg_query.ViewStmt) (plan, error) {
	if len(st.Options) > 0 {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "view options are not supported")
	}
	if st.WithCheckOption == pg_query.ViewCheckOption_LOCAL_CHECK_OPTION || st.WithCheckOption == pg_query.ViewCheckOption_CASCADED_CHECK_OPTION {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "WITH CHECK OPTION is not supported")
	}
	sel := st.Query.GetSelectStmt()
	if sel == nil {
		return nil, pgerr.New(pgerr.SyntaxError, "CREATE VIEW needs a SELECT")
	}
	text, err := deparse(st.Query)
	if err != nil {
		return nil, pgerr.Wrap(err, pgerr.FeatureNotSupported, "cannot store this view's query")
	}
	cols := nameList(st.Aliases)
	return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
		if err := s.requireRole(ddlRole, "create view"); err != nil {
			return nil, err
		}
		schema := st.View.Schemaname
		if schema == "" {
			if schema, err = s.creationSchema(); err != nil {
				return nil, err
			}
		}
		// Bind once now, so a view that cannot run is refused here.
		b := &binder{s: s, params: nil}
		q, err := b.bindQuery(sel, nil)
		if err != nil {
			return nil, err
		}
		if n := len(q.resultColumns()); len(cols) > n {
			return nil, pgerr.New(pgerr.SyntaxError, "CREATE VIEW specifies more column names than columns")
		}
		v := catalog.View{Schema: schema, Name: st.View.Relname, Query: text, Columns: cols}
		if _, err := s.eng.cat.CreateView(ctx, v, st.Replace); err != nil {
			return nil, err
		}
		return tagOnly("CREATE VIEW"), nil
	}), nil
}

func (s *Session) dropViews(ctx context.Context, d *pg_query.DropStmt) (*Result, error) {
	if err := s.requireRole(ddlRole, "drop view"); err != nil {
		return nil, err
	}
	for _, obj := range d.Objects {
		names := nameList(obj.GetList().Items)
		name := names[len(names)-1]
		schema := ""
		if len(names) > 1 {
			schema = names[len(names)-2]
		} else if v, ok := s.findViewInPath(name); ok {
			schema = v.Schema
		} else if t, err := s.findInPath(name); err == nil {
			schema = t.Schema
		}
		if _, err := s.eng.cat.DropView(ctx, schema, name, d.MissingOk); err != nil {
			return nil, err
		}
	}
	return tagOnly("DROP VIEW"), nil
}

// findViewInPath finds an unqualified view name, unless a table of that
// name comes first in the search path.
func (s *Session) findViewInPath(name string) (*catalog.View, bool) {
	for _, schema := range s.lookupPath() {
		if _, ok := s.eng.cat.Table(schema, name); ok {
			return nil, false
		}
		if v, ok := s.eng.cat.View(schema, name); ok {
			return v, true
		}
	}
	return nil, false
}

// bindView expands rv when it names a view; ok is false for anything else.
func (b *binder) bindView(rv *pg_query.RangeVar) (*fromItem, bool, error) {
	var v *catalog.View
	if rv.Schemaname != "" {
		found, ok := b.s.eng.cat.View(rv.Schemaname, rv.Relname)
		if !ok {
			return nil, false, nil
		}
		v = found
	} else {
		found, ok := b.s.findViewInPath(rv.Relname)
		if !ok {
			return nil, false, nil
		}
		v = found
	}
	if b.viewDepth >= maxViewDepth {
		return nil, true, pgerr.New("42P17", "infinite recursion detected in view %q", v.Name)
	}
	stmts, err := b.s.eng.parse(v.Query)
	if err != nil {
		return nil, true, err
	}
	if len(stmts) != 1 || stmts[0].Stmt.GetSelectStmt() == nil {
		return nil, true, pgerr.New(pgerr.InternalError, "view %q holds no query", v.Name)
	}
	// A view sees neither the query's WITH names nor its outer rows.
	vb := &binder{s: b.s, params: b.params, viewDepth: b.viewDepth + 1}
	q, err := vb.bindQuery(stmts[0].Stmt.GetSelectStmt(), nil)
	if err != nil {
		return nil, true, err
	}
	alias := rv.Relname
	cols := queryRelCols(q)
	for i := range cols {
		cols[i].qual = alias
		if i < len(v.Columns) {
			cols[i].name = v.Columns[i]
		}
	}
	if rv.Alias != nil {
		alias = rv.Alias.Aliasname
		if cols, err = aliasColumns(cols, rv.Alias); err != nil {
			return nil, true, err
		}
	}
	return &fromItem{src: &queryNode{q: q}, cols: cols, names: []string{alias}}, true, nil
}

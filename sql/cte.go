package sql

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// maxRecursion bounds the iterations of a recursive query: a runaway
// recursion fails instead of running until memory is gone.
const maxRecursion = 100000

// cteDef is one WITH query. Its rows are computed once per execution (the
// first time it is read to the end) and shared by every reference.
type cteDef struct {
	name string
	cols []Column
	q    relQuery // the query, or a recursive query's non-recursive term
	rec  relQuery // the recursive term; nil unless recursive
	all  bool     // UNION ALL between the terms
	// binding is set while the recursive term is bound: references to the
	// name inside it read the working table.
	binding bool
	// mod is a data-modifying WITH query (INSERT, UPDATE, DELETE): run
	// once before the statement's query, its RETURNING rows are the rows.
	mod plan
}

// cteScope is the chain of WITH names visible to a query.
type cteScope struct {
	def  *cteDef
	next *cteScope
}

func (c *cteScope) find(name string) *cteDef {
	for ; c != nil; c = c.next {
		if c.def.name == name {
			return c.def
		}
	}
	return nil
}

func (b *binder) bindWith(w *pg_query.WithClause, outer outerScope, top bool) error {
	seen := map[string]bool{}
	for _, n := range w.Ctes {
		cte := n.GetCommonTableExpr()
		if seen[cte.Ctename] {
			return pgerr.New(codeDuplicateAlias, "WITH query name %q specified more than once", cte.Ctename)
		}
		seen[cte.Ctename] = true
		sel := cte.Ctequery.GetSelectStmt()
		if sel == nil {
			def, err := b.bindModifyingCTE(cte, top)
			if err != nil {
				return err
			}
			b.ctes = &cteScope{def: def, next: b.ctes}
			continue
		}
		def := &cteDef{name: cte.Ctename}
		if w.Recursive && sel.Op == pg_query.SetOperation_SETOP_UNION && refersTo(sel.Rarg, cte.Ctename) {
			if err := b.bindRecursive(def, cte, sel, outer); err != nil {
				return err
			}
		} else {
			q, err := b.bindQuery(sel, outer)
			if err != nil {
				return err
			}
			def.q = q
			if def.cols, err = cteColumns(q.resultColumns(), cte); err != nil {
				return err
			}
		}
		b.ctes = &cteScope{def: def, next: b.ctes}
	}
	return nil
}

func (b *binder) bindRecursive(def *cteDef, cte *pg_query.CommonTableExpr, sel *pg_query.SelectStmt, outer outerScope) error {
	if len(sel.SortClause) > 0 {
		return pgerr.New(pgerr.FeatureNotSupported, "ORDER BY in a recursive query is not implemented")
	}
	if refersTo(sel.Larg, def.name) {
		return pgerr.New(pgerr.InvalidColumnReference, "recursive reference to query %q must not appear within its non-recursive term", def.name)
	}
	q, err := b.bindQuery(sel.Larg, outer)
	if err != nil {
		return err
	}
	def.q, def.all = q, sel.All
	if def.cols, err = cteColumns(q.resultColumns(), cte); err != nil {
		return err
	}
	saved := b.ctes
	b.ctes = &cteScope{def: def, next: b.ctes}
	def.binding = true
	rec, err := b.bindQuery(sel.Rarg, outer)
	def.binding = false
	b.ctes = saved
	if err != nil {
		return err
	}
	rc := rec.resultColumns()
	if len(rc) != len(def.cols) {
		return pgerr.New(pgerr.SyntaxError, "each UNION query must have the same number of columns")
	}
	for i, c := range rc {
		if c.Type.OID != def.cols[i].Type.OID {
			return pgerr.New(pgerr.DatatypeMismatch, "recursive query %q column %d has type %s in non-recursive term but type %s overall",
				def.name, i+1, types.NameOf(def.cols[i].Type), types.NameOf(c.Type))
		}
	}
	def.rec = rec
	return nil
}

// refersTo reports whether a query mentions a FROM item called name.
func refersTo(sel *pg_query.SelectStmt, name string) bool {
	found := false
	walk(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: sel}}, func(n *pg_query.Node) {
		if rv := n.GetRangeVar(); rv != nil && rv.Schemaname == "" && rv.Relname == name {
			found = true
		}
	})
	return found
}

func cteColumns(cols []Column, cte *pg_query.CommonTableExpr) ([]Column, error) {
	out := make([]Column, len(cols))
	for i, c := range cols {
		out[i] = Column{Name: c.Name, Type: c.Type}
	}
	names := nameList(cte.Aliascolnames)
	if len(names) > len(out) {
		return nil, pgerr.New(pgerr.InvalidColumnReference, "WITH query %q has %d columns available but %d columns specified", cte.Ctename, len(out), len(names))
	}
	for i, n := range names {
		out[i].Name = n
	}
	return out, nil
}

// cteNode reads a WITH query (or, inside its recursive term, the working
// table).
type cteNode struct {
	def  *cteDef
	self bool
}

func (n *cteNode) run(r *qrun, env *expr.Env, fn rowFunc) error {
	if n.self {
		for _, row := range r.work[n.def] {
			if more, err := fn(row); err != nil || !more {
				return err
			}
		}
		return nil
	}
	if rows, ok := r.ctes[n.def]; ok {
		for _, row := range rows {
			if more, err := fn(row); err != nil || !more {
				return err
			}
		}
		return nil
	}
	if n.def.rec == nil {
		rows, err := collect(r, env, n.def.q)
		if err != nil {
			return err
		}
		r.setCTE(n.def, rows)
		return n.run(r, env, fn)
	}
	return n.recurse(r, env, fn)
}

// recurse evaluates a recursive query, streaming its rows so that a
// reader that stops early (LIMIT) ends the recursion too.
func (n *cteNode) recurse(r *qrun, env *expr.Env, fn rowFunc) error {
	def := n.def
	mem := memTracker{r: r}
	seen := map[string]bool{}
	cols := make([]int, len(def.cols))
	oids := make([]types.OID, len(def.cols))
	for i, c := range def.cols {
		cols[i], oids[i] = i, c.Type.OID
	}
	var all [][]any
	stopped := false
	var key []byte
	// add keeps a new row (UNION drops duplicates) and hands it on.
	add := func(next *[][]any) rowFunc {
		return func(row []any) (bool, error) {
			if !def.all {
				key = rowKey(key[:0], row, cols, oids)
				if seen[string(key)] {
					return true, nil
				}
				seen[string(key)] = true
			}
			if err := mem.add(row); err != nil {
				return false, err
			}
			*next = append(*next, row)
			all = append(all, row)
			more, err := fn(row)
			stopped = !more
			return more, err
		}
	}
	var work [][]any
	if err := def.q.run(r, env, add(&work)); err != nil || stopped {
		return err
	}
	for depth := 0; len(work) > 0; depth++ {
		if depth >= maxRecursion {
			return pgerr.New(pgerr.ProgramLimitExceeded, "recursive query %q exceeded %d iterations", def.name, maxRecursion)
		}
		if err := r.x.ctxErr(); err != nil {
			return err
		}
		if r.work == nil {
			r.work = map[*cteDef][][]any{}
		}
		r.work[def] = work
		var next [][]any
		err := def.rec.run(r, env, add(&next))
		delete(r.work, def)
		if err != nil || stopped {
			return err
		}
		work = next
	}
	r.setCTE(def, all)
	return nil
}

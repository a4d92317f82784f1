package sql

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// fromItem is a bound FROM item: its rows and columns.
type fromItem struct {
	src     rowSource
	cols    []relCol
	lateral bool        // reads columns of the items before it
	scans   []*scanNode // table scans whose rows are never NULL-extended
	names   []string    // the aliases it introduces
}

// fromResult is a bound FROM clause.
type fromResult struct {
	src    rowSource
	scope  *relScope
	single *scanNode // the only FROM item, when it is one table
}

// bindFrom binds a FROM list: the items are cross joined, LATERAL items
// seeing the ones before them. WHERE equalities on key columns narrow
// the scans of tables that outer joins do not NULL-extend; with a single
// table the ORDER BY may be served by the scan order.
func (b *binder) bindFrom(items []*pg_query.Node, outer outerScope, where *pg_query.Node, order []*pg_query.SortBy) (*fromResult, error) {
	var acc *fromItem
	seen := map[string]bool{}
	for _, n := range items {
		var left *relScope
		if acc != nil {
			left = newRelScope(b, acc.cols, outer)
		}
		it, err := b.bindFromItem(n, outer, left)
		if err != nil {
			return nil, err
		}
		for _, name := range it.names {
			if seen[name] {
				return nil, pgerr.New(codeDuplicateAlias, "table name %q specified more than once", name)
			}
			seen[name] = true
		}
		if acc == nil {
			acc = it
			continue
		}
		j := &joinNode{kind: joinInner, left: acc.src, right: it.src, lw: len(acc.cols), rw: len(it.cols), lateral: it.lateral}
		acc = &fromItem{src: j, cols: append(append([]relCol(nil), acc.cols...), it.cols...), scans: append(acc.scans, it.scans...)}
	}
	res := &fromResult{src: acc.src, scope: newRelScope(b, acc.cols, outer)}
	if sn, ok := acc.src.(*scanNode); ok && len(items) == 1 {
		res.single = sn
		sn.access, sn.ordered = planAccess(tableScope{ref: sn.ref}, sn.access.layout, where, order, b.params)
		return res, nil
	}
	for _, sn := range acc.scans {
		sn.access, _ = planAccess(tableScope{ref: sn.ref}, sn.access.layout, where, nil, b.params)
	}
	return res, nil
}

// bindFromItem binds one FROM item; left is the scope of the items before
// it (nil for the first), which LATERAL items and functions may read.
func (b *binder) bindFromItem(n *pg_query.Node, outer outerScope, left *relScope) (*fromItem, error) {
	lateralOuter := outer
	if left != nil {
		lateralOuter = left
	}
	switch {
	case n.GetRangeVar() != nil:
		return b.bindRangeVar(n.GetRangeVar(), outer)
	case n.GetRangeSubselect() != nil:
		rs := n.GetRangeSubselect()
		if rs.Alias == nil {
			return nil, pgerr.New(pgerr.SyntaxError, "subquery in FROM must have an alias")
		}
		sc := outer
		if rs.Lateral {
			sc = lateralOuter
		}
		sel := rs.Subquery.GetSelectStmt()
		if sel == nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "this subquery in FROM is not supported")
		}
		q, err := b.bindQuery(sel, sc)
		if err != nil {
			return nil, err
		}
		cols, err := aliasColumns(queryRelCols(q), rs.Alias)
		if err != nil {
			return nil, err
		}
		return &fromItem{src: &queryNode{q: q}, cols: cols, lateral: rs.Lateral && left != nil, names: []string{rs.Alias.Aliasname}}, nil
	case n.GetRangeFunction() != nil:
		return b.bindRangeFunction(n.GetRangeFunction(), lateralOuter, left != nil)
	case n.GetJoinExpr() != nil:
		return b.bindJoin(n.GetJoinExpr(), outer)
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "FROM item %s is not supported", nodeName(n))
}

func (b *binder) bindRangeVar(rv *pg_query.RangeVar, outer outerScope) (*fromItem, error) {
	alias := rv.Relname
	if rv.Alias != nil {
		alias = rv.Alias.Aliasname
	}
	if rv.Schemaname == "" {
		if def := b.ctes.find(rv.Relname); def != nil {
			if def.mod != nil && len(def.cols) == 0 {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "WITH query %q does not have a RETURNING clause", def.name)
			}
			cols := make([]relCol, len(def.cols))
			for i, c := range def.cols {
				cols[i] = relCol{qual: alias, name: c.Name, t: c.Type}
			}
			cols, err := aliasColumns(cols, rv.Alias)
			if err != nil {
				return nil, err
			}
			return &fromItem{src: &cteNode{def: def, self: def.binding}, cols: cols, names: []string{alias}}, nil
		}
	}
	if it, ok, err := b.bindCatalogRel(rv); ok || err != nil {
		return it, err
	}
	if it, ok, err := b.bindView(rv); ok || err != nil {
		return it, err
	}
	ref, err := b.s.resolveTable(rv)
	if err != nil {
		return nil, err
	}
	layout, err := newRowLayout(ref.t)
	if err != nil {
		return nil, err
	}
	cols, err := aliasColumns(tableRelCols(ref), rv.Alias)
	if err != nil {
		return nil, err
	}
	sn := &scanNode{ref: ref, access: &access{layout: layout}}
	return &fromItem{src: sn, cols: cols, scans: []*scanNode{sn}, names: []string{ref.alias}}, nil
}

// tableRelCols are a table's columns, then its hidden system columns.
func tableRelCols(ref *tableRef) []relCol {
	t := ref.t
	schema := t.Schema
	if ref.addressed != "" {
		schema = ref.addressed
	}
	cols := make([]relCol, 0, len(t.Columns)+hiddenColumns)
	for i, c := range t.Columns {
		cols = append(cols, relCol{qual: ref.alias, schema: schema, name: c.Name, t: c.Type, tableOID: t.ID, attr: int16(i + 1)})
	}
	cols = append(cols,
		relCol{qual: ref.alias, schema: schema, name: seqColumn, t: types.Of(types.Int8), hidden: true},
		relCol{qual: ref.alias, schema: schema, name: deletedColumn, t: types.Of(types.Bool), hidden: true})
	return cols
}

// queryRelCols are a subquery's result columns as a relation.
func queryRelCols(q relQuery) []relCol {
	rc := q.resultColumns()
	cols := make([]relCol, len(rc))
	for i, c := range rc {
		cols[i] = relCol{name: c.Name, t: c.Type}
	}
	return cols
}

// aliasColumns applies AS alias(a, b, ...): the qualifier of every column
// and the names of the first visible ones.
func aliasColumns(cols []relCol, alias *pg_query.Alias) ([]relCol, error) {
	if alias == nil {
		return cols, nil
	}
	out := make([]relCol, len(cols))
	copy(out, cols)
	names := nameList(alias.Colnames)
	j := 0
	for i := range out {
		out[i].qual = alias.Aliasname
		if out[i].hidden {
			continue
		}
		if j < len(names) {
			out[i].name = names[j]
			j++
		}
	}
	if j < len(names) {
		return nil, pgerr.New(pgerr.InvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified", alias.Aliasname, j, len(names))
	}
	return out, nil
}

package sql

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// binder binds one statement's queries: the session, the statement's
// parameters and the WITH names in scope.
type binder struct {
	s      *Session
	params *expr.Params
	ctes   *cteScope
	// outerRefs counts references resolved to enclosing queries, so a
	// subquery can tell whether it is correlated.
	outerRefs int
	// viewDepth counts the views being expanded around this query.
	viewDepth int
	// top is the statement's own SELECT, the only one whose WITH may
	// modify data; mods are those data-modifying WITH queries.
	top  *pg_query.SelectStmt
	mods []*cteDef
}

// selectPlan is one SELECT: from -> filter -> aggregate -> having ->
// window -> project (set-returning functions multiply rows) -> distinct
// -> sort -> offset/limit.
type selectPlan struct {
	from rowSource
	// access and ordered describe a single table's scan: its access path
	// and whether the scan order already satisfies ORDER BY.
	access  *access
	ordered bool
	noFrom  bool
	filter  expr.Expr

	agg    *aggScope // nil without aggregates or GROUP BY
	having expr.Expr
	win    *winScope // nil without window functions
	srf    *srfScope

	cols        []Column
	projs       []expr.Expr
	targetNodes []*pg_query.Node
	untyped     []bool      // output column is an untyped literal (UNION adapts it)
	targetCol   []int       // select-list item -> output column (-1 for *)
	extras      []expr.Expr // ORDER BY / DISTINCT ON expressions outside the select list
	extraNodes  []*pg_query.Node
	sortKeys    []sortKey // over projected rows: outputs, then extras
	distinct    bool
	distinctOn  []sortKey

	limit, offset expr.Expr
}

func (p *selectPlan) kind() planKind { return kindRead }

// columns refreshes the column types first: a parameter's type may have
// been settled (Params.Finish) after the select list was compiled.
func (p *selectPlan) columns() []Column {
	for i := range p.cols {
		p.cols[i].Type = p.projs[i].Type()
	}
	return p.cols
}

func (p *selectPlan) resultColumns() []Column { return p.columns() }

func (p *selectPlan) exec(_ context.Context, x *execCtx) (*Result, error) { return execQuery(x, p) }

func (s *Session) bindSelect(sel *pg_query.SelectStmt, params *expr.Params) (plan, error) {
	b := &binder{s: s, params: params, top: sel}
	q, err := b.bindQuery(sel, nil)
	if err != nil {
		return nil, err
	}
	if len(b.mods) > 0 {
		return &modifyingQueryPlan{q: q, mods: b.mods}, nil
	}
	if sp, ok := q.(*selectPlan); ok {
		return sp, nil
	}
	return &queryPlan{q: q}, nil
}

// bindQuery binds any query; outer is the scope of the enclosing query's
// expression for correlated references (nil at top level).
func (b *binder) bindQuery(sel *pg_query.SelectStmt, outer outerScope) (relQuery, error) {
	if sel.IntoClause != nil || len(sel.LockingClause) > 0 {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "SELECT INTO and FOR UPDATE/SHARE are not supported yet")
	}
	if sel.WithClause != nil {
		saved := b.ctes
		defer func() { b.ctes = saved }()
		if err := b.bindWith(sel.WithClause, outer, sel == b.top); err != nil {
			return nil, err
		}
	}
	switch {
	case sel.Op != pg_query.SetOperation_SETOP_NONE:
		return b.bindSetOp(sel, outer)
	case len(sel.ValuesLists) > 0:
		return b.bindValuesQuery(sel, outer)
	}
	return b.bindSimple(sel, outer)
}

func (b *binder) bindSimple(sel *pg_query.SelectStmt, outer outerScope) (*selectPlan, error) {
	if len(sel.WindowClause) > 0 && !usesWindow(sel) {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "WINDOW clauses without window functions are not supported")
	}
	p := &selectPlan{}
	var rel *relScope
	if len(sel.FromClause) > 0 {
		f, err := b.bindFrom(sel.FromClause, outer, sel.WhereClause, accessOrder(sel))
		if err != nil {
			return nil, err
		}
		p.from, rel = f.src, f.scope
		if f.single != nil {
			if len(sel.SortClause) > 0 && len(accessOrder(sel)) == 0 {
				f.single.ordered = false // ORDER BY names an output alias
			}
			p.access, p.ordered = f.single.access, f.single.ordered
		}
	} else {
		p.from, p.noFrom = resultNode{}, true
		rel = newRelScope(b, nil, outer)
	}
	var err error
	if sel.WhereClause != nil {
		if hasCall(sel.WhereClause, true) {
			return nil, pgerr.New(codeWindowingError, "window functions are not allowed in WHERE")
		}
		if p.filter, err = expr.CompileBool(sel.WhereClause, rel, b.params, "WHERE"); err != nil {
			return nil, err
		}
	}

	// Aggregation: any aggregate call or a GROUP BY turns the row source
	// into one row per group.
	var out outerScope = rel
	if len(sel.GroupClause) > 0 || usesAggregate(sel) {
		agg, err := newAggScope(rel, sel.GroupClause, sel.TargetList, b.params)
		if err != nil {
			return nil, err
		}
		p.agg, out = agg, agg
		if sel.HavingClause != nil {
			if p.having, err = expr.CompileBool(agg.rewrite(sel.HavingClause), agg, b.params, "HAVING"); err != nil {
				return nil, err
			}
		}
	} else if sel.HavingClause != nil {
		return nil, pgerr.New(pgerr.GroupingError, "HAVING requires GROUP BY or an aggregate")
	}
	if usesWindow(sel) {
		p.win = newWinScope(b, out, p.agg, sel.WindowClause)
		out = p.win
	}
	p.srf = &srfScope{b: b, inner: out}
	if err := p.bindTargets(b, sel.TargetList, p.srf, rel); err != nil {
		return nil, err
	}
	if len(sel.DistinctClause) > 0 {
		if d := sel.DistinctClause[0]; d == nil || d.Node == nil {
			p.distinct = true
		} else if err := p.bindDistinctOn(b, sel.DistinctClause, out); err != nil {
			return nil, err
		}
	}
	if err := p.bindOrder(b, sel.SortClause, out); err != nil {
		return nil, err
	}
	if err := p.checkDistinctOn(); err != nil {
		return nil, err
	}
	if p.limit, p.offset, err = b.bindLimit(sel, outer); err != nil {
		return nil, err
	}
	return p, nil
}

// accessOrder is the ORDER BY a single table's scan may satisfy; nil when
// an item is an output alias (it names a select-list item, not a column).
func accessOrder(sel *pg_query.SelectStmt) []*pg_query.SortBy {
	var sorts []*pg_query.SortBy
	for _, n := range sel.SortClause {
		sb := n.GetSortBy()
		if cr := sb.Node.GetColumnRef(); cr != nil && len(cr.Fields) == 1 {
			name := strVal(cr.Fields[0])
			for _, t := range sel.TargetList {
				rt := t.GetResTarget()
				if rt.Name != name {
					continue
				}
				if v := rt.Val.GetColumnRef(); v == nil || len(v.Fields) != 1 || strVal(v.Fields[0]) != name {
					return nil
				}
			}
		}
		sorts = append(sorts, sb)
	}
	return sorts
}

// hasCall reports a window call (window) or an aggregate call (!window)
// outside subqueries.
func hasCall(n *pg_query.Node, window bool) bool {
	found := false
	walkNoSub(n, func(c *pg_query.Node) bool {
		if fc := c.GetFuncCall(); fc != nil && (fc.Over != nil) == window && (window || isAggregateCall(fc)) {
			found = true
		}
		return !found
	})
	return found
}

func (b *binder) bindLimit(sel *pg_query.SelectStmt, outer outerScope) (limit, offset expr.Expr, err error) {
	if sel.LimitOption == pg_query.LimitOption_LIMIT_OPTION_WITH_TIES {
		return nil, nil, pgerr.New(pgerr.FeatureNotSupported, "FETCH ... WITH TIES is not supported yet")
	}
	sc := b.noColsScope(outer)
	int8 := types.Of(types.Int8)
	if sel.LimitCount != nil && !isNullConst(sel.LimitCount) {
		if limit, err = expr.CompileAs(sel.LimitCount, sc, b.params, int8); err != nil {
			return nil, nil, err
		}
	}
	if sel.LimitOffset != nil {
		if offset, err = expr.CompileAs(sel.LimitOffset, sc, b.params, int8); err != nil {
			return nil, nil, err
		}
	}
	return limit, offset, nil
}

// isUntypedLiteral reports a string literal or NULL without a cast,
// whose type the context decides.
func isUntypedLiteral(n *pg_query.Node) bool {
	c := n.GetAConst()
	return c != nil && (c.Isnull || c.GetSval() != nil)
}

// untypedColumn reports whether output column i of q is an untyped
// literal.
func untypedColumn(q relQuery, i int) bool {
	switch x := q.(type) {
	case *selectPlan:
		return i < len(x.untyped) && x.untyped[i]
	case *valuesPlan:
		return i < len(x.untyped) && x.untyped[i]
	}
	return false
}

func isNullConst(n *pg_query.Node) bool {
	c := n.GetAConst()
	return c != nil && c.Isnull
}

// bindTargets compiles the select list, expanding * and t.* to columns.
func (p *selectPlan) bindTargets(b *binder, targets []*pg_query.Node, scope expr.Scope, rel *relScope) error {
	p.targetNodes = targets
	for _, n := range targets {
		rt := n.GetResTarget()
		if cr := rt.Val.GetColumnRef(); cr != nil && cr.Fields[len(cr.Fields)-1].GetAStar() != nil {
			if err := p.expandStar(cr, rel); err != nil {
				return err
			}
			p.targetCol = append(p.targetCol, -1)
			continue
		}
		node := rt.Val
		if p.agg != nil {
			node = p.agg.rewrite(node)
		}
		e, err := expr.Compile(node, scope, b.params)
		if err != nil {
			return err
		}
		col := Column{Name: rt.Name, Type: e.Type()}
		if col.Name == "" {
			col.Name = figureColname(rt.Val)
		}
		if cr := rt.Val.GetColumnRef(); cr != nil && p.agg == nil && rel != nil {
			if i, _, err := rel.Column(nameList(cr.Fields)); err == nil {
				col.TableOID, col.Attr = rel.cols[i].tableOID, rel.cols[i].attr
			}
		}
		p.targetCol = append(p.targetCol, len(p.cols))
		for len(p.untyped) < len(p.cols) {
			p.untyped = append(p.untyped, false)
		}
		p.untyped = append(p.untyped, isUntypedLiteral(rt.Val))
		p.cols = append(p.cols, col)
		p.projs = append(p.projs, e)
	}
	return nil
}

func (p *selectPlan) expandStar(cr *pg_query.ColumnRef, rel *relScope) error {
	if p.noFrom {
		return pgerr.New(pgerr.SyntaxError, "SELECT * with no tables specified is not valid")
	}
	idxs := rel.star
	if len(cr.Fields) > 1 {
		qual := strVal(cr.Fields[len(cr.Fields)-2])
		idxs = nil
		seen := false
		for i, c := range rel.cols {
			if c.qual == qual {
				seen = true
				if !c.hidden {
					idxs = append(idxs, i)
				}
			}
		}
		if !seen {
			return pgerr.New(pgerr.UndefinedTable, "missing FROM-clause entry for table %q", qual)
		}
	}
	for _, i := range idxs {
		c := rel.cols[i]
		var e expr.Expr = columnExpr{i, c.t}
		if p.agg != nil {
			names := []string{c.name}
			if c.qual != "" {
				names = []string{c.qual, c.name}
			}
			g, t, err := p.agg.Column(names)
			if err != nil {
				return err
			}
			e = columnExpr{g, t}
		}
		p.cols = append(p.cols, Column{Name: c.name, Type: c.t, TableOID: c.tableOID, Attr: c.attr})
		p.projs = append(p.projs, e)
	}
	return nil
}

// outputRef finds the output column an ORDER BY / DISTINCT ON item names:
// an ordinal, an output column name, or an expression of the select
// list; -1 when it is none of these.
func (p *selectPlan) outputRef(n *pg_query.Node, targets []*pg_query.Node, what string) (int, error) {
	if c := n.GetAConst(); c != nil && c.GetIval() != nil {
		i := int(c.GetIval().Ival)
		if i < 1 || i > len(p.cols) {
			return 0, pgerr.New(pgerr.InvalidColumnReference, "%s position %d is not in select list", what, i)
		}
		return i - 1, nil
	}
	if cr := n.GetColumnRef(); cr != nil && len(cr.Fields) == 1 && cr.Fields[0].GetString_() != nil {
		name := strVal(cr.Fields[0])
		found := -1
		for i, c := range p.cols {
			if c.Name != name {
				continue
			}
			if found >= 0 && !sameColumn(p.projs[found], p.projs[i]) {
				return 0, pgerr.New(pgerr.AmbiguousColumn, "%s %q is ambiguous", what, name)
			}
			if found < 0 {
				found = i
			}
		}
		if found >= 0 {
			return found, nil
		}
	}
	for i, t := range targets {
		if p.targetCol[i] >= 0 && nodeEqual(n, t.GetResTarget().Val) {
			return p.targetCol[i], nil
		}
	}
	return -1, nil
}

func sameColumn(a, b expr.Expr) bool {
	ca, ok1 := a.(columnExpr)
	cb, ok2 := b.(columnExpr)
	return ok1 && ok2 && ca.i == cb.i
}

// extraKey compiles an ORDER BY / DISTINCT ON expression outside the
// select list, reusing an equal one.
func (p *selectPlan) extraKey(b *binder, n *pg_query.Node, scope expr.Scope) (int, types.OID, error) {
	for i, en := range p.extraNodes {
		if nodeEqual(en, n) {
			return len(p.projs) + i, p.extras[i].Type().OID, nil
		}
	}
	node := n
	if p.agg != nil {
		node = p.agg.rewrite(node)
	}
	e, err := expr.Compile(node, scope, b.params)
	if err != nil {
		return 0, 0, err
	}
	p.extras = append(p.extras, e)
	p.extraNodes = append(p.extraNodes, n)
	return len(p.projs) + len(p.extras) - 1, e.Type().OID, nil
}

func (p *selectPlan) bindOrder(b *binder, sorts []*pg_query.Node, scope expr.Scope) error {
	for _, n := range sorts {
		sb := n.GetSortBy()
		if err := checkSortBy(sb); err != nil {
			return err
		}
		k := sortKeyOf(sb)
		col, err := p.outputRef(sb.Node, p.targetNodes, "ORDER BY")
		if err != nil {
			return err
		}
		if col >= 0 {
			k.col, k.oid = col, p.projs[col].Type().OID
		} else {
			if p.distinct {
				return pgerr.New(pgerr.InvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
			}
			if k.col, k.oid, err = p.extraKey(b, sb.Node, scope); err != nil {
				return err
			}
		}
		p.sortKeys = append(p.sortKeys, k)
	}
	return nil
}

func (p *selectPlan) bindDistinctOn(b *binder, on []*pg_query.Node, scope expr.Scope) error {
	for _, n := range on {
		col, err := p.outputRef(n, p.targetNodes, "SELECT DISTINCT ON")
		if err != nil {
			return err
		}
		k := sortKey{col: col}
		if col >= 0 {
			k.oid = p.projs[col].Type().OID
		} else if k.col, k.oid, err = p.extraKey(b, n, scope); err != nil {
			return err
		}
		p.distinctOn = append(p.distinctOn, k)
	}
	return nil
}

// checkDistinctOn enforces PostgreSQL's rule that DISTINCT ON expressions
// lead the ORDER BY.
func (p *selectPlan) checkDistinctOn() error {
	if len(p.distinctOn) == 0 {
		return nil
	}
	n := len(p.distinctOn)
	if len(p.sortKeys) < n {
		n = len(p.sortKeys)
	}
	for _, k := range p.sortKeys[:n] {
		ok := false
		for _, d := range p.distinctOn {
			ok = ok || d.col == k.col
		}
		if !ok {
			return pgerr.New(pgerr.InvalidColumnReference, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions")
		}
	}
	return nil
}

package sql

import (
	"context"
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// selectPlan reads at most one table: scan -> filter -> aggregate ->
// having -> project -> distinct -> sort -> offset/limit.
type selectPlan struct {
	from   *tableRef // nil: a single empty input row
	access *access
	filter expr.Expr

	agg    *aggScope // nil without aggregates or GROUP BY
	having expr.Expr

	cols     []Column
	projs    []expr.Expr
	sortKeys []sortKey // evaluated after projs, appended to the row
	ordered  bool      // the scan order already satisfies ORDER BY
	distinct bool

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

// sortKey is one ORDER BY item: an output column or an extra expression.
type sortKey struct {
	output     int // index into the projected row, or -1
	e          expr.Expr
	desc       bool
	nullsFirst bool
	oid        types.OID
}

func (s *Session) bindSelect(sel *pg_query.SelectStmt, params *expr.Params) (plan, error) {
	if sel.Op != pg_query.SetOperation_SETOP_NONE {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "UNION, INTERSECT and EXCEPT are not supported yet")
	}
	if len(sel.ValuesLists) > 0 {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "VALUES lists are not supported yet")
	}
	if sel.WithClause != nil || sel.IntoClause != nil || len(sel.WindowClause) > 0 || len(sel.LockingClause) > 0 {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "WITH, INTO, WINDOW and FOR UPDATE are not supported yet")
	}
	if len(sel.FromClause) > 1 {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "joins are not supported yet")
	}
	p := &selectPlan{}
	var input expr.Scope = noScope{}
	var tsc tableScope
	if len(sel.FromClause) == 1 {
		rv := sel.FromClause[0].GetRangeVar()
		if rv == nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "only plain table references are supported in FROM yet")
		}
		ref, err := s.resolveTable(rv)
		if err != nil {
			return nil, err
		}
		layout, err := newRowLayout(ref.t)
		if err != nil {
			return nil, err
		}
		p.from, tsc = ref, tableScope{ref: ref}
		input = tsc
		if sel.WhereClause != nil {
			if p.filter, err = expr.CompileBool(sel.WhereClause, input, params, "WHERE"); err != nil {
				return nil, err
			}
		}
		var sorts []*pg_query.SortBy
		for _, n := range sel.SortClause {
			sorts = append(sorts, n.GetSortBy())
		}
		p.access, p.ordered = planAccess(tsc, layout, sel.WhereClause, sorts, params)
	} else if sel.WhereClause != nil {
		f, err := expr.CompileBool(sel.WhereClause, input, params, "WHERE")
		if err != nil {
			return nil, err
		}
		p.filter = f
	}

	// Aggregation: any aggregate call or a GROUP BY turns the row source
	// into one row per group.
	out := input
	if len(sel.GroupClause) > 0 || usesAggregate(sel) {
		agg, err := newAggScope(input, sel.GroupClause, sel.TargetList, params)
		if err != nil {
			return nil, err
		}
		p.agg, out = agg, agg
		if sel.HavingClause != nil {
			if p.having, err = expr.CompileBool(sel.HavingClause, agg, params, "HAVING"); err != nil {
				return nil, err
			}
		}
	} else if sel.HavingClause != nil {
		return nil, pgerr.New(pgerr.GroupingError, "HAVING requires GROUP BY or an aggregate")
	}

	if err := p.bindTargets(sel.TargetList, out, tsc, params); err != nil {
		return nil, err
	}
	if err := p.bindOrder(sel.SortClause, sel.TargetList, out, params); err != nil {
		return nil, err
	}
	if len(sel.DistinctClause) > 0 {
		if sel.DistinctClause[0] != nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "DISTINCT ON is not supported yet")
		}
		p.distinct = true
	}
	var err error
	if sel.LimitCount != nil && !isNullConst(sel.LimitCount) {
		if p.limit, err = expr.CompileAs(sel.LimitCount, noScope{}, params, types.Of(types.Int8)); err != nil {
			return nil, err
		}
	}
	if sel.LimitOffset != nil {
		if p.offset, err = expr.CompileAs(sel.LimitOffset, noScope{}, params, types.Of(types.Int8)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// groupedTarget returns the group key that select-list item i stands for.
func (p *selectPlan) groupedTarget(i int) (expr.Expr, bool) {
	if p.agg == nil {
		return nil, false
	}
	g, ok := p.agg.byTarget[i]
	if !ok {
		return nil, false
	}
	return columnExpr{g, p.agg.groups[g].Type()}, true
}

func isNullConst(n *pg_query.Node) bool {
	c := n.GetAConst()
	return c != nil && c.Isnull
}

// bindTargets compiles the select list, expanding * to the table's
// visible columns.
func (p *selectPlan) bindTargets(targets []*pg_query.Node, scope expr.Scope, tsc tableScope, params *expr.Params) error {
	for _, n := range targets {
		rt := n.GetResTarget()
		if cr := rt.Val.GetColumnRef(); cr != nil && cr.Fields[len(cr.Fields)-1].GetAStar() != nil {
			if p.from == nil {
				return pgerr.New(pgerr.SyntaxError, "SELECT * with no tables specified is not valid")
			}
			if p.agg != nil {
				return pgerr.New(pgerr.GroupingError, "SELECT * is not allowed with GROUP BY or aggregates yet")
			}
			for i := range p.from.t.Columns {
				p.cols = append(p.cols, tableColumn(p.from.t, i))
				p.projs = append(p.projs, columnExpr{i, p.from.t.Columns[i].Type})
			}
			continue
		}
		var e expr.Expr
		if g, ok := p.groupedTarget(len(p.projs)); ok {
			e = g // GROUP BY <ordinal>: the target is the group key itself
		} else {
			var err error
			if e, err = expr.Compile(rt.Val, scope, params); err != nil {
				return err
			}
		}
		col := Column{Name: rt.Name, Type: e.Type()}
		if col.Name == "" {
			col.Name = figureColname(rt.Val)
		}
		if p.from != nil && p.agg == nil {
			if i, ok := columnOf(tsc, rt.Val); ok {
				col.TableOID, col.Attr = p.from.t.ID, int16(i+1)
			}
		}
		p.cols = append(p.cols, col)
		p.projs = append(p.projs, e)
	}
	return nil
}

// bindOrder compiles ORDER BY: ordinals and bare output names refer to
// the select list, anything else is an expression over the input.
func (p *selectPlan) bindOrder(sorts, targets []*pg_query.Node, scope expr.Scope, params *expr.Params) error {
	for _, n := range sorts {
		sb := n.GetSortBy()
		if sb.UseOp != nil {
			return pgerr.New(pgerr.FeatureNotSupported, "ORDER BY ... USING is not supported")
		}
		k := sortKey{output: -1, desc: sb.SortbyDir == pg_query.SortByDir_SORTBY_DESC}
		k.nullsFirst = k.desc
		switch sb.SortbyNulls {
		case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
			k.nullsFirst = true
		case pg_query.SortByNulls_SORTBY_NULLS_LAST:
			k.nullsFirst = false
		}
		if c := sb.Node.GetAConst(); c != nil && c.GetIval() != nil {
			i := int(c.GetIval().Ival)
			if i < 1 || i > len(p.cols) {
				return pgerr.New(pgerr.InvalidColumnReference, "ORDER BY position %d is not in select list", i)
			}
			k.output = i - 1
		} else if cr := sb.Node.GetColumnRef(); cr != nil && len(cr.Fields) == 1 {
			name := strVal(cr.Fields[0])
			for i, t := range targets {
				if rt := t.GetResTarget(); rt.Name == name {
					k.output = i
					break
				}
			}
		}
		if k.output >= 0 {
			k.oid = p.cols[k.output].Type.OID
		} else {
			e, err := expr.Compile(sb.Node, scope, params)
			if err != nil {
				return err
			}
			k.e, k.oid = e, e.Type().OID
		}
		p.sortKeys = append(p.sortKeys, k)
	}
	return nil
}

func (p *selectPlan) exec(ctx context.Context, x *execCtx) (*Result, error) {
	limit, offset, err := p.bounds(x)
	if err != nil {
		return nil, err
	}
	// With the scan already in ORDER BY order and nothing that needs all
	// rows first, the scan stops once offset+limit rows passed the filter.
	stopAt := int64(-1)
	if limit >= 0 && p.agg == nil && !p.distinct && (len(p.sortKeys) == 0 || p.ordered) {
		stopAt = offset + limit
	}
	var rows [][]any
	var groups *aggRun
	if p.agg != nil {
		groups = p.agg.start()
	}
	emit := func(in []any) (bool, error) {
		if p.filter != nil {
			ok, err := p.filter.Eval(x.env, in)
			if err != nil || ok != true {
				return err == nil, err
			}
		}
		if groups != nil {
			return true, groups.add(x.env, in)
		}
		out, err := p.project(x.env, in)
		if err != nil {
			return false, err
		}
		rows = append(rows, out)
		return stopAt < 0 || int64(len(rows)) < stopAt, nil
	}
	if p.from == nil {
		if _, err := emit(nil); err != nil {
			return nil, err
		}
	} else {
		part, err := x.s.partition(p.from)
		if err != nil {
			return nil, err
		}
		if stopAt != 0 {
			if err := p.access.scan(x, part, emit); err != nil {
				return nil, err
			}
		}
	}
	if groups != nil {
		if rows, err = p.finishGroups(x, groups); err != nil {
			return nil, err
		}
	}
	if p.distinct {
		rows = distinctRows(rows, len(p.cols), p.cols)
	}
	if len(p.sortKeys) > 0 && !p.ordered {
		if err := sortRows(x.ctx, rows, p.sortKeys, len(p.cols)); err != nil {
			return nil, err
		}
	}
	rows = window(rows, offset, limit)
	for i, r := range rows {
		rows[i] = r[:len(p.cols)]
	}
	return &Result{Columns: p.cols, Rows: rows, Tag: "SELECT " + strconv.Itoa(len(rows))}, nil
}

// project evaluates the select list and the extra sort keys of one row.
func (p *selectPlan) project(env *expr.Env, in []any) ([]any, error) {
	out := make([]any, len(p.projs), len(p.projs)+len(p.sortKeys))
	for i, e := range p.projs {
		v, err := e.Eval(env, in)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	for _, k := range p.sortKeys {
		var v any
		if k.e != nil {
			var err error
			if v, err = k.e.Eval(env, in); err != nil {
				return nil, err
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// finishGroups turns the aggregate groups into projected rows.
func (p *selectPlan) finishGroups(x *execCtx, groups *aggRun) ([][]any, error) {
	var rows [][]any
	for _, g := range groups.results() {
		if p.having != nil {
			ok, err := p.having.Eval(x.env, g)
			if err != nil {
				return nil, err
			}
			if ok != true {
				continue
			}
		}
		out, err := p.project(x.env, g)
		if err != nil {
			return nil, err
		}
		rows = append(rows, out)
	}
	return rows, nil
}

// bounds evaluates LIMIT (-1 when absent) and OFFSET.
func (p *selectPlan) bounds(x *execCtx) (limit, offset int64, err error) {
	limit = -1
	if p.limit != nil {
		v, err := p.limit.Eval(x.env, nil)
		if err != nil {
			return 0, 0, err
		}
		if v != nil {
			if limit = v.(int64); limit < 0 {
				return 0, 0, pgerr.New(pgerr.InvalidParameterValue, "LIMIT must not be negative")
			}
		}
	}
	if p.offset != nil {
		v, err := p.offset.Eval(x.env, nil)
		if err != nil {
			return 0, 0, err
		}
		if v != nil {
			if offset = v.(int64); offset < 0 {
				return 0, 0, pgerr.New(pgerr.InvalidParameterValue, "OFFSET must not be negative")
			}
		}
	}
	return limit, offset, nil
}

func window(rows [][]any, offset, limit int64) [][]any {
	if offset >= int64(len(rows)) {
		return nil
	}
	rows = rows[offset:]
	if limit >= 0 && limit < int64(len(rows)) {
		rows = rows[:limit]
	}
	return rows
}

// columnExpr reads one column of the input row.
type columnExpr struct {
	i int
	t types.Type
}

func (c columnExpr) Type() types.Type                         { return c.t }
func (c columnExpr) Eval(_ *expr.Env, row []any) (any, error) { return row[c.i], nil }

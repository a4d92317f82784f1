package sql

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// aggScope is the scope after grouping: rows are the group keys followed
// by the aggregate values. Column references must name a grouped column
// (or an enclosing query's column).
type aggScope struct {
	input      *relScope
	groups     []expr.Expr
	groupNodes []*pg_query.Node // GROUP BY expressions, ordinals resolved
	groupCol   []int            // input column of each group key, -1 for expressions
	calls      []*aggCall
	params     *expr.Params
}

func isAggregateCall(fc *pg_query.FuncCall) bool {
	name := strings.ToLower(strVal(fc.Funcname[len(fc.Funcname)-1]))
	return expr.IsAggregate(name)
}

func newAggScope(input *relScope, groupBy, targets []*pg_query.Node, params *expr.Params) (*aggScope, error) {
	a := &aggScope{input: input, params: params}
	for _, g := range groupBy {
		n := g
		if c := g.GetAConst(); c != nil && c.GetIval() != nil {
			i := int(c.GetIval().Ival)
			if i < 1 || i > len(targets) {
				return nil, pgerr.New(pgerr.InvalidColumnReference, "GROUP BY position %d is not in select list", i)
			}
			n = targets[i-1].GetResTarget().Val
		} else if cr := g.GetColumnRef(); cr != nil && len(cr.Fields) == 1 {
			// A bare name that is no input column names an output column.
			name := strVal(cr.Fields[0])
			if _, _, err := input.Column([]string{name}); isNotFound(err) {
				for _, t := range targets {
					if rt := t.GetResTarget(); rt.Name == name {
						n = rt.Val
						break
					}
				}
			}
		}
		if n.GetGroupingSet() != nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "GROUPING SETS, ROLLUP and CUBE are not supported yet")
		}
		e, err := expr.Compile(n, input, params)
		if err != nil {
			return nil, err
		}
		col := -1
		if cr := n.GetColumnRef(); cr != nil {
			if i, _, err := input.Column(nameList(cr.Fields)); err == nil {
				col = i
			}
		}
		a.groups = append(a.groups, e)
		a.groupNodes = append(a.groupNodes, n)
		a.groupCol = append(a.groupCol, col)
	}
	return a, nil
}

// rewrite replaces GROUP BY expressions inside n by group references.
func (a *aggScope) rewrite(n *pg_query.Node) *pg_query.Node { return rewriteGroups(n, a.groupNodes) }

func (a *aggScope) width() int { return len(a.groups) + len(a.calls) }

func (a *aggScope) Column(names []string) (int, types.Type, error) {
	if g, ok := groupRefIndex(names); ok && g < len(a.groups) {
		return g, a.groups[g].Type(), nil
	}
	i, t, err := a.input.Column(names)
	if err != nil {
		return 0, types.Type{}, err
	}
	for g, c := range a.groupCol {
		if c == i {
			return g, t, nil
		}
	}
	return 0, types.Type{}, pgerr.New(pgerr.GroupingError, "column %q must appear in the GROUP BY clause or be used in an aggregate function", strings.Join(names, "."))
}

func (a *aggScope) lookup(names []string) (int, int, types.Type, error) {
	i, t, err := a.Column(names)
	if err == nil || !isNotFound(err) || a.input.outer == nil {
		return 0, i, t, err
	}
	level, idx, ot, oerr := a.input.outer.lookup(names)
	if oerr != nil {
		return 0, 0, types.Type{}, err
	}
	a.input.b.outerRefs++
	return level + 1, idx, ot, nil
}

func (a *aggScope) ColumnExpr(names []string) (expr.Expr, error) { return levelExpr(a.lookup(names)) }

func (a *aggScope) Subquery(sel *pg_query.Node) (expr.Subquery, error) {
	return a.input.b.subquery(sel, a)
}

func (a *aggScope) Aggregate(fc *pg_query.FuncCall) (int, types.Type, bool, error) {
	if !isAggregateCall(fc) || fc.Over != nil {
		return 0, types.Type{}, false, nil
	}
	call, err := newAggCall(fc, a.input, a.params)
	if err != nil {
		return 0, types.Type{}, false, err
	}
	a.calls = append(a.calls, call)
	return len(a.groups) + len(a.calls) - 1, call.typ, true, nil
}

// aggCall is one aggregate function call.
type aggCall struct {
	name     string
	star     bool
	distinct bool
	args     []expr.Expr
	filter   expr.Expr
	order    []sortKey // ORDER BY inside the call, over the collected keys
	orderBy  []expr.Expr
	typ      types.Type
	// collects: the aggregate keeps every input (array_agg, jsonb_agg,
	// ordered string_agg) and folds them at the end.
	collects bool
	// keepsNulls: NULL inputs count (array_agg, jsonb_agg).
	keepsNulls bool
}

func newAggCall(fc *pg_query.FuncCall, input expr.Scope, params *expr.Params) (*aggCall, error) {
	c := &aggCall{name: strings.ToLower(strVal(fc.Funcname[len(fc.Funcname)-1])), star: fc.AggStar, distinct: fc.AggDistinct}
	if fc.AggWithinGroup {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "WITHIN GROUP is not supported yet")
	}
	for _, n := range fc.Args {
		if e, ok, err := wholeRow(n, input); ok || err != nil {
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, e)
			continue
		}
		e, err := expr.Compile(n, input, params)
		if err != nil {
			return nil, err
		}
		c.args = append(c.args, e)
	}
	if fc.AggFilter != nil {
		f, err := expr.CompileBool(fc.AggFilter, input, params, "FILTER")
		if err != nil {
			return nil, err
		}
		c.filter = f
	}
	for i, n := range fc.AggOrder {
		sb := n.GetSortBy()
		e, err := expr.Compile(sb.Node, input, params)
		if err != nil {
			return nil, err
		}
		k := sortKeyOf(sb)
		k.col, k.oid = i, e.Type().OID
		c.order = append(c.order, k)
		c.orderBy = append(c.orderBy, e)
	}
	want := 1
	switch c.name {
	case "count":
		c.typ = types.Of(types.Int8)
		if c.star {
			want = 0
		}
	case "sum":
		c.typ = sumType(c.argType())
	case "avg":
		c.typ = types.Of(types.Numeric)
		if o := c.argType(); o == types.Float4 || o == types.Float8 {
			c.typ = types.Of(types.Float8)
		}
	case "min", "max":
		if len(c.args) == 1 {
			c.typ = c.args[0].Type()
		}
	case "bool_and", "bool_or", "every":
		c.typ = types.Of(types.Bool)
	case "string_agg":
		c.typ, want = types.Of(types.Text), 2
		c.collects = len(c.order) > 0
	case "array_agg":
		arr := types.ArrayOf(c.argType())
		if arr == 0 {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "array_agg of this type is not supported yet")
		}
		c.typ, c.collects, c.keepsNulls = types.Of(arr), true, true
	case "jsonb_agg":
		c.typ, c.collects, c.keepsNulls = types.Of(types.JSONB), true, true
	case "json_agg":
		c.typ, c.collects, c.keepsNulls = types.Of(types.JSON), true, true
	case "jsonb_object_agg":
		c.typ, c.collects, c.keepsNulls, want = types.Of(types.JSONB), true, true, 2
	case "json_object_agg":
		c.typ, c.collects, c.keepsNulls, want = types.Of(types.JSON), true, true, 2
	default:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "aggregate %s is not supported yet", c.name)
	}
	if len(c.args) != want {
		return nil, pgerr.New(pgerr.UndefinedFunction, "function %s with %d arguments does not exist", c.name, len(c.args))
	}
	if c.name == "count" || c.name == "sum" || c.name == "avg" || c.name == "min" || c.name == "max" {
		if c.name != "count" && c.typ.OID == 0 {
			return nil, pgerr.New(pgerr.UndefinedFunction, "function %s does not exist", c.name)
		}
	}
	return c, nil
}

// wholeRow compiles t.* as an aggregate argument (count(t.*)): NULL when
// an outer join NULL-extended t, non-NULL otherwise.
func wholeRow(n *pg_query.Node, input expr.Scope) (expr.Expr, bool, error) {
	cr := n.GetColumnRef()
	rs, ok := input.(*relScope)
	if cr == nil || !ok || len(cr.Fields) != 2 || cr.Fields[1].GetAStar() == nil {
		return nil, false, nil
	}
	qual := strVal(cr.Fields[0])
	var cols []int
	for i, c := range rs.cols {
		if c.qual == qual {
			cols = append(cols, i)
		}
	}
	if len(cols) == 0 {
		return nil, true, pgerr.New(pgerr.UndefinedTable, "missing FROM-clause entry for table %q", qual)
	}
	return wholeRowExpr(cols), true, nil
}

type wholeRowExpr []int

func (w wholeRowExpr) Type() types.Type { return types.Of(types.Record) }
func (w wholeRowExpr) Eval(_ *expr.Env, row []any) (any, error) {
	for _, i := range w {
		if row[i] != nil {
			return true, nil
		}
	}
	return nil, nil
}

func (c *aggCall) argType() types.OID {
	if len(c.args) == 0 {
		return 0
	}
	return c.args[0].Type().OID
}

func sumType(arg types.OID) types.Type {
	switch arg {
	case types.Int2, types.Int4:
		return types.Of(types.Int8)
	case types.Float4, types.Float8:
		return types.Of(types.Float8)
	case types.IntervalOID:
		return types.Of(types.IntervalOID)
	case types.Int8, types.Numeric:
		return types.Of(types.Numeric)
	}
	return types.Type{}
}

// aggRun accumulates the groups of one execution.
type aggRun struct {
	a      *aggScope
	groups map[string]*aggGroup
	order  []*aggGroup
	key    []byte
	mem    memTracker
}

type aggGroup struct {
	keys   []any
	states []*aggState
}

func (a *aggScope) start(r *qrun) *aggRun {
	return &aggRun{a: a, groups: map[string]*aggGroup{}, mem: memTracker{r: r}}
}

func (r *aggRun) add(env *expr.Env, in []any) error {
	keys := make([]any, len(r.a.groups))
	r.key = r.key[:0]
	for i, g := range r.a.groups {
		v, err := g.Eval(env, in)
		if err != nil {
			return err
		}
		keys[i] = v
		r.key = appendGroupKey(r.key, g.Type().OID, v)
	}
	grp, ok := r.groups[string(r.key)]
	if !ok {
		if err := r.mem.add(keys); err != nil {
			return err
		}
		grp = r.newGroup(keys)
		r.groups[string(r.key)] = grp
	}
	for i, c := range r.a.calls {
		if err := grp.states[i].add(env, c, in, &r.mem); err != nil {
			return err
		}
	}
	return nil
}

func (r *aggRun) newGroup(keys []any) *aggGroup {
	g := &aggGroup{keys: keys, states: make([]*aggState, len(r.a.calls))}
	for i := range g.states {
		g.states[i] = &aggState{}
	}
	r.order = append(r.order, g)
	return g
}

// results returns one row per group; without GROUP BY there is always
// exactly one row, even over no input.
func (r *aggRun) results(env *expr.Env) ([][]any, error) {
	if len(r.a.groups) == 0 && len(r.order) == 0 {
		r.newGroup(nil)
	}
	out := make([][]any, 0, len(r.order))
	for _, g := range r.order {
		row := append([]any(nil), g.keys...)
		for i, c := range r.a.calls {
			v, err := g.states[i].result(env, c)
			if err != nil {
				return nil, err
			}
			row = append(row, v)
		}
		out = append(out, row)
	}
	return out, nil
}

func appendGroupKey(buf []byte, oid types.OID, v any) []byte {
	if v == nil {
		return append(buf, 0)
	}
	buf = append(buf, 1)
	buf = types.AppendText(buf, oid, v, nil)
	return append(buf, 0xff, 0)
}

package sql

import (
	"strings"

	"github.com/cockroachdb/apd/v3"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// aggScope is the scope after grouping: rows are the group keys followed
// by the aggregate values. Column references must name a grouped column.
type aggScope struct {
	input    expr.Scope
	groups   []expr.Expr
	groupCol []int       // input column of each group key, -1 for expressions
	byTarget map[int]int // select-list position -> group key (GROUP BY 1)
	calls    []*aggCall
	params   *expr.Params
}

// usesAggregate reports whether the select list, HAVING or ORDER BY calls
// an aggregate function.
func usesAggregate(sel *pg_query.SelectStmt) bool {
	found := false
	check := func(n *pg_query.Node) {
		walk(n, func(c *pg_query.Node) {
			if fc := c.GetFuncCall(); fc != nil && fc.Over == nil && isAggregateCall(fc) {
				found = true
			}
		})
	}
	for _, t := range sel.TargetList {
		check(t)
	}
	check(sel.HavingClause)
	for _, s := range sel.SortClause {
		check(s)
	}
	return found
}

func isAggregateCall(fc *pg_query.FuncCall) bool {
	name := strings.ToLower(strVal(fc.Funcname[len(fc.Funcname)-1]))
	return expr.IsAggregate(name)
}

func newAggScope(input expr.Scope, groupBy, targets []*pg_query.Node, params *expr.Params) (*aggScope, error) {
	a := &aggScope{input: input, byTarget: map[int]int{}, params: params}
	for _, g := range groupBy {
		n := g
		target := -1
		if c := g.GetAConst(); c != nil && c.GetIval() != nil {
			i := int(c.GetIval().Ival)
			if i < 1 || i > len(targets) {
				return nil, pgerr.New(pgerr.InvalidColumnReference, "GROUP BY position %d is not in select list", i)
			}
			target = i - 1
			n = targets[target].GetResTarget().Val
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
		if target >= 0 {
			a.byTarget[target] = len(a.groups)
		}
		a.groups = append(a.groups, e)
		a.groupCol = append(a.groupCol, col)
	}
	return a, nil
}

func (a *aggScope) Column(names []string) (int, types.Type, error) {
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
	typ      types.Type
}

func newAggCall(fc *pg_query.FuncCall, input expr.Scope, params *expr.Params) (*aggCall, error) {
	c := &aggCall{name: strings.ToLower(strVal(fc.Funcname[len(fc.Funcname)-1])), star: fc.AggStar, distinct: fc.AggDistinct}
	if len(fc.AggOrder) > 0 || fc.AggWithinGroup {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "ORDER BY inside an aggregate is not supported yet")
	}
	for _, n := range fc.Args {
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
	case "bool_and", "bool_or":
		c.typ = types.Of(types.Bool)
	case "string_agg":
		c.typ, want = types.Of(types.Text), 2
	default:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "aggregate %s is not supported yet", c.name)
	}
	if len(c.args) != want {
		return nil, pgerr.New(pgerr.UndefinedFunction, "function %s with %d arguments does not exist", c.name, len(c.args))
	}
	return c, nil
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
	}
	return types.Of(types.Numeric)
}

// aggRun accumulates the groups of one execution.
type aggRun struct {
	a      *aggScope
	groups map[string]*aggGroup
	order  []*aggGroup
	key    []byte
}

type aggGroup struct {
	keys   []any
	states []*aggState
}

func (a *aggScope) start() *aggRun { return &aggRun{a: a, groups: map[string]*aggGroup{}} }

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
		grp = r.newGroup(keys)
		r.groups[string(r.key)] = grp
	}
	for i, c := range r.a.calls {
		if err := grp.states[i].add(env, c, in); err != nil {
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
func (r *aggRun) results() []([]any) {
	if len(r.a.groups) == 0 && len(r.order) == 0 {
		r.newGroup(nil)
	}
	out := make([][]any, 0, len(r.order))
	for _, g := range r.order {
		row := append([]any(nil), g.keys...)
		for i, c := range r.a.calls {
			row = append(row, g.states[i].result(c))
		}
		out = append(out, row)
	}
	return out
}

func appendGroupKey(buf []byte, oid types.OID, v any) []byte {
	if v == nil {
		return append(buf, 0)
	}
	buf = append(buf, 1)
	buf = types.AppendText(buf, oid, v, nil)
	return append(buf, 0xff, 0)
}

// aggState is one aggregate's running value in one group.
type aggState struct {
	count int64
	val   any
	dec   *apd.Decimal
	float float64
	sb    strings.Builder
	seen  map[string]bool // for DISTINCT
}

var decimalCtx = apd.BaseContext.WithPrecision(40)

func (st *aggState) add(env *expr.Env, c *aggCall, in []any) error {
	if c.filter != nil {
		ok, err := c.filter.Eval(env, in)
		if err != nil || ok != true {
			return err
		}
	}
	if c.star {
		st.count++
		return nil
	}
	v, err := c.args[0].Eval(env, in)
	if err != nil || v == nil {
		return err
	}
	if c.distinct {
		key := string(appendGroupKey(nil, c.args[0].Type().OID, v))
		if st.seen == nil {
			st.seen = map[string]bool{}
		}
		if st.seen[key] {
			return nil
		}
		st.seen[key] = true
	}
	st.count++
	switch c.name {
	case "sum", "avg":
		switch x := v.(type) {
		case int64:
			if st.dec == nil {
				st.dec = new(apd.Decimal)
			}
			_, err = decimalCtx.Add(st.dec, st.dec, apd.New(x, 0))
		case *apd.Decimal:
			if st.dec == nil {
				st.dec = new(apd.Decimal)
			}
			_, err = decimalCtx.Add(st.dec, st.dec, x)
		case float64:
			st.float += x
		case types.Interval:
			cur, _ := st.val.(types.Interval)
			st.val = types.Interval{Months: cur.Months + x.Months, Days: cur.Days + x.Days, Micros: cur.Micros + x.Micros}
		}
		return err
	case "min", "max":
		if st.val == nil {
			st.val = v
			return nil
		}
		cmp := types.Compare(c.typ.OID, v, st.val)
		if (c.name == "min" && cmp < 0) || (c.name == "max" && cmp > 0) {
			st.val = v
		}
	case "bool_and":
		if st.val == nil {
			st.val = true
		}
		st.val = st.val.(bool) && v.(bool)
	case "bool_or":
		if st.val == nil {
			st.val = false
		}
		st.val = st.val.(bool) || v.(bool)
	case "string_agg":
		sep, err := c.args[1].Eval(env, in)
		if err != nil {
			return err
		}
		if st.count > 1 && sep != nil {
			st.sb.WriteString(sep.(string))
		}
		st.sb.WriteString(v.(string))
	}
	return nil
}

func (st *aggState) result(c *aggCall) any {
	switch c.name {
	case "count":
		return st.count
	case "string_agg":
		if st.count == 0 {
			return nil
		}
		return st.sb.String()
	case "sum", "avg":
		if st.count == 0 {
			return nil
		}
		switch c.typ.OID {
		case types.Float8:
			if c.name == "avg" {
				return st.float / float64(st.count)
			}
			return st.float
		case types.Int8:
			i, err := st.dec.Int64()
			if err != nil {
				return nil
			}
			return i
		case types.IntervalOID:
			return st.val
		}
		if c.name == "avg" {
			q := new(apd.Decimal)
			_, _ = decimalCtx.Quo(q, st.dec, apd.New(st.count, 0))
			_, _ = decimalCtx.Quantize(q, q, -16)
			return q
		}
		return st.dec
	}
	return st.val
}

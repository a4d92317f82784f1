package sql

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// Frame option bits of a WindowDef, as in PostgreSQL's parsenodes.h.
const (
	frameRange             = 0x00002
	frameRows              = 0x00004
	frameGroups            = 0x00008
	frameStartUnboundedPre = 0x00020
	frameEndUnboundedFol   = 0x00100
	frameStartCurrentRow   = 0x00200
	frameEndCurrentRow     = 0x00400
	frameStartOffsetPre    = 0x00800
	frameEndOffsetPre      = 0x01000
	frameStartOffsetFol    = 0x02000
	frameEndOffsetFol      = 0x04000
	frameExclusion         = 0x08000 | 0x10000 | 0x20000
	frameDefault           = frameRange | frameStartUnboundedPre | frameEndCurrentRow
)

// winScope computes window functions over the rows after grouping; their
// values follow the input row's columns.
type winScope struct {
	b     *binder
	inner outerScope
	agg   *aggScope
	named map[string]*pg_query.WindowDef
	calls []*winCall
}

type winCall struct {
	name      string
	args      []expr.Expr
	agg       *aggCall // sum, count, ... OVER
	partition []expr.Expr
	order     []expr.Expr
	orderKeys []sortKey
	options   int32
	start     expr.Expr // frame offsets
	end       expr.Expr
	typ       types.Type
}

func newWinScope(b *binder, inner outerScope, agg *aggScope, defs []*pg_query.Node) *winScope {
	w := &winScope{b: b, inner: inner, agg: agg, named: map[string]*pg_query.WindowDef{}}
	for _, d := range defs {
		wd := d.GetWindowDef()
		w.named[wd.Name] = wd
	}
	return w
}

func (w *winScope) Column(names []string) (int, types.Type, error) { return w.inner.Column(names) }
func (w *winScope) lookup(names []string) (int, int, types.Type, error) {
	return w.inner.lookup(names)
}
func (w *winScope) ColumnExpr(names []string) (expr.Expr, error) {
	if cs, ok := w.inner.(expr.ColumnScope); ok {
		return cs.ColumnExpr(names)
	}
	return levelExpr(w.lookup(names))
}
func (w *winScope) Aggregate(fc *pg_query.FuncCall) (int, types.Type, bool, error) {
	return w.inner.Aggregate(fc)
}
func (w *winScope) Subquery(sel *pg_query.Node) (expr.Subquery, error) { return w.b.subquery(sel, w) }

// width is the width of the rows the window values follow.
func (w *winScope) width() int {
	if w.agg != nil {
		return w.agg.width()
	}
	if rs, ok := w.inner.(*relScope); ok {
		return len(rs.cols)
	}
	return 0
}

func (w *winScope) rewrite(n *pg_query.Node) *pg_query.Node {
	if w.agg != nil {
		return w.agg.rewrite(n)
	}
	return n
}

func (w *winScope) Call(fc *pg_query.FuncCall) (expr.Expr, bool, error) {
	if fc.Over == nil {
		return nil, false, nil
	}
	def, err := w.resolveDef(fc.Over)
	if err != nil {
		return nil, false, err
	}
	c := &winCall{name: strings.ToLower(strVal(fc.Funcname[len(fc.Funcname)-1])), options: def.FrameOptions}
	params := w.b.params
	for _, n := range def.PartitionClause {
		e, err := expr.Compile(w.rewrite(n), w.inner, params)
		if err != nil {
			return nil, false, err
		}
		c.partition = append(c.partition, e)
	}
	for i, n := range def.OrderClause {
		sb := n.GetSortBy()
		if err := checkSortBy(sb); err != nil {
			return nil, false, err
		}
		e, err := expr.Compile(w.rewrite(sb.Node), w.inner, params)
		if err != nil {
			return nil, false, err
		}
		k := sortKeyOf(sb)
		k.col, k.oid = i, e.Type().OID
		c.order = append(c.order, e)
		c.orderKeys = append(c.orderKeys, k)
	}
	if c.options&(frameGroups|frameExclusion) != 0 {
		return nil, false, pgerr.New(pgerr.FeatureNotSupported, "GROUPS frames and frame exclusion are not supported yet")
	}
	if c.options&frameRange != 0 && c.options&(frameStartOffsetPre|frameStartOffsetFol|frameEndOffsetPre|frameEndOffsetFol) != 0 {
		return nil, false, pgerr.New(pgerr.FeatureNotSupported, "RANGE frames with offsets are not supported yet")
	}
	int8 := types.Of(types.Int8)
	if def.StartOffset != nil {
		if c.start, err = expr.CompileAs(def.StartOffset, w.b.noColsScope(nil), params, int8); err != nil {
			return nil, false, err
		}
	}
	if def.EndOffset != nil {
		if c.end, err = expr.CompileAs(def.EndOffset, w.b.noColsScope(nil), params, int8); err != nil {
			return nil, false, err
		}
	}
	if err := w.bindFunc(c, fc); err != nil {
		return nil, false, err
	}
	w.calls = append(w.calls, c)
	return &winSlot{w: w, k: len(w.calls) - 1, t: c.typ}, true, nil
}

func (w *winScope) resolveDef(d *pg_query.WindowDef) (*pg_query.WindowDef, error) {
	ref := d.Refname
	if ref == "" && d.Name != "" && len(d.PartitionClause) == 0 && len(d.OrderClause) == 0 {
		ref = d.Name // OVER w
	}
	if ref == "" {
		return d, nil
	}
	base, ok := w.named[ref]
	if !ok {
		return nil, pgerr.New(pgerr.UndefinedObject, "window %q does not exist", ref)
	}
	out := &pg_query.WindowDef{PartitionClause: base.PartitionClause, OrderClause: base.OrderClause,
		FrameOptions: base.FrameOptions, StartOffset: base.StartOffset, EndOffset: base.EndOffset}
	if len(d.OrderClause) > 0 {
		out.OrderClause = d.OrderClause
	}
	if d.FrameOptions&1 != 0 {
		out.FrameOptions, out.StartOffset, out.EndOffset = d.FrameOptions, d.StartOffset, d.EndOffset
	}
	return out, nil
}

func (w *winScope) bindFunc(c *winCall, fc *pg_query.FuncCall) error {
	params := w.b.params
	if isAggregateCall(fc) {
		call, err := newAggCall(fc, w.inner, params)
		if err != nil {
			return err
		}
		c.agg, c.typ = call, call.typ
		return nil
	}
	for _, a := range fc.Args {
		e, err := expr.Compile(w.rewrite(a), w.inner, params)
		if err != nil {
			return err
		}
		c.args = append(c.args, e)
	}
	nargs := func(lo, hi int) error {
		if len(c.args) < lo || len(c.args) > hi {
			return pgerr.New(pgerr.UndefinedFunction, "function %s with %d arguments does not exist", c.name, len(c.args))
		}
		return nil
	}
	switch c.name {
	case "row_number", "rank", "dense_rank":
		c.typ = types.Of(types.Int8)
		return nargs(0, 0)
	case "percent_rank", "cume_dist":
		c.typ = types.Of(types.Float8)
		return nargs(0, 0)
	case "ntile":
		c.typ = types.Of(types.Int4)
		return nargs(1, 1)
	case "lag", "lead":
		if err := nargs(1, 3); err != nil {
			return err
		}
		c.typ = c.args[0].Type()
		if len(c.args) >= 2 {
			off, err := expr.CompileAs(fc.Args[1], w.inner, params, types.Of(types.Int8))
			if err != nil {
				return err
			}
			c.args[1] = off
		}
		if len(c.args) == 3 {
			def, err := expr.CompileAs(w.rewrite(fc.Args[2]), w.inner, params, c.typ)
			if err != nil {
				return err
			}
			c.args[2] = def
		}
		return nil
	case "first_value", "last_value":
		c.typ = c.args[0].Type()
		return nargs(1, 1)
	case "nth_value":
		if err := nargs(2, 2); err != nil {
			return err
		}
		c.typ = c.args[0].Type()
		return nil
	}
	return pgerr.New(pgerr.UndefinedFunction, "function %s is not a window function", c.name)
}

// winSlot reads a window function's value from the row.
type winSlot struct {
	w *winScope
	k int
	t types.Type
}

func (s *winSlot) Type() types.Type { return s.t }
func (s *winSlot) Eval(_ *expr.Env, row []any) (any, error) {
	return row[s.w.width()+s.k], nil
}

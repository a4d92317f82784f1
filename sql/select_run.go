package sql

import (
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// streams reports whether rows can flow straight from the scan to the
// client: nothing needs all rows first, so LIMIT stops the scan early.
func (p *selectPlan) streams() bool {
	return p.agg == nil && p.win == nil && !p.distinct && len(p.distinctOn) == 0 &&
		(len(p.sortKeys) == 0 || p.ordered)
}

func (p *selectPlan) run(r *qrun, env *expr.Env, fn rowFunc) error {
	limit, offset, err := bounds(env, p.limit, p.offset)
	if err != nil {
		return err
	}
	return p.runBounded(r, env, limit, offset, fn)
}

// streamFrom runs p's FROM for the streaming path, whose filter and
// projection keep nothing of an input row but the values they copy out of
// it: a table scanned directly may then decode every row into one buffer.
func (p *selectPlan) streamFrom(r *qrun, env *expr.Env, fn rowFunc) error {
	if sn, ok := p.from.(*scanNode); ok {
		return sn.runRows(r, env, true, fn)
	}
	return p.from.run(r, env, fn)
}

// maxRowsHint bounds the rows collectRows makes room for up front: a LIMIT
// is an upper bound, not a promise.
const maxRowsHint = 256

// collectRows runs p as a statement: its rows, allocated once for LIMIT
// rows rather than grown.
func (p *selectPlan) collectRows(r *qrun, env *expr.Env) ([][]any, error) {
	limit, offset, err := bounds(env, p.limit, p.offset)
	if err != nil {
		return nil, err
	}
	var rows [][]any
	if limit > 0 {
		rows = make([][]any, 0, min(limit, maxRowsHint))
	}
	m := memTracker{r: r}
	err = p.runBounded(r, env, limit, offset, func(row []any) (bool, error) {
		if err := m.add(row); err != nil {
			return false, err
		}
		rows = append(rows, row)
		return true, nil
	})
	return rows, err
}

// runBounded is run once LIMIT (-1 for none) and OFFSET are known.
func (p *selectPlan) runBounded(r *qrun, env *expr.Env, limit, offset int64, fn rowFunc) error {
	if limit == 0 {
		return nil
	}
	ncol := len(p.cols)
	var outs rowArena // the output rows
	if p.streams() {
		var skipped, sent int64
		return p.streamFrom(r, env, func(in []any) (bool, error) {
			if err := r.tick(); err != nil {
				return false, err
			}
			if p.filter != nil {
				ok, err := p.filter.Eval(env, in)
				if err != nil || ok != true {
					return err == nil, err
				}
			}
			more := true
			err := p.project(env, in, &outs, func(out []any) (bool, error) {
				if skipped < offset {
					skipped++
					return true, nil
				}
				sent++
				var err error
				if more, err = fn(out[:ncol]); err != nil || !more {
					return false, err
				}
				if limit >= 0 && sent >= limit {
					more = false
				}
				return more, nil
			})
			return more, err
		})
	}

	rows, err := p.input(r, env)
	if err != nil {
		return err
	}
	if p.win != nil {
		if rows, err = p.win.compute(r, env, rows); err != nil {
			return err
		}
	}
	mem := memTracker{r: r}
	var outRows [][]any
	for _, in := range rows {
		err := p.project(env, in, &outs, func(out []any) (bool, error) {
			if err := mem.add(out); err != nil {
				return false, err
			}
			outRows = append(outRows, out)
			return true, nil
		})
		if err != nil {
			return err
		}
	}
	if p.distinct {
		outRows = distinctRows(outRows, ncol, p.cols)
	}
	if len(p.sortKeys) > 0 && !(p.ordered && p.agg == nil && p.win == nil) {
		if err := sortRows(r.x.ctx, outRows, p.sortKeys); err != nil {
			return err
		}
	}
	if len(p.distinctOn) > 0 {
		if len(p.sortKeys) == 0 {
			sortKeysStable(outRows, p.distinctOn)
		}
		outRows = distinctOnRows(outRows, p.distinctOn)
	}
	for _, out := range sliceRows(outRows, offset, limit) {
		if more, err := fn(out[:ncol]); err != nil || !more {
			return err
		}
	}
	return nil
}

// input returns the filtered input rows, grouped when the query
// aggregates.
func (p *selectPlan) input(r *qrun, env *expr.Env) ([][]any, error) {
	var rows [][]any
	var groups *aggRun
	if p.agg != nil {
		groups = p.agg.start(r)
	}
	mem := memTracker{r: r}
	err := p.from.run(r, env, func(in []any) (bool, error) {
		if err := r.tick(); err != nil {
			return false, err
		}
		if p.filter != nil {
			ok, err := p.filter.Eval(env, in)
			if err != nil || ok != true {
				return err == nil, err
			}
		}
		if groups != nil {
			return true, groups.add(env, in)
		}
		if err := mem.add(in); err != nil {
			return false, err
		}
		rows = append(rows, in)
		return true, nil
	})
	if err != nil || groups == nil {
		return rows, err
	}
	all, err := groups.results(env)
	if err != nil {
		return nil, err
	}
	for _, g := range all {
		if p.having != nil {
			ok, err := p.having.Eval(env, g)
			if err != nil {
				return nil, err
			}
			if ok != true {
				continue
			}
		}
		rows = append(rows, g)
	}
	return rows, nil
}

// project evaluates the select list and the extra sort keys of one input
// row into rows cut from outs; set-returning functions in the select list
// make several rows.
func (p *selectPlan) project(env *expr.Env, in []any, outs *rowArena, emit rowFunc) error {
	if p.srf == nil || len(p.srf.calls) == 0 {
		out, err := p.projectOne(env, in, outs)
		if err != nil {
			return err
		}
		_, err = emit(out)
		return err
	}
	lists := make([][]any, len(p.srf.calls))
	n := 0
	for i, c := range p.srf.calls {
		vals, err := c.values(env, in)
		if err != nil {
			return err
		}
		lists[i] = vals
		n = max(n, len(vals))
	}
	for j := 0; j < n; j++ {
		ext := make([]any, len(in)+len(lists))
		copy(ext, in)
		for i, l := range lists {
			if j < len(l) {
				ext[len(in)+i] = l[j]
			}
		}
		out, err := p.projectOne(env, ext, outs)
		if err != nil {
			return err
		}
		if more, err := emit(out); err != nil || !more {
			return err
		}
	}
	return nil
}

func (p *selectPlan) projectOne(env *expr.Env, in []any, outs *rowArena) ([]any, error) {
	out := outs.row(len(p.projs) + len(p.extras))
	for i, e := range p.projs {
		v, err := e.Eval(env, in)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	for i, e := range p.extras {
		v, err := e.Eval(env, in)
		if err != nil {
			return nil, err
		}
		out[len(p.projs)+i] = v
	}
	return out, nil
}

// distinctOnRows keeps the first row of each run of equal keys (rows are
// sorted with those keys first).
func distinctOnRows(rows [][]any, keys []sortKey) [][]any {
	cols := make([]int, len(keys))
	oids := make([]types.OID, len(keys))
	for i, k := range keys {
		cols[i], oids[i] = k.col, k.oid
	}
	out := rows[:0]
	var prev, key []byte
	for i, r := range rows {
		key = rowKey(key[:0], r, cols, oids)
		if i == 0 || string(key) != string(prev) {
			out = append(out, r)
			prev = append(prev[:0], key...)
		}
	}
	return out
}

// bounds evaluates LIMIT (-1 when absent) and OFFSET.
func bounds(env *expr.Env, limitE, offsetE expr.Expr) (limit, offset int64, err error) {
	limit = -1
	if limitE != nil {
		v, err := limitE.Eval(env, nil)
		if err != nil {
			return 0, 0, err
		}
		if v != nil {
			if limit = v.(int64); limit < 0 {
				return 0, 0, pgerr.New("2201W", "LIMIT must not be negative")
			}
		}
	}
	if offsetE != nil {
		v, err := offsetE.Eval(env, nil)
		if err != nil {
			return 0, 0, err
		}
		if v != nil {
			if offset = v.(int64); offset < 0 {
				return 0, 0, pgerr.New("2201X", "OFFSET must not be negative")
			}
		}
	}
	return limit, offset, nil
}

func sliceRows(rows [][]any, offset, limit int64) [][]any {
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

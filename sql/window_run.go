package sql

import (
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
)

// compute appends every window function's value to each row, keeping the
// rows' order.
func (w *winScope) compute(r *qrun, env *expr.Env, rows [][]any) ([][]any, error) {
	base := w.width()
	out := make([][]any, len(rows))
	for i, row := range rows {
		ext := make([]any, base+len(w.calls))
		copy(ext, row)
		out[i] = ext
	}
	for k, c := range w.calls {
		if err := c.compute(r, env, rows, out, base+k); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// partitions groups row indexes by the PARTITION BY values, each sorted
// by the window's ORDER BY; keys holds every row's ORDER BY values.
func (c *winCall) partitions(env *expr.Env, rows [][]any) ([][]int, [][]any, error) {
	byKey := map[string]int{}
	var parts [][]int
	keys := make([][]any, len(rows))
	var buf []byte
	for i, row := range rows {
		buf = buf[:0]
		for _, p := range c.partition {
			v, err := p.Eval(env, row)
			if err != nil {
				return nil, nil, err
			}
			buf = appendGroupKey(buf, p.Type().OID, v)
		}
		j, ok := byKey[string(buf)]
		if !ok {
			j = len(parts)
			byKey[string(buf)] = j
			parts = append(parts, nil)
		}
		parts[j] = append(parts[j], i)
		ks := make([]any, len(c.order))
		for o, e := range c.order {
			v, err := e.Eval(env, row)
			if err != nil {
				return nil, nil, err
			}
			ks[o] = v
		}
		keys[i] = ks
	}
	if len(c.order) > 0 {
		for _, p := range parts {
			sortIndexes(p, keys, c.orderKeys)
		}
	}
	return parts, keys, nil
}

func sortIndexes(idx []int, keys [][]any, sk []sortKey) {
	rows := make([][]any, len(idx))
	for i, j := range idx {
		rows[i] = append([]any{j}, keys[j]...)
	}
	shifted := make([]sortKey, len(sk))
	for i, k := range sk {
		k.col++
		shifted[i] = k
	}
	sortKeysStable(rows, shifted)
	for i, r := range rows {
		idx[i] = r[0].(int)
	}
}

func (c *winCall) compute(r *qrun, env *expr.Env, rows, out [][]any, slot int) error {
	parts, keys, err := c.partitions(env, rows)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if err := r.x.ctxErr(); err != nil {
			return err
		}
		// peerEnd[i] is one past the last peer of position i.
		n := len(p)
		peerStart, peerEnd := make([]int, n), make([]int, n)
		for i := 0; i < n; i++ {
			if i > 0 && compareRows(keys[p[i]], keys[p[i-1]], c.orderKeys) == 0 {
				peerStart[i] = peerStart[i-1]
			} else {
				peerStart[i] = i
			}
		}
		for i := n - 1; i >= 0; i-- {
			if i < n-1 && peerStart[i+1] == peerStart[i] {
				peerEnd[i] = peerEnd[i+1]
			} else {
				peerEnd[i] = i + 1
			}
		}
		if err := c.fill(r, env, rows, out, slot, p, peerStart, peerEnd); err != nil {
			return err
		}
	}
	return nil
}

// frame returns the frame [lo, hi) of position i.
func (c *winCall) frame(env *expr.Env, i, n int, peerStart, peerEnd []int) (int, int, error) {
	opts := c.options
	if opts&1 == 0 {
		opts = frameDefault
	}
	if len(c.order) == 0 && opts&frameRows == 0 {
		// Without ORDER BY every row is a peer: the whole partition.
		return 0, n, nil
	}
	off := func(e expr.Expr) (int, error) {
		v, err := e.Eval(env, nil)
		if err != nil {
			return 0, err
		}
		if v == nil || v.(int64) < 0 {
			return 0, pgerr.New("22013", "frame starting or ending offset must not be null or negative")
		}
		return int(v.(int64)), nil
	}
	lo, hi := 0, n
	switch {
	case opts&frameStartUnboundedPre != 0:
		lo = 0
	case opts&frameStartCurrentRow != 0:
		lo = i
		if opts&frameRange != 0 {
			lo = peerStart[i]
		}
	case opts&frameStartOffsetPre != 0:
		o, err := off(c.start)
		if err != nil {
			return 0, 0, err
		}
		lo = i - o
	case opts&frameStartOffsetFol != 0:
		o, err := off(c.start)
		if err != nil {
			return 0, 0, err
		}
		lo = i + o
	}
	switch {
	case opts&frameEndUnboundedFol != 0:
		hi = n
	case opts&frameEndCurrentRow != 0:
		hi = i + 1
		if opts&frameRange != 0 {
			hi = peerEnd[i]
		}
	case opts&frameEndOffsetPre != 0:
		o, err := off(c.end)
		if err != nil {
			return 0, 0, err
		}
		hi = i - o + 1
	case opts&frameEndOffsetFol != 0:
		o, err := off(c.end)
		if err != nil {
			return 0, 0, err
		}
		hi = i + o + 1
	}
	lo, hi = max(lo, 0), min(hi, n)
	if hi < lo {
		hi = lo
	}
	return lo, hi, nil
}

func (c *winCall) fill(r *qrun, env *expr.Env, rows, out [][]any, slot int, p, peerStart, peerEnd []int) error {
	n := len(p)
	arg := func(k, pos int) (any, error) { return c.args[k].Eval(env, rows[p[pos]]) }
	switch c.name {
	case "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile":
		dense := int64(0)
		for i := 0; i < n; i++ {
			if peerStart[i] == i {
				dense++
			}
			var v any
			switch c.name {
			case "row_number":
				v = int64(i + 1)
			case "rank":
				v = int64(peerStart[i] + 1)
			case "dense_rank":
				v = dense
			case "percent_rank":
				v = 0.0
				if n > 1 {
					v = float64(peerStart[i]) / float64(n-1)
				}
			case "cume_dist":
				v = float64(peerEnd[i]) / float64(n)
			case "ntile":
				b, err := arg(0, i)
				if err != nil {
					return err
				}
				if b == nil {
					break
				}
				buckets := b.(int64)
				if buckets <= 0 {
					return pgerr.New("22014", "argument of ntile must be greater than zero")
				}
				v = ntile(int64(i), int64(n), buckets)
			}
			out[p[i]][slot] = v
		}
		return nil
	case "lag", "lead":
		for i := 0; i < n; i++ {
			offset := int64(1)
			if len(c.args) >= 2 {
				o, err := arg(1, i)
				if err != nil {
					return err
				}
				if o == nil {
					out[p[i]][slot] = nil
					continue
				}
				offset = o.(int64)
			}
			j := int64(i) - offset
			if c.name == "lead" {
				j = int64(i) + offset
			}
			var v any
			var err error
			switch {
			case j >= 0 && j < int64(n):
				v, err = arg(0, int(j))
			case len(c.args) == 3:
				v, err = arg(2, i)
			}
			if err != nil {
				return err
			}
			out[p[i]][slot] = v
		}
		return nil
	}
	// Frame functions: aggregates, first_value, last_value, nth_value.
	var st *aggState
	mem := memTracker{r: r}
	curLo, curHi := 0, 0
	var last any
	for i := 0; i < n; i++ {
		lo, hi, err := c.frame(env, i, n, peerStart, peerEnd)
		if err != nil {
			return err
		}
		var v any
		switch c.name {
		case "first_value", "last_value", "nth_value":
			pos := lo
			switch c.name {
			case "last_value":
				pos = hi - 1
			case "nth_value":
				nv, err := arg(1, i)
				if err != nil {
					return err
				}
				if nv == nil {
					break
				}
				if nv.(int64) <= 0 {
					return pgerr.New("22016", "argument of nth_value must be greater than zero")
				}
				pos = lo + int(nv.(int64)) - 1
			}
			if pos >= lo && pos < hi {
				if v, err = arg(0, pos); err != nil {
					return err
				}
			}
		default:
			if st != nil && lo == curLo && hi == curHi {
				v = last
				break
			}
			// Grow the running state when the frame only extends;
			// otherwise start again.
			if st == nil || lo != curLo || hi < curHi {
				st, curLo, curHi = &aggState{}, lo, lo
			}
			for ; curHi < hi; curHi++ {
				if err := st.add(env, c.agg, rows[p[curHi]], &mem); err != nil {
					return err
				}
			}
			if v, err = st.result(env, c.agg); err != nil {
				return err
			}
			last = v
		}
		out[p[i]][slot] = v
	}
	return nil
}

// ntile is the bucket (1-based) of position i of n rows in b buckets.
func ntile(i, n, b int64) int64 {
	per, extra := n/b, n%b
	// The first extra buckets hold per+1 rows.
	big := extra * (per + 1)
	if i < big {
		return i/(per+1) + 1
	}
	if per == 0 {
		return extra + 1
	}
	return extra + (i-big)/per + 1
}

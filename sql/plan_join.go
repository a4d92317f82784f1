package sql

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

type joinKind int

const (
	joinInner joinKind = iota
	joinLeft
	joinRight
	joinFull
)

func (k joinKind) String() string {
	return [...]string{"Inner", "Left", "Right", "Full"}[k]
}

// mergedCol is a USING/NATURAL column: the left side's value, the right
// side's for RIGHT joins, the first non-NULL for FULL joins.
type mergedCol struct {
	l, r      int // in the left and right rows
	lt, rt, t types.Type
}

// joinNode joins two inputs. Output rows are the merged USING columns,
// then the left row, then the right row. With equality keys it is a hash
// join on the right input; otherwise a nested loop. A LATERAL right side
// runs again for every left row, with that row as its outer row.
type joinNode struct {
	kind        joinKind
	left, right rowSource
	lw, rw      int
	merged      []mergedCol
	cond        expr.Expr // nil: every pair matches
	lkeys       []int     // hash keys: left row columns ...
	rkeys       []int     // ... equal to these right row columns
	keyOIDs     []types.OID
	lateral     bool
}

func (b *binder) bindJoin(j *pg_query.JoinExpr, outer outerScope) (*fromItem, error) {
	l, err := b.bindFromItem(j.Larg, outer, nil)
	if err != nil {
		return nil, err
	}
	r, err := b.bindFromItem(j.Rarg, outer, newRelScope(b, l.cols, outer))
	if err != nil {
		return nil, err
	}
	n := &joinNode{left: l.src, right: r.src, lw: len(l.cols), rw: len(r.cols), lateral: r.lateral}
	it := &fromItem{src: n, names: append(append([]string(nil), l.names...), r.names...)}
	switch j.Jointype {
	case pg_query.JoinType_JOIN_INNER:
		n.kind = joinInner
		it.scans = append(l.scans, r.scans...)
	case pg_query.JoinType_JOIN_LEFT:
		n.kind = joinLeft
		it.scans = l.scans
	case pg_query.JoinType_JOIN_RIGHT:
		n.kind = joinRight
		it.scans = r.scans
	case pg_query.JoinType_JOIN_FULL:
		n.kind = joinFull
	default:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "join type %s is not supported", j.Jointype)
	}
	if n.lateral && (n.kind == joinRight || n.kind == joinFull) {
		return nil, pgerr.New(pgerr.InvalidColumnReference, "invalid reference to FROM-clause entry: the combining JOIN type must be INNER or LEFT for a LATERAL reference")
	}
	lcols := append([]relCol(nil), l.cols...)
	rcols := append([]relCol(nil), r.cols...)
	var merged []relCol
	using := nameList(j.UsingClause)
	if j.IsNatural {
		using = naturalColumns(l.cols, r.cols)
	}
	for _, name := range using {
		li, err := usingColumn(lcols, name, "left")
		if err != nil {
			return nil, err
		}
		ri, err := usingColumn(rcols, name, "right")
		if err != nil {
			return nil, err
		}
		lt, rt := lcols[li].t, rcols[ri].t
		t, ok := expr.CommonType(lt, rt)
		if !ok {
			return nil, pgerr.New(pgerr.DatatypeMismatch, "JOIN/USING types %s and %s cannot be matched", types.NameOf(lt), types.NameOf(rt))
		}
		lcols[li].noUnqual, rcols[ri].noUnqual = true, true
		merged = append(merged, relCol{name: name, t: t})
		n.merged = append(n.merged, mergedCol{l: li, r: ri, lt: lt, rt: rt, t: t})
		if hashable(lt.OID, rt.OID) {
			n.lkeys, n.rkeys = append(n.lkeys, li), append(n.rkeys, ri)
			n.keyOIDs = append(n.keyOIDs, lt.OID)
		}
	}
	it.cols = append(append(merged, lcols...), rcols...)
	if len(using) > 0 && len(n.lkeys) < len(using) {
		// A USING column that cannot be hashed is checked as a condition.
		n.cond = usingCond(n, len(merged))
	}
	if j.Quals != nil {
		sc := newRelScope(b, it.cols, outer)
		cond, err := expr.CompileBool(j.Quals, sc, b.params, "JOIN/ON")
		if err != nil {
			return nil, err
		}
		n.cond = cond
		if !n.lateral {
			n.hashKeys(j.Quals, len(merged), lcols, rcols)
		}
	}
	if j.Alias != nil {
		if it.cols, err = aliasColumns(it.cols, j.Alias); err != nil {
			return nil, err
		}
		it.names = []string{j.Alias.Aliasname}
	}
	return it, nil
}

// naturalColumns are the visible column names both sides have.
func naturalColumns(l, r []relCol) []string {
	var out []string
	for _, c := range l {
		if c.hidden || c.noUnqual {
			continue
		}
		for _, d := range r {
			if !d.hidden && !d.noUnqual && d.name == c.name {
				out = append(out, c.name)
				break
			}
		}
	}
	return out
}

func usingColumn(cols []relCol, name, side string) (int, error) {
	found := -1
	for i, c := range cols {
		if c.hidden || c.noUnqual || c.name != name {
			continue
		}
		if found >= 0 {
			return 0, pgerr.New(pgerr.AmbiguousColumn, "common column name %q appears more than once in %s table", name, side)
		}
		found = i
	}
	if found < 0 {
		return 0, pgerr.New(pgerr.UndefinedColumn, "column %q specified in USING clause does not exist in %s table", name, side)
	}
	return found, nil
}

// hashable reports whether equal values of the two types always encode
// to equal hash keys.
func hashable(a, b types.OID) bool {
	isInt := func(o types.OID) bool { return o == types.Int2 || o == types.Int4 || o == types.Int8 }
	isStr := func(o types.OID) bool {
		return o == types.Text || o == types.Varchar || o == types.Bpchar || o == types.Name
	}
	switch {
	case isInt(a) && isInt(b), isStr(a) && isStr(b):
		return a != types.Bpchar && b != types.Bpchar
	case a == b:
		return a == types.UUIDOID || a == types.Bool || a == types.Date || a == types.Timestamp || a == types.Timestamptz
	}
	return false
}

// hashKeys finds col = col conjuncts of an ON condition with one column
// on each side; the condition itself still decides every match.
func (n *joinNode) hashKeys(on *pg_query.Node, nm int, lcols, rcols []relCol) {
	for _, c := range conjuncts(on) {
		ae := c.GetAExpr()
		if ae == nil || ae.Kind != pg_query.A_Expr_Kind_AEXPR_OP || len(ae.Name) != 1 || strVal(ae.Name[0]) != "=" {
			continue
		}
		a, b := ae.Lexpr.GetColumnRef(), ae.Rexpr.GetColumnRef()
		if a == nil || b == nil {
			continue
		}
		an, bn := nameList(a.Fields), nameList(b.Fields)
		for _, pair := range [][2][]string{{an, bn}, {bn, an}} {
			li, err1 := findColumn(lcols, pair[0])
			ri, err2 := findColumn(rcols, pair[1])
			if err1 != nil || err2 != nil {
				continue
			}
			// The name must not also resolve on the other side.
			if _, err := findColumn(rcols, pair[0]); err == nil {
				continue
			}
			if _, err := findColumn(lcols, pair[1]); err == nil {
				continue
			}
			if hashable(lcols[li].t.OID, rcols[ri].t.OID) {
				n.lkeys, n.rkeys = append(n.lkeys, li), append(n.rkeys, ri)
				n.keyOIDs = append(n.keyOIDs, lcols[li].t.OID)
			}
			break
		}
	}
}

// usingCond checks every USING pair for equality over the output row.
func usingCond(n *joinNode, nm int) expr.Expr {
	return usingEq{n: n, nm: nm}
}

type usingEq struct {
	n  *joinNode
	nm int
}

func (u usingEq) Type() types.Type { return types.Of(types.Bool) }
func (u usingEq) Eval(env *expr.Env, row []any) (any, error) {
	for _, m := range u.n.merged {
		a, b := row[u.nm+m.l], row[u.nm+u.n.lw+m.r]
		if a == nil || b == nil {
			return false, nil
		}
		var err error
		if m.lt.OID != m.t.OID {
			if a, err = types.Cast(a, m.lt, m.t, env.Loc); err != nil {
				return nil, err
			}
		}
		if m.rt.OID != m.t.OID {
			if b, err = types.Cast(b, m.rt, m.t, env.Loc); err != nil {
				return nil, err
			}
		}
		if types.Compare(m.t.OID, a, b) != 0 {
			return false, nil
		}
	}
	return true, nil
}

func (n *joinNode) combine(l, r []any) []any {
	nm := len(n.merged)
	out := make([]any, nm+n.lw+n.rw)
	if l != nil {
		copy(out[nm:], l)
	}
	if r != nil {
		copy(out[nm+n.lw:], r)
	}
	for i, m := range n.merged {
		var lv, rv any
		if l != nil {
			lv = l[m.l]
		}
		if r != nil {
			rv = r[m.r]
		}
		switch {
		case n.kind == joinRight:
			out[i] = rv
		case n.kind == joinFull && lv == nil:
			out[i] = rv
		default:
			out[i] = lv
		}
	}
	return out
}

func (n *joinNode) key(buf []byte, row []any, cols []int) ([]byte, bool) {
	for i, c := range cols {
		if row[c] == nil {
			return nil, false
		}
		buf = appendGroupKey(buf, n.keyOIDs[i], row[c])
	}
	return buf, true
}

func (n *joinNode) index(rows [][]any) map[string][]int {
	if len(n.rkeys) == 0 {
		return nil
	}
	idx := make(map[string][]int, len(rows))
	var buf []byte
	for i, r := range rows {
		k, ok := n.key(buf[:0], r, n.rkeys)
		if ok {
			idx[string(k)] = append(idx[string(k)], i)
		}
		buf = k
	}
	return idx
}

func (n *joinNode) run(r *qrun, env *expr.Env, fn rowFunc) error {
	var right [][]any
	var idx map[string][]int
	var matched []bool
	if !n.lateral {
		var err error
		if right, err = collect(r, env, n.right); err != nil {
			return err
		}
		idx = n.index(right)
		if n.kind == joinRight || n.kind == joinFull {
			matched = make([]bool, len(right))
		}
	}
	stopped := false
	var all []int
	var kbuf []byte
	err := n.left.run(r, env, func(l []any) (bool, error) {
		rows, index := right, idx
		if n.lateral {
			var err error
			if rows, err = collect(r, withOuter(env, l), n.right); err != nil {
				return false, err
			}
		}
		var cands []int
		if index != nil {
			k, ok := n.key(kbuf[:0], l, n.lkeys)
			kbuf = k
			if ok {
				cands = index[string(k)]
			}
		} else {
			for len(all) < len(rows) {
				all = append(all, len(all))
			}
			cands = all[:len(rows)]
		}
		hit := false
		for _, ri := range cands {
			if err := r.tick(); err != nil {
				return false, err
			}
			out := n.combine(l, rows[ri])
			if n.cond != nil {
				ok, err := n.cond.Eval(env, out)
				if err != nil {
					return false, err
				}
				if ok != true {
					continue
				}
			}
			hit = true
			if matched != nil {
				matched[ri] = true
			}
			if more, err := fn(out); err != nil || !more {
				stopped = true
				return false, err
			}
		}
		if !hit && (n.kind == joinLeft || n.kind == joinFull) {
			more, err := fn(n.combine(l, nil))
			stopped = !more
			return more, err
		}
		return true, nil
	})
	if err != nil || stopped {
		return err
	}
	for ri, m := range matched {
		if !m {
			if more, err := fn(n.combine(nil, right[ri])); err != nil || !more {
				return err
			}
		}
	}
	return nil
}

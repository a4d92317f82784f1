package sql

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// setopPlan is UNION, INTERSECT or EXCEPT [ALL] of two queries whose
// columns are unified to common types.
type setopPlan struct {
	op         pg_query.SetOperation
	all        bool
	l, r       relQuery
	cols       []Column
	lconv, rco []types.Type // source types, converted to cols' types when they differ
}

func (p *setopPlan) resultColumns() []Column { return p.cols }

func opName(op pg_query.SetOperation) string {
	return strings.TrimPrefix(op.String(), "SETOP_")
}

func (b *binder) bindSetOp(sel *pg_query.SelectStmt, outer outerScope) (relQuery, error) {
	l, err := b.bindQuery(sel.Larg, outer)
	if err != nil {
		return nil, err
	}
	r, err := b.bindQuery(sel.Rarg, outer)
	if err != nil {
		return nil, err
	}
	lc, rc := l.resultColumns(), r.resultColumns()
	if len(lc) != len(rc) {
		return nil, pgerr.New(pgerr.SyntaxError, "each %s query must have the same number of columns", opName(sel.Op))
	}
	p := &setopPlan{op: sel.Op, all: sel.All, l: l, r: r}
	for i := range lc {
		lt, rt := lc[i].Type, rc[i].Type
		if untypedColumn(l, i) && !untypedColumn(r, i) {
			lt = types.Of(types.Unknown)
		} else if untypedColumn(r, i) && !untypedColumn(l, i) {
			rt = types.Of(types.Unknown)
		}
		t, ok := expr.CommonType(lt, rt)
		if !ok {
			return nil, pgerr.New(pgerr.DatatypeMismatch, "%s types %s and %s cannot be matched", opName(sel.Op), types.NameOf(lc[i].Type), types.NameOf(rc[i].Type))
		}
		if lc[i].Type.Mod != rc[i].Type.Mod {
			t.Mod = -1
		}
		p.cols = append(p.cols, Column{Name: lc[i].Name, Type: t})
		p.lconv = append(p.lconv, lc[i].Type)
		p.rco = append(p.rco, rc[i].Type)
	}
	return b.wrapSortLimit(p, sel, outer)
}

// convert casts a row of one side to the result types.
func (p *setopPlan) convert(env *expr.Env, row []any, from []types.Type) ([]any, error) {
	var out []any
	for i, c := range p.cols {
		if from[i].OID == c.Type.OID || row[i] == nil {
			continue
		}
		if out == nil {
			out = append([]any(nil), row...)
		}
		v, err := types.Cast(row[i], from[i], c.Type, env.Loc)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	if out == nil {
		return row, nil
	}
	return out, nil
}

func (p *setopPlan) keyOf(buf []byte, row []any) []byte {
	for i, c := range p.cols {
		buf = appendGroupKey(buf, c.Type.OID, row[i])
	}
	return buf
}

func (p *setopPlan) run(r *qrun, env *expr.Env, fn rowFunc) error {
	mem := memTracker{r: r}
	var key []byte
	side := func(q relQuery, from []types.Type, each func(row []any) (bool, error)) error {
		return q.run(r, env, func(row []any) (bool, error) {
			row, err := p.convert(env, row, from)
			if err != nil {
				return false, err
			}
			return each(row)
		})
	}
	switch p.op {
	case pg_query.SetOperation_SETOP_UNION:
		seen := map[string]bool{}
		stopped := false
		each := func(row []any) (bool, error) {
			if !p.all {
				key = p.keyOf(key[:0], row)
				if seen[string(key)] {
					return true, nil
				}
				seen[string(key)] = true
				if err := mem.add(row); err != nil {
					return false, err
				}
			}
			more, err := fn(row)
			stopped = !more
			return more, err
		}
		if err := side(p.l, p.lconv, each); err != nil || stopped {
			return err
		}
		return side(p.r, p.rco, each)
	}
	// INTERSECT and EXCEPT count the right side's rows first.
	counts := map[string]int{}
	err := side(p.r, p.rco, func(row []any) (bool, error) {
		key = p.keyOf(key[:0], row)
		if _, ok := counts[string(key)]; !ok {
			if err := mem.add(row); err != nil {
				return false, err
			}
		}
		counts[string(key)]++
		return true, nil
	})
	if err != nil {
		return err
	}
	emitted := map[string]bool{}
	intersect := p.op == pg_query.SetOperation_SETOP_INTERSECT
	return side(p.l, p.lconv, func(row []any) (bool, error) {
		key = p.keyOf(key[:0], row)
		k := string(key)
		n := counts[k]
		var keep bool
		switch {
		case p.all && intersect:
			keep = n > 0
			counts[k] = n - 1
		case p.all:
			keep = n <= 0
			counts[k] = n - 1
		default:
			keep = (n > 0) == intersect && !emitted[k]
			if keep {
				emitted[k] = true
			}
		}
		if !keep {
			return true, nil
		}
		return fn(row)
	})
}

// valuesPlan is a VALUES list.
type valuesPlan struct {
	rows    [][]expr.Expr
	cols    []Column
	untyped []bool
}

func (p *valuesPlan) resultColumns() []Column { return p.cols }

func (b *binder) bindValuesQuery(sel *pg_query.SelectStmt, outer outerScope) (relQuery, error) {
	sc := b.noColsScope(outer)
	p := &valuesPlan{}
	for i, l := range sel.ValuesLists {
		items := l.GetList().Items
		if i > 0 && len(items) != len(p.rows[0]) {
			return nil, pgerr.New(pgerr.SyntaxError, "VALUES lists must all be the same length")
		}
		row := make([]expr.Expr, len(items))
		for j, n := range items {
			if n.GetSetToDefault() != nil {
				return nil, pgerr.New(pgerr.SyntaxError, "DEFAULT is not allowed in this context")
			}
			e, err := expr.Compile(n, sc, b.params)
			if err != nil {
				return nil, err
			}
			row[j] = e
		}
		p.rows = append(p.rows, row)
	}
	for j := range p.rows[0] {
		t := types.Of(types.Unknown)
		untyped := true
		for i, row := range p.rows {
			rt := row[j].Type()
			if isUntypedLiteral(sel.ValuesLists[i].GetList().Items[j]) {
				continue
			}
			untyped = false
			nt, ok := expr.CommonType(t, rt)
			if !ok {
				return nil, pgerr.New(pgerr.DatatypeMismatch, "VALUES types %s and %s cannot be matched", types.NameOf(t), types.NameOf(rt))
			}
			t = nt
		}
		if untyped {
			t = types.Of(types.Text)
		}
		for _, row := range p.rows {
			if row[j].Type().OID != t.OID {
				row[j] = castExpr{e: row[j], t: t}
			}
		}
		p.untyped = append(p.untyped, untyped)
		p.cols = append(p.cols, Column{Name: "column" + strconv.Itoa(j+1), Type: t})
	}
	return b.wrapSortLimit(p, sel, outer)
}

func (p *valuesPlan) run(_ *qrun, env *expr.Env, fn rowFunc) error {
	for _, row := range p.rows {
		out := make([]any, len(row))
		for i, e := range row {
			v, err := e.Eval(env, nil)
			if err != nil {
				return err
			}
			out[i] = v
		}
		if more, err := fn(out); err != nil || !more {
			return err
		}
	}
	return nil
}

// castExpr converts a value to t at run time (an untyped literal meeting
// its column's type, or an implicit widening).
type castExpr struct {
	e expr.Expr
	t types.Type
}

func (c castExpr) Type() types.Type { return c.t }
func (c castExpr) Eval(env *expr.Env, row []any) (any, error) {
	v, err := c.e.Eval(env, row)
	if err != nil || v == nil {
		return v, err
	}
	return types.Cast(v, c.e.Type(), c.t, env.Loc)
}

// sortLimit applies ORDER BY (output columns only) and LIMIT/OFFSET to a
// set operation or VALUES list.
type sortLimit struct {
	q             relQuery
	keys          []sortKey
	limit, offset expr.Expr
}

func (b *binder) wrapSortLimit(q relQuery, sel *pg_query.SelectStmt, outer outerScope) (relQuery, error) {
	if len(sel.SortClause) == 0 && sel.LimitCount == nil && sel.LimitOffset == nil {
		return q, nil
	}
	s := &sortLimit{q: q}
	cols := q.resultColumns()
	for _, n := range sel.SortClause {
		sb := n.GetSortBy()
		if err := checkSortBy(sb); err != nil {
			return nil, err
		}
		k := sortKeyOf(sb)
		k.col = -1
		if c := sb.Node.GetAConst(); c != nil && c.GetIval() != nil {
			i := int(c.GetIval().Ival)
			if i < 1 || i > len(cols) {
				return nil, pgerr.New(pgerr.InvalidColumnReference, "ORDER BY position %d is not in select list", i)
			}
			k.col = i - 1
		} else if cr := sb.Node.GetColumnRef(); cr != nil && len(cr.Fields) == 1 {
			name := strVal(cr.Fields[0])
			for i, c := range cols {
				if c.Name == name {
					k.col = i
					break
				}
			}
			if k.col < 0 {
				return nil, pgerr.New(pgerr.UndefinedColumn, "column %q does not exist", name)
			}
		} else {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause")
		}
		k.oid = cols[k.col].Type.OID
		s.keys = append(s.keys, k)
	}
	var err error
	if s.limit, s.offset, err = b.bindLimit(sel, outer); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *sortLimit) resultColumns() []Column { return s.q.resultColumns() }

func (s *sortLimit) run(r *qrun, env *expr.Env, fn rowFunc) error {
	limit, offset, err := bounds(env, s.limit, s.offset)
	if err != nil || limit == 0 {
		return err
	}
	rows, err := collect(r, env, s.q)
	if err != nil {
		return err
	}
	if len(s.keys) > 0 {
		if err := sortRows(r.x.ctx, rows, s.keys); err != nil {
			return err
		}
	}
	for _, row := range sliceRows(rows, offset, limit) {
		if more, err := fn(row); err != nil || !more {
			return err
		}
	}
	return nil
}

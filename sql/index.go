package sql

import (
	"bytes"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// Secondary indexes live inside each partition: an index entry of a row in
// partition (table, user) is stored in partition (index id, user) of the
// hot store's index keyspace. The entry key is the memcomparable encoding
// of the indexed values (NULL sorting last), then the row's primary key;
// a unique index leaves the primary key out while no value is NULL, so two
// writers of one value collide on one key and Badger's conflict check
// serializes them. The entry value is the primary key and, except in
// tables with a TTL, a copy of the row's record (hotstore.SetIndexRecord):
// a hot store lookup per hit costs several times the scan itself (the
// "latest 50 messages" query), so the copy turns an index scan into one
// sequential read. Every write of a row rewrites its entries, so the
// copies stay current; a TTL table's entries could outlive their row by a
// moment, so there the row is looked up as before.

// indexLayout is a table index resolved against the table's columns.
type indexLayout struct {
	ix     catalog.Index
	cols   []int // table column of each indexed value
	copies bool  // entries carry a copy of the row's record
}

func bindIndexes(t *catalog.Table) []*indexLayout {
	out := make([]*indexLayout, 0, len(t.Indexes))
	for _, ix := range t.Indexes {
		il := &indexLayout{ix: ix, copies: t.Options.TTL == 0}
		for _, id := range ix.Columns {
			il.cols = append(il.cols, t.ColumnByID(id))
		}
		out = append(out, il)
	}
	return out
}

// entry returns the index entry key of row whose primary key is pk.
func (il *indexLayout) entry(row []any, pk []byte) ([]byte, error) {
	var key []byte
	hasNull := false
	for _, c := range il.cols {
		var err error
		if key, err = hotstore.AppendIndexKey(key, row[c]); err != nil {
			return nil, err
		}
		hasNull = hasNull || row[c] == nil
	}
	if !il.ix.Unique || hasNull {
		key = append(key, pk...)
	}
	return key, nil
}

func (il *indexLayout) partition(p hotstore.Partition) hotstore.Partition {
	return hotstore.Partition{Table: il.ix.ID, User: p.User}
}

// indexKeyTypes are the column types an index can hold: those with a
// memcomparable encoding.
func indexableType(oid types.OID) bool {
	switch oid {
	case types.Bool, types.Int2, types.Int4, types.Int8, types.Float4, types.Float8,
		types.Text, types.Varchar, types.Name, types.Bytea, types.Date, types.Time,
		types.Timestamp, types.Timestamptz, types.UUIDOID:
		return true
	}
	return false
}

// writeEntries adds row's entries to every index (old is nil) or moves
// them from old to row where the indexed values or the key changed; an
// entry that carries a row copy is rewritten on every change of the row.
// A unique index refuses a value another row holds (23505).
func (l *rowLayout) writeEntries(x *execCtx, part hotstore.Partition, old []any, oldPK []byte, row []any, pk []byte) error {
	var rec *hotstore.Record // the row copy, encoded once for every index
	for _, il := range l.indexes {
		var oldKey []byte
		if old != nil {
			var err error
			if oldKey, err = il.entry(old, oldPK); err != nil {
				return err
			}
		}
		var key []byte
		if row != nil {
			var err error
			if key, err = il.entry(row, pk); err != nil {
				return err
			}
		}
		same := old != nil && row != nil && bytes.Equal(oldKey, key) && bytes.Equal(oldPK, pk)
		if same && !il.copies {
			continue
		}
		ip := il.partition(part)
		if old != nil && !same {
			if err := x.txn.DeleteIndex(ip, oldKey); err != nil {
				return err
			}
		}
		if row == nil {
			continue
		}
		if il.ix.Unique && !same {
			other, ok, err := x.txn.GetIndex(ip, key)
			if err != nil {
				return err
			}
			if ok && !bytes.Equal(other, pk) {
				return l.uniqueViolation(il, row)
			}
		}
		if il.copies && rec == nil {
			r, err := l.record(row)
			if err != nil {
				return err
			}
			rec = &r
		}
		if err := l.setEntry(x.txn, il, ip, key, pk, rec); err != nil {
			return err
		}
	}
	return nil
}

// record is the stored form of row (its _seq set).
func (l *rowLayout) record(row []any) (hotstore.Record, error) {
	data, err := l.encode(row)
	if err != nil {
		return hotstore.Record{}, err
	}
	seq, _ := row[len(l.t.Columns)].(int64)
	return hotstore.Record{Seq: seq, Data: data}, nil
}

// setEntry writes one entry of il in its partition ip; rec is the row copy
// (nil when il keeps none).
func (l *rowLayout) setEntry(txn *hotstore.Txn, il *indexLayout, ip hotstore.Partition, key, pk []byte, rec *hotstore.Record) error {
	if !il.copies {
		return txn.SetIndex(ip, key, pk, l.t.Options.TTL)
	}
	return txn.SetIndexRecord(ip, key, pk, *rec, l.t.Options.TTL)
}

// putEntry writes row's entry in il (building an index over existing
// rows). row must be as stored, its _seq set.
func (l *rowLayout) putEntry(txn *hotstore.Txn, il *indexLayout, part hotstore.Partition, key, pk []byte, row []any) error {
	var rec *hotstore.Record
	if il.copies {
		r, err := l.record(row)
		if err != nil {
			return err
		}
		rec = &r
	}
	return l.setEntry(txn, il, il.partition(part), key, pk, rec)
}

// refreshEntries rewrites the row copies in row's entries after the row
// was rewritten in place, outside insertRow and updateRow (a column filled
// by ALTER TABLE), keeping its _seq.
func (l *rowLayout) refreshEntries(txn *hotstore.Txn, part hotstore.Partition, pk []byte, row []any) error {
	var rec *hotstore.Record
	for _, il := range l.indexes {
		if !il.copies {
			continue
		}
		key, err := il.entry(row, pk)
		if err != nil {
			return err
		}
		if rec == nil {
			r, err := l.record(row)
			if err != nil {
				return err
			}
			rec = &r
		}
		if err := l.setEntry(txn, il, il.partition(part), key, pk, rec); err != nil {
			return err
		}
	}
	return nil
}

// uniqueViolation is PostgreSQL's 23505 for a unique index.
func (l *rowLayout) uniqueViolation(il *indexLayout, row []any) error {
	e := pgerr.New(pgerr.UniqueViolation, "duplicate key value violates unique constraint %q", il.ix.Name)
	e.Detail = "Key " + l.keyText(il.cols, row) + " already exists."
	return e
}

// keyText renders "(a, b)=(1, x)" for error details.
func (l *rowLayout) keyText(cols []int, row []any) string {
	names, vals := "", ""
	for j, i := range cols {
		if j > 0 {
			names += ", "
			vals += ", "
		}
		names += l.t.Columns[i].Name
		if row[i] == nil {
			vals += "null"
		} else {
			vals += string(types.AppendText(nil, l.t.Columns[i].Type.OID, row[i], nil))
		}
	}
	return "(" + names + ")=(" + vals + ")"
}

// conflictingRow returns the live row that holds row's values in unique
// index il, if any.
func (l *rowLayout) conflictingRow(x *execCtx, part hotstore.Partition, il *indexLayout, row []any) ([]any, bool, error) {
	for _, c := range il.cols {
		if row[c] == nil {
			return nil, false, nil // NULLs never conflict
		}
	}
	key, err := il.entry(row, nil)
	if err != nil {
		return nil, false, err
	}
	pk, rec, hasRec, ok, err := x.txn.GetIndexRecord(il.partition(part), key)
	if err != nil || !ok {
		return nil, false, err
	}
	if hasRec {
		row, err := l.decode(rec)
		return row, err == nil, err
	}
	return fetchRow(x, part, l, pk)
}

// fetchRow reads the live row with primary key key, from either tier:
// every index hit and ON CONFLICT lookup goes through here.
func fetchRow(x *execCtx, part hotstore.Partition, layout *rowLayout, key []byte) ([]any, bool, error) {
	rec, ok, err := x.getRecord(layout.t, part, key)
	if err != nil || !ok || rec.Deleted {
		return nil, false, err
	}
	row, err := layout.decode(rec)
	if err != nil {
		return nil, false, err
	}
	return row, true, nil
}

// indexAccess is a scan of one index: equality on a prefix of its
// columns, optionally a range on the next one, forward or reverse.
type indexAccess struct {
	il             *indexLayout
	eq             []expr.Expr
	lo, hi         expr.Expr // bounds on column eq (nil: open)
	loIncl, hiIncl bool
}

// scanIndex walks the index range and decodes each row from the entry's
// copy, or fetches it by primary key.
func (a *access) scanIndex(x *execCtx, p hotstore.Partition, reuse bool, fn func(row []any) (bool, error)) error {
	ia := a.index
	var prefix []byte
	for _, e := range ia.eq {
		v, err := e.Eval(x.env, nil)
		if err != nil {
			return err
		}
		if v == nil {
			return nil // = NULL matches nothing
		}
		if prefix, err = hotstore.AppendIndexKey(prefix, v); err != nil {
			return err
		}
	}
	start, end := prefix, prefixEnd(prefix)
	if ia.lo != nil || ia.hi != nil {
		// A range never matches NULL: stop below the NULL entries.
		end = append(append([]byte(nil), prefix...), hotstore.IndexNull()...)
		bound := func(e expr.Expr, after bool) ([]byte, bool, error) {
			v, err := e.Eval(x.env, nil)
			if err != nil || v == nil {
				return nil, false, err
			}
			k, err := hotstore.AppendIndexKey(append([]byte(nil), prefix...), v)
			if err != nil {
				return nil, false, err
			}
			if after {
				k = prefixEnd(k)
			}
			return k, true, nil
		}
		if ia.lo != nil {
			k, ok, err := bound(ia.lo, !ia.loIncl)
			if err != nil || !ok {
				return err
			}
			start = k
		}
		if ia.hi != nil {
			k, ok, err := bound(ia.hi, ia.hiIncl)
			if err != nil || !ok {
				return err
			}
			end = k
		}
	}
	opts := hotstore.ScanOptions{Reverse: a.reverse}
	if len(start) > 0 {
		opts.Start = start
	}
	if len(end) > 0 {
		opts.End = end
	}
	it := x.txn.ScanIndex(ia.il.partition(p), opts)
	defer it.Close()
	rows := scanRows{reuse: reuse}
	for n := 0; it.Next(); n++ {
		if n%256 == 255 {
			if err := x.ctxErr(); err != nil {
				return err
			}
		}
		var row []any
		if rec, ok := it.IndexRecord(); ok {
			var err error
			if row, err = rows.decode(a.layout, rec); err != nil {
				return err
			}
		} else {
			var err error
			if row, ok, err = fetchRow(x, p, a.layout, it.Value()); err != nil {
				return err
			}
			if !ok {
				continue // the row expired (stream tables) a moment ago
			}
		}
		more, err := fn(row)
		if err != nil || !more {
			return err
		}
	}
	return it.Err()
}

// planAccess picks the access path for a table given its WHERE clause and
// the ORDER BY the caller wants, and reports whether the scan order
// already satisfies that ORDER BY: the primary key (planKeyAccess) or a
// secondary index when one fixes more of the WHERE clause or serves the
// order the key cannot.
func planAccess(sc tableScope, layout *rowLayout, where *pg_query.Node, order []*pg_query.SortBy, params *expr.Params) (*access, bool) {
	a, ordered := planKeyAccess(sc, layout, where, order, params)
	t := sc.ref.t
	if len(layout.indexes) == 0 || (len(t.PrimaryKey) > 0 && len(a.eq) == len(t.PrimaryKey)) {
		return a, ordered
	}
	best, bestOrdered, bestScore := (*indexAccess)(nil), false, 0
	var bestReverse bool
	conj := conjuncts(where)
	for _, il := range layout.indexes {
		ia, reverse, iOrdered := planIndex(sc, layout, il, conj, order, params)
		score := 4 * len(ia.eq)
		if ia.lo != nil || ia.hi != nil {
			score += 2
		}
		if iOrdered && len(order) > 0 {
			score++
		}
		pkScore := 4 * len(a.eq)
		if ordered && len(order) > 0 {
			pkScore++
		}
		if score > pkScore && score > bestScore {
			best, bestOrdered, bestScore, bestReverse = ia, iOrdered, score, reverse
		}
	}
	if best == nil {
		return a, ordered
	}
	return &access{layout: layout, index: best, reverse: bestReverse}, bestOrdered
}

// planIndex matches one index against the WHERE conjuncts and ORDER BY.
func planIndex(sc tableScope, layout *rowLayout, il *indexLayout, conj []*pg_query.Node, order []*pg_query.SortBy, params *expr.Params) (ia *indexAccess, reverse, ordered bool) {
	t := sc.ref.t
	ia = &indexAccess{il: il}
	fixed := map[int]bool{}
	for _, c := range il.cols {
		node := equalityOn(sc, conj, c)
		if node == nil {
			break
		}
		e, err := expr.CompileAs(node, noScope{}, params, t.Columns[c].Type)
		if err != nil {
			break
		}
		ia.eq = append(ia.eq, e)
		fixed[c] = true
	}
	if len(ia.eq) < len(il.cols) {
		c := il.cols[len(ia.eq)]
		ia.lo, ia.loIncl, ia.hi, ia.hiIncl = rangeOn(sc, conj, c, t.Columns[c].Type, params)
	}
	// Entries sort by the indexed columns, then the primary key (_seq for
	// tables without one).
	ordCols := append([]int(nil), il.cols...)
	if len(t.PrimaryKey) > 0 {
		ordCols = append(ordCols, t.PrimaryKey...)
	} else {
		ordCols = append(ordCols, len(t.Columns))
	}
	rest := ordCols[len(ia.eq):]
	if len(order) == 0 {
		return ia, false, true
	}
	j, desc := 0, false
	for _, o := range order {
		cr := o.Node.GetColumnRef()
		if cr == nil || o.UseOp != nil {
			return ia, false, false
		}
		idx, _, err := sc.Column(nameList(cr.Fields))
		if err != nil {
			return ia, false, false
		}
		if fixed[idx] {
			continue // a column fixed by equality orders nothing
		}
		if j == 0 {
			desc = o.SortbyDir == pg_query.SortByDir_SORTBY_DESC
		}
		if j >= len(rest) || idx != rest[j] || (o.SortbyDir == pg_query.SortByDir_SORTBY_DESC) != desc {
			return ia, false, false
		}
		if !defaultNulls(o, desc) && !layout.notNull(idx) {
			return ia, false, false
		}
		j++
	}
	return ia, desc, true
}

// defaultNulls reports whether o asks for the NULL placement of its
// direction's default (NULLS LAST ascending, NULLS FIRST descending),
// which is what an index scan yields.
func defaultNulls(o *pg_query.SortBy, desc bool) bool {
	switch o.SortbyNulls {
	case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
		return desc
	case pg_query.SortByNulls_SORTBY_NULLS_LAST:
		return !desc
	}
	return true
}

// notNull reports whether column i (or _seq) can never be NULL.
func (l *rowLayout) notNull(i int) bool {
	return i >= len(l.t.Columns) || l.t.Columns[i].NotNull || l.isKey(i)
}

// equalityOn returns the value of a "col = value" conjunct on column c.
func equalityOn(sc tableScope, conj []*pg_query.Node, c int) *pg_query.Node {
	for _, n := range conj {
		ae := n.GetAExpr()
		if ae == nil || ae.Kind != pg_query.A_Expr_Kind_AEXPR_OP || len(ae.Name) != 1 || strVal(ae.Name[0]) != "=" {
			continue
		}
		for _, side := range [][2]*pg_query.Node{{ae.Lexpr, ae.Rexpr}, {ae.Rexpr, ae.Lexpr}} {
			if i, ok := columnOf(sc, side[0]); ok && i == c && !hasColumnRef(side[1]) {
				return side[1]
			}
		}
	}
	return nil
}

// rangeOn collects bounds on column c from <, <=, >, >= and BETWEEN
// conjuncts. A bound is used only when its value has the column's type
// family, so the key order is the comparison's order; the WHERE clause is
// still evaluated on every row, so the range only has to cover the
// matches.
func rangeOn(sc tableScope, conj []*pg_query.Node, c int, ct types.Type, params *expr.Params) (lo expr.Expr, loIncl bool, hi expr.Expr, hiIncl bool) {
	compile := func(n *pg_query.Node) expr.Expr {
		if hasColumnRef(n) {
			return nil
		}
		if n.GetParamRef() != nil || (n.GetAConst() != nil && n.GetAConst().GetSval() != nil) {
			e, err := expr.CompileAs(n, noScope{}, params, ct)
			if err != nil {
				return nil
			}
			return e
		}
		e, err := expr.Compile(n, noScope{}, params)
		if err != nil || !sameFamily(e.Type().OID, ct.OID) {
			return nil
		}
		return e
	}
	for _, n := range conj {
		ae := n.GetAExpr()
		if ae == nil {
			continue
		}
		if ae.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN {
			if i, ok := columnOf(sc, ae.Lexpr); ok && i == c && lo == nil && hi == nil {
				args := ae.Rexpr.GetList().GetItems()
				if len(args) == 2 {
					l, h := compile(args[0]), compile(args[1])
					if l != nil && h != nil {
						lo, loIncl, hi, hiIncl = l, true, h, true
					}
				}
			}
			continue
		}
		if ae.Kind != pg_query.A_Expr_Kind_AEXPR_OP || len(ae.Name) != 1 {
			continue
		}
		op := strVal(ae.Name[0])
		val := ae.Rexpr
		if i, ok := columnOf(sc, ae.Lexpr); !ok || i != c {
			if i, ok := columnOf(sc, ae.Rexpr); !ok || i != c {
				continue
			}
			val = ae.Lexpr
			op = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
		}
		switch op {
		case ">", ">=":
			if lo == nil {
				if e := compile(val); e != nil {
					lo, loIncl = e, op == ">="
				}
			}
		case "<", "<=":
			if hi == nil {
				if e := compile(val); e != nil {
					hi, hiIncl = e, op == "<="
				}
			}
		}
	}
	return lo, loIncl, hi, hiIncl
}

// sameFamily reports whether values of a and b share a key encoding and
// an order: the same type, two integer types, or two string types.
func sameFamily(a, b types.OID) bool {
	isInt := func(o types.OID) bool { return o == types.Int2 || o == types.Int4 || o == types.Int8 }
	isStr := func(o types.OID) bool { return o == types.Text || o == types.Varchar }
	return a == b || (isInt(a) && isInt(b)) || (isStr(a) && isStr(b))
}

// explainIndex describes an index scan for EXPLAIN: the index's name and
// its condition, e.g. "(conversation_id = 'c1' AND id < '10')". env may be
// nil (values show as ?).
func (a *access) explainIndex(env *expr.Env) (index, cond string) {
	ia := a.index
	t := a.layout.t
	val := func(e expr.Expr) string {
		if env == nil {
			return "?"
		}
		v, err := e.Eval(env, nil)
		switch {
		case err != nil:
			return "?"
		case v == nil:
			return "NULL"
		}
		return "'" + string(types.AppendText(nil, e.Type().OID, v, env.Loc)) + "'"
	}
	var conds []string
	for i, e := range ia.eq {
		conds = append(conds, t.Columns[ia.il.cols[i]].Name+" = "+val(e))
	}
	if ia.lo != nil || ia.hi != nil {
		col := t.Columns[ia.il.cols[len(ia.eq)]].Name
		if ia.lo != nil {
			op := " > "
			if ia.loIncl {
				op = " >= "
			}
			conds = append(conds, col+op+val(ia.lo))
		}
		if ia.hi != nil {
			op := " < "
			if ia.hiIncl {
				op = " <= "
			}
			conds = append(conds, col+op+val(ia.hi))
		}
	}
	if len(conds) == 0 {
		return ia.il.ix.Name, ""
	}
	return ia.il.ix.Name, "(" + strings.Join(conds, " AND ") + ")"
}

package sql

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/sql/expr"
)

// access is how a plan reads its table's partition: a point lookup when
// the WHERE clause fixes the whole primary key, a range when it fixes a
// prefix, a full scan otherwise; in key order or reverse key order.
type access struct {
	layout  *rowLayout
	eq      []expr.Expr // values of a primary-key prefix
	reverse bool
	index   *indexAccess // a secondary-index scan instead (index.go)
	// coldEq are column = constant conjuncts that let the cold tier skip
	// Parquet segments by their min/max (coldPredicates in tiers.go).
	coldEq []coldEq
}

// scan calls fn with each live row until fn returns false.
func (a *access) scan(x *execCtx, p hotstore.Partition, fn func(row []any) (bool, error)) error {
	return a.scanRows(x, p, false, fn)
}

// scanRows is scan; with reuse, fn keeps no row (nor any slice of one)
// past its call, so the rows may share one buffer.
func (a *access) scanRows(x *execCtx, p hotstore.Partition, reuse bool, fn func(row []any) (bool, error)) error {
	if a.index != nil {
		return a.scanIndex(x, p, reuse, fn)
	}
	keyLen := len(a.layout.t.PrimaryKey)
	var prefix []byte
	for _, e := range a.eq {
		v, err := e.Eval(x.env, nil)
		if err != nil {
			return err
		}
		if v == nil {
			return nil // key = NULL matches nothing
		}
		if prefix, err = hotstore.AppendKey(prefix, v); err != nil {
			return err
		}
	}
	if keyLen > 0 && len(a.eq) == keyLen {
		rec, ok, err := x.getRecord(a.layout.t, p, prefix)
		if err != nil || !ok || rec.Deleted {
			return err
		}
		row, err := a.layout.decode(rec)
		if err != nil {
			return err
		}
		_, err = fn(row)
		return err
	}
	opts := hotstore.ScanOptions{Reverse: a.reverse}
	if len(prefix) > 0 {
		opts.Start, opts.End = prefix, prefixEnd(prefix)
	}
	it, err := x.scanRecords(a.layout.t, p, opts, a.coldPredicates(x)...)
	if err != nil {
		return err
	}
	defer it.Close()
	rows := scanRows{reuse: reuse}
	for n := 0; it.Next(); n++ {
		if n%256 == 255 {
			if err := x.ctxErr(); err != nil {
				return err
			}
		}
		row, err := rows.decode(a.layout, it.Record())
		if err != nil {
			return err
		}
		more, err := fn(row)
		if err != nil || !more {
			return err
		}
	}
	return it.Err()
}

// prefixEnd is the smallest key greater than every key starting with p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// conjuncts splits a WHERE clause at its top-level ANDs.
func conjuncts(n *pg_query.Node) []*pg_query.Node {
	if n == nil {
		return nil
	}
	if b := n.GetBoolExpr(); b != nil && b.Boolop == pg_query.BoolExprType_AND_EXPR {
		var out []*pg_query.Node
		for _, a := range b.Args {
			out = append(out, conjuncts(a)...)
		}
		return out
	}
	return []*pg_query.Node{n}
}

// hasColumnRef reports whether an expression reads any column (then it
// cannot be evaluated before the scan).
func hasColumnRef(n *pg_query.Node) bool {
	found := false
	walk(n, func(c *pg_query.Node) {
		if c.GetColumnRef() != nil || c.GetSubLink() != nil {
			found = true
		}
	})
	return found
}

// planKeyAccess picks the primary-key access path for a table given its
// WHERE clause and the ORDER BY the caller wants, and reports whether the
// scan order already satisfies that ORDER BY. planAccess (index.go) also
// weighs secondary indexes.
func planKeyAccess(sc tableScope, layout *rowLayout, where *pg_query.Node, order []*pg_query.SortBy, params *expr.Params) (*access, bool) {
	t := sc.ref.t
	a := &access{layout: layout}
	fixed := map[int]*pg_query.Node{}
	for _, c := range conjuncts(where) {
		ae := c.GetAExpr()
		if ae == nil || ae.Kind != pg_query.A_Expr_Kind_AEXPR_OP || len(ae.Name) != 1 || strVal(ae.Name[0]) != "=" {
			continue
		}
		for _, side := range [][2]*pg_query.Node{{ae.Lexpr, ae.Rexpr}, {ae.Rexpr, ae.Lexpr}} {
			col, val := side[0], side[1]
			if i, ok := columnOf(sc, col); ok && !hasColumnRef(val) {
				if _, dup := fixed[i]; !dup {
					fixed[i] = val
				}
				break
			}
		}
	}
	for _, k := range t.PrimaryKey {
		node, ok := fixed[k]
		if !ok {
			break
		}
		e, err := expr.CompileAs(node, noScope{}, params, t.Columns[k].Type)
		if err != nil {
			break
		}
		a.eq = append(a.eq, e)
	}
	a.coldEq = planColdEq(t, fixed, len(a.eq), params)
	// The scan order is the key order after the fixed prefix; tables
	// without a primary key are keyed by _seq.
	keyCols := t.PrimaryKey
	if len(keyCols) == 0 {
		keyCols = []int{len(t.Columns)}
	}
	rest := keyCols[len(a.eq):]
	if len(order) == 0 {
		return a, true
	}
	if len(order) > len(rest) {
		return a, false
	}
	desc := order[0].SortbyDir == pg_query.SortByDir_SORTBY_DESC
	for i, o := range order {
		cr := o.Node.GetColumnRef()
		if cr == nil || o.UseOp != nil {
			return a, false
		}
		idx, _, err := sc.Column(nameList(cr.Fields))
		if err != nil || idx != rest[i] {
			return a, false
		}
		if (o.SortbyDir == pg_query.SortByDir_SORTBY_DESC) != desc {
			return a, false
		}
	}
	a.reverse = desc
	return a, true
}

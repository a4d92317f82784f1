package sql

import (
	"bytes"
	"context"
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/coldstore"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// Reads merge the hot store with the partition's Parquet segments: for a
// key present in both, the hot version wins (a flush removes a hot entry
// only while it is the flushed version, so anything hot is newer), and a
// hot tombstone hides a cold row.

// recordIter walks (key, record) pairs in key order; *hotstore.Iterator is
// one.
type recordIter interface {
	Next() bool
	Key() []byte
	Record() hotstore.Record
	Err() error
	Close()
}

// coldPartition returns the cold partition of p when it has segments.
func (e *Engine) coldPartition(t *catalog.Table, p hotstore.Partition) (coldstore.Partition, bool, error) {
	if e.cold == nil {
		return coldstore.Partition{}, false, nil
	}
	cp := coldstore.PartitionOf(t, p.User)
	segs, err := e.cold.Segments(cp)
	if err != nil || len(segs) == 0 {
		return cp, false, err
	}
	return cp, true, nil
}

// getRecord reads the newest version of key: hot first, then cold
// (coldstore's point lookup, which uses its cache of open segments and
// decoded row groups).
func (x *execCtx) getRecord(t *catalog.Table, p hotstore.Partition, key []byte) (hotstore.Record, bool, error) {
	rec, ok, err := x.txn.Get(p, key)
	if err != nil || ok || x.s.eng.cold == nil {
		// A hot record's Data is a copy of its own that nothing writes:
		// decoded strings may point into it rather than copy it again.
		rec.Stable = ok
		return rec, ok, err
	}
	return x.s.eng.cold.Get(x.ctx, coldstore.PartitionOf(t, p.User), key)
}

// scanRecords iterates a partition's records over both tiers in key order
// (reverse when asked), tombstones included when o.IncludeDeleted. equal
// are column = value predicates that let the cold tier skip segments; the
// caller still applies its WHERE clause.
func (x *execCtx) scanRecords(t *catalog.Table, p hotstore.Partition, o hotstore.ScanOptions, equal ...coldstore.Equal) (recordIter, error) {
	return x.s.eng.scanTiers(x.ctx, x.txn, t, p, o, equal)
}

// scanTiers is scanRecords inside txn.
func (e *Engine) scanTiers(ctx context.Context, txn *hotstore.Txn, t *catalog.Table, p hotstore.Partition, o hotstore.ScanOptions, equal []coldstore.Equal) (recordIter, error) {
	cp, hasCold, err := e.coldPartition(t, p)
	if err != nil {
		return nil, err
	}
	if !hasCold {
		return txn.Scan(p, o), nil
	}
	hot := txn.Scan(p, hotstore.ScanOptions{Start: o.Start, End: o.End, Reverse: o.Reverse, IncludeDeleted: true})
	cold, err := e.cold.Scan(ctx, cp, coldstore.ScanOptions{Start: o.Start, End: o.End, Reverse: o.Reverse, IncludeDeleted: true, Equal: equal})
	if err != nil {
		hot.Close()
		return nil, err
	}
	m := &mergedIter{hot: hot, cold: cold, reverse: o.Reverse, withDeleted: o.IncludeDeleted, stats: &e.tiers.reads}
	m.hotOK, m.coldOK = hot.Next(), cold.Next()
	return m, nil
}

// partitionsOf lists the users with rows of t in either tier, sorted ("" is
// a shared table's partition).
func (e *Engine) partitionsOf(ctx context.Context, t *catalog.Table) ([]string, error) {
	users, err := e.store.Partitions(ctx, t.ID)
	if err != nil || e.cold == nil {
		return users, err
	}
	candidates := []string{""}
	if t.Type.PerUser() {
		if candidates, err = e.cold.Users(t.Schema, t.Name); err != nil {
			return nil, err
		}
	}
	for _, u := range candidates {
		if slices.Contains(users, u) {
			continue
		}
		if _, ok, err := e.coldPartition(t, hotstore.Partition{Table: t.ID, User: u}); err != nil {
			return nil, err
		} else if ok {
			users = append(users, u)
		}
	}
	slices.Sort(users)
	return users, nil
}

// mergedIter merges a hot and a cold iterator by key.
type mergedIter struct {
	hot             *hotstore.Iterator
	cold            *coldstore.Iterator
	hotOK, coldOK   bool // each side has a current entry
	reverse         bool
	withDeleted     bool
	key             []byte
	rec             hotstore.Record
	err             error
	started         bool
	advHot, advCold bool // sides consumed by the current entry
	stats           *coldReadStats
	closed          bool
}

func (m *mergedIter) Next() bool {
	for {
		if m.started {
			if m.advHot {
				m.hotOK = m.hot.Next()
			}
			if m.advCold {
				m.coldOK = m.cold.Next()
			}
		}
		m.started = true
		m.advHot, m.advCold = false, false
		if !m.hotOK && !m.coldOK {
			if m.err == nil {
				m.err = m.hot.Err()
			}
			if m.err == nil {
				m.err = m.cold.Err()
			}
			return false
		}
		c := 0
		switch {
		case !m.coldOK:
			c = -1
		case !m.hotOK:
			c = 1
		default:
			c = bytes.Compare(m.hot.Key(), m.cold.Key())
			if m.reverse {
				c = -c
			}
		}
		if c <= 0 {
			// The hot side is first, or both hold the key: hot wins.
			m.key, m.rec = m.hot.Key(), m.hot.Record()
			m.advHot, m.advCold = true, c == 0
		} else {
			rec, err := m.cold.Record()
			if err != nil {
				m.err = err
				return false
			}
			m.key, m.rec = m.cold.Key(), rec
			m.advCold = true
		}
		if m.rec.Deleted && !m.withDeleted {
			continue
		}
		return true
	}
}

func (m *mergedIter) Key() []byte             { return m.key }
func (m *mergedIter) Record() hotstore.Record { return m.rec }
func (m *mergedIter) Err() error              { return m.err }

func (m *mergedIter) Close() {
	if m.closed {
		return
	}
	m.closed = true
	m.stats.add(m.cold.Stats())
	m.hot.Close()
	if err := m.cold.Close(); err != nil && m.err == nil {
		m.err = err
	}
}

// coldEq is a column = constant conjunct of a scan's WHERE clause.
type coldEq struct {
	col uint32 // column id
	val expr.Expr
}

// planColdEq keeps the conjuncts in fixed (column index -> value node)
// that may prune cold segments: columns of types whose equality is the
// equality of their key encoding (so min/max stats decide it), other than
// the first keyPrefix primary-key columns, which bound the scan already.
func planColdEq(t *catalog.Table, fixed map[int]*pg_query.Node, keyPrefix int, params *expr.Params) []coldEq {
	var out []coldEq
	for i, node := range fixed {
		if slices.Contains(t.PrimaryKey[:keyPrefix], i) || !prunableType(t.Columns[i].Type.OID) {
			continue
		}
		e, err := expr.CompileAs(node, noScope{}, params, t.Columns[i].Type)
		if err != nil {
			continue // the WHERE clause reports it
		}
		out = append(out, coldEq{col: t.Columns[i].ID, val: e})
	}
	return out
}

// prunableType: floats are left out (-0 = 0 but their encodings differ),
// as are types without stats (numeric, json, arrays).
func prunableType(oid types.OID) bool {
	switch oid {
	case types.Bool, types.Int2, types.Int4, types.Int8, types.Text, types.Varchar, types.Name,
		types.Bytea, types.Date, types.Timestamp, types.Timestamptz, types.UUIDOID:
		return true
	}
	return false
}

// coldPredicates evaluates a's coldEq for one scan. A value that fails to
// evaluate is left out: pruning is an optimization, and the WHERE clause
// reports the error itself.
func (a *access) coldPredicates(x *execCtx) []coldstore.Equal {
	if len(a.coldEq) == 0 || x.s.eng.cold == nil {
		return nil
	}
	var out []coldstore.Equal
	for _, c := range a.coldEq {
		v, err := c.val.Eval(x.env, nil)
		if err != nil || v == nil {
			continue
		}
		out = append(out, coldstore.Equal{Column: c.col, Value: v})
	}
	return out
}

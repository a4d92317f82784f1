package sql

import (
	"bytes"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/coldstore"
	"github.com/kalamdb/kalamdb/hotstore"
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
func (x *execCtx) coldPartition(t *catalog.Table, p hotstore.Partition) (coldstore.Partition, bool, error) {
	cold := x.s.eng.cold
	if cold == nil {
		return coldstore.Partition{}, false, nil
	}
	cp := coldstore.PartitionOf(t, p.User)
	segs, err := cold.Segments(cp)
	if err != nil || len(segs) == 0 {
		return cp, false, err
	}
	return cp, true, nil
}

// getRecord reads the newest version of key: hot first, then cold.
func (x *execCtx) getRecord(t *catalog.Table, p hotstore.Partition, key []byte) (hotstore.Record, bool, error) {
	rec, ok, err := x.txn.Get(p, key)
	if err != nil || ok {
		return rec, ok, err
	}
	cp, hasCold, err := x.coldPartition(t, p)
	if err != nil || !hasCold {
		return hotstore.Record{}, false, err
	}
	it, err := x.s.eng.cold.Scan(x.ctx, cp, coldstore.ScanOptions{Start: key, End: append(append([]byte(nil), key...), 0), IncludeDeleted: true})
	if err != nil {
		return hotstore.Record{}, false, err
	}
	defer it.Close()
	if !it.Next() {
		return hotstore.Record{}, false, it.Err()
	}
	rec, err = it.Record()
	return rec, err == nil, err
}

// scanRecords iterates a partition's records over both tiers in key order
// (reverse when asked), tombstones included when o.IncludeDeleted.
func (x *execCtx) scanRecords(t *catalog.Table, p hotstore.Partition, o hotstore.ScanOptions) (recordIter, error) {
	cp, hasCold, err := x.coldPartition(t, p)
	if err != nil {
		return nil, err
	}
	if !hasCold {
		return x.txn.Scan(p, o), nil
	}
	hot := x.txn.Scan(p, hotstore.ScanOptions{Start: o.Start, End: o.End, Reverse: o.Reverse, IncludeDeleted: true})
	cold, err := x.s.eng.cold.Scan(x.ctx, cp, coldstore.ScanOptions{Start: o.Start, End: o.End, Reverse: o.Reverse, IncludeDeleted: true})
	if err != nil {
		hot.Close()
		return nil, err
	}
	m := &mergedIter{hot: hot, cold: cold, reverse: o.Reverse, withDeleted: o.IncludeDeleted}
	m.hotOK, m.coldOK = hot.Next(), cold.Next()
	return m, nil
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
	m.hot.Close()
	if err := m.cold.Close(); err != nil && m.err == nil {
		m.err = err
	}
}

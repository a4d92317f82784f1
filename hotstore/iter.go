package hotstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/dgraph-io/badger/v4"
)

// scanPrefetch is how many values a Badger iterator fetches ahead: scans
// here are mostly "the last N messages", so a small window avoids loading
// values nobody reads.
const scanPrefetch = 16

// ScanOptions bound a primary-key scan of one partition.
type ScanOptions struct {
	Start, End     []byte // primary-key range [Start, End); nil is unbounded
	Reverse        bool   // newest-first by key
	IncludeDeleted bool   // also return tombstones
}

// Iterator walks records. Key and Record are valid until the next Next.
type Iterator struct {
	t  *Txn
	bi *badger.Iterator // nil once closed, or when the iterator failed early

	prefix  []byte // partition prefix of the keyspace walked
	seek    []byte // where the walk starts
	stop    []byte // forward: end at keys >= stop; reverse: end at keys < stop
	skip    []byte // reverse only: pass over keys >= skip (the exclusive End)
	reverse bool
	deleted bool // return tombstones
	raw     bool // index entries: Value (and IndexRecord) instead of Record
	entries uint64

	// Seq-index walks look each row up under rowPrefix.
	bySeq     bool
	rowPrefix []byte

	started, finished bool
	key               []byte
	rec               Record
	ival              []byte // index entry value (raw)
	hasRec            bool   // the index entry carries rec (raw)
	vbuf, kbuf        []byte
	err               error
}

// Scan iterates p's records in primary-key order.
func (t *Txn) Scan(p Partition, o ScanOptions) *Iterator {
	return t.scanKeyspace(tagRow, p, o)
}

// scanKeyspace walks p's keys in one keyspace (rows or index entries).
func (t *Txn) scanKeyspace(tag byte, p Partition, o ScanOptions) *Iterator {
	prefix := appendPartition(nil, tag, p)
	it := &Iterator{t: t, prefix: prefix, reverse: o.Reverse, deleted: o.IncludeDeleted}
	withKey := func(k []byte) []byte {
		return append(append(make([]byte, 0, len(prefix)+len(k)), prefix...), k...)
	}
	if !o.Reverse {
		it.seek = prefix
		if o.Start != nil {
			it.seek = withKey(o.Start)
		}
		if o.End != nil {
			it.stop = withKey(o.End)
		}
	} else {
		it.seek = prefixEnd(prefix)
		if o.End != nil {
			it.seek = withKey(o.End)
			it.skip = it.seek
		}
		if o.Start != nil {
			it.stop = withKey(o.Start)
		}
	}
	return t.open(it)
}

// ScanSeq iterates p's records with Seq > after in seq order (newest first
// when reverse), tombstones included.
func (t *Txn) ScanSeq(p Partition, after int64, reverse bool) *Iterator {
	prefix := appendPartition(nil, tagSeq, p)
	it := &Iterator{
		t: t, prefix: prefix, reverse: reverse, deleted: true,
		bySeq: true, rowPrefix: appendPartition(nil, tagRow, p),
	}
	if after == math.MaxInt64 {
		it.finished = true
		return it
	}
	// Seqs are positive; a negative after means "from the beginning".
	first := binary.BigEndian.AppendUint64(prefix[:len(prefix):len(prefix)], uint64(max(after+1, 0)))
	if !reverse {
		it.seek = first
	} else {
		it.seek = prefixEnd(prefix)
		it.stop = first
	}
	return t.open(it)
}

func (t *Txn) open(it *Iterator) *Iterator {
	if t.done {
		it.err = ErrTxnDone
		return it
	}
	o := badger.DefaultIteratorOptions
	o.Prefix = it.prefix
	if it.seek != nil && it.stop != nil {
		// Every key of a walk bounded on both sides shares the bounds'
		// common prefix; a longer prefix lets Badger pass over tables that
		// cannot hold the range (keys outside it end the walk anyway).
		if cp := commonPrefix(it.seek, it.stop); len(cp) > len(it.prefix) {
			o.Prefix = cp
		}
	}
	o.Reverse = it.reverse
	// Values under the value threshold live in the LSM: prefetching only
	// copies them once more before loadRow copies them again.
	o.PrefetchValues = false
	it.bi = t.bt.NewIterator(o)
	t.iters = append(t.iters, it)
	return it
}

// Next advances to the next record and reports whether there is one.
func (it *Iterator) Next() bool {
	if it.finished || it.err != nil || it.bi == nil {
		return false
	}
	if !it.started {
		it.started = true
		it.bi.Seek(it.seek)
	} else {
		it.bi.Next()
	}
	for ; it.bi.Valid(); it.bi.Next() {
		item := it.bi.Item()
		k := item.Key()
		if it.reverse {
			if it.skip != nil && bytes.Compare(k, it.skip) >= 0 {
				continue
			}
			if it.stop != nil && bytes.Compare(k, it.stop) < 0 {
				break
			}
		} else if it.stop != nil && bytes.Compare(k, it.stop) >= 0 {
			break
		}
		var ok bool
		var err error
		if it.bySeq {
			ok, err = it.loadBySeq(item)
		} else {
			ok, err = it.loadRow(item)
		}
		if err != nil {
			it.err = fmt.Errorf("scan: %w", err)
			break
		}
		if ok {
			return true
		}
	}
	it.finished = true
	return false
}

func (it *Iterator) loadRow(item *badger.Item) (bool, error) {
	v, err := it.value(item)
	if err != nil {
		return false, err
	}
	if it.raw {
		if it.ival, it.rec, it.hasRec, err = splitIndexValue(v); err != nil {
			return false, err
		}
		it.entries++
		it.key = item.Key()[len(it.prefix):]
		return true, nil
	}
	if it.rec, err = decodeRecord(v); err != nil {
		return false, err
	}
	if it.rec.Deleted && !it.deleted {
		return false, nil
	}
	it.key = item.Key()[len(it.prefix):]
	return true, nil
}

// value returns item's value, valid until the next Next. A value kept in
// the LSM (below the value threshold: every row here) aliases the item's
// own buffer, which Badger rewrites only when the item is reused after the
// next Next; ValueCopy would copy it a second time, per entry of every
// scan. A value-log value is copied: Badger releases it when Value returns.
func (it *Iterator) value(item *badger.Item) ([]byte, error) {
	if item.ValueSize() >= int64(it.t.s.valueThreshold) {
		var err error
		it.vbuf, err = item.ValueCopy(it.vbuf[:0])
		return it.vbuf, err
	}
	var v []byte
	err := item.Value(func(b []byte) error {
		v = b
		return nil
	})
	return v, err
}

// loadBySeq follows an index entry to its row. An entry whose row is gone
// (expired a moment earlier) or newer is passed over.
func (it *Iterator) loadBySeq(item *badger.Item) (bool, error) {
	k := item.Key()
	if len(k) != len(it.prefix)+8 {
		return false, errCorruptRec
	}
	seq := int64(binary.BigEndian.Uint64(k[len(it.prefix):]))
	var err error
	if it.key, err = item.ValueCopy(it.key[:0]); err != nil {
		return false, err
	}
	it.kbuf = append(append(it.kbuf[:0], it.rowPrefix...), it.key...)
	row, err := it.t.bt.Get(it.kbuf)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if it.vbuf, err = row.ValueCopy(it.vbuf[:0]); err != nil {
		return false, err
	}
	if it.rec, err = decodeRecord(it.vbuf); err != nil {
		return false, err
	}
	return it.rec.Seq == seq, nil
}

// Key returns the current primary key.
func (it *Iterator) Key() []byte { return it.key }

// Record returns the current record.
func (it *Iterator) Record() Record { return it.rec }

// Err returns the error that ended the walk, if any.
func (it *Iterator) Err() error { return it.err }

// Close releases the iterator; safe to call twice.
func (it *Iterator) Close() {
	if it.bi == nil {
		return
	}
	it.bi.Close()
	it.bi = nil
	if it.entries > 0 {
		it.t.s.indexEntries.Add(it.entries)
	}
	it.finished = true
	iters := it.t.iters
	for i, o := range iters {
		if o == it {
			it.t.iters = append(iters[:i], iters[i+1:]...)
			break
		}
	}
}

// commonPrefix returns the longest prefix of a and b (aliasing a).
func commonPrefix(a, b []byte) []byte {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	return a[:i:i]
}

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
	closed            bool

	// Index cache (indexcache.go): hit is the cached range being served
	// (hitPos entries served so far), fill the range being recorded for
	// it; bopts are the options of the Badger iterator, made only when
	// the walk needs one.
	hit    *cachedRange
	hitPos int
	fill   *rangeFill
	bopts  badger.IteratorOptions
}

// rangeFill collects the entries a walk passes, for the index cache: their
// keys and values back to back in buf, in walk order, and where each ends.
type rangeFill struct {
	bucket, key string
	buf         []byte
	ends        []rangeEnd
	r           cachedRange
}

type rangeEnd struct{ key, value int }

// Scan iterates p's records in primary-key order.
func (t *Txn) Scan(p Partition, o ScanOptions) *Iterator {
	return t.scanKeyspace(tagRow, p, o)
}

// scanKeyspace walks p's keys in one keyspace (rows or index entries).
func (t *Txn) scanKeyspace(tag byte, p Partition, o ScanOptions) *Iterator {
	prefix := appendPartition(nil, tag, p)
	it := &Iterator{t: t, prefix: prefix, reverse: o.Reverse, deleted: o.IncludeDeleted, raw: tag == tagIndex}
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
	if err := t.fresh(); err != nil {
		it.err = err
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
	it.bopts = o
	t.iters = append(t.iters, it)
	if it.raw && t.useCache(it) {
		return it // served from the index cache; Badger only if it runs out
	}
	it.bi = t.bt.NewIterator(o)
	return it
}

// useCache looks the walk up in the index cache: on a hit it is served from
// there, on a miss its entries are recorded for the cache.
func (t *Txn) useCache(it *Iterator) bool {
	if len(t.idxBuckets) > 0 || t.idxOther || t.noCache {
		return false // its own writes are not in the cache
	}
	lo, hi := it.seek, it.stop
	if it.reverse {
		lo, hi = it.stop, it.skip
	}
	if lo == nil || hi == nil {
		return false
	}
	bucket, ok := indexBucket(lo)
	if !ok {
		return false
	}
	if limit := keyLimit(bucket); limit != nil && bytes.Compare(hi, limit) > 0 {
		return false // the range reaches past the bucket
	}
	rk := rangeKey(lo, hi, it.reverse)
	if r := t.s.icache.get(string(bucket), rk, t.clock); r != nil {
		it.hit = r
		return true
	}
	it.fill = &rangeFill{bucket: string(bucket), key: rk}
	return false
}

// nextCached serves the next cached entry; at the end of a partial range
// it switches the walk to Badger, past the last entry served.
func (it *Iterator) nextCached() (served bool) {
	r := it.hit
	if it.hitPos < len(r.entries) {
		e := r.entries[it.hitPos]
		// Record the reads a Badger iterator would have: the seek key
		// and every entry yielded (nothing in read-only transactions).
		if it.hitPos == 0 {
			it.t.noteRead(it.seek)
		}
		it.t.noteRead(e.key)
		it.hitPos++
		var err error
		if it.ival, it.rec, it.hasRec, err = splitIndexValue(e.value); err != nil {
			it.err = fmt.Errorf("scan: %w", err)
			return false
		}
		it.rec.Stable = true // installed entries are never written again
		it.entries++
		it.key = e.key[len(it.prefix):]
		return true
	}
	it.hit = nil
	if r.complete {
		it.finished = true
		return false
	}
	last := r.entries[len(r.entries)-1].key
	if it.reverse {
		it.seek, it.skip = last, last
	} else {
		it.seek = append(append(make([]byte, 0, len(last)+1), last...), 0)
	}
	it.bi = it.t.bt.NewIterator(it.bopts)
	return false
}

// record adds the entry just walked to the range being filled; a range
// too large or with expiring entries is not cached.
func (it *Iterator) record(item *badger.Item, v []byte) {
	f := it.fill
	k := item.Key()
	size := len(k) + len(v)
	if item.ExpiresAt() != 0 || len(f.ends) >= indexCacheRangeEntries || f.r.bytes+size > indexCacheRangeBytes {
		it.fill = nil
		return
	}
	f.buf = append(f.buf, k...)
	kend := len(f.buf)
	f.buf = append(f.buf, v...)
	f.ends = append(f.ends, rangeEnd{kend, len(f.buf)})
	f.r.bytes += size + 48 // the entry's slice headers
}

// install hands a filled range to the cache. Its entries share one
// buffer, in walk order: a reader walks them as one stream of memory,
// which the CPU prefetches, where entries allocated one by one sit
// anywhere in the heap and each costs a cache miss (with ranges of many
// conversations cached, most of them come from main memory).
func (it *Iterator) install(complete bool) {
	f := it.fill
	it.fill = nil
	if f == nil || it.err != nil || (!complete && len(f.ends) == 0) {
		return
	}
	buf := make([]byte, len(f.buf)) // exact: the cache keeps it
	copy(buf, f.buf)
	// A range of its own, not &f.r: a pointer into the fill would keep the
	// fill's scratch buffer alive with it, doubling the cache's memory.
	r := &cachedRange{entries: make([]cachedEntry, len(f.ends)), complete: complete, bytes: f.r.bytes}
	start := 0
	for i, e := range f.ends {
		r.entries[i] = cachedEntry{key: buf[start:e.key:e.key], value: buf[e.key:e.value:e.value]}
		start = e.value
	}
	it.t.s.icache.put(f.bucket, f.key, it.t.clock, r)
}

// keyLimit is the smallest key above every key starting with prefix, nil
// when there is none.
func keyLimit(prefix []byte) []byte {
	l := append([]byte(nil), prefix...)
	for len(l) > 0 && l[len(l)-1] == 0xFF {
		l = l[:len(l)-1]
	}
	if len(l) == 0 {
		return nil
	}
	l[len(l)-1]++
	return l
}

// Next advances to the next record and reports whether there is one.
func (it *Iterator) Next() bool {
	if it.finished || it.err != nil {
		return false
	}
	if it.hit != nil && it.nextCached() {
		return true
	}
	if it.finished || it.err != nil || it.bi == nil {
		return false
	}
	if !it.started {
		it.started = true
		it.t.noteRead(it.seek)
		it.bi.Seek(it.seek)
	} else {
		it.bi.Next()
	}
	for ; it.bi.Valid(); it.bi.Next() {
		item := it.bi.Item()
		k := item.Key()
		it.t.noteRead(k)
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
	if it.fill != nil {
		it.install(true)
	}
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
		if it.fill != nil {
			it.record(item, v)
		}
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
	row, err := it.t.get(it.kbuf)
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
	if it.closed {
		return
	}
	it.closed = true
	if it.fill != nil && !it.finished {
		it.install(false) // the walk stopped early: its first entries
	}
	it.hit = nil
	if it.bi != nil {
		it.bi.Close()
		it.bi = nil
	}
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

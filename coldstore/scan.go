package coldstore

import (
	"bytes"
	"container/heap"
	"context"
	"fmt"
	"slices"

	"github.com/kalamdb/kalamdb/hotstore"
)

// Equal is an equality predicate (column = value) used to skip segments
// whose statistics rule it out. It only prunes: rows that fail it can still
// be returned, so the caller evaluates its WHERE clause as usual. Value
// must have the column type's representation.
type Equal struct {
	Column uint32
	Value  any
}

// ScanOptions bound a scan of a partition's cold rows. The zero value scans
// everything, forward, hiding tombstones.
type ScanOptions struct {
	Start, End     []byte // primary-key range [Start, End); nil is unbounded
	Reverse        bool   // descending key order
	IncludeDeleted bool   // also return tombstones (newest version is a delete)
	// Columns to read (nil: every column of each segment). Columns a
	// segment lacks are absent from Values.
	Columns []uint32
	// AfterSeq > 0 returns only keys whose newest version has _seq >
	// AfterSeq; MaxSeq > 0 ignores versions with _seq > MaxSeq, reading
	// the partition as of that seq.
	AfterSeq, MaxSeq int64
	Equal            []Equal
}

// ScanStats count what a scan touched.
type ScanStats struct {
	Segments  int // in the partition when the scan started
	Opened    int // segments read with their columns
	Shadowed  int // segments read for keys and seqs only (see doc.go)
	RowGroups int // row groups loaded
}

// planned is a segment a scan may still need to open.
type planned struct {
	seg    Segment
	shadow bool
}

// Iterator merges a partition's segments: one row per key, the version
// with the highest _seq. Key and the row's values are valid until the next
// Next. Close it: it pins the segment files it may still read.
type Iterator struct {
	ctx     context.Context
	p       *partition
	pinned  []Segment
	opts    ScanOptions
	pending []planned // sorted by the key at which the merge must open them
	h       cursorHeap
	adv     []*cursor // cursors positioned on the last returned key
	cur     *cursor
	err     error
	stats   ScanStats
	closed  bool
}

// Scan starts a merged scan of part's cold rows.
func (s *Store) Scan(ctx context.Context, part Partition, opts ScanOptions) (*Iterator, error) {
	p, err := s.partition(part.dir())
	if err != nil {
		return nil, err
	}
	segs, err := p.pin(part)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", part.QualifiedName(), err)
	}
	return newIterator(ctx, p, segs, opts), nil
}

// newIterator scans segs, which are pinned in p; Close unpins them.
func newIterator(ctx context.Context, p *partition, segs []Segment, opts ScanOptions) *Iterator {
	it := &Iterator{ctx: ctx, p: p, pinned: segs, opts: opts}
	it.h.reverse = opts.Reverse
	it.stats.Segments = len(segs)
	it.plan()
	return it
}

// plan decides which segments to read fully, which only as shadows, and
// which not at all, and orders them for lazy opening.
func (it *Iterator) plan() {
	o := &it.opts
	var full, pruned []Segment
	for _, seg := range it.pinned {
		switch {
		case o.Start != nil && bytes.Compare(seg.MaxKey, o.Start) < 0,
			o.End != nil && bytes.Compare(seg.MinKey, o.End) >= 0,
			o.MaxSeq > 0 && seg.MinSeq > o.MaxSeq,
			o.AfterSeq > 0 && seg.MaxSeq <= o.AfterSeq:
			// Nothing here can be returned, nor hide a returned row.
		case slices.ContainsFunc(o.Equal, func(e Equal) bool { return excludes(&seg, e) }):
			pruned = append(pruned, seg)
		default:
			full = append(full, seg)
		}
	}
	for _, seg := range full {
		it.pending = append(it.pending, planned{seg: seg})
	}
	// A pruned segment has no matching row, but its versions may be newer
	// than rows of a segment we read: it must still hide those keys.
	for _, s := range pruned {
		if slices.ContainsFunc(full, func(t Segment) bool {
			return t.MinSeq < s.MaxSeq && bytes.Compare(t.MinKey, s.MaxKey) <= 0 && bytes.Compare(s.MinKey, t.MaxKey) <= 0
		}) {
			it.pending = append(it.pending, planned{seg: s, shadow: true})
		}
	}
	slices.SortFunc(it.pending, func(a, b planned) int {
		if o.Reverse {
			return bytes.Compare(b.seg.MaxKey, a.seg.MaxKey)
		}
		return bytes.Compare(a.seg.MinKey, b.seg.MinKey)
	})
}

// excludes reports whether seg's statistics prove no row has e.Column =
// e.Value. Stats are AppendKey encodings, so the comparison is SQL's order
// for the types that keep them.
func excludes(seg *Segment, e Equal) bool {
	cs, ok := seg.Column(e.Column)
	if !ok || e.Value == nil {
		return false // absent columns read as their Missing value: unknown here
	}
	if cs.Nulls == seg.Rows {
		return true // NULL = x is never true
	}
	if cs.Min == nil || cs.Max == nil {
		return false
	}
	enc, err := hotstore.AppendKey(nil, e.Value)
	if err != nil || enc[0] != cs.Min[0] {
		return false
	}
	return bytes.Compare(enc, cs.Min) < 0 || bytes.Compare(enc, cs.Max) > 0
}

// Next moves to the next key. It returns false at the end or on error.
func (it *Iterator) Next() bool {
	if it.err != nil || it.closed {
		return false
	}
	it.cur = nil
	if it.err = it.advanceAll(); it.err != nil {
		return false
	}
	o := &it.opts
	for {
		if it.err = it.openReached(); it.err != nil {
			return false
		}
		if it.h.Len() == 0 {
			return false
		}
		key := it.h.cs[0].key()
		var best *cursor
		for it.h.Len() > 0 && bytes.Equal(it.h.cs[0].key(), key) {
			c := heap.Pop(&it.h).(*cursor)
			it.adv = append(it.adv, c)
			if o.MaxSeq > 0 && c.seq() > o.MaxSeq {
				continue
			}
			if best == nil || c.seq() > best.seq() || c.seq() == best.seq() && newerSegment(c.seg, best.seg) {
				best = c
			}
		}
		if best != nil && !best.shadow && (o.AfterSeq <= 0 || best.seq() > o.AfterSeq) &&
			(o.IncludeDeleted || !best.deleted()) {
			it.cur = best
			return true
		}
		if it.err = it.advanceAll(); it.err != nil {
			return false
		}
	}
}

// newerSegment breaks a tie between two versions with one _seq (a row
// rewritten in place, as ADD COLUMN with a volatile default does, and
// flushed again): the segment written later holds the later write. Batch
// numbers only grow, and a compaction reserves its number before any flush
// that it does not include.
func newerSegment(a, b Segment) bool {
	na, _ := parseBatchName(a.Path)
	nb, _ := parseBatchName(b.Path)
	return na > nb
}

// advanceAll moves the cursors of the last key past it.
func (it *Iterator) advanceAll() error {
	for _, c := range it.adv {
		if err := c.advance(); err != nil {
			c.close()
			return err
		}
		it.push(c)
	}
	it.adv = it.adv[:0]
	return nil
}

func (it *Iterator) push(c *cursor) {
	if c.done {
		it.stats.RowGroups += c.groups
		c.close()
		return
	}
	heap.Push(&it.h, c)
}

// openReached opens pending segments that may hold a key at or before the
// merge's next key. Segments whose key range starts after the point where
// the caller stops are never opened, which is what makes a newest-first
// LIMIT read only the newest segments.
func (it *Iterator) openReached() error {
	for len(it.pending) > 0 {
		next := it.pending[0]
		if it.h.Len() > 0 {
			top := it.h.cs[0].key()
			if !it.opts.Reverse && bytes.Compare(next.seg.MinKey, top) > 0 ||
				it.opts.Reverse && bytes.Compare(next.seg.MaxKey, top) < 0 {
				return nil
			}
		}
		it.pending = it.pending[1:]
		c, err := openCursor(it.ctx, it.p, next.seg, it.opts.Columns, next.shadow, it.opts.Reverse, it.opts.Start, it.opts.End)
		if err != nil {
			return err
		}
		if next.shadow {
			it.stats.Shadowed++
		} else {
			it.stats.Opened++
		}
		it.push(c)
	}
	return nil
}

// Key is the current row's primary key (hotstore key encoding).
func (it *Iterator) Key() []byte { return it.cur.key() }

// Seq is the current row's _seq.
func (it *Iterator) Seq() int64 { return it.cur.seq() }

// Deleted reports whether the current row is a tombstone.
func (it *Iterator) Deleted() bool { return it.cur.deleted() }

// Values calls fn for each column of the current row that its segment
// has (NULLs included), like hotstore.DecodeRow; nothing for tombstones.
func (it *Iterator) Values(fn func(id uint32, v any)) error {
	if it.cur.deleted() {
		return nil
	}
	return it.cur.values(fn)
}

// Record returns the current row as a hot-store record, so callers can
// merge and decode hot and cold rows with the same code.
func (it *Iterator) Record() (hotstore.Record, error) {
	rec := hotstore.Record{Seq: it.cur.seq(), Deleted: it.cur.deleted()}
	if rec.Deleted {
		return rec, nil
	}
	var ids []uint32
	var vals []any
	if err := it.cur.values(func(id uint32, v any) { ids, vals = append(ids, id), append(vals, v) }); err != nil {
		return rec, err
	}
	data, err := hotstore.EncodeRow(nil, ids, vals)
	rec.Data = data
	return rec, err
}

// Err is the error that stopped Next, if any.
func (it *Iterator) Err() error { return it.err }

// Stats reports what the scan has touched so far.
func (it *Iterator) Stats() ScanStats {
	st := it.stats
	for _, c := range append(slices.Clone(it.h.cs), it.adv...) {
		st.RowGroups += c.groups
	}
	return st
}

// Close releases the scan's files. It is safe to call twice.
func (it *Iterator) Close() error {
	if it.closed {
		return nil
	}
	it.closed = true
	for _, c := range it.h.cs {
		c.close()
	}
	for _, c := range it.adv {
		c.close()
	}
	it.h.cs, it.adv, it.cur = nil, nil, nil
	it.p.unpin(it.pinned)
	return nil
}

// cursorHeap orders cursors by their current key (descending when reverse).
type cursorHeap struct {
	cs      []*cursor
	reverse bool
}

func (h *cursorHeap) Len() int { return len(h.cs) }
func (h *cursorHeap) Less(i, j int) bool {
	c := bytes.Compare(h.cs[i].key(), h.cs[j].key())
	if h.reverse {
		return c > 0
	}
	return c < 0
}
func (h *cursorHeap) Swap(i, j int) { h.cs[i], h.cs[j] = h.cs[j], h.cs[i] }
func (h *cursorHeap) Push(x any)    { h.cs = append(h.cs, x.(*cursor)) }
func (h *cursorHeap) Pop() any {
	c := h.cs[len(h.cs)-1]
	h.cs = h.cs[:len(h.cs)-1]
	return c
}

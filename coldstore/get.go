package coldstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/kalamdb/kalamdb/hotstore"
)

// Get returns the newest cold version of key in part, tombstones included
// (Record.Deleted), like a Scan of [key, key+0x00) with IncludeDeleted but
// without the merge: it visits the segments whose key range covers key,
// highest MaxSeq first, binary-searches the _key column of the one row
// group whose bounds cover it, and stops once no remaining segment can
// hold a newer version. Only the winner's row is materialized, from the
// data pages that hold it. Open segments, decoded _key/_seq/_deleted
// columns and materialized rows come from the store's bounded read cache
// (see SetCacheLimits).
func (s *Store) Get(ctx context.Context, part Partition, key []byte) (hotstore.Record, bool, error) {
	p, err := s.partition(part.dir())
	if err != nil {
		return hotstore.Record{}, false, err
	}
	segs, err := p.pinCovering(part, key)
	if err != nil {
		return hotstore.Record{}, false, fmt.Errorf("get %s: %w", part.QualifiedName(), err)
	}
	if len(segs) == 0 {
		return hotstore.Record{}, false, nil
	}
	defer p.unpin(segs)
	rec, ok, err := s.get(ctx, p, segs, key)
	if err != nil {
		return rec, false, fmt.Errorf("get %s: %w", part.QualifiedName(), err)
	}
	return rec, ok, nil
}

// pinCovering pins the segments whose key range covers key, ordered for
// Get: highest MaxSeq first, then highest batch (newerSegment).
func (p *partition) pinCovering(h Partition, key []byte) ([]Segment, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.adoptLocked(h); err != nil {
		return nil, err
	}
	var segs []Segment
	for _, seg := range p.man.Segments {
		if bytes.Compare(seg.MinKey, key) <= 0 && bytes.Compare(key, seg.MaxKey) <= 0 {
			segs = append(segs, seg)
			p.pins[seg.Path]++
		}
	}
	slices.SortFunc(segs, func(a, b Segment) int {
		switch {
		case a.MaxSeq != b.MaxSeq:
			return -cmpInt64(a.MaxSeq, b.MaxSeq)
		case newerSegment(a, b):
			return -1
		case newerSegment(b, a):
			return 1
		}
		return 0
	})
	return segs, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// hit is a version of the looked-up key.
type hit struct {
	seg Segment
	g   *group
	row int
}

func (h *hit) seq() int64 { return h.g.seqs.Value(h.row) }

// get looks key up in segs, ordered by pinCovering. The winner is the
// merge's: highest _seq, on a tie the later batch.
func (s *Store) get(ctx context.Context, p *partition, segs []Segment, key []byte) (hotstore.Record, bool, error) {
	var best *hit
	var held []*segReader
	defer func() {
		for _, r := range held {
			s.cache.release(r)
		}
	}()
	for _, seg := range segs {
		if best != nil && (seg.MaxSeq < best.seq() || seg.MaxSeq == best.seq() && !newerSegment(seg, best.seg)) {
			break // every later segment is older still
		}
		if err := ctx.Err(); err != nil {
			return hotstore.Record{}, false, err
		}
		r, err := s.cache.acquire(p, seg)
		if err != nil {
			return hotstore.Record{}, false, err
		}
		held = append(held, r)
		h, err := s.lookup(ctx, r, key)
		if err != nil {
			return hotstore.Record{}, false, err
		}
		if h != nil && (best == nil || h.seq() > best.seq() || h.seq() == best.seq() && newerSegment(seg, best.seg)) {
			best = h
		}
	}
	if best == nil {
		return hotstore.Record{}, false, nil
	}
	rec, err := s.record(ctx, best)
	return rec, err == nil, err
}

// lookup finds key in r: row groups are sorted and disjoint by _key, so
// only the first group whose max is >= key can hold it.
func (s *Store) lookup(ctx context.Context, r *segReader, key []byte) (*hit, error) {
	n := len(r.maxKey)
	rg := sort.Search(n, func(i int) bool { return r.maxKey[i] == nil || bytes.Compare(r.maxKey[i], key) >= 0 })
	if rg == n {
		return nil, nil
	}
	if r.maxKey[rg] == nil {
		// No statistics: search every remaining group (files we write
		// always have them).
		for ; rg < n; rg++ {
			if h, err := s.lookupGroup(ctx, r, rg, key); h != nil || err != nil {
				return h, err
			}
		}
		return nil, nil
	}
	if bytes.Compare(r.minKey[rg], key) > 0 {
		return nil, nil
	}
	return s.lookupGroup(ctx, r, rg, key)
}

func (s *Store) lookupGroup(ctx context.Context, r *segReader, rg int, key []byte) (*hit, error) {
	g, err := s.cache.group(ctx, r, rg)
	if err != nil {
		return nil, err
	}
	n := g.keys.Len()
	i := sort.Search(n, func(i int) bool { return bytes.Compare(g.keys.Value(i), key) >= 0 })
	if i == n || !bytes.Equal(g.keys.Value(i), key) {
		return nil, nil
	}
	return &hit{seg: r.seg, g: g, row: i}, nil
}

// record encodes the hit's row: from its group's decoded columns when
// the cache holds them or has room for them, else from the pages that
// hold the row.
func (s *Store) record(ctx context.Context, h *hit) (hotstore.Record, error) {
	rec := hotstore.Record{Seq: h.seq(), Deleted: h.g.dels.Value(h.row)}
	if rec.Deleted {
		return rec, nil
	}
	_, vals := s.cache.cachedGroup(h.g.r, h.g.rg)
	if vals == nil {
		vals = s.cache.fill(ctx, h.g)
	}
	if vals == nil {
		data, err := h.g.r.readRow(ctx, h.g, h.row)
		rec.Data = data
		return rec, err
	}
	cols := h.g.r.cols
	ids := make([]uint32, len(cols))
	row := make([]any, len(cols))
	for i, rc := range cols {
		v, err := valueAt(vals[i], rc.oid, h.row)
		if err != nil {
			return rec, fmt.Errorf("read segment %s column %d: %w", h.seg.Path, rc.id, err)
		}
		ids[i], row[i] = rc.id, v
	}
	data, err := hotstore.EncodeRow(nil, ids, row)
	rec.Data = data
	return rec, err
}

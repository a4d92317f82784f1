package coldstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kalamdb/kalamdb/catalog"
)

// CompactResult describes a compaction.
type CompactResult struct {
	Merged  int     // segments replaced
	Segment Segment // the new segment; Rows 0 when every row was deleted
}

// Compact merges all of part's segments into one: the newest version of
// each key, written with the current schema (dropped columns disappear,
// added ones get their Missing value or NULL). Tombstones are dropped:
// every older cold version is in the merge, and hot versions are always
// newer than cold ones, so nothing remains for them to hide. Segments
// flushed while it runs are kept. It does nothing for a partition with at
// most one segment holding no tombstones.
//
// Crash safety: the new file is published by the manifest swap; before it
// the file is an orphan, after it the old files are, and Open's lazy load
// deletes orphans. Readers holding old segments keep them until Close.
func (s *Store) Compact(ctx context.Context, part Partition, schema []catalog.Column, schemaVersion int64) (CompactResult, error) {
	p, err := s.partition(part.dir())
	if err != nil {
		return CompactResult{}, err
	}
	p.compactMu.Lock()
	defer p.compactMu.Unlock()

	p.mu.Lock()
	if err := p.adoptLocked(part); err != nil {
		p.mu.Unlock()
		return CompactResult{}, fmt.Errorf("compact %s: %w", part.QualifiedName(), err)
	}
	segs := append([]Segment(nil), p.man.Segments...)
	if len(segs) == 0 || (len(segs) == 1 && segs[0].Tombstones == 0) {
		p.mu.Unlock()
		return CompactResult{}, nil
	}
	n := p.man.NextBatch
	p.man.NextBatch++
	for _, seg := range segs {
		p.pins[seg.Path]++
	}
	p.mu.Unlock()

	it := newIterator(ctx, p, segs, ScanOptions{})
	defer it.Close()
	w, err := newSegmentWriter(p.dir, batchName(n), schema, schemaVersion, s.layout())
	if err != nil {
		return CompactResult{}, fmt.Errorf("compact %s: %w", part.QualifiedName(), err)
	}
	w.op, w.fail = "compact", s.fail
	for it.Next() {
		if err := w.add(it.Key(), it.Seq(), false, it.Values); err != nil {
			w.abort()
			return CompactResult{}, fmt.Errorf("compact %s: %w", part.QualifiedName(), err)
		}
	}
	if err := it.Err(); err != nil {
		w.abort()
		return CompactResult{}, fmt.Errorf("compact %s: %w", part.QualifiedName(), err)
	}
	seg, ok, err := w.finish()
	if err != nil {
		return CompactResult{}, fmt.Errorf("compact %s: %w", part.QualifiedName(), err)
	}
	if err := p.swap(segs, seg, ok); err != nil {
		return CompactResult{}, fmt.Errorf("compact %s: %w", part.QualifiedName(), err)
	}
	return CompactResult{Merged: len(segs), Segment: seg}, nil
}

// swap replaces old with seg (when ok) in the manifest, keeping segments
// added since old was taken.
func (p *partition) swap(old []Segment, seg Segment, ok bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.erased {
		if ok {
			os.Remove(filepath.Join(p.dir, seg.Path))
		}
		return ErrErased
	}
	replaced := make(map[string]bool, len(old))
	for _, s := range old {
		replaced[s.Path] = true
	}
	next := p.man
	next.Segments = nil
	if ok {
		next.Segments = append(next.Segments, seg)
	}
	for _, s := range p.man.Segments {
		if !replaced[s.Path] {
			next.Segments = append(next.Segments, s)
		}
	}
	return p.publishLocked("compact", next)
}

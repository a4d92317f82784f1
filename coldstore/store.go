package coldstore

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Store is the cold tier under one root directory. It is safe for
// concurrent use. One Store per root: two processes must not share it.
//
// Lock order: Store.mu, then partition.mu, then readCache.mu;
// partition.compactMu is taken before partition.mu and never while holding
// Store.mu.
type Store struct {
	root      string
	groupRows int // rows per Parquet row group; tests lower it
	pageBytes int // data page size bound; tests lower it
	fail      *failpoint
	cache     *readCache // point-lookup readers and row groups

	mu     sync.Mutex            // guards parts and closed
	parts  map[string]*partition // by directory relative to root
	closed bool
}

// partition is the in-memory state of one partition directory.
type partition struct {
	dir   string // absolute
	fail  *failpoint
	cache *readCache

	compactMu sync.Mutex // one compaction at a time

	mu     sync.Mutex // guards everything below and serializes manifest writes
	loaded bool
	erased bool
	man    manifest
	pins   map[string]int  // segment file -> open scans using it
	doomed map[string]bool // files no longer in the manifest, deleted at last unpin
}

// Open opens (creating if needed) the cold store at root. Manifests load
// lazily, on a partition's first use, which also deletes that partition's
// temp and orphan files; Open itself only empties the trash left by an
// interrupted erase.
func Open(root string) (*Store, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("open cold store: %w", err)
	}
	if err := mkdirAll(abs); err != nil {
		return nil, fmt.Errorf("open cold store: %w", err)
	}
	if err := os.RemoveAll(filepath.Join(abs, trashDir)); err != nil {
		return nil, fmt.Errorf("open cold store: empty trash: %w", err)
	}
	return &Store{root: abs, groupRows: defaultGroupRows, pageBytes: defaultPageBytes, parts: make(map[string]*partition),
		fail: newFailpoint(os.Getenv(FailpointEnv)), cache: newReadCache(defaultCacheReaders, defaultCacheBytes)}, nil
}

// layout is how the store cuts new segments.
func (s *Store) layout() layout { return layout{groupRows: s.groupRows, pageBytes: s.pageBytes} }

// Root is the store's root directory.
func (s *Store) Root() string { return s.root }

// Close marks the store closed and empties its read cache. It owns no
// goroutines; open iterators keep working until closed.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cache.dropAll()
	return nil
}

// partition returns the state of the partition directory rel.
func (s *Store) partition(rel string) (*partition, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	p := s.parts[rel]
	if p == nil {
		p = &partition{dir: filepath.Join(s.root, rel), fail: s.fail, cache: s.cache, pins: map[string]int{}, doomed: map[string]bool{}}
		s.parts[rel] = p
	}
	return p, nil
}

// loadLocked reads the manifest once and deletes temp files and segments
// the manifest does not list: leftovers of a crash between writing a file
// and publishing it, or between publishing a manifest and deleting the
// files it replaced. Neither is visible to readers, so deleting is safe.
func (p *partition) loadLocked() error {
	if p.erased {
		return ErrErased
	}
	if p.loaded {
		return nil
	}
	m, err := readManifest(p.dir)
	if err != nil {
		return fmt.Errorf("load %s: %w", p.dir, err)
	}
	live := make(map[string]bool, len(m.Segments))
	for _, seg := range m.Segments {
		live[seg.Path] = true
	}
	entries, err := os.ReadDir(p.dir)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("load %s: %w", p.dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		_, isBatch := parseBatchName(name)
		if strings.HasPrefix(name, tmpPrefix) || (isBatch && !live[name]) {
			if err := os.RemoveAll(filepath.Join(p.dir, name)); err != nil {
				return fmt.Errorf("load %s: remove orphan: %w", p.dir, err)
			}
		}
	}
	p.man, p.loaded = m, true
	return nil
}

// adoptLocked loads the partition for handle h. A manifest of another table
// id is a dropped table's leftover under a reused name: it is discarded so
// its rows never reappear.
func (p *partition) adoptLocked(h Partition) error {
	if err := p.loadLocked(); err != nil {
		return err
	}
	if p.man.TableID == h.Table {
		return nil
	}
	if len(p.man.Segments) == 0 {
		// Nothing of the old table to retire: adopt in memory; the next
		// flush publishes the manifest (the directory may not exist).
		p.man.TableID, p.man.Table, p.man.User = h.Table, h.QualifiedName(), h.User
		return nil
	}
	old := p.man.Segments
	next := manifest{TableID: h.Table, Table: h.QualifiedName(), User: h.User, NextBatch: p.man.NextBatch}
	if err := writeManifest(p.dir, next); err != nil {
		return err
	}
	p.man = next
	p.retireLocked(old)
	return nil
}

// publishLocked makes m the partition's manifest (durably) and retires the
// segments it dropped. op names the operation for failpoints.
func (p *partition) publishLocked(op string, m manifest) error {
	if err := mkdirAll(p.dir); err != nil {
		return err
	}
	if err := writeManifest(p.dir, m); err != nil {
		return err
	}
	p.fail.reach(op + "-manifest-written")
	keep := make(map[string]bool, len(m.Segments))
	for _, seg := range m.Segments {
		keep[seg.Path] = true
	}
	var gone []Segment
	for _, seg := range p.man.Segments {
		if !keep[seg.Path] {
			gone = append(gone, seg)
		}
	}
	p.man = m
	p.retireLocked(gone)
	return nil
}

// retireLocked deletes segment files no longer in the manifest, or defers
// that to the last scan still reading them. A failed delete leaves an
// orphan that the next load removes.
func (p *partition) retireLocked(segs []Segment) {
	for _, seg := range segs {
		p.cache.drop(p, seg.Path)
		if p.pins[seg.Path] > 0 {
			p.doomed[seg.Path] = true
			continue
		}
		os.Remove(filepath.Join(p.dir, seg.Path))
	}
}

// pin snapshots the partition's segments for a reader; unpin releases them.
func (p *partition) pin(h Partition) ([]Segment, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.adoptLocked(h); err != nil {
		return nil, err
	}
	segs := append([]Segment(nil), p.man.Segments...)
	for _, seg := range segs {
		p.pins[seg.Path]++
	}
	return segs, nil
}

func (p *partition) unpin(segs []Segment) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, seg := range segs {
		if p.pins[seg.Path]--; p.pins[seg.Path] > 0 {
			continue
		}
		delete(p.pins, seg.Path)
		if p.doomed[seg.Path] {
			delete(p.doomed, seg.Path)
			if !p.erased {
				os.Remove(filepath.Join(p.dir, seg.Path))
			}
		}
	}
}

// Segments returns the partition's current segments, oldest first.
func (s *Store) Segments(part Partition) ([]Segment, error) {
	p, err := s.partition(part.dir())
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.adoptLocked(part); err != nil {
		return nil, err
	}
	return append([]Segment(nil), p.man.Segments...), nil
}

// segmentNamed returns the manifest entry of file path, if it is live.
func (p *partition) segmentNamed(path string) (Segment, bool) {
	for _, seg := range p.man.Segments {
		if seg.Path == path {
			return seg, true
		}
	}
	return Segment{}, false
}

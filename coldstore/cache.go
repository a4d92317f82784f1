package coldstore

import (
	"container/list"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/kalamdb/kalamdb/cachebudget"
)

// Default cache bounds (see Store.ShareCache and SetCacheLimits). A chat
// row group's system columns decode to ~90 KB (4096 keys, seqs and deleted
// flags), its table columns to ~1 MB: 64 MiB holds the system columns of
// ~700 groups (2.8M rows), or of fewer groups with their table columns
// (see fill).
const (
	defaultCacheReaders = 128
	defaultCacheBytes   = 64 << 20
)

// readCache keeps open segment readers (file, Parquet footer, per-group
// _key bounds), the decoded system columns (_key, _seq, _deleted) of row
// groups and, while there is room, their table columns, so a lookup
// costs a binary search, plus a read of the data pages that hold the row
// when the table columns are not cached, instead of an open, a footer
// parse and a group decode.
// Readers are bounded by count (each holds a file descriptor), groups by
// decoded bytes; both are LRU, but table columns go first: every lookup
// of a group needs its system columns (~90 KB), while its table columns
// (~1 MB) only spare it a read of the row's pages. Evicting whole groups
// instead made a partition larger than the cache thrash: each group
// decode evicted another group's columns, which fill then decoded again
// (~2.5 ms each). A reader is dropped from
// the cache when its segment leaves the manifest or its partition is
// erased (see partition.retireLocked and Store.retire), and its file is
// closed once the last lookup using it returns.
//
// Cached Arrow arrays are never Released: lookups may still read them
// after eviction, and with the Go allocator the GC reclaims them.
type readCache struct {
	mu         sync.Mutex // guards everything below, every segReader's refs, elem, dead and groups, and every group's elem, filled, vals and valBytes
	maxReaders int
	maxBytes   int64               // SetCacheLimits' bound, below the budget's
	mem        *cachebudget.Member // reports bytes; its Allowance bounds them
	readers    map[segKey]*segReader
	lru        *list.List // of *segReader, most recent first
	groups     *list.List // of *group, most recent first
	filled     *list.List // of the cached *group whose vals are cached too, most recent first
	bytes      int64      // decoded bytes of the cached groups and vals
}

// segKey names a segment file. The partition pointer keeps a recreated
// partition (whose batch numbers restart) from meeting the old files.
type segKey struct {
	p    *partition
	path string
}

// segReader is an open segment with its whole schema projected.
type segReader struct {
	key    segKey
	seg    Segment
	decode sync.Mutex // one group decode at a time per segment: a racing lookup waits for the cached result

	f      *os.File
	pr     *file.Reader
	fr     *pqarrow.FileReader // whole column chunks at a time, for scans and group decodes
	rowsPR *file.Reader        // page at a time, for materializing one row (see rowFile)
	leaves []int
	cols   []readCol
	minKey [][]byte // per row group _key bounds; nil when the group has no stats
	maxKey [][]byte

	refs   int           // lookups using it
	elem   *list.Element // in readCache.lru; nil once dropped from the cache
	dead   bool          // dropped: close when refs reaches 0
	groups map[int]*group
}

// group is the system columns of one row group of a segment, a reader of
// its pages (which keeps the offset index once read), and the rows of it
// that lookups materialized (encoded like Record.Data).
type group struct {
	r     *segReader
	rg    int
	keys  *array.Binary
	seqs  *array.Int64
	dels  *array.Boolean
	rows  *file.RowGroupReader // safe for concurrent lookups
	paged bool                 // every column chunk has an offset index (see readRow)
	// readers pools *rowReaders (column readers parallel to r.cols),
	// reused by readRow; the GC empties it, so it needs no bound of its own.
	readers sync.Pool
	vals    []arrow.Array // every table column (parallel to r.cols), when fill decoded them
	bytes   int64         // of the system columns and overhead
	// valBytes is the decoded size of vals.
	valBytes int64
	// tableBytes is the uncompressed size of the table columns, about
	// their decoded size: fill's estimate, kept so a lookup does not
	// rebuild the column chunk metadata.
	tableBytes int64
	elem       *list.Element // in readCache.groups; nil when not cached
	filled     *list.Element // in readCache.filled; nil when vals is not cached
}

// newReadCache returns a cache of at most readers open segments, drawing
// on a budget of its own of bytes until ShareCache.
func newReadCache(readers int, bytes int64) *readCache {
	c := &readCache{maxReaders: readers, maxBytes: math.MaxInt64, readers: map[segKey]*segReader{},
		lru: list.New(), groups: list.New(), filled: list.New()}
	c.mem = cachebudget.New(bytes).Join(c.trim)
	return c
}

// ShareCache makes the read cache draw on budget, shared with other
// caches (the hot store's index cache), instead of its own 64 MiB.
func (s *Store) ShareCache(budget *cachebudget.Budget) {
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mem.Leave()
	c.mem = budget.Join(c.trim)
	c.mem.Set(c.bytes)
	c.evictLocked()
}

// CacheBytes is the size of the row groups the read cache holds (for
// metrics).
func (s *Store) CacheBytes() int64 {
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// boundLocked is how many bytes the cache may hold now.
func (c *readCache) boundLocked() int64 { return min(c.maxBytes, c.mem.Allowance()) }

// addBytesLocked counts n more (or, negative, fewer) cached bytes. A
// decrease is reported to the budget at once; growth only once
// evictToLocked made room for it, so the budget never sees the cache over
// its allowance (which would start a needless trim).
func (c *readCache) addBytesLocked(n int64) {
	c.bytes += n
	if n < 0 {
		c.mem.Set(c.bytes)
	}
}

// trim evicts down to target bytes (the budget asks when another cache
// needs the memory).
func (c *readCache) trim(target int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.evictToLocked(target)
}

// SetCacheLimits bounds the point-lookup cache: at most readers open
// segment files and groupBytes of decoded row-group system columns and
// looked-up rows (0 disables either), within what its budget allows.
// Defaults: 128 readers, no bound beyond the budget. Lowering a limit
// evicts at once.
func (s *Store) SetCacheLimits(readers int, groupBytes int64) {
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	c.maxReaders, c.maxBytes = max(readers, 0), max(groupBytes, 0)
	c.evictLocked()
}

// acquire returns an open reader of seg in p, opening it if needed. The
// caller holds a pin on seg and must call release.
func (c *readCache) acquire(p *partition, seg Segment) (*segReader, error) {
	k := segKey{p, seg.Path}
	c.mu.Lock()
	if r := c.readers[k]; r != nil {
		r.refs++
		c.lru.MoveToFront(r.elem)
		c.mu.Unlock()
		return r, nil
	}
	c.mu.Unlock()
	r, err := openSegReader(p.dir, seg)
	if err != nil {
		return nil, err
	}
	r.key, r.refs = k, 1
	// Cache it only while the segment is live: a retire that ran since the
	// caller pinned it has already dropped the cache's entries. Lock order:
	// partition.mu, then readCache.mu.
	p.mu.Lock()
	defer p.mu.Unlock()
	_, live := p.segmentNamed(seg.Path)
	live = live && !p.erased
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.readers[k]; old != nil {
		old.refs++
		c.lru.MoveToFront(old.elem)
		r.close()
		return old, nil
	}
	if !live || c.maxReaders == 0 {
		r.dead = true
		return r, nil
	}
	r.elem = c.lru.PushFront(r)
	c.readers[k] = r
	c.evictLocked()
	return r, nil
}

// release ends a use of r from acquire.
func (c *readCache) release(r *segReader) {
	c.mu.Lock()
	r.refs--
	closeIt := r.dead && r.refs == 0
	c.mu.Unlock()
	if closeIt {
		r.close()
	}
}

// drop removes the readers of p (all, or only path when not "") and their
// groups. Called with p.mu held when segments leave the manifest.
func (c *readCache) drop(p *partition, path string) {
	c.mu.Lock()
	var closing []*segReader
	for k, r := range c.readers {
		if k.p == p && (path == "" || k.path == path) {
			if c.unlinkLocked(r) {
				closing = append(closing, r)
			}
		}
	}
	c.mu.Unlock()
	for _, r := range closing {
		r.close()
	}
}

// dropAll empties the cache (Store.Close).
func (c *readCache) dropAll() {
	c.mu.Lock()
	var closing []*segReader
	for _, r := range c.readers {
		if c.unlinkLocked(r) {
			closing = append(closing, r)
		}
	}
	c.mu.Unlock()
	for _, r := range closing {
		r.close()
	}
}

// unlinkLocked removes r and its groups from the cache and reports whether
// nobody uses it, so the caller closes it (outside the lock).
func (c *readCache) unlinkLocked(r *segReader) bool {
	for _, g := range r.groups {
		c.uncacheLocked(g)
	}
	r.groups = nil
	c.lru.Remove(r.elem)
	r.elem, r.dead = nil, true
	delete(c.readers, r.key)
	return r.refs == 0
}

// evictLocked enforces the bounds. Closing files of unused readers happens
// here under the lock: a close is cheap and eviction is rare.
func (c *readCache) evictLocked() {
	for c.lru.Len() > c.maxReaders {
		if r := c.lru.Back().Value.(*segReader); c.unlinkLocked(r) {
			r.close()
		}
	}
	c.evictToLocked(c.boundLocked())
}

// evictToLocked drops table columns, then whole groups, least recently
// used first, until at most target bytes remain.
func (c *readCache) evictToLocked(target int64) {
	for c.bytes > target && c.filled.Len() > 0 {
		c.unfillLocked(c.filled.Back().Value.(*group))
	}
	for c.bytes > target && c.groups.Len() > 0 {
		g := c.groups.Back().Value.(*group)
		c.uncacheLocked(g)
		delete(g.r.groups, g.rg)
	}
	c.mem.Set(c.bytes)
}

// uncacheLocked removes g (and its table columns) from the cache's lists
// and bytes; the caller removes it from its reader's groups.
func (c *readCache) uncacheLocked(g *group) {
	c.unfillLocked(g)
	c.groups.Remove(g.elem)
	g.elem = nil
	c.addBytesLocked(-g.bytes)
}

// unfillLocked drops g's table columns from the cache, keeping its system
// columns. Lookups that already hold them keep reading them.
func (c *readCache) unfillLocked(g *group) {
	if g.filled == nil {
		return
	}
	c.filled.Remove(g.filled)
	c.addBytesLocked(-g.valBytes)
	g.filled, g.vals, g.valBytes = nil, nil, 0
}

// group returns the system columns of row group rg of r, decoding them on
// a miss.
func (c *readCache) group(ctx context.Context, r *segReader, rg int) (*group, error) {
	if g, _ := c.cachedGroup(r, rg); g != nil {
		return g, nil
	}
	r.decode.Lock()
	defer r.decode.Unlock()
	if g, _ := c.cachedGroup(r, rg); g != nil {
		return g, nil
	}
	g, err := r.readKeys(ctx, rg)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !r.dead && g.bytes <= c.boundLocked() {
		if r.groups == nil {
			r.groups = map[int]*group{}
		}
		r.groups[rg] = g
		g.elem = c.groups.PushFront(g)
		c.addBytesLocked(g.bytes)
		c.evictLocked()
	}
	return g, nil
}

// fill decodes every table column of g (as all lookups did before
// segments had a page index) if the cache has room for them without
// evicting anything, and returns them, or nil. Partitions whose rows fit
// the bound are then served from memory, while on larger ones lookups
// read the row's pages instead of thrashing the cache with ~2 ms
// whole-group decodes. Once decoded they are kept even when the estimate
// fell short, evicting older table columns: dropping them would leave
// the cache as it was, and the next lookup would decode them again.
func (c *readCache) fill(ctx context.Context, g *group) []arrow.Array {
	est := g.tableBytes
	if !c.hasRoom(g, est) {
		return nil
	}
	r := g.r
	r.decode.Lock()
	defer r.decode.Unlock()
	if _, vals := c.cachedGroup(r, g.rg); vals != nil {
		return vals
	}
	if !c.hasRoom(g, est) {
		return nil
	}
	cols, err := readColumns(ctx, r.fr, r.seg.Path, r.leaves[sysColumns:], g.rg, r.cols, g)
	if err != nil {
		return nil // readRow reports it
	}
	releaseAll(cols.keys, cols.seqs, cols.dels) // g's, retained by readColumns
	var n int64
	for _, a := range cols.vals {
		n += dataBytes(a.Data())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if g.elem != nil && g.vals == nil {
		g.vals, g.valBytes = cols.vals, n
		c.addBytesLocked(n)
		g.filled = c.filled.PushFront(g)
		c.evictLocked()
	}
	return cols.vals
}

// hasRoom reports whether g is cached and n more bytes fit the bound.
func (c *readCache) hasRoom(g *group, n int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return g.elem != nil && c.bytes+n <= c.boundLocked()
}

// cachedGroup returns row group rg of r and its table columns (nil unless
// fill decoded them) if cached.
func (c *readCache) cachedGroup(r *segReader, rg int) (*group, []arrow.Array) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := r.groups[rg]
	if g == nil {
		return nil, nil
	}
	c.groups.MoveToFront(g.elem)
	if g.filled != nil {
		c.filled.MoveToFront(g.filled)
	}
	return g, g.vals
}

// openSegReader opens seg in dir with every column projected.
func openSegReader(dir string, seg Segment) (*segReader, error) {
	r := &segReader{seg: seg}
	var err error
	if r.f, err = os.Open(filepath.Join(dir, seg.Path)); err != nil {
		return nil, fmt.Errorf("open segment: %w", err)
	}
	fail := func(err error) (*segReader, error) {
		r.close()
		return nil, fmt.Errorf("open segment %s: %w", seg.Path, err)
	}
	if r.pr, err = file.NewParquetReader(r.f); err != nil {
		return fail(fmt.Errorf("%w: %v", ErrCorrupt, err))
	}
	if r.fr, err = pqarrow.NewFileReader(r.pr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator); err != nil {
		return fail(fmt.Errorf("%w: %v", ErrCorrupt, err))
	}
	if r.rowsPR, err = rowFile(r.f, r.pr.MetaData()); err != nil {
		return fail(fmt.Errorf("%w: %v", ErrCorrupt, err))
	}
	if r.cols, r.leaves, err = projection(r.fr, nil, false); err != nil {
		return fail(err)
	}
	n := r.pr.NumRowGroups()
	r.minKey, r.maxKey = make([][]byte, n), make([][]byte, n)
	for rg := range n {
		if bs := keyStats(r.pr.MetaData(), rg); bs != nil {
			r.minKey[rg], r.maxKey[rg] = bs.Min(), bs.Max()
		}
	}
	return r, nil
}

// keyStats returns row group rg's _key statistics, or nil.
func keyStats(md *metadata.FileMetaData, rg int) *metadata.ByteArrayStatistics {
	cc, err := md.RowGroup(rg).ColumnChunk(0)
	if err != nil {
		return nil
	}
	if ok, err := cc.StatsSet(); !ok || err != nil {
		return nil
	}
	st, err := cc.Statistics()
	if err != nil {
		return nil
	}
	bs, ok := st.(*metadata.ByteArrayStatistics)
	if !ok || !bs.HasMinMax() {
		return nil
	}
	return bs
}

// readKeys decodes the system columns of row group rg.
func (r *segReader) readKeys(ctx context.Context, rg int) (*group, error) {
	cols, err := readColumns(ctx, r.fr, r.seg.Path, r.leaves[:sysColumns], rg, nil, nil)
	if err != nil {
		return nil, err
	}
	g := &group{r: r, rg: rg, keys: cols.keys, seqs: cols.seqs, dels: cols.dels, rows: r.rowsPR.RowGroup(rg), paged: true, bytes: groupOverhead}
	for _, leaf := range r.leaves[sysColumns:] {
		if _, ok := g.rows.MetaData().OffsetIndexLocation(leaf); !ok {
			g.paged = false
		}
		if cc, err := g.rows.MetaData().ColumnChunk(leaf); err == nil {
			g.tableBytes += cc.TotalUncompressedSize()
		}
	}
	for _, a := range []arrow.Array{g.keys, g.seqs, g.dels} {
		g.bytes += dataBytes(a.Data())
	}
	return g, nil
}

// groupOverhead approximates a group's row group reader and the offset
// indexes it caches (a few dozen bytes per page of each column).
const groupOverhead = 4 << 10

// dataBytes is the size of an array's buffers, children included.
func dataBytes(d arrow.ArrayData) int64 {
	var n int64
	for _, b := range d.Buffers() {
		if b != nil {
			n += int64(b.Len())
		}
	}
	for _, ch := range d.Children() {
		n += dataBytes(ch)
	}
	return n
}

func (r *segReader) close() {
	if r.pr != nil {
		r.pr.Close()
		r.pr = nil
	}
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
}

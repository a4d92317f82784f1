package hotstore

import (
	"bytes"
	"encoding/binary"
	"sync"
	"sync/atomic"

	"github.com/kalamdb/kalamdb/cachebudget"
)

// The index cache keeps the entries of recently scanned index ranges, so
// the chat read ("the latest 50 messages of a conversation", an index
// range scanned newest first) is answered from memory instead of by a
// Badger iterator, whose seek and merge across the memtables and every
// level cost more than everything else of that query together.
//
// Only equality ranges are cached: ranges whose keys all share the first
// indexed value, its bucket (index partition + that value). A cached range
// holds the entries walked, in walk order: all of them (complete), or the
// first ones, when the scan that filled it stopped early (a LIMIT); a
// reader that goes past a partial range continues from Badger.
//
// Consistency rests on a logical clock bumped whenever a commit that wrote
// index entries finishes. A transaction notes the clock before Badger
// gives it its snapshot (Txn.clock). A writer registers its buckets before
// its Badger commit (writers > 0 keeps readers off them) and, once the
// commit is applied, stamps them with the new clock value (lastWrite) and
// drops their ranges. So a range of bucket b may serve (or be filled by) a
// transaction only when no commit is writing b and b's last write finished
// before that transaction's snapshot was taken (lastWrite <= Txn.clock):
// then the snapshot holds every write of b and nothing newer, which is
// exactly what the range holds. A transaction with index writes of its own
// does not use the cache at all.
//
// Memory is bounded: a range keeps at most indexCacheRangeEntries entries
// and indexCacheRangeBytes bytes, all ranges together what the cache
// budget allows (Options.Cache, shared with the cold store's cache; alone,
// indexCacheBytes), and at most indexCacheBuckets buckets are remembered;
// a forgotten bucket's last write is folded into floor, which then stands
// for it.

const (
	indexCacheBytes        = 192 << 20
	indexCacheRangeEntries = 256
	indexCacheRangeBytes   = 128 << 10
	indexCacheBuckets      = 1 << 16
)

type indexCache struct {
	clock atomic.Uint64 // bumped when an index-writing commit finishes

	mu      sync.Mutex
	buckets map[string]*cacheBucket
	floor   uint64 // lastWrite of every bucket not in buckets
	bytes   int    // size of every cached range
	// global counts batch deletes of whole indexes or index partitions in
	// progress (DropIndex): they keep every reader off the cache, and
	// globalWrite, like a bucket's lastWrite, is when the last one ended.
	global      int
	globalWrite uint64

	hits atomic.Uint64
	mem  *cachebudget.Member // reports bytes; its Allowance bounds them
}

type cacheBucket struct {
	writers   int    // commits writing the bucket right now
	lastWrite uint64 // clock value when the last one finished
	ranges    map[string]*cachedRange
}

// cachedRange is immutable once installed; readers share its entries.
type cachedRange struct {
	entries  []cachedEntry
	complete bool // every entry of the range, not just the first walked
	bytes    int
}

type cachedEntry struct {
	key, value []byte // Badger key and value
}

// newIndexCache returns a cache that draws on budget (nil: a budget of
// its own, indexCacheBytes).
func newIndexCache(budget *cachebudget.Budget) *indexCache {
	if budget == nil {
		budget = cachebudget.New(indexCacheBytes)
	}
	c := &indexCache{buckets: make(map[string]*cacheBucket)}
	c.mem = budget.Join(c.trim)
	return c
}

// trim drops ranges until the cache holds at most target bytes (the
// budget asks when another cache needs the memory).
func (c *indexCache) trim(target int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.shrinkLocked(int(target), "")
}

// close leaves the budget (Store.Close).
func (c *indexCache) close() { c.mem.Leave() }

// size is the bytes of every cached range.
func (c *indexCache) size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return int64(c.bytes)
}

// lastWriteLocked is when b's last write finished, as far as is known.
func (c *indexCache) lastWriteLocked(b *cacheBucket) uint64 {
	w := max(c.floor, c.globalWrite)
	if b != nil {
		w = max(w, b.lastWrite)
	}
	return w
}

// usableLocked reports whether bucket b may serve or fill a range for a
// transaction whose snapshot was taken after clock value at.
func (c *indexCache) usableLocked(b *cacheBucket, at uint64) bool {
	if c.global > 0 || (b != nil && b.writers > 0) {
		return false
	}
	return c.lastWriteLocked(b) <= at
}

// get returns the cached range rk of bucket for a transaction with clock
// at, or nil.
func (c *indexCache) get(bucket, rk string, at uint64) *cachedRange {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.buckets[bucket]
	if b == nil || !c.usableLocked(b, at) {
		return nil
	}
	r := b.ranges[rk]
	if r != nil {
		c.hits.Add(1)
	}
	return r
}

// put installs a range filled by a transaction with clock at, unless a
// write of its bucket may have happened since that snapshot.
func (c *indexCache) put(bucket, rk string, at uint64, r *cachedRange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.buckets[bucket]
	if !c.usableLocked(b, at) {
		return
	}
	if b == nil {
		b = c.bucketLocked(bucket)
	}
	if b.ranges == nil {
		b.ranges = make(map[string]*cachedRange)
	}
	if old := b.ranges[rk]; old != nil {
		c.bytes -= old.bytes
	}
	b.ranges[rk] = r
	c.bytes += r.bytes
	c.evictLocked(bucket)
	c.mem.Set(int64(c.bytes))
}

// bucketLocked returns bucket's record, creating it (and forgetting others
// past the bound).
func (c *indexCache) bucketLocked(bucket string) *cacheBucket {
	if b := c.buckets[bucket]; b != nil {
		return b
	}
	if len(c.buckets) >= indexCacheBuckets {
		c.forgetLocked(len(c.buckets) / 8)
	}
	b := &cacheBucket{lastWrite: c.floor}
	c.buckets[bucket] = b
	return b
}

// forgetLocked forgets up to n idle buckets (map order is
// random enough for an eviction policy), folding their last writes into
// floor.
func (c *indexCache) forgetLocked(n int) {
	for k, b := range c.buckets {
		if n <= 0 {
			return
		}
		if b.writers > 0 {
			continue
		}
		c.floor = max(c.floor, b.lastWrite)
		c.dropRangesLocked(b)
		delete(c.buckets, k)
		n--
	}
}

// evictLocked drops ranges, but not keep's, until the cache is back
// under its allowance, by an eighth of it so the next puts need not evict.
func (c *indexCache) evictLocked(keep string) {
	allowed := int(c.mem.Allowance())
	if c.bytes <= allowed {
		return
	}
	c.shrinkLocked(allowed*7/8, keep)
}

// shrinkLocked drops the ranges of buckets other than keep (map order is
// random enough for an eviction policy) until at most target bytes remain.
func (c *indexCache) shrinkLocked(target int, keep string) {
	for k, b := range c.buckets {
		if c.bytes <= target {
			break
		}
		if k != keep {
			c.dropRangesLocked(b)
		}
	}
}

func (c *indexCache) dropRangesLocked(b *cacheBucket) {
	if len(b.ranges) == 0 {
		return
	}
	for _, r := range b.ranges {
		c.bytes -= r.bytes
	}
	b.ranges = nil
	c.mem.Set(int64(c.bytes))
}

// beginWrite registers a commit about to write index entries of buckets.
func (c *indexCache) beginWrite(buckets map[string]struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range buckets {
		b := c.bucketLocked(k)
		b.writers++
		c.dropRangesLocked(b)
	}
}

// endWrite records that the commit registered by beginWrite finished
// (applied or failed). Its buckets hold no ranges: beginWrite dropped
// them, and none is installed while writers > 0.
func (c *indexCache) endWrite(buckets map[string]struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Add(1)
	for k := range buckets {
		b := c.buckets[k] // kept while writers > 0
		b.writers--
		b.lastWrite = now
	}
}

// beginGlobal and endGlobal bracket a batch delete of index entries that
// does not go through transactions (DropIndex, DropIndexPartition).
func (c *indexCache) beginGlobal() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.global++
	for _, b := range c.buckets {
		c.dropRangesLocked(b)
	}
}

func (c *indexCache) endGlobal() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.global--
	c.globalWrite = c.clock.Add(1)
	for _, b := range c.buckets {
		c.dropRangesLocked(b)
	}
}

// indexBucket returns the bucket of an index entry key (Badger key): its
// partition prefix and first indexed value; ok is false for a key that
// holds no complete first value.
func indexBucket(key []byte) (bucket []byte, ok bool) {
	if len(key) < 5 || key[0] != tagIndex {
		return nil, false
	}
	// The user ends at the first 0x00 0x01: an escaped 0x00 inside it is
	// 0x00 0xFF, so no pair before the terminator can match.
	end := bytes.Index(key[5:], []byte{0, 1})
	if end < 0 {
		return nil, false
	}
	part := 5 + end + 2
	n, ok := firstValueLen(key[part:])
	if !ok {
		return nil, false
	}
	return key[:part+n], true
}

// firstValueLen is the encoded length of the first value of an index key.
func firstValueLen(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	if b[0] == keyNull {
		return 1, true
	}
	_, rest, err := DecodeKey(b)
	if err != nil {
		return 0, false
	}
	return len(b) - len(rest), true
}

// rangeKey names a walk: its bounds and direction.
func rangeKey(lo, hi []byte, reverse bool) string {
	b := binary.AppendUvarint(make([]byte, 0, len(lo)+len(hi)+3), uint64(len(lo)))
	b = append(append(b, lo...), hi...)
	if reverse {
		b = append(b, 1)
	}
	return string(b)
}

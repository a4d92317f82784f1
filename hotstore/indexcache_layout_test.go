package hotstore

import (
	"testing"
	"unsafe"
)

// TestIndexCacheRangeIsContiguous checks that an installed range keeps its
// entries back to back in walk order (one stream of memory for a reader),
// and that a partial range (a walk stopped early) is laid out the same.
func TestIndexCacheRangeIsContiguous(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	setEntries(t, s, "a", 1, 2, 3, 4, 5)
	setEntries(t, s, "b", 6, 7, 8, 9)

	wantIDs(t, readConv(t, s, "a", true, 0), 5, 4, 3, 2, 1)
	wantIDs(t, readConv(t, s, "b", true, 2), 9, 8)
	for _, c := range []struct {
		conv  string
		count int
	}{{"a", 5}, {"b", 2}} {
		start, end := convRange(t, c.conv)
		k := appendPartition(nil, tagIndex, cacheIdx)
		lo := append(append([]byte(nil), k...), start...)
		hi := append(append([]byte(nil), k...), end...)
		bucket, ok := indexBucket(lo)
		if !ok {
			t.Fatalf("%s: no bucket", c.conv)
		}
		r := s.icache.get(string(bucket), rangeKey(lo, hi, true), s.icache.clock.Load())
		if r == nil || len(r.entries) != c.count {
			t.Fatalf("%s: cached range %+v, want %d entries", c.conv, r, c.count)
		}
		next := unsafe.Pointer(unsafe.SliceData(r.entries[0].key))
		for i, e := range r.entries {
			if unsafe.Pointer(unsafe.SliceData(e.key)) != next || unsafe.Pointer(unsafe.SliceData(e.value)) != unsafe.Add(next, len(e.key)) {
				t.Fatalf("%s: entry %d does not follow the one before it", c.conv, i)
			}
			if cap(e.key) != len(e.key) || cap(e.value) != len(e.value) {
				t.Fatalf("%s: entry %d may grow into its neighbour", c.conv, i)
			}
			next = unsafe.Add(next, len(e.key)+len(e.value))
		}
	}
	// The cached ranges serve the same entries as Badger did.
	before := hits(s)
	wantIDs(t, readConv(t, s, "a", true, 0), 5, 4, 3, 2, 1)
	wantIDs(t, readConv(t, s, "b", true, 0), 9, 8, 7, 6)
	if h := hits(s) - before; h != 2 {
		t.Fatalf("hits = %d, want 2", h)
	}
}

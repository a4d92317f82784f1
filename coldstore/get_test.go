package coldstore

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/kalamdb/kalamdb/hotstore"
)

// scanGet is the reference point lookup: a merged scan of [key, key+0x00).
func scanGet(t testing.TB, s *Store, part Partition, key []byte) (hotstore.Record, bool) {
	t.Helper()
	it, err := s.Scan(context.Background(), part, ScanOptions{Start: key, End: append(bytes.Clone(key), 0), IncludeDeleted: true})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	defer it.Close()
	if !it.Next() {
		if err := it.Err(); err != nil {
			t.Fatalf("scan: %v", err)
		}
		return hotstore.Record{}, false
	}
	rec, err := it.Record()
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	return rec, true
}

func checkGetAll(t *testing.T, s *Store, part Partition, from, to int64) {
	t.Helper()
	for id := from; id <= to; id++ {
		key := intKey(t, id)
		want, wantOK := scanGet(t, s, part, key)
		got, ok, err := s.Get(t.Context(), part, key)
		if err != nil {
			t.Fatalf("get %d: %v", id, err)
		}
		if ok != wantOK || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("get %d: got %v %+v, want %v %+v", id, ok, got, wantOK, want)
		}
	}
}

func TestGetMatchesScan(t *testing.T) {
	for _, groupRows := range []int{3, defaultGroupRows} {
		t.Run(fmt.Sprint(groupRows), func(t *testing.T) {
			s := openStore(t)
			s.groupRows = groupRows
			var first, second []row
			for i := int64(1); i <= 20; i += 1 {
				first = append(first, msg(t, i, i, "c1", fmt.Sprintf("old %d", i)))
			}
			for i := int64(10); i <= 30; i += 2 {
				if i == 14 {
					second = append(second, tomb(t, 14, 114))
					continue
				}
				second = append(second, msg(t, i, 100+i, "c1", fmt.Sprintf("new %d", i)))
			}
			flush(t, s, testPart, chatSchema, first...)
			flush(t, s, testPart, chatSchema, second...)
			// A stale version flushed later loses to the newer seq; a
			// rewrite with the same seq wins by batch number.
			flush(t, s, testPart, chatSchema, msg(t, 12, 3, "c1", "stale"), msg(t, 16, 116, "c1", "rewritten"))
			checkGetAll(t, s, testPart, 0, 32)

			if got, ok, _ := s.Get(t.Context(), testPart, intKey(t, 16)); !ok || !bytes.Contains(got.Data, []byte("rewritten")) {
				t.Fatalf("key 16: %+v, want the rewritten row", got)
			}
			if got, ok, _ := s.Get(t.Context(), testPart, intKey(t, 14)); !ok || !got.Deleted || got.Seq != 114 {
				t.Fatalf("key 14: %v %+v, want tombstone seq 114", ok, got)
			}
			other := testPart
			other.User = "user_bob"
			if _, ok, err := s.Get(t.Context(), other, intKey(t, 1)); ok || err != nil {
				t.Fatalf("empty partition: %v %v", ok, err)
			}
		})
	}
}

// TestGetAfterRetire checks that the read cache never serves a segment
// that left the manifest, including a dropped partition recreated with the
// same batch file names.
func TestGetAfterRetire(t *testing.T) {
	s := openStore(t)
	s.groupRows = 4
	var rows []row
	for i := int64(1); i <= 10; i++ {
		rows = append(rows, msg(t, i, i, "c", fmt.Sprintf("v1 %d", i)))
	}
	flush(t, s, testPart, chatSchema, rows...)
	flush(t, s, testPart, chatSchema, tomb(t, 3, 50), msg(t, 4, 51, "c", "v2 4"))
	checkGetAll(t, s, testPart, 0, 11) // fills the cache

	if _, err := s.Compact(t.Context(), testPart, chatSchema, 1); err != nil {
		t.Fatalf("compact: %v", err)
	}
	checkGetAll(t, s, testPart, 0, 11)
	if _, ok, _ := s.Get(t.Context(), testPart, intKey(t, 3)); ok {
		t.Fatalf("key 3: compaction dropped its tombstone, want no row")
	}
	checkCacheLive(t, s)
	if n := len(listDir(t, partDir(s, testPart))); n != 2 {
		t.Fatalf("%d files after compaction, want segment and manifest", n)
	}

	if err := s.DropPartition(t.Context(), testPart); err != nil {
		t.Fatalf("drop: %v", err)
	}
	checkCacheLive(t, s)
	if _, ok, err := s.Get(t.Context(), testPart, intKey(t, 5)); ok || err != nil {
		t.Fatalf("after drop: %v %v", ok, err)
	}
	flush(t, s, testPart, chatSchema, msg(t, 5, 500, "c", "recreated")) // batch-0 again
	got, ok, err := s.Get(t.Context(), testPart, intKey(t, 5))
	if err != nil || !ok || got.Seq != 500 {
		t.Fatalf("after recreate: %v %v %+v", ok, err, got)
	}

	if err := s.EraseUser(t.Context(), testPart.User); err != nil {
		t.Fatalf("erase: %v", err)
	}
	checkCacheLive(t, s)
	if _, ok, err := s.Get(t.Context(), testPart, intKey(t, 5)); ok || err != nil {
		t.Fatalf("after erase: %v %v", ok, err)
	}
}

func TestGetCacheBounds(t *testing.T) {
	s := openStore(t)
	s.groupRows = 8
	for f := int64(0); f < 4; f++ {
		var rows []row
		for i := int64(0); i < 40; i++ {
			id := f*40 + i
			rows = append(rows, msg(t, id, id+1, "c", fmt.Sprintf("row %d", id)))
		}
		flush(t, s, testPart, chatSchema, rows...)
	}
	for _, lim := range []struct {
		readers int
		bytes   int64
	}{{2, 1 << 10}, {0, 0}, {1, 1 << 20}} {
		s.SetCacheLimits(lim.readers, lim.bytes)
		checkGetAll(t, s, testPart, 0, 161)
		c := s.cache
		c.mu.Lock()
		readers, groups, bytes := c.lru.Len(), c.groups.Len(), c.bytes
		c.mu.Unlock()
		if readers > lim.readers || bytes > lim.bytes || (lim.readers == 0 && groups > 0) {
			t.Fatalf("limits %+v: %d readers, %d groups, %d bytes", lim, readers, groups, bytes)
		}
	}
}

func TestConcurrentGetCompact(t *testing.T) {
	s := openStore(t)
	s.groupRows = 16
	const flushes, per = 6, 40
	done := make(chan error, 3)
	go func() {
		for f := int64(0); f < flushes; f++ {
			var rows []row
			for i := int64(0); i < per; i++ {
				id := f*per/2 + i // overlaps the previous flush
				rows = append(rows, msg(t, id, f*1000+id, "c", "x"))
			}
			if _, err := s.Flush(t.Context(), testPart, chatSchema, 1, &rowSource{rows: rows, t: t}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	go func() {
		for range flushes {
			if _, err := s.Compact(t.Context(), testPart, chatSchema, 1); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	go func() {
		for range 4 * flushes {
			for id := int64(0); id < flushes*per; id += 7 {
				if _, _, err := s.Get(t.Context(), testPart, intKey(t, id)); err != nil {
					done <- err
					return
				}
			}
		}
		done <- nil
	}()
	for range 3 {
		if err := <-done; err != nil {
			t.Fatalf("concurrent: %v", err)
		}
	}
	checkGetAll(t, s, testPart, 0, flushes*per)
	checkCacheLive(t, s)
	s.Close()
	if n := s.cache.lru.Len(); n != 0 {
		t.Fatalf("%d readers cached after Close", n)
	}
}

// checkCacheLive fails if the read cache holds a reader of a segment that
// is no longer in its partition's manifest (an open descriptor of a
// deleted file).
func checkCacheLive(t *testing.T, s *Store) {
	t.Helper()
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	for k, r := range s.cache.readers {
		k.p.mu.Lock() // test only: the real lock order is p.mu first
		_, live := k.p.segmentNamed(k.path)
		erased := k.p.erased
		k.p.mu.Unlock()
		if !live || erased || r.dead || r.f == nil {
			t.Fatalf("cached reader of %s: live %v erased %v dead %v", k.path, live, erased, r.dead)
		}
	}
}

// TestScanUsesCachedGroups checks that scans read row groups a lookup
// cached (projected and in reverse), leave them intact, and add none.
func TestScanUsesCachedGroups(t *testing.T) {
	s := openStore(t)
	s.groupRows = 4
	var rows []row
	for i := int64(1); i <= 30; i++ {
		rows = append(rows, msg(t, i, i, fmt.Sprintf("c%d", i%3), fmt.Sprintf("text %d", i)))
	}
	flush(t, s, testPart, chatSchema, rows[:20]...)
	flush(t, s, testPart, chatSchema, rows[10:]...)
	opts := []ScanOptions{{}, {Reverse: true, Columns: []uint32{3}}, {Columns: []uint32{1, 3}, Start: intKey(t, 5), End: intKey(t, 25)}}
	var before []string
	for _, o := range opts {
		out, _ := scan(t, s, testPart, o)
		before = append(before, fmt.Sprint(out))
	}
	if n := s.cache.groups.Len(); n != 0 {
		t.Fatalf("scans cached %d groups", n)
	}
	checkGetAll(t, s, testPart, 1, 30)
	for i, o := range opts {
		if out, _ := scan(t, s, testPart, o); fmt.Sprint(out) != before[i] {
			t.Fatalf("scan %+v through the cache:\n%v\nwant\n%v", o, out, before[i])
		}
	}
	checkGetAll(t, s, testPart, 1, 30)
}

// TestGetCacheKeepsSystemColumns checks that on a partition larger than
// the cache, table columns are evicted before the system columns every
// lookup needs: after every group was read, each still has its system
// columns cached, and the cache stays within its bound. Evicting whole
// groups instead made lookups decode groups over and over.
func TestGetCacheKeepsSystemColumns(t *testing.T) {
	s := openStore(t)
	s.groupRows = 100
	const groups = 20
	rows := chatRows(t, groups*s.groupRows)
	flush(t, s, testPart, chatSchema, rows...)
	// Room for every group's system columns (~6 KB each) and the table
	// columns (~30 KB) of a few groups.
	const limit = groups*8<<10 + 100<<10
	s.SetCacheLimits(defaultCacheReaders, limit)
	for range 2 {
		for _, r := range rows {
			got, ok, err := s.Get(t.Context(), testPart, r.key)
			if err != nil || !ok || got.Seq != r.seq {
				t.Fatalf("get %x: %v %v %+v, want seq %d", r.key, ok, err, got, r.seq)
			}
		}
	}
	c := s.cache
	c.mu.Lock()
	cached, filled, bytes := c.groups.Len(), 0, c.bytes
	for _, r := range c.readers {
		for _, g := range r.groups {
			if g.vals != nil {
				filled++
			}
		}
	}
	c.mu.Unlock()
	if cached != groups || filled == 0 || filled == groups || bytes > limit {
		t.Fatalf("%d groups cached (%d with table columns), %d bytes; want all %d, some but not all filled, at most %d bytes",
			cached, filled, bytes, groups, limit)
	}
}

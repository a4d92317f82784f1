package hotstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/pgerr"
)

// The index partition and keys of these tests: conversation c's entries
// are (c, id) -> id, with a row copy, like the chat index.
var cacheIdx = Partition{Table: 900, User: "u1"}

func convKey(t testing.TB, conv string, id int64) []byte {
	t.Helper()
	k, err := AppendIndexKey(nil, conv)
	if err != nil {
		t.Fatal(err)
	}
	return append(k, intKey(t, id)...)
}

func convRange(t testing.TB, conv string) (start, end []byte) {
	t.Helper()
	k, err := AppendIndexKey(nil, conv)
	if err != nil {
		t.Fatal(err)
	}
	return k, prefixEnd(k)
}

func setEntries(t testing.TB, s *Store, conv string, ids ...int64) {
	t.Helper()
	tx := s.Begin()
	defer tx.Discard()
	for _, id := range ids {
		if err := tx.SetIndexRecord(cacheIdx, convKey(t, conv, id), intKey(t, id), row(id), 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func delEntries(t testing.TB, s *Store, conv string, ids ...int64) {
	t.Helper()
	tx := s.Begin()
	defer tx.Discard()
	for _, id := range ids {
		if err := tx.DeleteIndex(cacheIdx, convKey(t, conv, id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// scanConv walks conv's entries in tx (newest first when reverse), at most
// limit of them (0: all), and returns their ids, checking each row copy.
func scanConv(t testing.TB, tx *Txn, conv string, reverse bool, limit int) []int64 {
	t.Helper()
	start, end := convRange(t, conv)
	it := tx.ScanIndex(cacheIdx, ScanOptions{Start: start, End: end, Reverse: reverse})
	defer it.Close()
	var ids []int64
	for it.Next() {
		id := keyToInt(t, it.Value())
		rec, ok := it.IndexRecord()
		if !ok || rec.Seq != id || string(rec.Data) != fmt.Sprintf("row%d", id) {
			t.Fatalf("entry %d: record %+v, %v", id, rec, ok)
		}
		ids = append(ids, id)
		if limit > 0 && len(ids) == limit {
			break
		}
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

func readConv(t testing.TB, s *Store, conv string, reverse bool, limit int) []int64 {
	t.Helper()
	tx := s.BeginRead()
	defer tx.Discard()
	return scanConv(t, tx, conv, reverse, limit)
}

func wantIDs(t testing.TB, got []int64, want ...int64) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func hits(s *Store) uint64 { return s.Stats().IndexCacheHits }

func TestIndexCacheServesRepeatedScans(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	setEntries(t, s, "a", 1, 2, 3)
	setEntries(t, s, "b", 4, 5)

	wantIDs(t, readConv(t, s, "a", true, 0), 3, 2, 1)
	if h := hits(s); h != 0 {
		t.Fatalf("hits after the first scan = %d, want 0", h)
	}
	wantIDs(t, readConv(t, s, "a", true, 0), 3, 2, 1)
	if h := hits(s); h != 1 {
		t.Fatalf("hits after the second scan = %d, want 1", h)
	}
	// Another direction is another range; another bucket is untouched.
	wantIDs(t, readConv(t, s, "a", false, 0), 1, 2, 3)
	wantIDs(t, readConv(t, s, "b", true, 0), 5, 4)
	if h := hits(s); h != 1 {
		t.Fatalf("hits = %d, want 1", h)
	}
	wantIDs(t, readConv(t, s, "a", false, 0), 1, 2, 3)
	if h := hits(s); h != 2 {
		t.Fatalf("hits = %d, want 2", h)
	}
}

func TestIndexCacheSeesEveryCommittedWrite(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	setEntries(t, s, "a", 1, 2, 3)
	wantIDs(t, readConv(t, s, "a", true, 0), 3, 2, 1)

	old := s.BeginRead() // its snapshot predates the writes below
	defer old.Discard()

	setEntries(t, s, "a", 4)
	wantIDs(t, readConv(t, s, "a", true, 0), 4, 3, 2, 1)
	wantIDs(t, readConv(t, s, "a", true, 0), 4, 3, 2, 1) // now cached
	delEntries(t, s, "a", 2)
	wantIDs(t, readConv(t, s, "a", true, 0), 4, 3, 1)
	wantIDs(t, readConv(t, s, "a", true, 0), 4, 3, 1)

	// The old snapshot must neither use nor fill the newer ranges.
	h := hits(s)
	wantIDs(t, scanConv(t, old, "a", true, 0), 3, 2, 1)
	wantIDs(t, scanConv(t, old, "a", true, 0), 3, 2, 1)
	if hits(s) != h {
		t.Fatalf("a snapshot older than the last write was served from the cache")
	}
	wantIDs(t, readConv(t, s, "a", true, 0), 4, 3, 1)
}

func TestIndexCachePartialRangeContinuesFromBadger(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	setEntries(t, s, "a", 1, 2, 3, 4, 5)
	wantIDs(t, readConv(t, s, "a", true, 2), 5, 4) // caches the first two
	wantIDs(t, readConv(t, s, "a", true, 0), 5, 4, 3, 2, 1)
	wantIDs(t, readConv(t, s, "a", true, 1), 5)
	wantIDs(t, readConv(t, s, "a", false, 2), 1, 2)
	wantIDs(t, readConv(t, s, "a", false, 0), 1, 2, 3, 4, 5)
	if h := hits(s); h != 3 {
		t.Fatalf("hits = %d, want 3", h)
	}
}

func TestIndexCacheBypassedByOwnWrites(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	setEntries(t, s, "a", 1, 2)
	wantIDs(t, readConv(t, s, "a", true, 0), 2, 1)
	tx := s.Begin()
	defer tx.Discard()
	if err := tx.SetIndexRecord(cacheIdx, convKey(t, "a", 3), intKey(t, 3), row(3), 0); err != nil {
		t.Fatal(err)
	}
	wantIDs(t, scanConv(t, tx, "a", true, 0), 3, 2, 1)
	tx.Discard()
	// Rolled back: the committed state, from the cache again.
	wantIDs(t, readConv(t, s, "a", true, 0), 2, 1)
}

func TestIndexCacheEmptiedByDropIndex(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	setEntries(t, s, "a", 1, 2)
	wantIDs(t, readConv(t, s, "a", true, 0), 2, 1)
	if err := s.DropIndexPartition(context.Background(), cacheIdx); err != nil {
		t.Fatal(err)
	}
	wantIDs(t, readConv(t, s, "a", true, 0))
	setEntries(t, s, "a", 7)
	if err := s.DropIndex(context.Background(), cacheIdx.Table); err != nil {
		t.Fatal(err)
	}
	wantIDs(t, readConv(t, s, "a", true, 0))
}

func TestIndexCacheSkipsExpiringEntries(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	tx := s.Begin()
	if err := tx.SetIndexRecord(cacheIdx, convKey(t, "a", 1), intKey(t, 1), row(1), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantIDs(t, readConv(t, s, "a", true, 0), 1)
	wantIDs(t, readConv(t, s, "a", true, 0), 1)
	if h := hits(s); h != 0 {
		t.Fatalf("hits = %d: a range with expiring entries was cached", h)
	}
}

// TestIndexCacheUnderConcurrentWrites races writers of a few buckets with
// readers that scan each range twice in one snapshot, through the cache
// and straight from Badger: both walks must agree, always. A bucket is
// off the cache while a commit writing it waits for the applier (up to
// its millisecond, apply.go), so the writers pause between commits:
// writing without pause, they would keep all three buckets off it.
func TestIndexCacheUnderConcurrentWrites(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{Durability: Async})
	convs := []string{"a", "b", "c"}
	for i, c := range convs {
		setEntries(t, s, c, int64(i*1000+1), int64(i*1000+2))
	}
	stop := make(chan struct{})
	var writers sync.WaitGroup
	for w := range 2 {
		writers.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for n := int64(0); ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				time.Sleep(2 * time.Millisecond)
				ci := r.IntN(len(convs))
				id := int64(ci*1000 + 3 + r.IntN(60))
				if r.IntN(3) == 0 {
					delEntries(t, s, convs[ci], id)
				} else {
					setEntries(t, s, convs[ci], id)
				}
			}
		})
	}
	var readers sync.WaitGroup
	deadline := time.Now().Add(2 * time.Second)
	for rd := range 3 {
		readers.Go(func() {
			r := rand.New(rand.NewPCG(uint64(rd), 7))
			for time.Now().Before(deadline) {
				conv := convs[r.IntN(len(convs))]
				reverse := r.IntN(4) != 0
				limit := r.IntN(6) // 0: all
				tx := s.BeginRead()
				got := scanConv(t, tx, conv, reverse, limit)
				tx.noCache = true
				want := scanConv(t, tx, conv, reverse, limit)
				tx.Discard()
				if !slices.Equal(got, want) {
					t.Errorf("%s reverse=%v limit=%d: cached walk %v, Badger %v", conv, reverse, limit, got, want)
					return
				}
			}
		})
	}
	readers.Wait()
	close(stop)
	writers.Wait()
	if hits(s) == 0 {
		t.Fatal("no scan was served from the cache")
	}
	t.Logf("%d of the scans served from the cache", hits(s))
}

func TestIndexBucket(t *testing.T) {
	conv := func(user, c string, id int64) []byte {
		k := appendPartition(nil, tagIndex, Partition{Table: 3, User: user})
		return append(k, convKey(t, c, id)...)
	}
	for _, tc := range []struct{ a, b []byte }{
		{conv("u", "a", 1), conv("u", "a", 2)},
		{conv("u\x00\x01x", "a\x00b", 1), conv("u\x00\x01x", "a\x00b", 99)},
	} {
		ba, ok1 := indexBucket(tc.a)
		bb, ok2 := indexBucket(tc.b)
		if !ok1 || !ok2 || string(ba) != string(bb) {
			t.Fatalf("buckets %q, %q differ", ba, bb)
		}
	}
	a, _ := indexBucket(conv("u", "a", 1))
	b, _ := indexBucket(conv("u", "ab", 1))
	c, _ := indexBucket(conv("v", "a", 1))
	if string(a) == string(b) || string(a) == string(c) {
		t.Fatalf("distinct buckets collide: %q %q %q", a, b, c)
	}
	nullKey := append(appendPartition(nil, tagIndex, Partition{Table: 3}), keyNull)
	if _, ok := indexBucket(nullKey); !ok {
		t.Fatal("NULL first value: no bucket")
	}
	if _, ok := indexBucket(appendPartition(nil, tagIndex, Partition{Table: 3})); ok {
		t.Fatal("a key without a first value has a bucket")
	}
}

// A read-write transaction whose index scan the cache serves records the
// entries it read, as a Badger iterator would: a concurrent commit that
// rewrote one of them makes it fail with a conflict.
func TestIndexCacheHitRecordsReads(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	setEntries(t, s, "a", 1, 2, 3)
	wantIDs(t, readConv(t, s, "a", true, 0), 3, 2, 1) // fills the cache
	tx := s.Begin()
	defer tx.Discard()
	before := hits(s)
	wantIDs(t, scanConv(t, tx, "a", true, 0), 3, 2, 1)
	if hits(s) != before+1 {
		t.Fatalf("the read-write scan was not served by the cache")
	}
	setEntries(t, s, "a", 2) // another transaction rewrites entry 2
	// tx acts on what it read.
	if err := tx.SetMeta([]byte("decision"), []byte("3 entries")); err != nil {
		t.Fatal(err)
	}
	err := tx.Commit(context.Background())
	if e, ok := pgerr.As(err); !ok || e.Code != pgerr.SerializationFailure {
		t.Fatalf("Commit after a concurrent rewrite of an entry it read = %v, want SQLSTATE 40001", err)
	}
}

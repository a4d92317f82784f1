package hotstore

import (
	"context"
	"sync"
	"testing"
)

// has reports whether a new read-only transaction sees key n in p.
func has(t *testing.T, s *Store, p Partition, n int64) bool {
	t.Helper()
	tx := s.BeginRead()
	defer tx.Discard()
	_, ok, err := tx.Get(p, intKey(t, n))
	if err != nil {
		t.Fatalf("Get %d: %v", n, err)
	}
	return ok
}

// TestReadersShareSnapshotUntilAWrite: read-only transactions with no write
// between them share one Badger transaction; a write makes the next reader
// take a new one that sees it, while an open reader keeps its own view.
func TestReadersShareSnapshotUntilAWrite(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 1, User: "u"}
	put(t, s, p, map[int64]Record{1: row(1)})

	a, b := s.BeginRead(), s.BeginRead()
	if a.bt != b.bt {
		t.Fatal("two readers with no write between them got different snapshots")
	}
	b.Discard()
	b.Discard() // a second Discard must not release the snapshot again
	if c := s.BeginRead(); c.bt != a.bt {
		t.Fatal("a reader after another's Discard got a new snapshot")
	} else {
		c.Discard()
	}

	put(t, s, p, map[int64]Record{2: row(2)})
	if s.snaps.cached.Load() {
		t.Fatal("a write left the old snapshot cached, holding back Badger's read watermark")
	}
	if !has(t, s, p, 2) {
		t.Fatal("a reader beginning after the commit does not see it")
	}
	if _, ok, err := a.Get(p, intKey(t, 2)); err != nil || ok {
		t.Fatalf("a reader that began before the commit sees it: %v, %v", ok, err)
	}
	if _, ok, err := a.Get(p, intKey(t, 1)); err != nil || !ok {
		t.Fatalf("the older reader lost its view: %v, %v", ok, err)
	}
	if err := a.Commit(context.Background()); err != nil {
		t.Fatalf("Commit of a read-only transaction: %v", err)
	}
	a.Discard()
}

// TestWritesOutsideTransactionsRenewSnapshot: writes that bypass Txn (here
// DropPartition's write batch) also make the next reader take a new
// snapshot.
func TestWritesOutsideTransactionsRenewSnapshot(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 1, User: "u"}
	put(t, s, p, map[int64]Record{1: row(1)})
	held := s.BeginRead() // keeps the snapshot referenced through the drop
	defer held.Discard()
	if !has(t, s, p, 1) {
		t.Fatal("row missing before the drop")
	}
	if err := s.DropPartition(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if has(t, s, p, 1) {
		t.Fatal("a reader after DropPartition still sees the dropped row")
	}
}

// TestSharedSnapshotConcurrentReaders: many readers sharing snapshots while
// a writer commits; run with -race. Each reader must see every row
// committed before it began.
func TestSharedSnapshotConcurrentReaders(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 1, User: "u"}
	put(t, s, p, map[int64]Record{0: row(0)})
	var last int64
	var mu sync.Mutex
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(stop)
		for n := int64(1); n <= 300; n++ {
			tx := s.Begin()
			err := tx.Put(p, intKey(t, n), row(n), 0)
			if err == nil {
				err = tx.Commit(context.Background())
			}
			tx.Discard()
			if err != nil {
				t.Errorf("commit row %d: %v", n, err)
				return
			}
			mu.Lock()
			last = n
			mu.Unlock()
		}
	}()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				n := last
				mu.Unlock()
				tx := s.BeginRead()
				it := tx.Scan(p, ScanOptions{})
				seen := 0
				for it.Next() {
					seen++
				}
				it.Close()
				_, ok, err := tx.Get(p, intKey(t, n))
				tx.Discard()
				if err != nil || !ok || int64(seen) < n+1 {
					t.Errorf("reader began after row %d committed: Get %v %v, scanned %d rows", n, ok, err, seen)
					return
				}
			}
		}()
	}
	wg.Wait()
}

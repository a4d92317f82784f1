package hotstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/kalamdb/kalamdb/pgerr"
)

func commitCode(t *testing.T, tx *Txn) string {
	t.Helper()
	err := tx.Commit(context.Background())
	if err == nil {
		return ""
	}
	code := pgerr.Code(err)
	if code != pgerr.SerializationFailure {
		t.Fatalf("Commit = %v, want nil or 40001", err)
	}
	return code
}

// Write skew: each reads the row the other writes. A serial order has
// room for one of them only.
func TestConflictWriteSkew(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 1, User: "u"}
	put(t, s, p, map[int64]Record{1: row(1), 2: row(2)})
	t1, t2 := s.Begin(), s.Begin()
	defer t1.Discard()
	defer t2.Discard()
	for i, tx := range []*Txn{t1, t2} {
		if _, _, err := tx.Get(p, intKey(t, int64(1+i))); err != nil {
			t.Fatalf("Get: %v", err)
		}
		if err := tx.Put(p, intKey(t, int64(2-i)), row(int64(10+i)), 0); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	if code := commitCode(t, t2); code != "" {
		t.Fatalf("first Commit failed")
	}
	if code := commitCode(t, t1); code == "" {
		t.Fatalf("second Commit succeeded; it read row 1, which the first wrote")
	}
}

// A read of a missing key conflicts with a commit that creates it.
func TestConflictReadMissingKey(t *testing.T) {
	s := openStore(t, "", Options{})
	t1 := s.Begin()
	defer t1.Discard()
	if _, ok, err := t1.GetMeta([]byte("k")); ok || err != nil {
		t.Fatalf("GetMeta = %v, %v", ok, err)
	}
	if err := t1.SetMeta([]byte("other"), nil); err != nil {
		t.Fatalf("SetMeta: %v", err)
	}
	t2 := s.Begin()
	if err := t2.SetMeta([]byte("k"), []byte("v")); err != nil {
		t.Fatalf("SetMeta: %v", err)
	}
	if code := commitCode(t, t2); code != "" {
		t.Fatal("first Commit failed")
	}
	if code := commitCode(t, t1); code == "" {
		t.Fatal("second Commit succeeded after the key it found missing was created")
	}
}

// Keys an iterator visits are reads: Scan, ScanSeq (which also looks rows
// up) and ScanMeta.
func TestConflictThroughIterators(t *testing.T) {
	p := Partition{Table: 1, User: "u"}
	q := Partition{Table: 2, User: "u"}
	scans := map[string]func(t *testing.T, tx *Txn){
		"Scan": func(t *testing.T, tx *Txn) {
			if got := collect(t, tx.Scan(p, ScanOptions{})); len(got) != 3 {
				t.Fatalf("Scan = %v", got)
			}
		},
		"ScanReverseBounded": func(t *testing.T, tx *Txn) {
			o := ScanOptions{Start: intKey(t, 2), End: intKey(t, 3), Reverse: true}
			if got := collect(t, tx.Scan(p, o)); len(got) != 1 {
				t.Fatalf("Scan = %v", got)
			}
		},
		"ScanSeq": func(t *testing.T, tx *Txn) {
			if got := collect(t, tx.ScanSeq(p, 0, true)); len(got) != 3 {
				t.Fatalf("ScanSeq = %v", got)
			}
		},
		"ScanMeta": func(t *testing.T, tx *Txn) {
			n := 0
			if err := tx.ScanMeta([]byte("m"), func(k, v []byte) error { n++; return nil }); err != nil || n != 1 {
				t.Fatalf("ScanMeta: %d keys, %v", n, err)
			}
		},
	}
	for name, scan := range scans {
		t.Run(name, func(t *testing.T) {
			s := openStore(t, "", Options{})
			put(t, s, p, map[int64]Record{1: row(1), 2: row(2), 3: row(3)})
			seed := s.Begin()
			if err := seed.SetMeta([]byte("m1"), []byte("x")); err != nil {
				t.Fatalf("SetMeta: %v", err)
			}
			if code := commitCode(t, seed); code != "" {
				t.Fatal("seed Commit failed")
			}

			t1 := s.Begin()
			defer t1.Discard()
			scan(t, t1)
			if err := t1.Put(q, intKey(t, 1), row(10), 0); err != nil {
				t.Fatalf("Put: %v", err)
			}
			t2 := s.Begin()
			if err := t2.Put(p, intKey(t, 2), row(11), 0); err != nil {
				t.Fatalf("Put: %v", err)
			}
			if err := t2.SetMeta([]byte("m1"), []byte("y")); err != nil {
				t.Fatalf("SetMeta: %v", err)
			}
			if code := commitCode(t, t2); code != "" {
				t.Fatal("first Commit failed")
			}
			if code := commitCode(t, t1); code == "" {
				t.Fatal("Commit succeeded after a key its scan visited changed")
			}
		})
	}
}

// Transactions on different keys, blind writes of one key, and keys a
// transaction reads after writing them itself never conflict (Badger's
// rules).
func TestNoFalseConflicts(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 1, User: "u"}
	put(t, s, p, map[int64]Record{1: row(1), 2: row(2)})

	t1, t2 := s.Begin(), s.Begin()
	for i, tx := range []*Txn{t1, t2} {
		k := intKey(t, int64(i+1))
		if _, _, err := tx.Get(p, k); err != nil {
			t.Fatalf("Get: %v", err)
		}
		if err := tx.Put(p, k, row(int64(10+i)), 0); err != nil {
			t.Fatalf("Put: %v", err)
		}
		// Both write (blindly) the same metadata key.
		if err := tx.SetMeta([]byte("shared"), []byte{byte(i)}); err != nil {
			t.Fatalf("SetMeta: %v", err)
		}
	}
	// t1 reads its own write of "own"; t2 then commits "own" too.
	if err := t1.SetMeta([]byte("own"), []byte("1")); err != nil {
		t.Fatalf("SetMeta: %v", err)
	}
	if _, ok, err := t1.GetMeta([]byte("own")); !ok || err != nil {
		t.Fatalf("GetMeta own write = %v, %v", ok, err)
	}
	if err := t2.SetMeta([]byte("own"), []byte("2")); err != nil {
		t.Fatalf("SetMeta: %v", err)
	}
	if code := commitCode(t, t2); code != "" {
		t.Fatal("t2 conflicted")
	}
	if code := commitCode(t, t1); code != "" {
		t.Fatal("t1 conflicted")
	}
	if got := s.Stats().Conflicts; got != 0 {
		t.Fatalf("Conflicts = %d", got)
	}
}

// Applied in place (in memory: no applier), a commit returns only once
// every commit up to its timestamp has been applied, so the committer's
// next transaction sees its write.
func TestCommitWaitsForVisible(t *testing.T) {
	s := openStore(t, "", Options{})
	o := s.orc
	ts1, err1 := o.blindTs(nil, nil, false, nil)
	ts2, err2 := o.blindTs(nil, nil, false, nil)
	if err1 != nil || err2 != nil {
		t.Fatalf("blindTs: %v, %v", err1, err2)
	}
	finished := make(chan struct{})
	go func() {
		o.finish(ts2)
		close(finished)
	}()
	select {
	case <-finished:
		t.Fatal("finish(ts2) returned while ts1 is in flight")
	case <-time.After(50 * time.Millisecond):
	}
	o.finish(ts1)
	<-finished
	if ts := o.beginRead(); ts != ts2 {
		t.Fatalf("read timestamp = %d, want %d", ts, ts2)
	}
}

func TestReadYourWritesConcurrent(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{Durability: Async})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := Partition{Table: 1, User: fmt.Sprintf("u%d", w)}
			for i := range int64(50) {
				tx := s.Begin()
				if err := tx.Put(p, intKey(t, i), row(i+1), 0); err != nil {
					t.Errorf("Put: %v", err)
					return
				}
				if err := tx.Commit(context.Background()); err != nil {
					t.Errorf("Commit: %v", err)
					return
				}
				for _, rt := range []*Txn{s.Begin(), s.BeginRead()} {
					_, ok, err := rt.Get(p, intKey(t, i))
					rt.Discard()
					if !ok || err != nil {
						t.Errorf("Get after Commit: %v, %v", ok, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

// A long read-only reader holds back Badger's discard timestamp, not the
// write sets kept for conflict checks; a long read-write transaction holds
// those back until it ends.
func TestCommittedBoundedWithLongReader(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 1, User: "u"}
	put(t, s, p, map[int64]Record{1: row(1)})
	reader := s.BeginRead()
	if _, _, err := reader.Get(p, intKey(t, 1)); err != nil {
		t.Fatalf("Get: %v", err)
	}
	readTs := reader.snap.ts
	for i := range int64(200) {
		put(t, s, p, map[int64]Record{i % 7: row(i + 1)})
	}
	s.orc.mu.Lock()
	kept, discard, ro := len(s.orc.committed), s.orc.discard, len(s.orc.ro.ts)
	s.orc.mu.Unlock()
	if kept != 0 || ro > 2 {
		t.Fatalf("with a long reader: %d write sets kept, %d read timestamps", kept, ro)
	}
	if discard > readTs {
		t.Fatalf("discard timestamp %d above the reader's %d", discard, readTs)
	}
	reader.Discard()

	long := s.Begin()
	if _, _, err := long.Get(p, intKey(t, 1)); err != nil {
		t.Fatalf("Get: %v", err)
	}
	for i := range int64(20) {
		put(t, s, p, map[int64]Record{i % 7: row(i + 300)})
	}
	if n := len(s.orc.committed); n != 20 {
		t.Fatalf("with a long read-write txn: %d write sets kept, want 20", n)
	}
	long.Discard()
	put(t, s, p, map[int64]Record{1: row(400)})
	s.orc.mu.Lock()
	kept, discard, vis := len(s.orc.committed), s.orc.discard, s.orc.visible
	s.orc.mu.Unlock()
	if kept != 0 || discard != vis {
		t.Fatalf("after it ended: %d write sets kept, discard %d, visible %d", kept, discard, vis)
	}
}

// A directory written by Badger's own (unmanaged) mode, as every store
// was before the oracle, opens and reads; new writes go above its
// versions.
func TestOpenUnmanagedDirectory(t *testing.T) {
	dir := t.TempDir()
	p := Partition{Table: 3, User: "bob"}
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatalf("badger.Open: %v", err)
	}
	for i := int64(1); i <= 5; i++ {
		for v := int64(0); v < 3; v++ { // several versions each
			seq := i*10 + v
			err := db.Update(func(txn *badger.Txn) error {
				rk := append(appendPartition(nil, tagRow, p), intKey(t, i)...)
				sk := binary.BigEndian.AppendUint64(appendPartition(nil, tagSeq, p), uint64(seq))
				if err := txn.Set(rk, appendRecord(nil, row(seq))); err != nil {
					return err
				}
				return txn.Set(sk, intKey(t, i))
			})
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
		}
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	check := func(want []string) {
		t.Helper()
		s, err := Open(dir, Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		tx := s.BeginRead()
		got := collect(t, tx.Scan(p, ScanOptions{}))
		tx.Discard()
		if !equalStrings(got, want) {
			t.Fatalf("rows = %v, want %v", got, want)
		}
		put(t, s, p, map[int64]Record{1: row(100)})
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	check([]string{"1:12", "2:22", "3:32", "4:42", "5:52"})
	check([]string{"1:100", "2:22", "3:32", "4:42", "5:52"})
}

// After a logged commit failed to apply, the oracle refuses every commit,
// read-write or blind, with ErrFailed (SQLSTATE 58030 at the front door).
func TestOracleRefusesCommitsAfterFailure(t *testing.T) {
	s, err := Open("", Options{InMemory: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	o := s.orc
	readTs, _ := o.beginUpdate()
	o.fail(errors.New("disk full"))
	if _, err := o.commitTs(readTs, nil, &fpSet{}, []byte("rec"), nil); !errors.Is(err, ErrFailed) {
		t.Fatalf("commitTs after fail = %v, want ErrFailed", err)
	}
	if _, err := o.blindTs(nil, nil, false, nil); !errors.Is(err, ErrFailed) {
		t.Fatalf("blindTs after fail = %v, want ErrFailed", err)
	}
	if len(o.rw.ts) != 0 {
		t.Fatalf("the refused transaction is still registered: %v", o.rw.ts)
	}
	tx := s.Begin()
	if err := tx.Put(Partition{Table: 1}, intKey(t, 1), row(1), 0); err != nil {
		t.Fatal(err)
	}
	err = tx.Commit(context.Background())
	if e, ok := pgerr.As(err); !ok || e.Code != pgerr.IOError {
		t.Fatalf("Commit after fail = %v, want SQLSTATE %s", err, pgerr.IOError)
	}
	// Close cannot store the exact last seq either, and says so.
	if err := s.Close(); !errors.Is(err, ErrFailed) {
		t.Fatalf("Close after fail = %v, want ErrFailed", err)
	}
}

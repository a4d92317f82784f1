package hotstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/kalamdb/kalamdb/pgerr"
)

// queuingStore opens a store on disk whose applier applies only when
// urged (apply.go), so a test controls when Badger gets the commits.
func queuingStore(t *testing.T) *Store {
	t.Helper()
	return openStore(t, t.TempDir(), Options{Durability: Async, applyDelay: time.Hour})
}

// inBadger reports whether Badger itself holds key (a row of p), whatever
// the oracle considers visible.
func inBadger(t *testing.T, s *Store, p Partition, key []byte) bool {
	t.Helper()
	bt := s.db.NewTransactionAt(math.MaxUint64, false)
	defer bt.Discard()
	_, err := bt.Get(append(appendPartition(nil, tagRow, p), key...))
	if err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func wantBatches(t *testing.T, s *Store, want uint64) {
	t.Helper()
	if got := s.Stats().ApplyBatches; got != want {
		t.Fatalf("Stats().ApplyBatches = %d, want %d", got, want)
	}
}

// Commits return before Badger has them; the first reader gets all of
// them applied, in one batch.
func TestCommitsApplyInOneBatchWhenRead(t *testing.T) {
	s := queuingStore(t)
	p := Partition{Table: 1, User: "u"}
	for i := int64(1); i <= 20; i++ {
		put(t, s, p, map[int64]Record{i: row(i)})
	}
	wantBatches(t, s, 0)
	if inBadger(t, s, p, intKey(t, 20)) {
		t.Fatal("Badger has the last commit before anyone read it")
	}
	tx := s.BeginRead()
	defer tx.Discard()
	if got := collect(t, tx.Scan(p, ScanOptions{})); len(got) != 20 {
		t.Fatalf("reader sees %v, want 20 rows", got)
	}
	wantBatches(t, s, 1)
}

// A read-write transaction reads keys the queued commits did not write
// without waiting for them, and catches up on the first key they wrote,
// keeping its own writes.
func TestReadWriteTxnCatchesUpOnlyForKeysQueuedCommitsWrote(t *testing.T) {
	s := queuingStore(t)
	p := Partition{Table: 1, User: "u"}
	put(t, s, p, map[int64]Record{1: row(1)})

	tx := s.Begin()
	defer tx.Discard()
	if _, found, err := tx.Get(p, intKey(t, 2)); err != nil || found {
		t.Fatalf("Get(2) = %v, %v; want not found", found, err)
	}
	if err := tx.Put(p, intKey(t, 3), row(3), 0); err != nil {
		t.Fatal(err)
	}
	wantBatches(t, s, 0)

	rec, found, err := tx.Get(p, intKey(t, 1))
	if err != nil || !found || rec.Seq != 1 {
		t.Fatalf("Get(1) = %+v, %v, %v; want the queued commit's row", rec, found, err)
	}
	wantBatches(t, s, 1)
	if rec, found, err := tx.Get(p, intKey(t, 3)); err != nil || !found || rec.Seq != 3 {
		t.Fatalf("Get(3) after catching up = %+v, %v, %v; want its own write", rec, found, err)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	r := s.BeginRead()
	defer r.Discard()
	if got, want := collect(t, r.Scan(p, ScanOptions{})), []string{"1:1", "3:3"}; !equalStrings(got, want) {
		t.Fatalf("after commit: %v, want %v", got, want)
	}
}

// A scan in a read-write transaction sees every commit that returned
// before the transaction began (none may be missing from its range) and
// the transaction's own writes, and none after.
func TestReadWriteScanSeesQueuedCommits(t *testing.T) {
	s := queuingStore(t)
	p := Partition{Table: 1, User: "u"}
	put(t, s, p, map[int64]Record{1: row(1)})
	tx := s.Begin()
	defer tx.Discard()
	if err := tx.Put(p, intKey(t, 5), row(5), 0); err != nil {
		t.Fatal(err)
	}
	put(t, s, p, map[int64]Record{2: row(2)}) // after tx began
	if got, want := collect(t, tx.Scan(p, ScanOptions{})), []string{"1:1", "5:5"}; !equalStrings(got, want) {
		t.Fatalf("scan = %v, want %v", got, want)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

// Catching up does not hide a conflict: a commit after the transaction
// began that rewrote a key it read still makes it fail.
func TestCatchUpKeepsConflicts(t *testing.T) {
	s := queuingStore(t)
	p := Partition{Table: 1, User: "u"}
	put(t, s, p, map[int64]Record{1: row(1)})
	tx := s.Begin()
	defer tx.Discard()
	if _, _, err := tx.Get(p, intKey(t, 1)); err != nil { // catches up
		t.Fatal(err)
	}
	put(t, s, p, map[int64]Record{1: row(10)})
	if err := tx.Put(p, intKey(t, 1), row(11), 0); err != nil {
		t.Fatal(err)
	}
	err := tx.Commit(context.Background())
	if code := pgerr.Code(err); code != pgerr.SerializationFailure {
		t.Fatalf("Commit = %v (SQLSTATE %s), want 40001", err, code)
	}
}

// Close applies what is queued before it closes Badger.
func TestCloseAppliesQueue(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Durability: Async, applyDelay: time.Hour, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	p := Partition{Table: 1, User: "u"}
	put(t, s, p, map[int64]Record{1: row(1), 2: row(2)})
	wantBatches(t, s, 0)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.Stats().ApplyBatches == 0 {
		t.Fatal("Close applied nothing")
	}
	s = openStore(t, dir, Options{})
	tx := s.BeginRead()
	defer tx.Discard()
	if got, want := collect(t, tx.Scan(p, ScanOptions{})), []string{"1:1", "2:2"}; !equalStrings(got, want) {
		t.Fatalf("after reopen: %v, want %v", got, want)
	}
}

// failQueued makes the applier fail to apply what is queued, as a Badger
// write error would: the record in the queue is corrupted (the log holds
// its own, intact, copy).
func failQueued(t *testing.T, s *Store) {
	t.Helper()
	s.apply.mu.Lock()
	if len(s.apply.queue) == 0 {
		s.apply.mu.Unlock()
		t.Fatal("nothing queued")
	}
	(*s.apply.queue[0].rec)[0] = 0xff // not an op: decodeWriteSet fails
	s.apply.mu.Unlock()
	s.orc.settle() // urge the applier; visible passes the failed commit
	if s.orc.failure() == nil {
		t.Fatal("the apply did not fail")
	}
}

// A commit acknowledged before the applier failed to apply it is in the
// log and comes back when the store is reopened: checkpoints, which the
// syncer kicks after every round, stay below it although visible passed it.
func TestFailedApplyComesBackAfterReopen(t *testing.T) {
	for _, checkpoint := range []bool{false, true} {
		t.Run(fmt.Sprintf("checkpoint=%v", checkpoint), func(t *testing.T) {
			dir := t.TempDir()
			opts := Options{Durability: Fsync, applyDelay: time.Hour, Logger: slog.New(slog.DiscardHandler)}
			s, err := Open(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			p := Partition{Table: 1, User: "u"}
			tx := s.Begin()
			if err := tx.Put(p, intKey(t, 1), row(1), 0); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(context.Background()); err != nil {
				t.Fatal(err) // acknowledged, fsynced
			}
			failQueued(t, s)
			if checkpoint {
				if err := s.ckpt.run(); err != nil {
					t.Fatalf("checkpoint: %v", err)
				}
			}
			_ = s.Close() // fails (the lease cannot be stored): no final checkpoint
			s2 := openStore(t, dir, Options{})
			r := s2.BeginRead()
			defer r.Discard()
			if _, ok, err := r.Get(p, intKey(t, 1)); err != nil || !ok {
				t.Fatalf("acknowledged commit lost after reopen (found %v, err %v); log checkpointed at %d",
					ok, err, s2.orc.log.Checkpointed())
			}
		})
	}
}

// Async commits racing Close: every one that returned nil is there after
// reopening (those after the applier stopped fail with ErrClosed).
func TestCommitsRacingCloseAreKeptOrRefused(t *testing.T) {
	for round := range 5 {
		dir := t.TempDir()
		s, err := Open(dir, Options{Durability: Async, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		var acked []int
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				tx := s.Begin()
				if err := tx.SetMeta(fmt.Appendf(nil, "k%06d", i), []byte("v")); err != nil {
					tx.Discard()
					return
				}
				if err := tx.Commit(context.Background()); err != nil {
					return
				}
				acked = append(acked, i)
			}
		}()
		time.Sleep(5 * time.Millisecond)
		closeErr := s.Close()
		wg.Wait()
		s2, err := Open(dir, Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		tx := s2.BeginRead()
		var lost []int
		for _, i := range acked {
			if _, ok, err := tx.GetMeta(fmt.Appendf(nil, "k%06d", i)); err != nil || !ok {
				lost = append(lost, i)
			}
		}
		tx.Discard()
		s2.Close()
		if len(lost) > 0 {
			t.Fatalf("round %d: %d commits acknowledged, %d lost after a clean Close (Close: %v): %v",
				round, len(acked), len(lost), closeErr, lost)
		}
	}
}

// Fsync commits racing Close: one that fails with ErrClosed committed
// nothing (Close waits for commits in progress, then refuses new ones).
func TestErrClosedMeansNotCommitted(t *testing.T) {
	committedButErr := 0
	for range 5 {
		dir := t.TempDir()
		s, err := Open(dir, Options{Durability: Fsync, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		var failedKey []byte
		var failErr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; ; i++ {
				tx := s.Begin()
				k := fmt.Appendf(nil, "k%06d", i)
				if err := tx.SetMeta(k, []byte("v")); err != nil {
					tx.Discard()
					return
				}
				if err := tx.Commit(context.Background()); err != nil {
					failedKey, failErr = k, err
					return
				}
			}
		}()
		time.Sleep(5 * time.Millisecond)
		_ = s.Close()
		<-done
		s2, err := Open(dir, Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		r := s2.BeginRead()
		if _, ok, _ := r.GetMeta(failedKey); ok && errors.Is(failErr, ErrClosed) {
			committedButErr++
			t.Logf("Commit returned %q, yet %s is there after reopening", failErr, failedKey)
		}
		r.Discard()
		s2.Close()
	}
	if committedButErr > 0 {
		t.Fatalf("%d commits returned ErrClosed and were committed", committedButErr)
	}
}

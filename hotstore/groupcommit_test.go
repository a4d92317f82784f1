package hotstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestGroupCommit(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{Durability: Fsync})
	const writers, per = 16, 10
	var wg sync.WaitGroup
	var acked atomic.Int64
	for w := range writers {
		wg.Go(func() {
			p := Partition{Table: 1, User: fmt.Sprintf("user%d", w)}
			for i := range per {
				tx := s.Begin()
				if err := tx.Put(p, intKey(t, int64(i)), row(s.NextSeq()), 0); err != nil {
					t.Errorf("Put: %v", err)
				}
				before := s.Stats().Fsyncs
				if err := tx.Commit(context.Background()); err != nil {
					t.Errorf("Commit: %v", err)
					continue
				}
				// Acknowledged only after a sync that began after the commit.
				if after := s.Stats().Fsyncs; after <= before {
					t.Errorf("Commit returned with no sync finished since it began (%d fsyncs)", after)
				}
				acked.Add(1)
			}
		})
	}
	wg.Wait()
	if acked.Load() != writers*per {
		t.Fatalf("%d commits acknowledged, want %d", acked.Load(), writers*per)
	}
	st := s.Stats()
	if st.Commits != writers*per {
		t.Fatalf("Stats().Commits = %d, want %d", st.Commits, writers*per)
	}
	if st.Fsyncs == 0 || st.Fsyncs >= st.Commits {
		t.Fatalf("Stats().Fsyncs = %d for %d commits: want 0 < fsyncs < commits", st.Fsyncs, st.Commits)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = openStore(t, dir, Options{})
	tx := s.Begin()
	defer tx.Discard()
	for w := range writers {
		p := Partition{Table: 1, User: fmt.Sprintf("user%d", w)}
		it := tx.Scan(p, ScanOptions{})
		n := 0
		for it.Next() {
			n++
		}
		it.Close()
		if n != per {
			t.Fatalf("after reopen %s has %d rows, want %d", p.User, n, per)
		}
	}
}

func TestAsyncCommitDoesNotWait(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{Durability: Async})
	for i := range 5 {
		put(t, s, Partition{Table: 1}, map[int64]Record{int64(i): row(int64(i + 1))})
	}
	if st := s.Stats(); st.Commits != 5 || st.Fsyncs >= st.Commits {
		t.Fatalf("Stats() = %+v: async commits should not each wait for a sync", st)
	}
}

func TestCommitAfterClose(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	tx := s.Begin()
	if err := tx.Put(Partition{Table: 1}, intKey(t, 1), row(1), 0); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := s.sync.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := tx.Commit(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Commit after the syncer stopped = %v, want ErrClosed", err)
	}
	s.sync = startSyncer(s, dir) // let Close run normally
}

// A commit whose context ends while it waits for the sync gets the
// context's error rather than an acknowledgement.
func TestWaitCanceled(t *testing.T) {
	sy := &syncer{kick: make(chan struct{}, 1), cur: newRound()} // no loop running
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := sy.wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait = %v, want DeadlineExceeded", err)
	}
}

func TestRotatedFilesSync(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"00001.mem", "00002.mem", "000001.vlog", "MANIFEST", "x.mem"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := &rotatedFiles{dir: dir}
	if err := r.sync(); err != nil {
		t.Fatalf("sync: %v", err)
	}
	if got := r.kinds; got[0] != (logKind{max: 2, done: 1}) || got[1] != (logKind{max: 1, done: 0}) {
		t.Fatalf("after first sync kinds = %+v", got)
	}
	// Badger flushed and removed the old WAL, and rotated to a new one.
	if err := os.Remove(filepath.Join(dir, "00001.mem")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "00003.mem"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.sync(); err != nil {
		t.Fatalf("sync: %v", err)
	}
	if got := r.kinds[0]; got != (logKind{max: 3, done: 2}) {
		t.Fatalf("after rotation mem kind = %+v", got)
	}
}

// BenchmarkCommitDurable measures single-row commits per second under Fsync
// durability with parallel committers (raise with -cpu or -benchtime).
func BenchmarkCommitDurable(b *testing.B) {
	s := openStore(b, b.TempDir(), Options{Durability: Fsync})
	data, err := EncodeRow(nil, []uint32{1, 2, 3}, []any{"conv-1", "user_alice", "a typical chat message of moderate length, say sixty bytes"})
	if err != nil {
		b.Fatal(err)
	}
	var users atomic.Int64
	b.SetParallelism(16) // many sessions per core, as a server has
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		p := Partition{Table: 1, User: fmt.Sprintf("user%d", users.Add(1))}
		ctx := context.Background()
		for i := int64(0); pb.Next(); i++ {
			tx := s.Begin()
			if err := tx.Put(p, intKey(b, i), Record{Seq: s.NextSeq(), Data: data}, 0); err != nil {
				b.Error(err)
			}
			if err := tx.Commit(ctx); err != nil {
				b.Error(err)
			}
		}
	})
	b.StopTimer()
	st := s.Stats()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
	b.ReportMetric(float64(st.Commits)/float64(max(st.Fsyncs, 1)), "commits/fsync")
}

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
	// A disk that takes a millisecond per sync, so that commits pile up
	// behind it even when the race detector makes the commit path slower
	// than this machine's fdatasync.
	s.syncPol.mu.Lock()
	clock := s.syncPol.now
	s.syncPol.now = func() time.Time { time.Sleep(500 * time.Microsecond); return clock() }
	s.syncPol.mu.Unlock()
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
	// A sync is running (the token is taken) and never ends.
	sy := &syncer{token: make(chan struct{}, 1), cur: newRound()}
	sy.token <- struct{}{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := sy.wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait = %v, want DeadlineExceeded", err)
	}
}

func TestVlogFilesRescan(t *testing.T) {
	for _, watched := range []bool{true, false} {
		t.Run(fmt.Sprintf("watched=%v", watched), func(t *testing.T) {
			dir := t.TempDir()
			create := func(name string) {
				t.Helper()
				if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, name := range []string{"00001.mem", "000001.vlog", "000002.vlog", "MANIFEST", "x.vlog"} {
				create(name)
			}
			var vlogWrites atomic.Uint64
			w := openVlogFiles(dir, &vlogWrites, newSyncPolicy())
			defer w.close()
			if !watched && w.watch != nil {
				_ = w.watch.close()
				w.watch = nil
			}
			check := func(when string, wantMax, wantDone uint64, name string) {
				t.Helper()
				vlogWrites.Add(1) // a round syncs only after a value-log write
				if err := w.sync(); err != nil {
					t.Fatalf("%s: sync: %v", when, err)
				}
				if w.max != wantMax || w.done != wantDone {
					t.Fatalf("%s: max, done = %d, %d, want %d, %d", when, w.max, w.done, wantMax, wantDone)
				}
				if w.active == nil || filepath.Base(w.active.Name()) != name {
					t.Fatalf("%s: active file = %v, want %s", when, w.active, name)
				}
			}
			check("first sync", 2, 1, "000002.vlog")
			check("no change", 2, 1, "000002.vlog")
			// Badger collected the old value log and rotated.
			if err := os.Remove(filepath.Join(dir, "000001.vlog")); err != nil {
				t.Fatal(err)
			}
			create("000003.vlog")
			check("after rotation", 3, 2, "000003.vlog")
		})
	}
}

// The syncer must follow Badger's value log to each new file: after every
// commit of a large value, the descriptor it fdatasyncs is the newest
// .vlog file.
func TestVlogFollowsRotation(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{Durability: Fsync, memTableSize: 8 << 20, vlogFileSize: 4 << 20})
	p := Partition{Table: 1, User: "u"}
	data := make([]byte, s.valueThreshold) // into the value log
	var first uint64
	for i := range int64(12) {
		tx := s.Begin()
		if err := tx.Put(p, intKey(t, i), Record{Seq: s.NextSeq(), Data: data}, 0); err != nil {
			t.Fatalf("Put: %v", err)
		}
		if err := tx.Commit(context.Background()); err != nil {
			t.Fatalf("Commit: %v", err)
		}
		// The syncer is idle between commits of this one client.
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var newest uint64
		for _, e := range ents {
			if id, ok := badgerFileID(e.Name(), vlogExt); ok {
				newest = max(newest, id)
			}
		}
		got := s.sync.files
		if got.max != newest || got.active == nil || filepath.Base(got.active.Name()) != fmt.Sprintf("%06d.vlog", newest) {
			t.Fatalf("commit %d: syncing .vlog %d (%v), newest is %d", i, got.max, got.active, newest)
		}
		if i == 0 {
			first = newest
		}
	}
	if last := s.sync.files.max; last < first+2 {
		t.Fatalf("value log went from %d to %d: want at least two rotations", first, last)
	}
}

// Values under Badger's threshold never reach the value log, so the syncer
// leaves it alone; a large value makes the next round sync it.
func TestVlogSyncedOnlyAfterLargeValues(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{Durability: Fsync})
	p := Partition{Table: 1}
	put(t, s, p, map[int64]Record{1: row(1)})
	if n := s.vlogWrites.Load(); n != 0 {
		t.Fatalf("vlogWrites after a small row = %d, want 0", n)
	}
	put(t, s, p, map[int64]Record{2: {Seq: 2, Data: make([]byte, s.valueThreshold)}})
	if n := s.vlogWrites.Load(); n != 1 {
		t.Fatalf("vlogWrites after a large row = %d, want 1", n)
	}
	// The round that acknowledged the commit has finished.
	if synced := s.sync.files.vlogSynced; synced != 1 {
		t.Fatalf("vlogSynced = %d after the acknowledged commit, want 1", synced)
	}
}

// BenchmarkCommitDurable measures single-row commits per second under Fsync
// durability with 1, 8 and 32 concurrent committers (sessions), each on its
// own partition as chat users are.
func BenchmarkCommitDurable(b *testing.B) {
	data, err := EncodeRow(nil, []uint32{1, 2, 3}, []any{"conv-1", "user_alice", "a typical chat message of moderate length, say sixty bytes"})
	if err != nil {
		b.Fatal(err)
	}
	for _, clients := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			s := openStore(b, b.TempDir(), Options{Durability: Fsync})
			var next atomic.Int64 // commits handed out so far
			var wg sync.WaitGroup
			b.ResetTimer()
			for c := range clients {
				wg.Go(func() {
					p := Partition{Table: 1, User: fmt.Sprintf("user%d", c)}
					ctx := context.Background()
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						tx := s.Begin()
						if err := tx.Put(p, intKey(b, i), Record{Seq: s.NextSeq(), Data: data}, 0); err != nil {
							b.Error(err)
						}
						if err := tx.Commit(ctx); err != nil {
							b.Error(err)
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			st := s.Stats()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
			b.ReportMetric(float64(st.Commits)/float64(max(st.Fsyncs, 1)), "commits/fsync")
		})
	}
}

// A sync slower than rawSyncLimit sends the next one through the runtime's
// system call path; a fast one there brings raw syncs back.
func TestSlowSyncLeavesRawPath(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sp := newSyncPolicy()
	var clock time.Time
	step := time.Millisecond // how long each sync appears to take
	sp.now = func() time.Time { clock = clock.Add(step); return clock }

	wantRaw := func(when string, want int) {
		t.Helper()
		if err := sp.datasync(f); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if sp.rawSyncs != want {
			t.Fatalf("%s: %d raw syncs, want %d", when, sp.rawSyncs, want)
		}
	}
	wantRaw("fast disk", 1)
	step = 10 * time.Millisecond
	wantRaw("first slow sync", 2)
	wantRaw("after a slow sync", 2)
	step = time.Millisecond
	wantRaw("fast again, through the runtime", 2)
	wantRaw("after a fast sync", 3)
}

package hotstore

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestNextSeqConcurrent(t *testing.T) {
	s := openStore(t, "", Options{})
	const workers, per = 8, 2000
	seqs := make([][]int64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			prev := int64(0)
			for range per {
				n := s.NextSeq()
				if n <= prev {
					t.Errorf("worker %d: seq %d after %d", w, n, prev)
					return
				}
				prev = n
				seqs[w] = append(seqs[w], n)
			}
		})
	}
	wg.Wait()
	all := slices.Concat(seqs...)
	slices.Sort(all)
	if len(slices.Compact(all)) != workers*per {
		t.Fatalf("duplicate seqs handed out")
	}
	if ms := all[0] >> seqShift; time.Since(time.UnixMilli(ms)).Abs() > time.Minute {
		t.Fatalf("seq %d carries %v in its high bits, not now", all[0], time.UnixMilli(ms))
	}
}

// A clock that steps back, within a run and across a restart, never makes
// seqs go backwards.
func TestNextSeqClockBackwards(t *testing.T) {
	dir := t.TempDir()
	base := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var offset atomic.Int64 // milliseconds added to base
	clock := func() time.Time { return base.Add(time.Duration(offset.Load()) * time.Millisecond) }

	s := openStore(t, dir, Options{Now: clock})
	first := s.NextSeq()
	if want := base.UnixMilli() << seqShift; first != want {
		t.Fatalf("first seq = %d, want %d", first, want)
	}
	offset.Store(-5000)
	second := s.NextSeq()
	if second != first+1 {
		t.Fatalf("seq after clock step back = %d, want %d", second, first+1)
	}
	offset.Store(10)
	third := s.NextSeq()
	if want := (base.UnixMilli() + 10) << seqShift; third != want {
		t.Fatalf("seq after clock caught up = %d, want %d", third, want)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	offset.Store(-3600_000) // an hour back
	s = openStore(t, dir, Options{Now: clock})
	if got := s.NextSeq(); got <= third {
		t.Fatalf("seq after reopen = %d, not above %d", got, third)
	}
}

// Without a clean Close only the lease remains: it must already cover
// every seq handed out.
func TestNextSeqLeaseCoversHandedOut(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	var last int64
	for range 100 {
		last = s.NextSeq()
	}
	// Reload what a crashed process would find.
	probe := &Store{db: s.db, orc: s.orc}
	if err := probe.loadLease(); err != nil {
		t.Fatalf("loadLease: %v", err)
	}
	if got := probe.lease.Load(); got < last {
		t.Fatalf("persisted lease %d is below handed-out seq %d", got, last)
	}
}

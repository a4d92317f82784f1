package hotstore

import (
	"testing"
	"time"
)

// TestCompactionBacklogSettles checks the gauge the bench and operators
// wait on: writing a couple of memtables' worth of rows leaves level-0
// tables for Badger to compact (a backlog), and once it has, the backlog
// is 0 again.
func TestCompactionBacklogSettles(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{Durability: Async, memTableSize: 8 << 20, reclaimAfter: -1})
	if b := s.Stats().CompactionBacklog; b != 0 {
		t.Fatalf("backlog %d on an empty store, want 0", b)
	}
	// ~16 MB in 8 MB memtables: each flush adds a level-0 table, at the
	// one-table threshold (numLevelZeroTables) until it is compacted. The
	// applier writes them to Badger after the commits return, so watch
	// from here on.
	fillPartition(t, s, Partition{Table: 1, User: "user_a"}, 4_000, 4000)
	deadline := time.Now().Add(30 * time.Second)
	peak := 0
	for {
		b := s.Stats().CompactionBacklog
		peak = max(peak, b)
		if peak > 0 && b == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("backlog %d after 30 s (peak %d), want a rise above 0 and back to 0; levels %v", b, peak, s.db.Levels())
		}
		time.Sleep(time.Millisecond)
	}
	if l0 := s.db.Levels()[0]; l0.NumTables >= numLevelZeroTables {
		t.Fatalf("backlog 0 with %d level-0 tables", l0.NumTables)
	}
}

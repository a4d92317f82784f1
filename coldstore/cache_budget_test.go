package coldstore

import (
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/cachebudget"
)

// TestReadCacheSharesItsBudget checks the read cache against a budget it
// shares with another cache: it takes all the memory the other leaves
// free, gives back what it borrowed once the other claims its share, and
// reports its size to the budget throughout.
func TestReadCacheSharesItsBudget(t *testing.T) {
	s := openStore(t)
	s.groupRows = 100
	const groups = 20
	rows := chatRows(t, groups*s.groupRows)
	flush(t, s, testPart, chatSchema, rows...)

	// Room for every group with its table columns (~34 KB each), but not
	// beside another cache holding half of it.
	const limit = 1 << 20
	budget := cachebudget.New(limit)
	var otherUsed int64
	other := budget.Join(func(target int64) {
		t.Errorf("the other cache (%d bytes, its fair share) was trimmed to %d", otherUsed, target)
	})
	s.ShareCache(budget)
	c := s.cache
	size := func() int64 {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.mem.Used() != c.bytes {
			t.Fatalf("budget has %d bytes for the cache, the cache holds %d", c.mem.Used(), c.bytes)
		}
		return c.bytes
	}
	readAll := func() {
		for _, r := range rows {
			if got, ok, err := s.Get(t.Context(), testPart, r.key); err != nil || !ok || got.Seq != r.seq {
				t.Fatalf("get %x: %v %v %+v, want seq %d", r.key, ok, err, got, r.seq)
			}
		}
	}

	readAll()
	readAll()
	if whole := size(); whole <= limit/2 {
		t.Fatalf("cache holds %d bytes with the whole budget free, want every group's table columns (over half the budget)", whole)
	}

	// The other cache claims its fair share: the budget trims the read
	// cache, which borrowed part of it.
	otherUsed = limit / 2
	other.Set(otherUsed)
	deadline := time.Now().Add(5 * time.Second)
	for size()+otherUsed > limit {
		if time.Now().After(deadline) {
			t.Fatalf("read cache still holds %d bytes, with the other at %d of a %d budget", size(), otherUsed, limit)
		}
		time.Sleep(time.Millisecond)
	}

	// Lookups go on within what is left, without growing past it (which
	// would need another trim).
	trims := budget.Trims()
	readAll()
	if got := size(); got+otherUsed > limit || budget.Trims() != trims {
		t.Fatalf("after more lookups the read cache holds %d bytes beside the other's %d (budget %d), %d more trims",
			got, otherUsed, limit, budget.Trims()-trims)
	}
}

// A full cache evicts its own entries before it reports growth, so
// lookups past its allowance start no trims: the budget never sees it
// over the limit.
func TestFullReadCacheEvictsBeforeReporting(t *testing.T) {
	s := openStore(t)
	s.groupRows = 100
	rows := chatRows(t, 20*s.groupRows)
	flush(t, s, testPart, chatSchema, rows...)
	budget := cachebudget.New(64 << 10) // a few groups of ~34 KB
	other := budget.Join(func(int64) {})
	other.Set(8 << 10)
	s.ShareCache(budget)
	for _, r := range rows {
		if got, ok, err := s.Get(t.Context(), testPart, r.key); err != nil || !ok || got.Seq != r.seq {
			t.Fatalf("get %x: %v %v %+v, want seq %d", r.key, ok, err, got, r.seq)
		}
	}
	if n := budget.Trims(); n != 0 {
		t.Fatalf("%d trims of a cache that stayed within its allowance", n)
	}
}

package hotstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/cachebudget"
)

// TestIndexCacheSharesItsBudget checks the index cache against a budget it
// shares with another cache (the cold store's): it reports its size, keeps
// within what the other leaves, and is trimmed when the other claims its
// fair share.
func TestIndexCacheSharesItsBudget(t *testing.T) {
	const convs, perConv = 100, 100 // ~1.4 MB of ranges once all are read
	const limit = 1 << 20
	budget := cachebudget.New(limit)
	var otherUsed int64
	other := budget.Join(func(target int64) {
		t.Errorf("the other cache (%d bytes, its fair share) was trimmed to %d", otherUsed, target)
	})
	s := openStore(t, "", Options{Cache: budget})
	ids := make([]int64, perConv)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	for c := range convs {
		setEntries(t, s, fmt.Sprintf("conv%03d", c), ids...)
	}
	readAll := func() {
		for c := range convs {
			if got := readConv(t, s, fmt.Sprintf("conv%03d", c), true, 0); len(got) != perConv {
				t.Fatalf("conv%03d: %d entries, want %d", c, len(got), perConv)
			}
		}
	}
	size := func() int64 {
		c := s.icache
		c.mu.Lock() // a trim may run: read both in one moment
		defer c.mu.Unlock()
		if used := c.mem.Used(); used != int64(c.bytes) {
			t.Fatalf("budget has %d bytes for the index cache, which holds %d", used, c.bytes)
		}
		return int64(c.bytes)
	}

	readAll()
	if got := size(); got <= limit/2 {
		t.Fatalf("index cache holds %d bytes with the whole %d budget free, want over half", got, limit)
	}

	otherUsed = limit / 2
	other.Set(otherUsed)
	deadline := time.Now().Add(5 * time.Second)
	for size()+otherUsed > limit {
		if time.Now().After(deadline) {
			t.Fatalf("index cache still holds %d bytes, with the other at %d of a %d budget", size(), otherUsed, limit)
		}
		time.Sleep(time.Millisecond)
	}

	trims := budget.Trims()
	readAll()
	if got := size(); got == 0 || got+otherUsed > limit || budget.Trims() != trims {
		t.Fatalf("after more scans the index cache holds %d bytes beside the other's %d (budget %d), %d more trims",
			got, otherUsed, limit, budget.Trims()-trims)
	}
}

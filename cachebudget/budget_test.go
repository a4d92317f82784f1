package cachebudget

import (
	"sync"
	"testing"
	"time"
)

// fakeCache is a cache that holds a byte count and can drop down to any
// size, or to no less than pinned bytes.
type fakeCache struct {
	mu     sync.Mutex
	size   int64
	pinned int64
	m      *Member
	trims  int
}

func join(b *Budget) *fakeCache {
	c := &fakeCache{}
	c.m = b.Join(func(target int64) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.trims++
		c.size = max(min(c.size, target), c.pinned)
		c.m.Set(c.size)
	})
	return c
}

// grow adds n bytes the way a cache does: within its allowance, evicting
// its own entries past it.
func (c *fakeCache) grow(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.size = min(c.size+n, c.m.Allowance())
	c.m.Set(c.size)
}

func (c *fakeCache) get() (size int64, trims int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size, c.trims
}

// settle waits for the budget's trim goroutine to finish.
func settle(t *testing.T, b *Budget) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for b.trimming.Load() {
		if time.Now().After(deadline) {
			t.Fatal("trim still running after 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestAloneAMemberGetsTheWholeLimit(t *testing.T) {
	b := New(1000)
	a := join(b)
	if got := a.m.Allowance(); got != 1000 {
		t.Fatalf("allowance alone = %d, want 1000", got)
	}
	a.grow(5000)
	if s, _ := a.get(); s != 1000 {
		t.Fatalf("size = %d, want 1000", s)
	}
}

func TestAnIdleMemberLendsItsShare(t *testing.T) {
	b := New(1000)
	a, c := join(b), join(b)
	a.grow(100)
	if got := c.m.Allowance(); got != 900 {
		t.Fatalf("allowance next to 100 used = %d, want 900", got)
	}
	c.grow(900)
	settle(t, b)
	if b.Trims() != 0 {
		t.Fatalf("%d trims while the total stayed within the limit", b.Trims())
	}
}

// The second member comes back and claims its fair share: the member that
// borrowed it is trimmed back, not below its own share.
func TestAGrowerWithinItsShareTrimsTheBorrower(t *testing.T) {
	b := New(1024)
	a, c := join(b), join(b)
	a.grow(1024)
	if s, _ := a.get(); s != 1024 {
		t.Fatalf("a = %d, want the whole 1024", s)
	}
	if got := c.m.Allowance(); got != 512 {
		t.Fatalf("c's allowance next to a full member = %d, want its fair share 512", got)
	}
	c.grow(400)
	settle(t, b)
	as, atrims := a.get()
	cs, ctrims := c.get()
	if ctrims != 0 {
		t.Fatalf("the grower was trimmed %d times", ctrims)
	}
	if atrims == 0 || as+cs > b.Limit() {
		t.Fatalf("a = %d (trimmed %d times), c = %d: total %d over the limit %d", as, atrims, cs, as+cs, b.Limit())
	}
	if want := b.Limit() - b.trimMargin() - cs; as != want {
		t.Fatalf("a = %d, want trimmed to %d (limit less the margin less c)", as, want)
	}
	c.grow(1000) // up to its fair share only
	settle(t, b)
	as, _ = a.get()
	cs, _ = c.get()
	if cs != 512 || as < 512 || as+cs > b.Limit() {
		t.Fatalf("after c claimed more: a = %d, c = %d; want c = 512, a >= 512, total <= %d", as, cs, b.Limit())
	}
}

func TestLeaveFreesTheMembersShare(t *testing.T) {
	b := New(1000)
	a, c := join(b), join(b)
	a.grow(1000)
	c.m.Leave()
	if got := a.m.Allowance(); got != 1000 {
		t.Fatalf("allowance after the other left = %d, want 1000", got)
	}
	a.m.Leave()
	if got := b.total(); got != 0 {
		t.Fatalf("total after both left = %d", got)
	}
}

// A member that cannot shrink (its entries are in use) must not keep the
// trim goroutine spinning.
func TestATrimThatFreesNothingStops(t *testing.T) {
	b := New(1000)
	a, c := join(b), join(b)
	a.grow(1000)
	a.mu.Lock()
	a.pinned = a.size
	a.mu.Unlock()
	c.grow(500)
	settle(t, b)
	if n := b.Trims(); n != 1 {
		t.Fatalf("%d trim rounds, want 1 (the round freed nothing)", n)
	}
}

func TestConcurrentGrowthStaysNearTheLimit(t *testing.T) {
	b := New(1 << 20)
	cs := []*fakeCache{join(b), join(b), join(b)}
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Go(func() {
			for range 2000 {
				c.grow(1 << 10)
			}
		})
	}
	wg.Wait()
	settle(t, b)
	if total := b.total(); total > b.Limit() {
		t.Fatalf("total %d over the limit %d after the trims", total, b.Limit())
	}
	for i, c := range cs {
		if s, _ := c.get(); s < b.fairShare(3)-b.trimMargin() {
			t.Errorf("member %d holds %d, well under its fair share %d", i, s, b.fairShare(3))
		}
	}
}

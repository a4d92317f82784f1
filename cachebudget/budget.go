package cachebudget

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
)

// Budget is a memory limit shared by member caches.
type Budget struct {
	limit   int64
	members atomic.Pointer[[]*Member] // replaced whole on Join and Leave
	joinMu  sync.Mutex                // serializes Join and Leave

	trimming atomic.Bool // a trim goroutine is running
	trims    atomic.Uint64
}

// Member is one cache's account in a Budget.
type Member struct {
	b    *Budget
	used atomic.Int64
	trim func(target int64)
}

// New returns a budget of limit bytes.
func New(limit int64) *Budget {
	b := &Budget{limit: max(limit, 0)}
	b.members.Store(&[]*Member{})
	return b
}

// Limit is the budget's bound in bytes.
func (b *Budget) Limit() int64 { return b.limit }

// Trims counts the trim rounds run, for tests.
func (b *Budget) Trims() uint64 { return b.trims.Load() }

// Join adds a cache. trim must shrink the cache to at most target bytes
// (reporting its new size with Set); it is called from a goroutine of the
// budget, so it may take the cache's own locks, and it may run after the
// member left.
func (b *Budget) Join(trim func(target int64)) *Member {
	m := &Member{b: b, trim: trim}
	b.joinMu.Lock()
	defer b.joinMu.Unlock()
	ms := append(slices.Clone(*b.members.Load()), m)
	b.members.Store(&ms)
	return m
}

// Leave removes m; its memory no longer counts.
func (m *Member) Leave() {
	b := m.b
	b.joinMu.Lock()
	defer b.joinMu.Unlock()
	ms := slices.DeleteFunc(slices.Clone(*b.members.Load()), func(o *Member) bool { return o == m })
	b.members.Store(&ms)
}

// Used is the size m last reported.
func (m *Member) Used() int64 { return m.used.Load() }

// Allowance is how large m may grow: what the other members leave of the
// limit, and at least its fair share.
func (m *Member) Allowance() int64 {
	ms := *m.b.members.Load()
	others := int64(0)
	for _, o := range ms {
		if o != m {
			others += o.used.Load()
		}
	}
	return max(m.b.limit-others, m.b.fairShare(len(ms)))
}

func (b *Budget) fairShare(members int) int64 {
	return b.limit / int64(max(members, 1))
}

// Set reports m's size in bytes. Growth that takes the budget over its
// limit starts a trim of the members above their fair share. It is cheap
// enough to call under the cache's lock after every change.
func (m *Member) Set(bytes int64) {
	if old := m.used.Swap(bytes); bytes <= old {
		return
	}
	b := m.b
	if b.total() > b.limit && b.trimming.CompareAndSwap(false, true) {
		go b.trimOver()
	}
}

func (b *Budget) total() int64 {
	var t int64
	for _, m := range *b.members.Load() {
		t += m.used.Load()
	}
	return t
}

// trimMargin is how far below the limit a trim brings the members it
// trims, so a grower does not start one trim per insert.
func (b *Budget) trimMargin() int64 { return b.limit / 16 }

// trimOver trims until the total is within the limit, or a round frees
// nothing (a cache may hold entries it cannot drop yet). Growth reported
// during a round did not start a trim of its own, hence the loop.
func (b *Budget) trimOver() {
	for {
		b.trims.Add(1)
		freed := b.trimRound()
		b.trimming.Store(false)
		if freed <= 0 || b.total() <= b.limit || !b.trimming.CompareAndSwap(false, true) {
			return
		}
	}
}

// trimRound brings the members above their fair share down, largest
// first, until the total is under the limit by trimMargin, and returns
// the bytes freed.
func (b *Budget) trimRound() int64 {
	if b.total() <= b.limit { // the grower made room itself meanwhile
		return 0
	}
	ms := slices.Clone(*b.members.Load())
	fair := b.fairShare(len(ms))
	over := b.total() - b.limit + b.trimMargin()
	slices.SortFunc(ms, func(x, y *Member) int { return cmp.Compare(y.used.Load(), x.used.Load()) })
	var freed int64
	for _, m := range ms {
		if over <= freed {
			break
		}
		used := m.used.Load()
		if cut := min(over-freed, used-fair); cut > 0 {
			m.trim(used - cut)
			freed += used - m.used.Load()
		}
	}
	return freed
}

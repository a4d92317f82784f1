package notify

import "sync/atomic"

// Stats are the hub's delivery counters since it was created, for metrics.
type Stats struct {
	// Queued counts notifications appended to a listener's queue (one per
	// listener that received it).
	Queued uint64
	// Dropped counts notifications a listener lost because its queue
	// overflowed (the one that overflowed it and every later one).
	Dropped uint64
}

// hubStats are the counters behind Stats; they are updated by Publish
// while it holds the channel's lock, without a lock of their own.
type hubStats struct {
	queued  atomic.Uint64
	dropped atomic.Uint64
}

// Stats returns the hub's delivery counters.
func (h *Hub) Stats() Stats {
	return Stats{Queued: h.stats.queued.Load(), Dropped: h.stats.dropped.Load()}
}

// count records one notification pushed to each of listeners: queued, or
// dropped when the push left the listener overflowed.
func (s *hubStats) count(listeners []*Listener) {
	var dropped uint64
	for _, l := range listeners {
		if l.overflowed() {
			dropped++
		}
	}
	if dropped > 0 {
		s.dropped.Add(dropped)
	}
	if queued := uint64(len(listeners)) - dropped; queued > 0 {
		s.queued.Add(queued)
	}
}

// overflowed reports whether l's queue overflowed (and drops everything
// until Drain reports it).
func (l *Listener) overflowed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.overflow
}

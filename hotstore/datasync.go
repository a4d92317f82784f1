package hotstore

import (
	"os"
	"sync"
	"time"
)

// syncPolicy decides how fdatasync is called: the store's log and the
// value log share one. The syncer's token holder uses it; so do Open and
// Close, and a seq lease stored while Close stops the syncer, hence the
// mutex (never contended on the commit path).
type syncPolicy struct {
	mu       sync.Mutex // guards slow and rawSyncs
	slow     bool       // the last fdatasync took over rawSyncLimit
	rawSyncs int        // fdatasyncs made raw (for tests)
	now      func() time.Time
}

func newSyncPolicy() *syncPolicy { return &syncPolicy{now: time.Now} }

// rawSyncLimit is the longest fdatasync after which the next one still
// goes raw (see datasync).
const rawSyncLimit = 5 * time.Millisecond

// datasync fdatasyncs f, raw while the disk answers fast. The call blocks
// the thread for 0.1-0.2 ms here. Through the runtime's system call path,
// the scheduler's monitor takes the P away when the call outlasts its
// 20 µs tick while the other P is busy, and the thread must win a P back
// on return. With the raw call, which keeps the P as a PostgreSQL backend
// keeps its CPU, single-row INSERTs measured 4-8% more per second and up
// to 10% less CPU at one client, and 14% less CPU at 8 clients. The price
// is that the P runs nothing else and a stop-the-world waits for the
// call, so after a sync slower than rawSyncLimit the next ones go through
// the runtime until one is fast again: a stalling disk holds a P for at
// most one sync.
func (w *syncPolicy) datasync(f *os.File) error {
	if f == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	raw := !w.slow
	if raw {
		w.rawSyncs++
	}
	start := w.now()
	err := fdatasync(f, raw)
	w.slow = w.now().Sub(start) > rawSyncLimit
	return err
}

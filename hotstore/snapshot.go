package hotstore

import (
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"
)

// Read-only transactions that begin while nothing has been written since
// the last one began share its Badger transaction: one allocation and one
// trip through the oracle's mutex (oracle.go) instead of one per query. A
// shared snapshot is exactly the snapshot a new one would be, since no
// write has finished in between, so results do not change.
//
// Every write to Badger bumps Store.epoch after it finishes (noteWrite), so
// a transaction beginning after a write returned never gets an older
// snapshot. A snapshot carries the epoch read before Badger gave it out: a
// write finishing in between makes it look older than it is, never newer.
// The write also drops the cached snapshot: kept, it would hold back
// Badger's discard timestamp, below which compaction drops old versions.

// Badger documents a transaction as not safe for concurrent use. A
// read-only one is, in v4.9.6: its Get, NewIterator, Iterator.Close and
// Item.Value only read the transaction or use atomics (numIterators), and
// the reference count keeps Discard until the last reader is done.
// Recheck this when upgrading Badger (TestSharedSnapshotConcurrentReaders
// runs it under -race).

// snapshot is a read-only Badger transaction shared by readers.
type snapshot struct {
	bt    *badger.Txn
	ts    uint64 // bt's read timestamp, registered with the oracle
	clock uint64 // the index cache's clock before bt began
	epoch uint64 // Store.epoch before bt began
	refs  int    // readers holding it, plus one while it is Store.snap; guarded by Store.snapMu
}

// snapshots is the Store's cache of the newest snapshot.
type snapshots struct {
	mu     sync.Mutex
	snap   *snapshot   // nil, or the newest snapshot handed out
	cached atomic.Bool // snap != nil, read without mu by noteWrite
}

// noteWrite tells readers that a write to Badger finished (or failed after
// it may have written): the next read-only transaction needs a new
// snapshot.
func (s *Store) noteWrite() {
	s.epoch.Add(1)
	if s.snaps.cached.Load() {
		s.dropSnapshot()
	}
}

// acquireSnapshot returns a snapshot no older than the last finished
// write, holding one reference to it for the caller.
func (s *Store) acquireSnapshot() *snapshot {
	epoch := s.epoch.Load()
	s.snaps.mu.Lock()
	if sn := s.snaps.snap; sn != nil && sn.epoch == epoch {
		sn.refs++
		s.snaps.mu.Unlock()
		return sn
	}
	s.snaps.mu.Unlock()

	// Wait for the applier before noting the clock, so that it covers the
	// index-cache writes of the commits this snapshot must hold and the
	// snapshot may use the cache for their buckets.
	s.orc.settle()
	clock := s.icache.clock.Load() // before the snapshot: see indexcache.go
	ts := s.orc.beginRead()
	sn := &snapshot{bt: s.db.NewTransactionAt(ts, false), ts: ts, clock: clock, epoch: epoch, refs: 1}
	var old *snapshot
	s.snaps.mu.Lock()
	if cur := s.snaps.snap; cur == nil || cur.epoch < epoch {
		old, s.snaps.snap = cur, sn
		s.snaps.cached.Store(true)
		sn.refs++
	}
	s.snaps.mu.Unlock()
	if old != nil {
		s.releaseSnapshot(old)
	}
	return sn
}

// releaseSnapshot drops one reference; the last one discards the Badger
// transaction.
func (s *Store) releaseSnapshot(sn *snapshot) {
	s.snaps.mu.Lock()
	sn.refs--
	last := sn.refs == 0
	s.snaps.mu.Unlock()
	if last {
		sn.bt.Discard()
		s.orc.endRead(sn.ts, false)
	}
}

// dropSnapshot forgets the cached snapshot (after a write, and at Close),
// so its Badger transaction ends once its readers are done.
func (s *Store) dropSnapshot() {
	s.snaps.mu.Lock()
	old := s.snaps.snap
	s.snaps.snap = nil
	s.snaps.cached.Store(false)
	s.snaps.mu.Unlock()
	if old != nil {
		s.releaseSnapshot(old)
	}
}

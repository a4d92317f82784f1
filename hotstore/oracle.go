package hotstore

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"
	"github.com/kalamdb/kalamdb/hotstore/wal"
)

// Badger runs in managed mode: the store hands out read and commit
// timestamps itself and checks conflicts itself. In Badger's own mode every
// transaction sends on channels to its watermark goroutines (when it
// begins, commits and ends); on an idle core each send wakes another
// thread, which was most of a single-row commit's thread wake-ups. The
// oracle does the same bookkeeping under one mutex, with no goroutine.
//
// Timestamps: a commit gets the next timestamp under the mutex, after its
// conflict check, and stays in flight until Badger has applied it.
// visible is the highest timestamp at or below which every commit has
// been applied (or failed). With a log, a commit returns before Badger
// applies it (apply.go), so a new transaction must still see every commit
// that had a timestamp when it began, last: a read-only one waits until
// visible reaches it, asking the applier to hurry; a read-write one reads
// at visible and catches up only when it must (stale.go).
//
// Conflicts are Badger's rule (txn.go hasConflict): a read-write
// transaction fails if a transaction that committed after its read
// timestamp wrote a key it read. Keys are 64-bit fingerprints; reads are
// recorded where Badger records them (Get of a key the transaction has not
// written, every item an iterator yields, every Seek key).
//
// Discarding: Badger may drop versions at or below its discard timestamp
// that a newer version there hides; the oracle keeps it at the oldest read
// timestamp in use. Committed write sets are kept only while
// a read-write transaction that began before them is open.
type oracle struct {
	db   *badger.DB
	seed maphash.Seed
	// log is the write-ahead log (nil in memory): a commit's record is
	// appended under mu when its timestamp is assigned, so the log holds
	// commits in timestamp order. logged counts the bytes appended.
	log         *wal.Log
	loggedBytes atomic.Int64
	// apply, set on disk, applies commits to Badger after they return
	// (apply.go); assign queues them under mu, so in timestamp order.
	apply *applier

	mu     sync.Mutex
	failed error // set once a logged commit failed to apply (fail)
	// failedTs is the lowest timestamp the applier failed to apply:
	// acknowledged, so checkpoints stay below it (checkpointTs).
	failedTs uint64
	next     uint64 // the next commit timestamp
	visible  uint64
	// pending are the commits in flight, in timestamp order: every
	// timestamp from visible+1 to next-1, done once applied.
	pending []pendingCommit
	waiters []visWaiter
	// committed are write sets of commits after the oldest open
	// read-write transaction's read timestamp, in timestamp order.
	committed []committedTxn
	rw, ro    readTimestamps // open read-write and read-only transactions
	discard   uint64         // last discard timestamp given to Badger
}

type pendingCommit struct {
	ts   uint64
	done bool
	// visible, if set, runs under mu as visible reaches ts, before any
	// waiter wakes (the applier's end of the index-cache write).
	visible func()
}

type visWaiter struct {
	ts uint64
	ch chan struct{}
}

type committedTxn struct {
	ts     uint64
	writes fpSet
}

// newOracle starts above every version in db and every commit in log
// (nil in memory), replayed or not.
func newOracle(db *badger.DB, log *wal.Log) *oracle {
	// Existing data may come from Badger's own mode, whose versions count
	// up from 1: new commits go above all of it.
	maxTs := db.MaxVersion()
	if log != nil {
		// The checkpoint too: a replay skips everything at or below it.
		maxTs = max(maxTs, log.LastTs(), log.Checkpointed())
	}
	return &oracle{db: db, seed: maphash.MakeSeed(), log: log, next: maxTs + 1, visible: maxTs, discard: 0}
}

// fp fingerprints a key for conflict detection.
func (o *oracle) fp(key []byte) uint64 { return maphash.Bytes(o.seed, key) }

// beginRead registers a read-only transaction at visible and returns
// its read timestamp. Call settle first, so that every commit that
// returned before the transaction began is visible at it.
func (o *oracle) beginRead() uint64 {
	o.mu.Lock()
	ts := o.visible
	o.ro.add(ts)
	o.mu.Unlock()
	return ts
}

// beginUpdate registers a read-write transaction at visible without
// waiting. Commits after readTs up to target may have returned without
// being applied yet; the transaction must not miss them (stale.go).
// Without an applier every commit is applied before it returns, and
// target is readTs.
func (o *oracle) beginUpdate() (readTs, target uint64) {
	o.mu.Lock()
	readTs, target = o.visible, o.visible
	if o.apply != nil {
		target = o.next - 1
	}
	o.rw.add(readTs)
	o.mu.Unlock()
	return readTs, target
}

// writtenBetween reports whether a commit with a timestamp in (from, to]
// wrote the key with fingerprint fp. A read-write transaction registered
// at from keeps those write sets (prune).
func (o *oracle) writtenBetween(fp, from, to uint64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	// committed is in timestamp order; skip those after to.
	i, _ := slices.BinarySearchFunc(o.committed, to+1, func(c committedTxn, ts uint64) int { return cmp.Compare(c.ts, ts) })
	for i--; i >= 0 && o.committed[i].ts > from; i-- {
		if o.committed[i].writes.has(fp) {
			return true
		}
	}
	return false
}

// moveRead moves a read-write transaction's registration from readTs
// from to to, once visible has reached to.
func (o *oracle) moveRead(from, to uint64) {
	o.mu.Lock()
	o.waitLocked(to)
	o.rw.remove(from)
	o.rw.add(to)
	o.prune()
	o.setDiscard()
	o.mu.Unlock()
}

// settle returns once every commit that had a timestamp when it was
// called is visible (urging the applier). It does not wait for commits
// after the call: a reader beginning meanwhile need not see them.
func (o *oracle) settle() {
	o.mu.Lock()
	o.waitLocked(o.next - 1)
	o.mu.Unlock()
}

// waitVisible returns once visible has reached ts.
func (o *oracle) waitVisible(ts uint64) {
	o.mu.Lock()
	o.waitLocked(ts)
	o.mu.Unlock()
}

// waitLocked returns once visible has reached ts, releasing mu while it
// waits.
func (o *oracle) waitLocked(ts uint64) {
	if o.visible >= ts {
		return
	}
	ch := make(chan struct{})
	o.waiters = append(o.waiters, visWaiter{ts: ts, ch: ch})
	o.mu.Unlock()
	if o.apply != nil {
		o.apply.urge()
	}
	<-ch
	o.mu.Lock()
}

// waiting reports whether anyone waits for visible to move.
func (o *oracle) waiting() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.waiters) > 0
}

// endRead unregisters a transaction that did not commit writes.
func (o *oracle) endRead(readTs uint64, update bool) {
	o.mu.Lock()
	if update {
		o.rw.remove(readTs)
		o.prune()
	} else {
		o.ro.remove(readTs)
	}
	o.setDiscard()
	o.mu.Unlock()
}

// commitTs checks a read-write transaction's reads against the commits
// after readTs and, when none conflicts, ends its registration, records
// its writes, logs rec (its write set, see walrecord.go) and returns its
// commit timestamp, in flight until finish, or until applied when q is
// queued for the applier (assign). It returns badger.ErrConflict on a
// conflict, and the log's error if rec cannot be logged.
func (o *oracle) commitTs(readTs uint64, reads []uint64, writes *fpSet, rec []byte, q *queuedCommit) (uint64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failed != nil {
		o.rw.remove(readTs)
		o.prune()
		o.setDiscard()
		return 0, o.failed
	}
	conflict := o.conflicts(readTs, reads)
	o.rw.remove(readTs)
	if conflict {
		o.prune()
		o.setDiscard()
		return 0, badger.ErrConflict
	}
	ts, err := o.assign(writes, rec, true, q)
	o.prune()
	return ts, err
}

// blindTs returns a commit timestamp for internal writes that read
// nothing; writes (may be nil) are recorded for others' conflict checks,
// rec is logged when logRec is set, and q is queued, as in commitTs.
func (o *oracle) blindTs(writes *fpSet, rec []byte, logRec bool, q *queuedCommit) (uint64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failed != nil {
		return 0, o.failed
	}
	return o.assign(writes, rec, logRec, q)
}

// fail stops every later commit: a commit whose record is in the log
// failed to apply to Badger. The log still holds it, and a replay would
// bring it back between commits made without it, so none is made. Call
// it before finish(ts), so that no transaction reads the state without
// the failed commit and then commits.
func (o *oracle) fail(cause error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failed == nil {
		o.failed = fmt.Errorf("%w: %w", ErrFailed, cause)
	}
}

// assign gives a commit the next timestamp, logs rec (if logRec) and
// queues q (if not nil) for the applier. Queuing under mu, with the
// timestamp, hands Badger every version in timestamp order: its
// compactions assume a newer level never holds an older version (a
// tombstone dropped at the last level would bring back an older value
// written above it later).
func (o *oracle) assign(writes *fpSet, rec []byte, logRec bool, q *queuedCommit) (uint64, error) {
	if q != nil {
		if err := o.apply.admit(); err != nil {
			return 0, err
		}
	}
	ts := o.next
	if logRec && rec != nil && o.log != nil {
		if err := o.log.Append(ts, rec); err != nil {
			if q != nil {
				o.apply.abandon()
			}
			return 0, fmt.Errorf("log commit: %w", err)
		}
		o.loggedBytes.Add(int64(len(rec)))
	}
	o.next++
	o.pending = append(o.pending, pendingCommit{ts: ts})
	if writes != nil && writes.len() > 0 {
		o.committed = append(o.committed, committedTxn{ts: ts, writes: *writes})
	}
	if q != nil {
		q.ts = ts
		q.full = o.apply.enqueue(*q)
	}
	return ts, nil
}

func (o *oracle) conflicts(readTs uint64, reads []uint64) bool {
	if len(reads) == 0 {
		return false
	}
	for i := len(o.committed) - 1; i >= 0 && o.committed[i].ts > readTs; i-- {
		w := &o.committed[i].writes
		for _, r := range reads {
			if w.has(r) {
				return true
			}
		}
	}
	return false
}

// finish marks ts applied (or failed) and returns once visible >= ts.
func (o *oracle) finish(ts uint64) {
	o.mu.Lock()
	o.doneLocked(ts)
	o.waitLocked(ts) // an earlier commit may still be being applied
	o.mu.Unlock()
}

// appliedCommit is a commit the applier applied; visible, if set, runs
// as it becomes visible (pendingCommit).
type appliedCommit struct {
	ts      uint64
	visible func()
}

// applied marks commits applied (or failed), without waiting for earlier
// ones (the applier).
func (o *oracle) applied(cs []appliedCommit) {
	o.mu.Lock()
	for _, c := range cs {
		o.pending[c.ts-o.pending[0].ts].visible = c.visible
		o.doneLocked(c.ts)
	}
	o.mu.Unlock()
}

func (o *oracle) doneLocked(ts uint64) {
	o.pending[ts-o.pending[0].ts].done = true
	if o.pending[0].ts != ts {
		return
	}
	n := 0
	for n < len(o.pending) && o.pending[n].done {
		if f := o.pending[n].visible; f != nil {
			f()
		}
		n++
	}
	o.visible = o.pending[n-1].ts
	clear(o.pending[:n]) // drop the funcs
	o.pending = o.pending[n:]
	o.wake()
	o.prune()
	o.setDiscard()
}

// failApplying is fail for commits the applier could not apply, the
// lowest at ts.
func (o *oracle) failApplying(cause error, ts uint64) {
	o.fail(cause)
	o.mu.Lock()
	if o.failedTs == 0 || ts < o.failedTs {
		o.failedTs = ts
	}
	o.mu.Unlock()
}

// failure is the error fail recorded, or nil.
func (o *oracle) failure() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.failed
}

// checkpointTs is the highest timestamp the log may checkpoint: visible,
// but below a commit the applier failed to apply, which was acknowledged
// and must come back in the replay.
func (o *oracle) checkpointTs() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failedTs != 0 {
		return min(o.visible, o.failedTs-1)
	}
	return o.visible
}

// wake releases the waiters visible has reached.
func (o *oracle) wake() {
	kept := o.waiters[:0]
	for _, w := range o.waiters {
		if w.ts <= o.visible {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	clear(o.waiters[len(kept):])
	o.waiters = kept
}

// prune forgets write sets no open read-write transaction can conflict
// with: those at or below the oldest one's read timestamp, or below
// visible when none is open (a new one reads at visible).
func (o *oracle) prune() {
	bound := o.visible
	if ts, ok := o.rw.min(); ok {
		bound = ts
	}
	n := 0
	for n < len(o.committed) && o.committed[n].ts <= bound {
		n++
	}
	if n > 0 {
		clear(o.committed[:n])
		o.committed = o.committed[n:]
	}
}

// setDiscard lets Badger drop versions no open or future transaction can
// read. A reader at ts reads the newest version at or below ts, which
// compaction keeps for any discard timestamp up to ts; new readers read
// at visible or later.
func (o *oracle) setDiscard() {
	d := o.visible
	for _, r := range [2]*readTimestamps{&o.rw, &o.ro} {
		if ts, ok := r.min(); ok && ts < d {
			d = ts
		}
	}
	if d > o.discard {
		o.discard = d
		o.db.SetDiscardTs(d)
	}
}

// readTimestamps counts open transactions per read timestamp, in
// timestamp order (new transactions read at visible, which only grows, so
// adding usually appends; moveRead may insert).
type readTimestamps struct{ ts []readCount }

type readCount struct {
	ts uint64
	n  int
}

func (r *readTimestamps) add(ts uint64) {
	if l := len(r.ts); l == 0 || r.ts[l-1].ts < ts {
		r.ts = append(r.ts, readCount{ts: ts, n: 1})
		return
	}
	i, ok := r.find(ts)
	if ok {
		r.ts[i].n++
		return
	}
	r.ts = slices.Insert(r.ts, i, readCount{ts: ts, n: 1})
}

func (r *readTimestamps) find(ts uint64) (int, bool) {
	return slices.BinarySearchFunc(r.ts, ts, func(c readCount, ts uint64) int {
		switch {
		case c.ts < ts:
			return -1
		case c.ts > ts:
			return 1
		}
		return 0
	})
}

func (r *readTimestamps) remove(ts uint64) {
	i, ok := r.find(ts)
	if !ok {
		return
	}
	if r.ts[i].n--; r.ts[i].n == 0 {
		r.ts = slices.Delete(r.ts, i, i+1)
	}
}

func (r *readTimestamps) min() (uint64, bool) {
	if len(r.ts) == 0 {
		return 0, false
	}
	return r.ts[0].ts, true
}

// fpSet is a set of key fingerprints: a slice while small (most
// transactions write a few keys), a map beyond.
type fpSet struct {
	small []uint64
	big   map[uint64]struct{}
}

const fpSetSmall = 16

func (s *fpSet) add(fp uint64) {
	if s.big != nil {
		s.big[fp] = struct{}{}
		return
	}
	if slices.Contains(s.small, fp) {
		return
	}
	if len(s.small) < fpSetSmall {
		s.small = append(s.small, fp)
		return
	}
	s.big = make(map[uint64]struct{}, 2*fpSetSmall)
	for _, f := range s.small {
		s.big[f] = struct{}{}
	}
	s.big[fp] = struct{}{}
	s.small = nil
}

func (s *fpSet) has(fp uint64) bool {
	if s.big != nil {
		_, ok := s.big[fp]
		return ok
	}
	return slices.Contains(s.small, fp)
}

func (s *fpSet) len() int {
	if s.big != nil {
		return len(s.big)
	}
	return len(s.small)
}

package hotstore

import (
	"cmp"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// With a write-ahead log, a commit does not wait for Badger: the oracle
// queues its record for the applier when it assigns the timestamp (so the
// queue is in timestamp order), and Commit goes on to the sync (under
// Async, to the log's write). The applier hands the queued commits to
// Badger's writer together, each as its own transaction at its own
// timestamp, and only then marks them visible. A Badger write per commit,
// waited for by its committer, cost a single client a tenth of its
// throughput: every write wakes Badger's writer goroutine, which starts
// another and wakes the committer back; the applier pays those once for
// many. Internal writes
// (managed.go update) are queued too, and wait for their apply, so
// Badger gets every version in timestamp order (oracle.assign).
//
// The applier waits applyDelay after the first commit it is handed, so a
// lone client's commits share batches too, unless someone needs them
// visible now: a transaction beginning (oracle.settle, stale.go), a
// commit waiting for an earlier one, an internal write, or a commit that
// put a value in Badger's value log (commitBadger). Those urge it. A
// queue of applyBatchBytes is applied at once; beyond applyQueueBytes
// committers wait for their own commit, so a writer faster than Badger
// is slowed to its pace, and a reader never waits for more than about
// that much to be applied.
//
// A crash loses the queue and nothing else: every queued commit is in the
// log, after the checkpoint (which never passes an unapplied commit), and
// the replay applies it again. If Badger fails to apply a batch, the
// store refuses every later commit (oracle.fail) and checkpoints stay
// below the batch (oracle.checkpointTs): its commits were acknowledged,
// are in the log and come back when the store is reopened. Until then,
// readers do not see them.
const (
	applyDelay      = time.Millisecond
	applyBatchBytes = 256 << 10
	applyQueueBytes = 1 << 20
)

type applier struct {
	s     *Store
	delay time.Duration // applyDelay unless a test overrides it

	mu      sync.Mutex
	queue   []queuedCommit
	bytes   int  // of the queued records
	stopped bool // set by stop: no commit is queued after it

	work    chan struct{} // capacity 1: the queue became non-empty
	urgent  chan struct{} // capacity 1: apply now
	quit    chan struct{}
	done    chan struct{} // closed when loop returns
	batches uint64        // batches applied; guarded by mu
}

// queuedCommit is a commit waiting to be applied: its record (a pooled
// buffer, released once applied) and the index-cache buckets it writes,
// registered with the cache until it is visible (indexcache.go). full is
// set when queuing it took the queue past applyQueueBytes: its committer
// should wait for it.
type queuedCommit struct {
	ts       uint64
	rec      *[]byte
	idx      map[string]struct{}
	idxOther bool
	full     bool
}

func startApplier(s *Store) *applier {
	a := &applier{
		s:      s,
		delay:  cmp.Or(s.opts.applyDelay, applyDelay),
		work:   make(chan struct{}, 1),
		urgent: make(chan struct{}, 1),
		quit:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	s.orc.apply = a
	go a.loop()
	return a
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// urge asks for the queue to be applied now.
func (a *applier) urge() { signal(a.urgent) }

// admit locks the queue for a commit about to get its timestamp, or
// fails with ErrClosed once the applier stopped. enqueue or abandon
// unlocks it.
func (a *applier) admit() error {
	a.mu.Lock()
	if a.stopped {
		a.mu.Unlock()
		return ErrClosed
	}
	return nil
}

// abandon unlocks the queue admit locked, queuing nothing.
func (a *applier) abandon() { a.mu.Unlock() }

// enqueue queues c and unlocks the queue admit locked. It reports
// whether the queue is over applyQueueBytes.
func (a *applier) enqueue(c queuedCommit) (full bool) {
	a.queue = append(a.queue, c)
	a.bytes += len(*c.rec)
	first, bytes := len(a.queue) == 1, a.bytes
	a.mu.Unlock()
	switch {
	case bytes >= applyBatchBytes:
		signal(a.urgent)
	case first:
		signal(a.work)
	}
	return bytes >= applyQueueBytes
}

func (a *applier) loop() {
	defer close(a.done)
	delay := time.NewTimer(a.delay)
	delay.Stop()
	for {
		select {
		case <-a.work:
		case <-a.urgent:
		case <-a.quit:
			a.applyQueued()
			return
		}
		if !a.s.orc.waiting() && a.queued() > 0 {
			delay.Reset(a.delay)
			select {
			case <-a.urgent:
				delay.Stop()
			case <-delay.C:
			case <-a.quit:
				a.applyQueued()
				return
			}
		}
		a.applyQueued()
	}
}

func (a *applier) queued() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.queue)
}

// applyQueued applies everything queued.
func (a *applier) applyQueued() {
	a.mu.Lock()
	q := a.queue
	a.queue, a.bytes = nil, 0
	a.mu.Unlock()
	if len(q) > 0 {
		a.apply(q)
	}
}

// apply writes q to Badger, one Badger transaction per commit at its
// timestamp, handed to Badger's writer all at once (it writes the
// requests waiting together), then makes q visible and ends its
// index-cache writes. One transaction per commit, rather than one write
// batch with a version per entry, keeps Badger's transaction markers in
// its .mem files: a crash in the middle of the batch leaves whole commits
// there or none, never half of one whose record the log may not hold yet.
// The requests reach Badger in timestamp order (oracle.assign).
func (a *applier) apply(q []queuedCommit) {
	s := a.s
	var (
		wg       sync.WaitGroup
		errMu    sync.Mutex
		firstErr error
		failedTs uint64
	)
	fail := func(ts uint64, err error) {
		errMu.Lock()
		if firstErr == nil || ts < failedTs {
			firstErr, failedTs = err, ts
		}
		errMu.Unlock()
	}
	for _, c := range q {
		ts := c.ts
		bt := s.db.NewTransactionAt(ts-1, true)
		err := decodeWriteSet(*c.rec, func(e writeEntry) error {
			if e.del {
				return bt.Delete(e.key)
			}
			return bt.SetEntry(&badger.Entry{Key: e.key, Value: e.value, ExpiresAt: e.expires})
		})
		if err != nil {
			bt.Discard()
			fail(ts, err)
			continue
		}
		wg.Add(1)
		// With a callback, CommitAt sends the request and returns; the
		// callback always runs, once Badger wrote it or failed.
		_ = bt.CommitAt(ts, func(err error) {
			if err != nil {
				fail(ts, err)
			}
			wg.Done()
		})
	}
	wg.Wait()
	if firstErr != nil {
		s.orc.failApplying(firstErr, failedTs)
		s.log.Error("hot store could not apply commits; it refuses commits until restarted",
			"commits", len(q), "first_failed_ts", failedTs, "err", firstErr)
	}
	// A commit's index-cache write ends as it becomes visible, under the
	// oracle's mutex (indexcache.go wants it after, and a reader it wakes
	// wants it done): a commit before it may still be in flight.
	done := make([]appliedCommit, len(q))
	for i, c := range q {
		done[i].ts = c.ts
		switch {
		case c.idxOther:
			done[i].visible = s.icache.endGlobal
		case len(c.idx) > 0:
			done[i].visible = func() { s.icache.endWrite(c.idx) }
		}
		releaseRecord(c.rec)
	}
	s.orc.applied(done)
	a.mu.Lock()
	a.batches++
	a.mu.Unlock()
}

// stop applies what is queued and stops the loop; later commits fail
// with ErrClosed before they get a timestamp.
func (a *applier) stop() {
	a.mu.Lock()
	a.stopped = true
	a.mu.Unlock()
	close(a.quit)
	<-a.done
}

// appliedBatches counts the batches applied (Stats.ApplyBatches).
func (a *applier) appliedBatches() uint64 {
	if a == nil {
		return 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.batches
}

package hotstore

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Reclamation defaults (see doc.go, "Reclaiming disk space"). A run
// rewrites the LSM tree, so it waits for this much garbage, for deletes
// to pause, and for the previous run to be a while ago.
const (
	reclaimAfter   = 32 << 20        // estimated bytes deleted that make a run due
	reclaimQuiet   = 2 * time.Second // no deletes for this long: run now
	reclaimMaxWait = 2 * time.Minute // due this long: run even if deletes go on
	reclaimSpacing = time.Minute     // at least this long between background runs
	reclaimFlushBy = time.Minute     // wait at most this long for the memtable flush
	vlogGCRatio    = 0.5             // rewrite a value-log file once half of it is garbage
	vlogGCMaxRuns  = 16              // value-log files rewritten per run, at most
	padValueMax    = 256 << 10       // one pad write; well under Badger's batch limit
)

// padKey is the key flushThrough overwrites: one small version survives.
// lowKey sorts before every other key ('a' is below every tag), so a
// marker table written with both spans the whole keyspace.
const (
	padKey = string(tagSys) + "reclaim-pad"
	lowKey = "a" + "reclaim-lo"
)

// Reclaimed reports one reclamation run. Disk sizes are allocated bytes of
// the Badger directory's .sst and .vlog files, before and after.
type Reclaimed struct {
	Garbage      int64 // estimated bytes deleted since the previous run
	SSTBefore    int64
	SSTAfter     int64
	VlogBefore   int64
	VlogAfter    int64
	Padded       int64 // bytes written to push the memtable out (0 if not needed)
	VlogRewrites int   // value-log files garbage collected
	Took         time.Duration
}

// Freed is how many bytes of .sst and .vlog files the run gave back.
func (r Reclaimed) Freed() int64 {
	return r.SSTBefore + r.VlogBefore - r.SSTAfter - r.VlogAfter
}

// reclaimer gives disk space back after large deletes, in the background
// and one run at a time.
type reclaimer struct {
	s   *Store
	dir string

	after               int64
	padSize, padMax     int64 // one pad write; pad bytes that force a rotation
	quiet, maxWait, gap time.Duration

	garbage  atomic.Int64 // estimated bytes deleted since the last run began
	dueSince atomic.Int64 // unix nanos when garbage first reached after; 0: not due
	lastNote atomic.Int64 // unix nanos of the last delete noted
	lastRun  atomic.Int64 // unix nanos when the last run ended

	runs  atomic.Uint64
	freed atomic.Int64

	kick chan struct{} // capacity 1: garbage reached the threshold
	sem  chan struct{} // capacity 1: held while a run goes on
	quit chan struct{} // closed by stop
	done chan struct{} // closed when loop returns
}

func newReclaimer(s *Store, dir string, o Options, memTable int64) *reclaimer {
	r := &reclaimer{
		s: s, dir: dir,
		after: reclaimAfter, quiet: reclaimQuiet, maxWait: reclaimMaxWait, gap: reclaimSpacing,
		padSize: min(padValueMax, memTable/16),
		kick:    make(chan struct{}, 1),
		sem:     make(chan struct{}, 1),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	r.padMax = memTable + 2*r.padSize
	if o.reclaimAfter != 0 {
		r.after = o.reclaimAfter
	}
	if o.reclaimQuiet > 0 {
		r.quiet, r.gap = o.reclaimQuiet, o.reclaimQuiet
	}
	return r
}

// note records garbage left by committed deletes and wakes the loop once
// enough has piled up.
func (r *reclaimer) note(bytes int64) {
	if bytes <= 0 || r.s.opts.InMemory {
		return
	}
	now := time.Now().UnixNano()
	r.lastNote.Store(now)
	if r.garbage.Add(bytes) < r.after || r.after < 0 {
		return
	}
	r.dueSince.CompareAndSwap(0, now)
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// loop runs a reclamation when one is due: after deletes pause for quiet
// (or maxWait after it became due), and gap after the previous run.
func (r *reclaimer) loop() {
	defer close(r.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-r.quit
		cancel()
	}()
	for {
		select {
		case <-r.quit:
			return
		case <-r.kick:
		}
		for {
			now := time.Now()
			wait := r.quiet - now.Sub(time.Unix(0, r.lastNote.Load()))
			if due := r.dueSince.Load(); due != 0 {
				wait = min(wait, r.maxWait-now.Sub(time.Unix(0, due)))
			}
			wait = max(wait, r.gap-now.Sub(time.Unix(0, r.lastRun.Load())))
			if wait <= 0 {
				break
			}
			select {
			case <-r.quit:
				return
			case <-time.After(wait):
			}
		}
		if r.garbage.Load() < r.after {
			continue // an explicit Reclaim got there first
		}
		if _, err := r.s.Reclaim(ctx); err != nil && ctx.Err() == nil {
			r.s.log.Error("hot store reclaim", "err", err)
		}
	}
}

// stop ends the loop and waits for a run in progress (Badger's Flatten
// cannot be interrupted).
func (r *reclaimer) stop() {
	close(r.quit)
	<-r.done
	r.sem <- struct{}{}
}

// Reclaim gives the disk space of deleted rows back now: it makes sure the
// deletes have left the memtable, compacts the LSM tree into one level
// (Badger's Flatten, which drops deleted keys and their older versions),
// then garbage collects value-log files that are mostly garbage. Writers
// are not blocked; runs never overlap (a call waits for the one in
// progress). The background loop calls it after large deletes; tests and
// administrators may call it directly. It does nothing in memory.
func (s *Store) Reclaim(ctx context.Context) (Reclaimed, error) {
	r := s.reclaim
	if s.opts.InMemory {
		return Reclaimed{}, nil
	}
	select {
	case r.sem <- struct{}{}:
	case <-r.quit:
		return Reclaimed{}, ErrClosed
	case <-ctx.Done():
		return Reclaimed{}, ctx.Err()
	}
	defer func() { <-r.sem }()
	if s.closed.Load() {
		return Reclaimed{}, ErrClosed
	}
	res, err := r.run(ctx)
	r.lastRun.Store(time.Now().UnixNano())
	if err != nil {
		r.garbage.Add(res.Garbage) // still there for the next run
		return res, fmt.Errorf("reclaim hot store: %w", err)
	}
	r.runs.Add(1)
	r.freed.Add(res.Freed())
	s.log.Info("hot store reclaimed", "garbage", res.Garbage, "freed", res.Freed(),
		"sst_before", res.SSTBefore, "sst_after", res.SSTAfter,
		"vlog_before", res.VlogBefore, "vlog_after", res.VlogAfter,
		"padded", res.Padded, "vlog_rewrites", res.VlogRewrites, "took", res.Took)
	return res, nil
}

func (r *reclaimer) run(ctx context.Context) (Reclaimed, error) {
	start := time.Now()
	var res Reclaimed
	var err error
	if res.SSTBefore, res.VlogBefore, err = diskUsage(r.dir); err != nil {
		return res, err
	}
	res.Garbage = r.garbage.Swap(0)
	r.dueSince.Store(0)
	db := r.s.db
	// Compaction drops a deleted key only when its tombstone meets the
	// key's data on the way into the last level. The marker is newer than
	// every delete noted so far: once it has left the memtable and L0,
	// so have they, and Flatten takes the rest down. The marker's two
	// keys span the keyspace, so the compactions that take it down
	// rewrite every table of the levels below, the last one included:
	// Flatten alone leaves a last level it has nothing to merge into
	// untouched, and with it the versions an earlier compaction had to
	// keep because a transaction could still read them.
	mark, err := r.writeMarker()
	if err != nil {
		return res, err
	}
	deadline := time.Now().Add(reclaimFlushBy)
	if res.Padded, err = r.flushThrough(ctx, mark, deadline); err != nil {
		return res, err
	}
	if err := r.waitBelowL0(ctx, mark, deadline); err != nil {
		return res, err
	}
	if err := db.Flatten(1); err != nil {
		return res, fmt.Errorf("flatten: %w", err)
	}
	if err := r.collectValueLog(ctx, &res); err != nil {
		return res, err
	}
	if res.SSTAfter, res.VlogAfter, err = diskUsage(r.dir); err != nil {
		return res, err
	}
	res.Took = time.Since(start)
	return res, nil
}

// collectValueLog runs value-log GC. Flatten's compactions recorded which
// value-log files hold dropped values; each GC run rewrites the one with
// the most garbage: it moves the live values into the active value log,
// their new pointers into the memtable (at their old versions, outside
// the store's log), and deletes the old file. Nothing syncs the memtable
// file on the commit path any more, so a power loss after the deletion
// could leave pointers into a deleted file. An open iterator makes Badger
// postpone deleting rewritten files until the last iterator closes: the
// new pointers and values are synced before it closes.
func (r *reclaimer) collectValueLog(ctx context.Context, res *Reclaimed) error {
	bt, end := r.s.readTxn()
	hold := bt.NewIterator(badger.IteratorOptions{})
	defer end()
	defer hold.Close() // first: the deletions happen here
	for res.VlogRewrites < vlogGCMaxRuns && ctx.Err() == nil {
		err := r.s.db.RunValueLogGC(vlogGCRatio)
		if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrRejected) {
			break
		}
		if err != nil {
			return fmt.Errorf("value log gc: %w", err)
		}
		res.VlogRewrites++
	}
	if res.VlogRewrites == 0 || r.s.opts.InMemory {
		return nil
	}
	if err := r.s.syncBadgerFiles(r.dir); err != nil {
		return fmt.Errorf("value log gc: %w", err)
	}
	return nil
}

// writeMarker overwrites the pad key and the low key in one transaction
// and returns its Badger version.
func (r *reclaimer) writeMarker() (uint64, error) {
	ts, err := r.s.update(false, func(b *blindTxn) error {
		if err := b.set([]byte(lowKey), nil); err != nil {
			return err
		}
		return b.set([]byte(padKey), nil)
	})
	r.s.noteWrite()
	if err != nil {
		return 0, fmt.Errorf("write marker: %w", err)
	}
	return ts, nil
}

// flushThrough makes sure every write at or below version mark is in an
// SST: Badger has no call to flush a memtable. So it overwrites the pad
// key until the memtable must have rotated (a memtable's worth plus two
// writes: the WAL holds the pad uncompressed, the SST compressed, and
// compaction keeps only the newest version), then waits for the flush.
// It returns the bytes padded.
func (r *reclaimer) flushThrough(ctx context.Context, mark uint64, deadline time.Time) (int64, error) {
	pad := make([]byte, r.padSize)
	var padded int64
	for !r.holds(0, mark) {
		if err := ctx.Err(); err != nil {
			return padded, err
		}
		if padded < r.padMax {
			_, err := r.s.update(false, func(b *blindTxn) error { return b.set([]byte(padKey), pad) })
			r.s.noteWrite()
			if err != nil {
				return padded, fmt.Errorf("pad memtable: %w", err)
			}
			padded += int64(len(pad))
			continue
		}
		if time.Now().After(deadline) {
			return padded, errors.New("memtable flush did not finish in time")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return padded, nil
}

// waitBelowL0 waits until L0's tables up to mark have been compacted into
// the levels below (Badger's compactor does it soon: Open sets
// NumLevelZeroTables to 1). Flatten would not move them while L0 is the
// only level holding tables.
func (r *reclaimer) waitBelowL0(ctx context.Context, mark uint64, deadline time.Time) error {
	for !r.holds(1, mark) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return nil // Flatten moves L0 down itself when other levels hold tables
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// holds reports whether an SST at level minLevel or below holds a version
// at or above mark. Memtables are flushed, and L0 compacted, in the order
// Badger applied writes, and compaction keeps the newest version of the
// marker's key, so every write applied before the marker (every delete
// noted before it was written) has got that far too.
func (r *reclaimer) holds(minLevel int, mark uint64) bool {
	for _, t := range r.s.db.Tables() {
		if t.Level >= minLevel && t.MaxVersion >= mark {
			return true
		}
	}
	return false
}

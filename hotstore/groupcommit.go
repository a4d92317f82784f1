package hotstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// asyncSyncInterval is how often Async durability syncs committed data in
// the background, bounding how much a power loss can take.
const asyncSyncInterval = 200 * time.Millisecond

// syncer is the group-commit goroutine. Committers register on the current
// round and kick the syncer; the syncer swaps in a fresh round and only then
// syncs, so one sync covers every commit registered on the round it closes,
// and commits arriving meanwhile wait together for the next sync.
type syncer struct {
	s     *Store
	files *rotatedFiles // nil in memory
	kick  chan struct{} // capacity 1: "a round has waiters"
	quit  chan struct{}
	done  chan struct{} // closed when loop returns

	mu      sync.Mutex // guards cur and stopped
	cur     *round
	stopped bool

	finalErr error // the last round's error, read after done is closed
}

// round is one sync; err is written before done is closed.
type round struct {
	done chan struct{}
	err  error
}

func newRound() *round { return &round{done: make(chan struct{})} }

func startSyncer(s *Store, dir string) *syncer {
	sy := &syncer{
		s:    s,
		kick: make(chan struct{}, 1),
		quit: make(chan struct{}),
		done: make(chan struct{}),
		cur:  newRound(),
	}
	if !s.opts.InMemory {
		sy.files = &rotatedFiles{dir: dir}
	}
	go sy.loop()
	return sy
}

// wait returns once a sync that started after the call has finished, or
// when ctx ends (the data may then still become or be durable).
func (sy *syncer) wait(ctx context.Context) error {
	sy.mu.Lock()
	if sy.stopped {
		sy.mu.Unlock()
		return ErrClosed
	}
	r := sy.cur
	sy.mu.Unlock()
	select {
	case sy.kick <- struct{}{}:
	default: // already kicked; the pending round includes us
	}
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (sy *syncer) loop() {
	defer close(sy.done)
	var tick <-chan time.Time
	if sy.s.opts.Durability == Async {
		t := time.NewTicker(asyncSyncInterval)
		defer t.Stop()
		tick = t.C
	}
	var synced uint64 // commit count covered by the last periodic sync
	for {
		select {
		case <-sy.kick:
		case <-tick:
			if n := sy.s.commits.Load(); n != synced {
				synced = n
				_ = sy.syncAll()
			}
			continue
		case <-sy.quit:
			sy.mu.Lock()
			sy.stopped = true
			r := sy.cur
			sy.mu.Unlock()
			r.err = sy.syncAll()
			sy.finalErr = r.err
			close(r.done)
			return
		}
		sy.mu.Lock()
		r := sy.cur
		sy.cur = newRound()
		sy.mu.Unlock()
		r.err = sy.syncAll()
		close(r.done)
	}
}

// stop runs a final sync, releases every waiter and ends the goroutine.
func (sy *syncer) stop() error {
	close(sy.quit)
	<-sy.done
	return sy.finalErr
}

// syncAll makes every acknowledged commit durable: Badger's DB.Sync covers
// the active memtable WAL and value log; rotatedFiles covers the ones Badger
// rotated away from without syncing (see doc.go).
func (sy *syncer) syncAll() error {
	err := sy.s.db.Sync()
	if err == nil && sy.files != nil {
		err = sy.files.sync()
	}
	sy.s.fsyncs.Add(1)
	if err != nil {
		sy.s.log.Error("hotstore: sync", "err", err)
		return fmt.Errorf("sync: %w", err)
	}
	return nil
}

// rotatedFiles fsyncs Badger write-ahead files that stopped being the
// active one. Badger's DB.Sync only syncs the current memtable WAL
// (NNNNNN.mem) and value log (NNNNNN.vlog); with SyncWrites off, a file
// left behind by a rotation is not synced until its memtable is flushed to
// an SST, so a commit written just before a rotation would otherwise be
// acknowledged unsynced. Owned by the syncer goroutine.
type rotatedFiles struct {
	dir   string
	kinds [2]logKind
}

// logKind tracks one kind of write-ahead file by its numeric file id.
type logKind struct {
	max  uint64 // highest id seen; a new one means a new directory entry
	done uint64 // every rotated file with id <= done has been fsynced
}

func (r *rotatedFiles) sync() error {
	logExts := [2]string{".mem", ".vlog"}
	ents, err := os.ReadDir(r.dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", r.dir, err)
	}
	type logFile struct {
		id   uint64
		name string
	}
	var files [2][]logFile
	var maxID [2]uint64
	for _, e := range ents {
		for k, ext := range logExts {
			base, ok := strings.CutSuffix(e.Name(), ext)
			if !ok {
				continue
			}
			id, err := strconv.ParseUint(base, 10, 32)
			if err != nil {
				continue
			}
			files[k] = append(files[k], logFile{id, e.Name()})
			maxID[k] = max(maxID[k], id)
		}
	}
	newEntry := false
	for k := range logExts {
		lk := &r.kinds[k]
		// Files below the newest are no longer written: one fsync each,
		// after the rotation, suffices.
		for _, f := range files[k] {
			if f.id < maxID[k] && f.id > lk.done {
				if err := fsyncFile(filepath.Join(r.dir, f.name)); err != nil {
					return err
				}
			}
		}
		if maxID[k] > 0 {
			lk.done = max(lk.done, maxID[k]-1)
		}
		if maxID[k] != lk.max {
			lk.max = maxID[k]
			newEntry = true
		}
	}
	if newEntry {
		// Badger does not sync the directory when it creates a WAL or
		// value log file.
		return fsyncFile(r.dir)
	}
	return nil
}

// fsyncFile fsyncs a file or directory. A file already gone was flushed to
// an SST (or garbage collected) by Badger, which synced that.
func fsyncFile(name string) error {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("fsync %s: %w", name, err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("fsync %s: %w", name, err)
	}
	return nil
}

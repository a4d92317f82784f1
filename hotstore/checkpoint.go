package hotstore

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// checkpointEvery is how much log (bytes of records) may pile up before a
// checkpoint: it bounds the log on disk (about two segments) and the
// replay at open (measured: 145k single-row commits, 52 MB, in 1.05 s).
const checkpointEvery = 64 << 20

// checkpointer lets the log drop what Badger holds durably. A checkpoint
// takes the visible timestamp (every commit at or below it is in Badger),
// fsyncs Badger's memtable write-ahead files (.mem) and value logs (its
// SSTs are synced when written) and then tells the log, which deletes the
// segments at or below that timestamp. It runs in its own goroutine, off
// the commit path: those fsyncs write up to a few memtables' worth.
type checkpointer struct {
	s     *Store
	dir   string
	kick  chan struct{} // capacity 1: a checkpoint is due
	quit  chan struct{}
	done  chan struct{}
	every int64 // log bytes that make a checkpoint due
	// at is the log size (oracle.loggedBytes) the last checkpoint started at.
	at   atomic.Int64
	runs atomic.Uint64
}

func startCheckpointer(s *Store, dir string) *checkpointer {
	c := &checkpointer{s: s, dir: dir, every: checkpointEvery, kick: make(chan struct{}, 1),
		quit: make(chan struct{}), done: make(chan struct{})}
	if s.opts.checkpointEvery > 0 {
		c.every = s.opts.checkpointEvery
	}
	go c.loop()
	return c
}

// due starts a checkpoint when the log grew by c.every since the last
// one; it never blocks.
func (c *checkpointer) due() {
	if c == nil || c.s.orc.loggedBytes.Load()-c.at.Load() < c.every {
		return
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	for {
		select {
		case <-c.kick:
			if err := c.run(); err != nil {
				c.s.log.Error("hotstore: checkpoint", "err", err)
			}
		case <-c.quit:
			return
		}
	}
}

// run makes one checkpoint.
func (c *checkpointer) run() error {
	start := time.Now()
	logged := c.s.orc.loggedBytes.Load()
	ts := c.s.orc.checkpointTs()
	log := c.s.orc.log
	if ts <= log.Checkpointed() {
		return nil
	}
	if err := c.s.syncBadgerFiles(c.dir); err != nil {
		return err
	}
	if err := log.Checkpoint(ts); err != nil {
		return err
	}
	c.at.Store(logged)
	c.runs.Add(1)
	c.s.log.Debug("hotstore: checkpoint", "ts", ts, "took", time.Since(start))
	return nil
}

func (c *checkpointer) count() uint64 {
	if c == nil {
		return 0
	}
	return c.runs.Load()
}

func (c *checkpointer) stop() {
	if c == nil {
		return
	}
	close(c.quit)
	<-c.done
}

// syncBadgerFiles fsyncs every memtable write-ahead file and value log in
// dir, then dir itself. A file Badger removes meanwhile was flushed into
// a synced SST (or collected) first.
func (s *Store) syncBadgerFiles(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	for _, e := range ents {
		if name := e.Name(); strings.HasSuffix(name, ".mem") || strings.HasSuffix(name, vlogExt) {
			if err := syncPath(filepath.Join(dir, name)); err != nil {
				return err
			}
			if s.opts.synced != nil {
				s.opts.synced(filepath.Join(dir, name))
			}
		}
	}
	return syncPath(dir)
}

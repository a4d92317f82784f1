package hotstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Write-ahead file kinds, indexes into walFiles.kinds.
const (
	kindMem  = iota // NNNNN.mem: the memtable WAL
	kindVlog        // NNNNNN.vlog: the value log
)

var walExts = [2]string{kindMem: ".mem", kindVlog: ".vlog"}

// walFiles makes Badger's write-ahead files durable without DB.Sync. It
// keeps its own descriptor of the active .mem and .vlog file and fdatasyncs
// it: Badger writes both through a MAP_SHARED mmap, whose dirty pages
// belong to the file's page cache, so fdatasync on any descriptor of the
// inode writes them (it is what msync(MS_SYNC) does on Linux), and the size
// set by Badger's ftruncate is metadata fdatasync includes.
//
// Each kind's active file is the one with the highest id: Badger creates a
// new one (id+1) and only then writes into it. Files below it were rotated
// away from without a sync and get one fdatasync after the rotation; new
// files get a directory fsync, which Badger skips. The directory is listed
// only when dirWatch reports a creation (or on every round without a
// watch): a commit acknowledged by a round was written before the round
// began, hence into a file created before it, whose creation event the
// round's drain sees. See doc.go.
//
// The value log is synced only when a commit may have written to it
// (vlogWrites moved): values under Badger's ValueThreshold stay in the WAL.
// Owned by the syncer.
type walFiles struct {
	dir        string
	watch      *dirWatch // nil: list on every round
	listed     bool      // false until the first listing and after a failed one
	kinds      [2]walKind
	vlogWrites *atomic.Uint64 // Store.vlogWrites
	vlogSynced uint64         // vlogWrites covered by the last vlog sync
	slow       bool           // the last fdatasync took over rawSyncLimit
	rawSyncs   int            // fdatasyncs made raw (for tests)
	now        func() time.Time
}

// rawSyncLimit is the longest fdatasync after which the next one still
// goes raw (see datasync).
const rawSyncLimit = 5 * time.Millisecond

// walKind tracks one kind of write-ahead file by numeric id.
type walKind struct {
	active *os.File // our descriptor of file id max; nil if there is none
	max    uint64   // highest id seen; a new one means a new directory entry
	done   uint64   // every rotated file with id <= done has been synced
}

func openWALFiles(dir string, vlogWrites *atomic.Uint64) *walFiles {
	w := &walFiles{dir: dir, vlogWrites: vlogWrites, now: time.Now}
	// Watch before the first listing, so no creation falls between them.
	if dw, err := newDirWatch(dir); err == nil {
		w.watch = dw
	}
	return w
}

// sync makes every write that Badger finished before the call durable.
func (w *walFiles) sync() error {
	// Drain events before listing: a file created after the drain is in
	// the listing or reported to the next round.
	changed := w.watch == nil || w.watch.changed() || !w.listed
	if changed {
		w.listed = true // switchActive may take it back
		if err := w.rescan(); err != nil {
			w.listed = false
			return err
		}
	}
	if err := w.datasync(w.kinds[kindMem].active); err != nil {
		return err
	}
	if n := w.vlogWrites.Load(); n != w.vlogSynced || changed {
		if err := w.datasync(w.kinds[kindVlog].active); err != nil {
			return err
		}
		w.vlogSynced = n
	}
	return nil
}

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
func (w *walFiles) datasync(f *os.File) error {
	if f == nil {
		return nil
	}
	raw := !w.slow
	if raw {
		w.rawSyncs++
	}
	start := w.now()
	err := fdatasync(f, raw)
	w.slow = w.now().Sub(start) > rawSyncLimit
	return err
}

// rescan lists the directory, syncs files rotated away from, switches the
// active descriptors to the newest files and fsyncs the directory when a
// new file appeared.
func (w *walFiles) rescan() error {
	ents, err := os.ReadDir(w.dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", w.dir, err)
	}
	var ids [2][]uint64
	var maxID [2]uint64
	for _, e := range ents {
		for k, ext := range walExts {
			if id, ok := walFileID(e.Name(), ext); ok {
				ids[k] = append(ids[k], id)
				maxID[k] = max(maxID[k], id)
			}
		}
	}
	newEntry := false
	for k := range walExts {
		wk := &w.kinds[k]
		// Files below the newest are no longer written: one sync each,
		// after the rotation, suffices.
		for _, id := range ids[k] {
			if id < maxID[k] && id > wk.done {
				if err := w.syncRotated(wk, k, id); err != nil {
					return err
				}
			}
		}
		if maxID[k] > 0 {
			wk.done = max(wk.done, maxID[k]-1)
		}
		if maxID[k] != wk.max || wk.active == nil && maxID[k] > 0 {
			if err := w.switchActive(wk, k, maxID[k]); err != nil {
				return err
			}
			newEntry = true
		}
	}
	if newEntry {
		// Badger does not sync the directory when it creates a WAL or
		// value log file.
		return syncPath(w.dir)
	}
	return nil
}

// syncRotated syncs file id of kind k, through the active descriptor when
// that is the file.
func (w *walFiles) syncRotated(wk *walKind, k int, id uint64) error {
	if wk.active != nil && wk.max == id {
		return w.datasync(wk.active)
	}
	return syncPath(w.path(k, id))
}

// switchActive makes file id the active one of its kind.
func (w *walFiles) switchActive(wk *walKind, k int, id uint64) error {
	if wk.active != nil {
		_ = wk.active.Close()
		wk.active = nil
	}
	wk.max = id
	if id == 0 {
		return nil
	}
	f, err := os.Open(w.path(k, id))
	if errors.Is(err, fs.ErrNotExist) {
		// Gone already: flushed to an SST, which Badger synced. List
		// again next round to find its successor.
		w.listed = false
		return nil
	}
	if err != nil {
		return fmt.Errorf("open write-ahead file: %w", err)
	}
	wk.active = f
	return nil
}

func (w *walFiles) path(k int, id uint64) string {
	if k == kindMem {
		return filepath.Join(w.dir, fmt.Sprintf("%05d%s", id, walExts[k]))
	}
	return filepath.Join(w.dir, fmt.Sprintf("%06d%s", id, walExts[k]))
}

func (w *walFiles) close() {
	if w.watch != nil {
		_ = w.watch.close()
	}
	for k := range w.kinds {
		if f := w.kinds[k].active; f != nil {
			_ = f.Close()
			w.kinds[k].active = nil
		}
	}
}

// walFileID parses "NNNNN.ext".
func walFileID(name, ext string) (uint64, bool) {
	base, ok := strings.CutSuffix(name, ext)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseUint(base, 10, 32)
	return id, err == nil
}

// syncPath fsyncs a file or directory by name. A file already gone was
// flushed to an SST (or garbage collected) by Badger, which synced that.
func syncPath(name string) error {
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

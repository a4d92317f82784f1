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
)

// vlogFiles makes Badger's value log durable without DB.Sync, for the
// commits whose values went there (at least Badger's ValueThreshold,
// 1 MB): smaller values live in the LSM and reach the disk through the
// store's own write-ahead log (wal/). It keeps its own descriptor of the
// active NNNNNN.vlog file and fdatasyncs it: Badger writes it through a
// MAP_SHARED mmap, whose dirty pages belong to the file's page cache, so
// fdatasync on any descriptor of the inode writes them (it is what
// msync(MS_SYNC) does on Linux).
//
// The active file is the one with the highest id: Badger creates a new
// one (id+1) and only then writes into it. Files below it were rotated
// away from without a sync and get one fdatasync after the rotation; new
// files get a directory fsync, which Badger skips. The directory is listed
// only when dirWatch reports a creation (or on every round without a
// watch): a commit acknowledged by a round was written before the round
// began, hence into a file created before it, whose creation event the
// round's drain sees. (Probing for id+1 instead would miss a file created
// and collected between two rounds.)
//
// A round syncs only when a commit may have written to the value log
// (vlogWrites moved). Owned by the syncer; its syncPolicy is shared with
// the store's log.
type vlogFiles struct {
	dir        string
	watch      *dirWatch      // nil: list on every round
	listed     bool           // false until the first listing and after a failed one
	active     *os.File       // our descriptor of file id max; nil if there is none
	max        uint64         // highest id seen; a new one means a new directory entry
	done       uint64         // every rotated file with id <= done has been synced
	vlogWrites *atomic.Uint64 // Store.vlogWrites
	vlogSynced uint64         // vlogWrites covered by the last vlog sync
	*syncPolicy
}

const vlogExt = ".vlog"

func openVlogFiles(dir string, vlogWrites *atomic.Uint64, sp *syncPolicy) *vlogFiles {
	w := &vlogFiles{dir: dir, vlogWrites: vlogWrites, syncPolicy: sp}
	// Watch before the first listing, so no creation falls between them.
	if dw, err := newDirWatch(dir); err == nil {
		w.watch = dw
	}
	return w
}

// sync makes every value-log write that Badger finished before the call
// durable. Rounds with no value-log write since the last sync do nothing:
// creations they leave in the watch are reported to the next one that
// syncs.
func (w *vlogFiles) sync() error {
	n := w.vlogWrites.Load()
	if n == w.vlogSynced && w.listed {
		return nil
	}
	// Drain events before listing: a file created after the drain is in
	// the listing or reported to the next round.
	if w.watch == nil || w.watch.changed() || !w.listed {
		w.listed = true // switchActive may take it back
		if err := w.rescan(); err != nil {
			w.listed = false
			return err
		}
	}
	if err := w.datasync(w.active); err != nil {
		return err
	}
	w.vlogSynced = n
	return nil
}

// rescan lists the directory, syncs files rotated away from, switches the
// active descriptor to the newest file and fsyncs the directory when a
// new file appeared.
func (w *vlogFiles) rescan() error {
	ents, err := os.ReadDir(w.dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", w.dir, err)
	}
	var ids []uint64
	var maxID uint64
	for _, e := range ents {
		if id, ok := badgerFileID(e.Name(), vlogExt); ok {
			ids = append(ids, id)
			maxID = max(maxID, id)
		}
	}
	// Files below the newest are no longer written: one sync each, after
	// the rotation, suffices.
	for _, id := range ids {
		if id < maxID && id > w.done {
			if err := w.syncRotated(id); err != nil {
				return err
			}
		}
	}
	if maxID > 0 {
		w.done = max(w.done, maxID-1)
	}
	if maxID == w.max && (w.active != nil || maxID == 0) {
		return nil
	}
	if err := w.switchActive(maxID); err != nil {
		return err
	}
	// Badger does not sync the directory when it creates a value log.
	return syncPath(w.dir)
}

// syncRotated syncs file id, through the active descriptor when that is
// the file.
func (w *vlogFiles) syncRotated(id uint64) error {
	if w.active != nil && w.max == id {
		return w.datasync(w.active)
	}
	return syncPath(w.path(id))
}

// switchActive makes file id the active one.
func (w *vlogFiles) switchActive(id uint64) error {
	if w.active != nil {
		_ = w.active.Close()
		w.active = nil
	}
	w.max = id
	if id == 0 {
		return nil
	}
	f, err := os.Open(w.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		// Gone already (value-log GC). List again next round to find
		// its successor.
		w.listed = false
		return nil
	}
	if err != nil {
		return fmt.Errorf("open value log: %w", err)
	}
	w.active = f
	return nil
}

func (w *vlogFiles) path(id uint64) string {
	return filepath.Join(w.dir, fmt.Sprintf("%06d%s", id, vlogExt))
}

func (w *vlogFiles) close() {
	if w.watch != nil {
		_ = w.watch.close()
	}
	if w.active != nil {
		_ = w.active.Close()
		w.active = nil
	}
}

// badgerFileID parses Badger's "NNNNNN.ext" file names.
func badgerFileID(name, ext string) (uint64, bool) {
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

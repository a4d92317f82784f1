package wal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const (
	segExt = ".wal"
	tmpExt = ".tmp" // a file being prepared; removed at Open
)

// segName is 16 hex digits, so names sort like numbers.
func segName(seg uint64) string { return fmt.Sprintf("%016x%s", seg, segExt) }

func segPath(dir string, seg uint64) string { return filepath.Join(dir, segName(seg)) }

// parseSegName reports the number of a segment file name.
func parseSegName(name string) (uint64, bool) {
	hex, ok := strings.CutSuffix(name, segExt)
	if !ok || len(hex) != 16 {
		return 0, false
	}
	n, err := strconv.ParseUint(hex, 16, 64)
	return n, err == nil
}

// listSegments returns the numbers of dir's segment files, ascending, and
// removes leftover temp files: a file is only renamed into place once it
// is complete, so a temp file is an interrupted preparation.
func listSegments(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var segs []uint64
	for _, e := range ents {
		name := e.Name()
		if strings.HasSuffix(name, tmpExt) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return nil, fmt.Errorf("remove leftover %s: %w", name, err)
			}
			continue
		}
		if n, ok := parseSegName(name); ok && e.Type().IsRegular() {
			segs = append(segs, n)
		}
	}
	slices.Sort(segs)
	return segs, nil
}

// zeroChunk is the size of one zero-filling write.
const zeroChunk = 1 << 20

// createSegment makes segment seg of the given size and returns it open
// for writing. The file is filled with real zero writes and synced before
// it is renamed into place, and the directory is synced after: every block
// is then allocated and its allocation committed, so the fdatasync after
// overwriting part of it later needs no metadata commit, and the file is
// never seen at its final name without its full length.
func createSegment(dir string, seg uint64, size int64, zeros []byte, sync func(*os.File) error) (f *os.File, err error) {
	final := segPath(dir, seg)
	tmp := final + tmpExt
	f, err = os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create segment: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	for off := int64(0); off < size; {
		n := min(int64(len(zeros)), size-off)
		if _, err := f.WriteAt(zeros[:n], off); err != nil {
			return nil, fmt.Errorf("zero-fill %s: %w", tmp, err)
		}
		off += n
	}
	if err := sync(f); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, final); err != nil {
		return nil, fmt.Errorf("create segment: %w", err)
	}
	if err := syncDir(dir); err != nil {
		// The file is in place but its name may not be durable: remove it
		// rather than hand out a segment whose records could vanish.
		_ = os.Remove(final)
		return nil, err
	}
	// Reopen so that f.Name(), which errors and Options.Sync see, is the
	// segment's name rather than the temp one.
	g, err := os.OpenFile(final, os.O_RDWR, 0)
	if err != nil {
		_ = os.Remove(final)
		return nil, fmt.Errorf("create segment: %w", err)
	}
	_ = f.Close()
	return g, nil
}

// syncDir makes renames, creations and removals in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}

// removeSegments removes the given segment files, in order, then syncs
// the directory. A file already gone is not an error.
func removeSegments(dir string, segs []uint64) error {
	if len(segs) == 0 {
		return nil
	}
	for _, n := range segs {
		if err := os.Remove(segPath(dir, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove segment: %w", err)
		}
	}
	return syncDir(dir)
}

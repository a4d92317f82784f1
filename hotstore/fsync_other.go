//go:build !linux

package hotstore

import (
	"errors"
	"fmt"
	"os"
)

// dirWatch is Linux-only (inotify); elsewhere vlogFiles lists the directory
// on every sync round.
type dirWatch struct{}

func newDirWatch(string) (*dirWatch, error) {
	return nil, errors.New("directory watching needs Linux")
}

func (*dirWatch) changed() bool { return true }
func (*dirWatch) close() error  { return nil }

// fdatasync falls back to fsync where fdatasync is not in package syscall;
// raw is a Linux-only refinement.
func fdatasync(f *os.File, _ bool) error {
	if f == nil {
		return nil
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", f.Name(), err)
	}
	return nil
}

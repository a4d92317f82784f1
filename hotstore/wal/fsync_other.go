//go:build !linux

package wal

import (
	"fmt"
	"os"
)

// fdatasync falls back to fsync where package syscall has no fdatasync.
func fdatasync(f *os.File) error {
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", f.Name(), err)
	}
	return nil
}

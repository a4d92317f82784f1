//go:build linux

package wal

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// fdatasync is the default Options.Sync. fdatasync skips the metadata a
// read does not need (mtime), which is what makes overwriting an already
// allocated, zero-filled segment cheap. EINTR is retried: the call can be
// interrupted by a signal (Go's preemption uses SIGURG) before it is done.
func fdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("fdatasync %s: %w", f.Name(), err)
		}
		return nil
	}
}

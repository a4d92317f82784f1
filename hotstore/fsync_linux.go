//go:build linux

package hotstore

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// dirWatch reports whether entries were created in a directory since the
// last call, using inotify: the event is queued inside the creating system
// call, so a file that exists before changed is called is reported by it
// (or by an earlier call).
type dirWatch struct {
	fd  int
	buf [4096]byte
}

func newDirWatch(dir string) (*dirWatch, error) {
	fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	// Badger creates its files in place (no renames); IN_MOVED_TO covers
	// anything renamed in all the same. Overflow is always reported.
	if _, err := syscall.InotifyAddWatch(fd, dir, syscall.IN_CREATE|syscall.IN_MOVED_TO); err != nil {
		_ = syscall.Close(fd)
		return nil, fmt.Errorf("inotify watch %s: %w", dir, err)
	}
	return &dirWatch{fd: fd}, nil
}

// changed drains the pending events and reports whether there were any.
// A read error counts as a change, so the caller lists the directory.
func (w *dirWatch) changed() bool {
	got := false
	for {
		n, err := syscall.Read(w.fd, w.buf[:])
		switch {
		case n > 0:
			got = true
		case errors.Is(err, syscall.EINTR):
		case errors.Is(err, syscall.EAGAIN):
			return got
		default:
			return true
		}
	}
}

func (w *dirWatch) close() error { return syscall.Close(w.fd) }

// fdatasync flushes f's data and the metadata needed to read it back.
// With raw set, the call does not tell the scheduler it is in a system
// call: see vlogFiles.datasync for why and when.
func fdatasync(f *os.File, raw bool) error {
	if f == nil {
		return nil
	}
	for {
		var err error
		if raw {
			if _, _, errno := syscall.RawSyscall(syscall.SYS_FDATASYNC, f.Fd(), 0, 0); errno != 0 {
				err = errno
			}
		} else {
			err = syscall.Fdatasync(int(f.Fd()))
		}
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("fdatasync %s: %w", f.Name(), err)
		}
		return nil
	}
}

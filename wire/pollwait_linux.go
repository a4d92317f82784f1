package wire

import (
	"errors"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const pollSupported = true

// pollReadable blocks the calling thread until sc has input (or the peer
// hung up, which a read then reports) or d passes.
func pollReadable(sc syscall.RawConn, d time.Duration) (bool, error) {
	var (
		n   int
		err error
	)
	ts := unix.NsecToTimespec(d.Nanoseconds())
	cerr := sc.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for {
			n, err = unix.Ppoll(fds, &ts, nil)
			if !errors.Is(err, unix.EINTR) {
				return
			}
		}
	})
	if cerr != nil {
		return false, cerr
	}
	return n > 0, err
}

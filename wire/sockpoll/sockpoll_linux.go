package sockpoll

import (
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Supported reports whether Readable works on this platform.
const Supported = true

// Readable blocks the calling thread until sc has input (or the peer
// hung up, which a read then reports) or d passes. A signal ends the wait
// early, reported as no input.
//
// The call goes through the runtime's system call path, so the scheduler
// may hand the P to another thread while it waits. A raw call, which
// keeps the P, made a lone client's statements a little cheaper, but it
// kept a P from notification deliveries: with 100 listeners the bench's
// notify p99 rose from ~3.5 ms to 4.3 ms (two runs each), so it was not
// kept.
func Readable(sc syscall.RawConn, d time.Duration) (bool, error) {
	var (
		n   int
		err error
	)
	ts := unix.NsecToTimespec(d.Nanoseconds())
	cerr := sc.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err = unix.Ppoll(fds, &ts, nil)
	})
	switch {
	case cerr != nil:
		return false, cerr
	case err == unix.EINTR:
		return false, nil
	case err != nil:
		return false, err
	}
	return n > 0, nil
}

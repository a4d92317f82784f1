package sockpoll

import (
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Supported reports whether Readable works on this platform.
const Supported = true

// Readable blocks the calling thread until sc has input (or the peer
// hung up, which a read then reports) or d passes.
//
// The call is raw: it does not tell the scheduler it is in a system call,
// so the P stays with this thread and the scheduler's monitor does not
// hand it to another thread when the wait outlasts its 20 µs tick (and
// this thread need not win a P back when a message arrives). Work readied
// onto this P meanwhile is stolen by the idle P the caller must leave
// free. A signal (the runtime's preemption, a stop-the-world) ends
// the wait with EINTR, reported as no input, so the Go loop above runs and
// can be preempted.
func Readable(sc syscall.RawConn, d time.Duration) (bool, error) {
	var (
		n     uintptr
		errno syscall.Errno
	)
	ts := unix.NsecToTimespec(d.Nanoseconds())
	cerr := sc.Control(func(fd uintptr) {
		pfd := unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
		n, _, errno = unix.RawSyscall6(unix.SYS_PPOLL,
			uintptr(unsafe.Pointer(&pfd)), 1, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
	})
	switch {
	case cerr != nil:
		return false, cerr
	case errno == unix.EINTR:
		return false, nil
	case errno != 0:
		return false, errno
	}
	return n > 0, nil
}

package wire

import (
	"errors"
	"fmt"
	"runtime"
	"syscall"
)

// Notifications for idle connections are written by a few delivery
// goroutines, one per CPU, rather than by a goroutine of each listening
// connection: a commit on a channel with a hundred listeners then costs a
// hundred writes by two or so hot goroutines instead of a hundred
// goroutine wake-ups, each a trip through the scheduler and often a futex.
// The writes do not block: a client whose socket buffer is full gets the
// rest of its output from a goroutine of its own (notify.go), so one slow
// reader never holds up the others.

// deliverQueueLen bounds the connections waiting for a delivery
// goroutine; past it a connection falls back to its own goroutine.
const deliverQueueLen = 4096

type deliverers struct {
	queue chan *conn
}

func newDeliverers(stop <-chan struct{}) *deliverers {
	d := &deliverers{queue: make(chan *conn, deliverQueueLen)}
	for range runtime.GOMAXPROCS(0) {
		go d.run(stop)
	}
	return d
}

func (d *deliverers) run(stop <-chan struct{}) {
	for {
		select {
		case c := <-d.queue:
			c.deliverIdle()
		case <-stop:
			return
		}
	}
}

// offer queues c for delivery; false when the queue is full.
func (d *deliverers) offer(c *conn) bool {
	select {
	case d.queue <- c:
		return true
	default:
		return false
	}
}

// tryFlushLocked writes the pending output without waiting for the
// socket: it reports whether all of it went out. What remains stays
// buffered, in order, for a blocking flush. c.wmu must be held and c.sys
// set.
func (c *conn) tryFlushLocked() (bool, error) {
	if c.werr != nil {
		return false, errConnBroken
	}
	if len(c.wbuf) == 0 {
		return true, nil
	}
	n, err := writeNonblocking(c.sys, c.wbuf)
	if err != nil {
		c.werr = fmt.Errorf("write: %w", err)
		c.log.Debug("write", "err", err)
		return false, errConnBroken
	}
	if n < len(c.wbuf) {
		c.wbuf = c.wbuf[:copy(c.wbuf, c.wbuf[n:])]
		return false, nil
	}
	*c.wbox = c.wbuf
	c.s.bufs.putWrite(c.wbox)
	c.wbox, c.wbuf = nil, nil
	return true, nil
}

// writeNonblocking makes one write(2) attempt on the socket (Go keeps its
// sockets non-blocking) and returns how much it took: 0 when the socket's
// buffer is full.
func writeNonblocking(rc syscall.RawConn, b []byte) (int, error) {
	var n int
	var werr error
	err := rc.Write(func(fd uintptr) bool {
		for {
			n, werr = syscall.Write(int(fd), b)
			if !errors.Is(werr, syscall.EINTR) {
				return true // done: never wait for writability here
			}
		}
	})
	if err != nil {
		return 0, err
	}
	if errors.Is(werr, syscall.EAGAIN) {
		return 0, nil
	}
	if werr != nil {
		return 0, werr
	}
	return n, nil
}

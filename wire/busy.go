package wire

import (
	"errors"
	"os"
	"time"
)

// A client that is busy sends its next message soon after our answer: a
// driver running one statement after another, or a pool handing the
// connection to the next request. Handing each message from the connection
// goroutine to a worker and back costs two goroutine switches, each of
// which may wake an idle thread: 5-10% of a single-row INSERT's throughput
// in the bench. So the worker that answered waits for the connection's
// next message for a short while (Server.busyWindow) and answers it
// itself; a connection quiet for that long goes back to waiting on its own
// goroutine, with its small stack. Only a connection that has shown itself
// busy (its last message came within the window of our previous answer)
// keeps its worker waiting: one that runs a statement now and then, or
// LISTENs and idles, never holds a worker beyond its answer.
//
// The wait blocks the worker's thread in poll(2) when few connections are
// busy (pollwait.go), and otherwise uses a read deadline, which Shutdown
// and pg_terminate_backend also use (serveConn): after setting one, a
// connection whose context has ended puts the shutdown deadline back. TLS
// connections wait on the connection goroutine as before: a timed-out
// read on a tls.Conn is not documented as harmless.
const defaultBusyWindow = 2 * time.Millisecond

// awaitBusy waits up to Server.busyWindow for the next message. more
// reports that input arrived; otherwise ok is false when the connection
// must end (the client left, or the read failed and readFailed has been
// told).
func (c *conn) awaitBusy() (more, ok bool) {
	now := time.Now()
	c.answeredAt = now
	if !c.busy || c.tls || c.s.busyWindow <= 0 {
		return false, true
	}
	if c.mayPoll() {
		c.enterIdle()
		more = c.pollNext(now.Add(c.s.busyWindow))
		c.leaveIdle()
		if !more {
			return false, true
		}
		// Input is there: this read does not block, and it reads the
		// batch into the buffer kept (waitBusy), in one go.
		if err := c.rd.waitBusy(); err != nil {
			c.ready = false
			c.readFailed(err)
			return false, false
		}
		return true, true
	}
	if !c.setReadDeadline(now.Add(c.s.busyWindow)) {
		return false, true
	}
	c.enterIdle()
	err := c.rd.waitBusy()
	c.leaveIdle()
	// Reading the rest of a message, COPY data or the next message after
	// a quiet spell must not time out: clear the deadline either way.
	cleared := c.setReadDeadline(time.Time{})
	switch {
	case err == nil:
		return true, true
	case errors.Is(err, os.ErrDeadlineExceeded) && cleared:
		return false, true // quiet: the connection goroutine waits from here
	}
	c.ready = false
	c.readFailed(err)
	return false, false
}

// noteArrival records, when the connection goroutine receives input,
// whether it came within the busy window of our last answer.
func (c *conn) noteArrival() {
	c.busy = !c.answeredAt.IsZero() && time.Since(c.answeredAt) < c.s.busyWindow
}

// setReadDeadline sets the read deadline unless the connection's context
// has ended, whose AfterFunc set (or will set) the deadline that fails the
// read; false then. Checking after setting covers an AfterFunc that ran
// between the check and the set: context cancellation happens before it.
func (c *conn) setReadDeadline(t time.Time) bool {
	if c.ctx.Err() != nil {
		return false
	}
	_ = c.nc.SetReadDeadline(t)
	if c.ctx.Err() != nil {
		_ = c.nc.SetReadDeadline(shutdownReadDeadline)
		return false
	}
	return true
}

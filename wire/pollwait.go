package wire

import (
	"time"

	"github.com/kalamdb/kalamdb/wire/sockpoll"
)

// Waiting through the netpoller costs a second thread on every message
// when only one connection is busy: the goroutines that answering readies
// (Badger's watermark goroutines, a fsync waiter) make the runtime wake an
// idle thread, which spins and sleeps again, and a goroutine parked on the
// netpoller is itself handed to a thread by another. At one client that
// was 20-50 µs of CPU per statement on this project's bench. A worker that
// blocks its own thread in poll(2) instead keeps its P and answers the next
// message the moment it arrives, as a PostgreSQL backend does.
//
// A thread in a system call holds its P until the runtime takes it back,
// so only while at most maxPollers connections are answering (one fewer
// than GOMAXPROCS) does a worker wait this way: the other Ps stay free for
// everything else. With more busy connections the netpoller's wait is
// the cheaper one, since a P then never idles anyway.

// pollSlice bounds one poll(2) call, so that Shutdown and
// pg_terminate_backend, which cannot interrupt it, wait at most this long.
const pollSlice = 2 * time.Millisecond

// mayPoll reports whether this connection may wait in poll(2).
func (c *conn) mayPoll() bool {
	return c.s.pollBusy && c.sys != nil && c.s.answering.Load() <= c.s.maxPollers
}

// pollNext waits in poll(2) until input arrives or the time until passes,
// and reports whether input arrived while the connection's context lives.
// A false return leaves the connection to its goroutine, whose read sees
// the shutdown deadline if the context has ended. While a slice runs, the
// poll holds a reference to the socket: closing it (Shutdown's forced
// close, a failed notification delivery) waits for the slice to end.
func (c *conn) pollNext(until time.Time) bool {
	c.s.polls.Add(1)
	for c.ctx.Err() == nil {
		left := time.Until(until)
		if left <= 0 {
			return false
		}
		ready, err := sockpoll.Readable(c.sys, min(left, pollSlice))
		if err != nil {
			return false // the goroutine's read will see the error
		}
		if ready {
			return c.ctx.Err() == nil
		}
	}
	return false
}

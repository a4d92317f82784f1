package gateway

import (
	"net"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kalamdb/kalamdb/wire/sockpoll"
)

// Between requests, net/http waits for a keep-alive connection's next
// request on the netpoller. With one client at a time the next request
// comes a hundred or two microseconds after the reply, and the hand-offs
// of that wait (another thread wakes, then hands the goroutine to a
// thread with a P) cost more than parsing the request: at one client an
// HTTP point lookup measured 16% less server CPU and 9% more requests per
// second when the connection instead blocked its own thread in poll(2)
// first (package sockpoll), as the PostgreSQL front door's busy window
// does.
//
// The poll holds a P for up to keepAlivePoll, so a connection waits this
// way only while it has the server to itself: no request is being
// handled, no other connection has read input since its own last read,
// and fewer than max connections already poll. With several busy clients
// a poller would keep a P from requests arriving on the other connections
// (gated on requests in flight alone, 8 clients measured 9% fewer
// requests per second), and the netpoller's wait, whose P never idles
// then, is the cheaper one.

// keepAlivePoll bounds the poll; the read that follows waits as before.
// Shutdown and the server's timeouts, which cannot interrupt the poll,
// are late by at most this much.
const keepAlivePoll = 2 * time.Millisecond

// keepAliveWait decides, and counts, the polls of a Gateway's connections.
type keepAliveWait struct {
	enabled  bool  // sockpoll works here
	max      int32 // connections polling at once: one fewer than GOMAXPROCS
	inflight atomic.Int32
	polling  atomic.Int32
	polls    atomic.Uint64
	reads    atomic.Uint64 // reads that returned input, on any connection
}

func newKeepAliveWait() keepAliveWait {
	return keepAliveWait{enabled: sockpoll.Supported, max: int32(runtime.GOMAXPROCS(0) - 1)}
}

// read notes that a connection's read returned input, and returns the
// count for the connection to hand to its next before.
func (k *keepAliveWait) read() uint64 { return k.reads.Add(1) }

// before is called before a read of p from c, whose last read with input
// returned seen from read. net/http's reads for the next request (or for
// the rest of a body) fill its 4 KiB buffer; its background read, which
// runs while the handler does and must end at once when the handler
// finishes, reads one byte and never polls.
func (k *keepAliveWait) before(c net.Conn, p []byte, seen uint64) {
	if !k.enabled || len(p) <= 1 || k.inflight.Load() > 0 || k.reads.Load() != seen {
		return
	}
	sc, ok := c.(syscall.Conn) // a TLS connection may hold input its socket no longer shows
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	if k.polling.Add(1) > k.max {
		k.polling.Add(-1)
		return
	}
	defer k.polling.Add(-1)
	k.polls.Add(1)
	until := time.Now().Add(keepAlivePoll)
	for left := keepAlivePoll; left > 0; left = time.Until(until) {
		if ready, err := sockpoll.Readable(raw, left); ready || err != nil {
			return // the read sees the input, the hang-up or the error
		}
	}
}

// KeepAlivePolls reports how many waits for a keep-alive connection's
// input polled (for tests and diagnostics).
func (g *Gateway) KeepAlivePolls() uint64 { return g.keepAlive.polls.Load() }

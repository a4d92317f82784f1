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
// HTTP point lookup measured ~15% less server CPU and 7-9% more requests
// per second when the connection instead blocked its own thread in
// poll(2) first (package sockpoll), as the PostgreSQL front door's busy
// window does.
//
// The poll holds a P for up to keepAlivePoll, so a connection waits this
// way only while it has had the server to itself: no request is being
// handled, it made the last read of input, no other connection read
// within keepAliveQuiet before one of its reads, and fewer than max
// connections already poll. With several busy clients a poller would
// keep a P from requests arriving on the other connections: gated on
// requests in flight alone, 8 clients measured 9% fewer requests per
// second, and gated also on being the last reader, 7%; with the quiet
// period they measure as without the poll. Under load the netpoller's
// wait, whose P never idles then, is the cheaper one.

// keepAlivePoll bounds the poll; the read that follows waits as before.
// Shutdown and the server's timeouts, which cannot interrupt the poll,
// are late by at most this much.
const keepAlivePoll = 2 * time.Millisecond

// keepAliveQuiet is how long a connection must have been the only one
// reading before it polls.
const keepAliveQuiet = 10 * time.Millisecond

// keepAliveWait decides, and counts, the polls of a Gateway's connections.
type keepAliveWait struct {
	enabled  bool  // sockpoll works here
	max      int32 // connections polling at once: one fewer than GOMAXPROCS
	inflight atomic.Int32
	polling  atomic.Int32
	polls    atomic.Uint64
	ids      atomic.Uint64
	last     atomic.Uint64 // id of the connection that last read input (0: none yet)
	lastAt   atomic.Int64  // when, in Unix nanoseconds
}

// kaConn is one connection's part in the keep-alive wait.
type kaConn struct {
	id uint64
	// otherRead is when (Unix nanoseconds) another connection last read
	// input before one of this connection's reads.
	otherRead int64
}

func (k *keepAliveWait) newConn() kaConn { return kaConn{id: k.ids.Add(1)} }

func newKeepAliveWait() keepAliveWait {
	return keepAliveWait{enabled: sockpoll.Supported, max: int32(runtime.GOMAXPROCS(0) - 1)}
}

// read notes that a read of connection c returned input.
func (k *keepAliveWait) read(c *kaConn) {
	prevAt := k.lastAt.Swap(time.Now().UnixNano())
	if prev := k.last.Swap(c.id); prev != c.id && prev != 0 {
		c.otherRead = prevAt
	}
}

// before is called before a read of p from nc, the connection of c.
// net/http's reads for the next request (or for the rest of a body) fill
// its 4 KiB buffer; its background read, which runs while the handler
// does and must end at once when the handler finishes, reads one byte and
// never polls.
func (k *keepAliveWait) before(nc net.Conn, p []byte, c *kaConn) {
	if !k.enabled || len(p) <= 1 || k.inflight.Load() > 0 ||
		k.last.Load() != c.id || time.Now().UnixNano()-c.otherRead < int64(keepAliveQuiet) {
		return
	}
	sc, ok := nc.(syscall.Conn) // a TLS connection may hold input its socket no longer shows
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

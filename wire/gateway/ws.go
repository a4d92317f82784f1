package gateway

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql"
)

// wsConn is one WebSocket client. A goroutine serves it only while the
// client has sent something (wspark.go) and a writer goroutine runs only
// while there is something to send, so an idle connection costs no
// goroutine at all.
type wsConn struct {
	g    *Gateway
	ws   *websocket.Conn
	user string    // the token's subject
	role auth.Role // the token's role
	pid  uint32
	sess *sql.Session // live queries' session; reader goroutine only

	// ending is set once, by cancel: the connection is ending (a failure,
	// a dead peer, shutdown). An idle connection keeps no context: one
	// would cost it a cancellation registration on the gateway's.
	ending atomic.Bool

	// prevConn and nextConn link the gateway's open connections (Gateway.mu).
	prevConn, nextConn *wsConn

	// mu guards everything below.
	mu       sync.Mutex
	subs     []*subscription    // few (MaxSubscriptions): a map costs an idle connection more
	stopReq  context.CancelFunc // cancels the client message being handled, if any
	space    chan struct{}      // closed when the writer frees room in out (or the connection ends); nil until a sender waits
	out      [][]byte           // messages waiting for the writer, oldest first
	outBytes int
	failed   error // set once: the connection is closing with this error
	writing  bool  // a writer goroutine is running
	dirty    bool  // a listener was poked or out grew since the writer last looked
	writerWG sync.WaitGroup

	// The hijacked socket and its reader: the serving goroutine peeks at
	// what the client sent (wspark.go); the writer sends pings on nc.
	nc net.Conn
	br *bufio.Reader
	// state says who owns the connection: a serving goroutine (busy), the
	// poller (parked), or nobody any more (done).
	state     atomic.Int32
	raw       syscall.RawConn // nc's socket, for the poller; nil until asked, or for TLS
	armed     bool            // registered with the poller; serving goroutine only
	lastHeard atomic.Int64    // unix nanos of the last frame from the client
	lastPing  atomic.Int64    // unix nanos of the last ping sent
	control   []byte          // guarded by mu: raw control frames the writer sends next
}

// writerScratch is what a writer goroutine renders live changes with;
// pooled (Gateway.scratch), so an idle connection holds none of it.
type writerScratch struct {
	live     []*subscription
	changes  []notify.Notification
	rendered [][]byte
}

// putScratch gives a writer's scratch back, holding nothing.
func (g *Gateway) putScratch(sc *writerScratch) {
	clear(sc.live[:cap(sc.live)])
	clear(sc.changes[:cap(sc.changes)])
	clear(sc.rendered[:cap(sc.rendered)])
	sc.live, sc.changes, sc.rendered = sc.live[:0], sc.changes[:0], sc.rendered[:0]
	g.scratch.Put(sc)
}

func (g *Gateway) handleWS(w http.ResponseWriter, r *http.Request) {
	claims, err := g.authenticateClaims(r.Context(), r, true)
	if err != nil {
		g.refuse(w, err, "auth")
		return
	}
	if !g.acquireConn(claims.Subject) {
		g.refuse(w, errTooManyConn, "conns_per_user")
		return
	}
	g.mu.Lock()
	if g.ctx.Err() != nil {
		g.mu.Unlock()
		g.releaseConn(claims.Subject)
		g.refuse(w, errShutdown, "shutdown")
		return
	}
	g.wg.Add(1) // under mu, so Close's Wait never races a first Add
	g.mu.Unlock()

	var hj hijacked
	ws, err := websocket.Accept(smallBuffers{w, &hj}, r, &websocket.AcceptOptions{OriginPatterns: g.origins})
	if err != nil {
		g.releaseConn(claims.Subject)
		g.wg.Done()
		return // Accept wrote the HTTP error
	}
	if !hj.early {
		// Accept made the reader read through an io.MultiReader in front
		// of the socket, for frames sent behind the request; there were
		// none, and the reader reads the socket itself.
		hj.br.Reset(hj.nc)
	}
	// Serve on a goroutine of our own and return: the handler's goroutine
	// has net/http's deep stack, and while it runs net/http keeps the
	// request and its 4 KiB read and write buffers, all of which an idle
	// connection would hold for its whole life.
	go g.serveWS(ws, hj, claims)
}

// serveWS sets up an upgraded connection and serves it (wspark.go): until
// it parks, and again each time the client sends something, until its end.
func (g *Gateway) serveWS(ws *websocket.Conn, hj hijacked, claims auth.Claims) {
	ws.SetReadLimit(g.limits.MaxMessageBytes)
	g.metrics.wsConns.Inc()
	c := &wsConn{g: g, ws: ws, nc: hj.nc, br: hj.br, user: claims.Subject, role: claims.Role, pid: g.nextPID()}
	c.heard()
	c.lastPing.Store(c.lastHeard.Load())
	g.track(c) // from here shutdown ends it
	c.serve(false)
}

// Sizes of a WebSocket connection's buffered reader and writer, in place
// of net/http's 4 KiB each, which an idle connection would hold for its
// whole life. Clients send little (subscribe requests, pongs): a longer
// message is read straight into its own buffer. Writes gather each frame
// in a pooled buffer below the writer (wsframe.go), so the writer only
// needs room for a frame header (at most 14 bytes).
const (
	wsReadBuffer  = 16 // bufio's least
	wsWriteBuffer = 16
)

// smallBuffers hands websocket.Accept the hijacked connection with small
// buffers of its own; net/http's are dropped with the request.
type smallBuffers struct {
	http.ResponseWriter
	conn *hijacked
}

// hijacked is what the connection keeps of the hijack: the socket (for
// server pings and parking) and the reader (to see what is buffered).
type hijacked struct {
	nc    net.Conn
	br    *bufio.Reader
	early bool // the client sent frames behind its request
}

func (w smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(nc, wsReadBuffer)
	if n := brw.Reader.Buffered(); n > 0 {
		// A client may send frames right behind its upgrade request: they
		// must be in br's buffer, where websocket.Accept looks for them.
		b, _ := brw.Reader.Peek(n)
		br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(b)), nc), max(n, wsReadBuffer))
		if _, err := br.Peek(n); err != nil {
			nc.Close()
			return nil, nil, err
		}
	}
	w.conn.nc, w.conn.br, w.conn.early = nc, br, br.Buffered() > 0
	return nc, bufio.NewReadWriter(br, bufio.NewWriterSize(&frameWriter{nc: nc}, wsWriteBuffer)), nil
}

// Unwrap lets http.ResponseController reach the wrapped writer.
func (w smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// refuse answers a WebSocket request that is not upgraded.
func (g *Gateway) refuse(w http.ResponseWriter, err error, reason string) {
	e := toError(g.ctx, err)
	g.metrics.wsRefused.WithLabelValues(reason).Inc()
	g.metrics.countError(e.Code)
	buf := append([]byte(`{"status":"error","error":`), appendErrorJSON(nil, e)...)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(httpStatus(e.Code))
	_, _ = w.Write(append(buf, "}\n"...))
}

// handleOffStack handles one client message on a goroutine of its own and
// waits for it: a subscribe replays history through the SQL engine, and
// the reader's stack, which lasts as long as the connection, would keep
// that depth. Client messages are rare, so the goroutine costs nothing
// that matters; nor does the message's context, which ends with it or
// with the connection (cancel).
func (c *wsConn) handleOffStack(data []byte) {
	ctx, stop := context.WithCancel(c.g.ctx)
	defer stop()
	c.mu.Lock()
	c.stopReq = stop
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.stopReq = nil
		c.mu.Unlock()
	}()
	if c.ending.Load() { // cancel ran before stopReq was set
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				c.g.log.Error("panic in websocket request", "user", c.user, "panic", r, "stack", string(debug.Stack()))
				c.cancel()
			}
		}()
		c.handle(ctx, data)
	}()
	<-done
}

// cancel ends the connection from any goroutine, once: what it waits for
// stops, and its serving side closes it (ended).
func (c *wsConn) cancel() {
	if c.stop() {
		c.ended()
	}
}

// stop marks the connection ending, wakes a sender waiting for room and
// cancels the message being handled; it reports whether it was the first
// to.
func (c *wsConn) stop() bool {
	if !c.ending.CompareAndSwap(false, true) {
		return false
	}
	c.mu.Lock()
	stopReq := c.stopReq
	c.wakeSenderLocked()
	c.mu.Unlock()
	if stopReq != nil {
		stopReq()
	}
	return true
}

// wakeSenderLocked wakes a sender waiting for room. Called with mu held.
func (c *wsConn) wakeSenderLocked() {
	if c.space != nil {
		close(c.space)
		c.space = nil
	}
}

// close ends the connection: the writer stops, subscriptions unlisten.
func (c *wsConn) close() {
	c.mu.Lock()
	failed := c.failed
	if failed == nil {
		c.failed = errShutdown // no more sends
	}
	c.mu.Unlock()
	c.stop()
	// A writer blocked on a slow client stops at once; the deadline is
	// lifted again for the close handshake.
	_ = c.nc.SetWriteDeadline(time.Unix(1, 0))
	c.writerWG.Wait()
	_ = c.nc.SetWriteDeadline(time.Time{})
	c.mu.Lock()
	subs := c.subs
	c.subs = nil
	c.out = nil
	c.mu.Unlock()
	for _, s := range subs {
		c.g.db.Hub().UnlistenAll(s.listener)
		c.g.metrics.wsSubs.Dec()
	}
	if c.sess != nil {
		c.sess.Close()
	}
	code, reason := websocket.StatusNormalClosure, ""
	switch {
	case failed != nil:
		e := toError(c.g.ctx, failed)
		code, reason = websocket.StatusPolicyViolation, e.Message[:min(len(e.Message), 120)]
	case c.g.ctx.Err() != nil:
		code = websocket.StatusGoingAway
	}
	_ = c.ws.Close(code, reason)
	_ = c.ws.CloseNow()
}

// poke tells the writer there is work (listener wake function: never
// blocks).
func (c *wsConn) poke() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dirty = true
	c.startWriterLocked()
}

func (c *wsConn) startWriterLocked() {
	if c.writing || c.failed != nil {
		return
	}
	c.writing = true
	c.writerWG.Add(1)
	go c.writeLoop()
}

// send queues a message from the reader goroutine, waiting for room
// (backpressure) rather than failing.
func (c *wsConn) send(msg []byte) error {
	for {
		c.mu.Lock()
		if c.failed != nil {
			err := c.failed
			c.mu.Unlock()
			return err
		}
		if c.ending.Load() {
			c.mu.Unlock()
			return errShutdown
		}
		if len(c.out) == 0 || (len(c.out) < c.g.limits.SendQueue && c.outBytes+len(msg) <= c.g.limits.SendQueueBytes) {
			c.out = append(c.out, msg)
			c.outBytes += len(msg)
			c.dirty = true
			c.startWriterLocked()
			c.mu.Unlock()
			return nil
		}
		if c.space == nil {
			c.space = make(chan struct{})
		}
		space := c.space
		c.mu.Unlock()
		<-space
	}
}

// queueLive queues a live message from the writer; a full queue means
// the client is too slow. Called with mu held.
func (c *wsConn) queueLiveLocked(msg []byte) bool {
	if len(c.out) >= c.g.limits.SendQueue || c.outBytes+len(msg) > c.g.limits.SendQueueBytes {
		return false
	}
	c.out = append(c.out, msg)
	c.outBytes += len(msg)
	return true
}

// writeLoop drains the listeners into the send queue and writes it, and
// exits when there is nothing left.
func (c *wsConn) writeLoop() {
	defer c.writerWG.Done()
	// The library's own frames (a close, or a pong it answers while
	// reading) are written later without a deadline of ours.
	defer c.nc.SetWriteDeadline(time.Time{})
	sc := c.g.scratch.Get().(*writerScratch)
	defer c.g.putScratch(sc)
	for {
		msg, ctl, err := c.next(sc)
		if err != nil {
			c.fail(err)
			return
		}
		if ctl != nil {
			if err := c.writeControl(ctl); err != nil {
				c.fail(errSlowClient)
				return
			}
			continue
		}
		if msg == nil {
			return // next cleared writing
		}
		if err = c.write(msg, c.g.limits.WriteTimeout); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) && !c.ending.Load() {
				c.fail(errSlowClient)
			} else {
				c.cancel()
				c.stopWriting()
			}
			return
		}
		c.g.metrics.wsSent.Inc()
	}
}

// write sends a message (writer goroutine only), bounded by a deadline
// on the socket rather than a context: the library would set up a
// cancellation callback for each write and keep the last context until
// the next one. close moves the deadline to the past, after cancelling,
// which interrupts a blocked write.
func (c *wsConn) write(msg []byte, timeout time.Duration) error {
	if err := c.nc.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if c.ending.Load() { // close may have set its deadline before ours
		return errShutdown
	}
	return c.ws.Write(context.Background(), websocket.MessageText, msg)
}

func (c *wsConn) stopWriting() {
	c.mu.Lock()
	c.writing = false
	c.mu.Unlock()
}

// next returns the next message to write, pumping live changes first,
// or control frames to write before it; nil (with writing cleared) when
// there is nothing to do.
func (c *wsConn) next(sc *writerScratch) (msg, control []byte, err error) {
	for {
		c.mu.Lock()
		if c.failed != nil || c.ending.Load() {
			c.writing = false
			c.mu.Unlock()
			return nil, nil, nil
		}
		if c.control != nil {
			control, c.control = c.control, nil
			c.mu.Unlock()
			return nil, control, nil
		}
		if c.dirty {
			c.dirty = false
			live := sc.live[:0]
			for _, s := range c.subs {
				if s.live { // a replaying subscription's changes wait in its listener
					live = append(live, s)
				}
			}
			sc.live = live
			c.mu.Unlock()
			// Render without mu: publishers poke under it.
			if err := c.pump(sc); err != nil {
				return nil, nil, err
			}
			c.mu.Lock()
			for i, msg := range sc.rendered {
				sc.rendered[i] = nil
				if !c.queueLiveLocked(msg) {
					c.mu.Unlock()
					return nil, nil, errSlowClient
				}
			}
			sc.rendered = sc.rendered[:0]
		}
		if len(c.out) > 0 {
			msg := c.out[0]
			c.out[0] = nil
			c.out = c.out[1:]
			c.outBytes -= len(msg)
			if len(c.out) == 0 {
				c.out = nil // an idle connection keeps no buffer
			}
			c.wakeSenderLocked()
			c.mu.Unlock()
			return msg, nil, nil
		}
		if !c.dirty {
			c.writing = false
			c.mu.Unlock()
			return nil, nil, nil
		}
		c.mu.Unlock()
	}
}

// pump renders the live subscriptions' pending changes into sc.rendered
// (writer goroutine only).
func (c *wsConn) pump(sc *writerScratch) error {
	for _, s := range sc.live {
		var err error
		sc.changes, err = s.listener.Drain(sc.changes[:0])
		if err != nil {
			return errSlowClient
		}
		for i := range sc.changes {
			if msg := s.render(&sc.changes[i]); msg != nil {
				sc.rendered = append(sc.rendered, msg)
				if len(sc.rendered) > c.g.limits.SendQueue {
					return errSlowClient
				}
			}
		}
		clear(sc.changes)
	}
	if cap(sc.changes) > 256 {
		sc.changes = nil // let a burst's buffer go
	}
	if cap(sc.rendered) > 256 {
		sc.rendered = nil
	}
	return nil
}

// fail sends err to the client (briefly: it may not be reading) and
// closes the connection.
func (c *wsConn) fail(err error) {
	c.mu.Lock()
	if c.failed != nil {
		c.writing = false
		c.mu.Unlock()
		return
	}
	c.failed = err
	c.out, c.outBytes = nil, 0
	c.writing = false
	c.mu.Unlock()
	e := toError(c.g.ctx, err)
	c.g.metrics.countError(e.Code)
	if e == errSlowClient {
		c.g.metrics.wsSlow.Inc()
		c.g.log.Warn("closing slow websocket client", "user", c.user)
	}
	_ = c.write(errorMessage("", e), time.Second)
	c.cancel() // the serving side closes with err's message (close)
}

// sendError reports an error about one request (or the connection when
// id is empty); the connection stays open.
func (c *wsConn) sendError(id string, err error) {
	e := toError(c.g.ctx, err)
	if e.Code == pgerr.InternalError {
		c.g.log.Error("websocket request failed", "user", c.user, "err", err)
	}
	c.g.metrics.countError(e.Code)
	_ = c.send(errorMessage(id, e))
}

func errorMessage(id string, e *pgerr.Error) []byte {
	buf := append(make([]byte, 0, 128), `{"type":"error"`...)
	if id != "" {
		buf = append(buf, `,"id":`...)
		buf = appendString(buf, id)
	}
	buf = append(buf, ',')
	buf = appendErrorFields(buf, e)
	return append(buf, '}')
}

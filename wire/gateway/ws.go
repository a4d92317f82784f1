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
	g      *Gateway
	ws     *websocket.Conn
	claims auth.Claims
	pid    uint32
	ctx    context.Context
	cancel context.CancelFunc
	sess   *sql.Session // live queries' session; reader goroutine only

	space chan struct{} // signaled when the writer frees room in out

	// mu guards everything below.
	mu       sync.Mutex
	subs     map[string]*subscription
	out      [][]byte // messages waiting for the writer, oldest first
	outBytes int
	failed   error // set once: the connection is closing with this error
	writing  bool  // a writer goroutine is running
	dirty    bool  // a listener was poked or out grew since the writer last looked
	writerWG sync.WaitGroup

	live []*subscription // scratch for next

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
	pingTimer *time.Timer
	control   []byte                // guarded by mu: raw control frames the writer sends next
	scratch   []notify.Notification // writer only
	rendered  [][]byte              // writer only
}

func (g *Gateway) handleWS(w http.ResponseWriter, r *http.Request) {
	claims, err := g.authenticate(r.Context(), r, true)
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
	ctx, cancel := context.WithCancel(g.ctx)
	c := &wsConn{
		g: g, ws: ws, nc: hj.nc, br: hj.br, claims: claims, pid: g.nextPID(), ctx: ctx, cancel: cancel,
		space: make(chan struct{}, 1), subs: make(map[string]*subscription),
	}
	c.heard()
	c.lastPing.Store(c.lastHeard.Load())
	c.mu.Lock() // ping reads the timer under mu, and may run at once
	c.pingTimer = time.AfterFunc(g.limits.PingInterval, c.ping)
	c.mu.Unlock()
	context.AfterFunc(ctx, c.ended)
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
// that matters.
func (c *wsConn) handleOffStack(data []byte) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				c.g.log.Error("panic in websocket request", "user", c.claims.Subject, "panic", r, "stack", string(debug.Stack()))
				c.cancel()
			}
		}()
		c.handle(data)
	}()
	<-done
}

// close ends the connection: the writer stops, subscriptions unlisten.
func (c *wsConn) close() {
	c.mu.Lock()
	failed := c.failed
	if failed == nil {
		c.failed = errShutdown // no more sends
	}
	c.mu.Unlock()
	c.cancel()
	c.mu.Lock()
	c.pingTimer.Stop()
	c.mu.Unlock()
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
	if c.writing || c.failed != nil || c.subs == nil {
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
		if len(c.out) == 0 || (len(c.out) < c.g.limits.SendQueue && c.outBytes+len(msg) <= c.g.limits.SendQueueBytes) {
			c.out = append(c.out, msg)
			c.outBytes += len(msg)
			c.dirty = true
			c.startWriterLocked()
			c.mu.Unlock()
			return nil
		}
		c.mu.Unlock()
		select {
		case <-c.space:
		case <-c.ctx.Done():
			return errShutdown
		}
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
	for {
		msg, ctl, err := c.next()
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
			if errors.Is(err, os.ErrDeadlineExceeded) && c.ctx.Err() == nil {
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
	if c.ctx.Err() != nil { // close may have set its deadline before ours
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
func (c *wsConn) next() (msg, control []byte, err error) {
	for {
		c.mu.Lock()
		if c.failed != nil || c.ctx.Err() != nil {
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
			live := c.live[:0]
			for _, s := range c.subs {
				if s.live { // a replaying subscription's changes wait in its listener
					live = append(live, s)
				}
			}
			c.live = live
			c.mu.Unlock()
			// Render without mu: publishers poke under it.
			if err := c.pump(live); err != nil {
				return nil, nil, err
			}
			c.mu.Lock()
			for i, msg := range c.rendered {
				c.rendered[i] = nil
				if !c.queueLiveLocked(msg) {
					c.mu.Unlock()
					return nil, nil, errSlowClient
				}
			}
			c.rendered = c.rendered[:0]
		}
		if len(c.out) > 0 {
			msg := c.out[0]
			c.out[0] = nil
			c.out = c.out[1:]
			c.outBytes -= len(msg)
			if len(c.out) == 0 {
				c.out = nil // an idle connection keeps no buffer
			}
			c.mu.Unlock()
			select {
			case c.space <- struct{}{}:
			default:
			}
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

// pump renders the live subscriptions' pending changes into c.rendered
// (writer goroutine only).
func (c *wsConn) pump(live []*subscription) error {
	for _, s := range live {
		var err error
		c.scratch, err = s.listener.Drain(c.scratch[:0])
		if err != nil {
			return errSlowClient
		}
		for i := range c.scratch {
			if msg := s.render(&c.scratch[i]); msg != nil {
				c.rendered = append(c.rendered, msg)
				if len(c.rendered) > c.g.limits.SendQueue {
					return errSlowClient
				}
			}
		}
		clear(c.scratch)
	}
	if cap(c.scratch) > 256 {
		c.scratch = nil // let a burst's buffer go
	}
	if cap(c.rendered) > 256 {
		c.rendered = nil
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
		c.g.log.Warn("closing slow websocket client", "user", c.claims.Subject)
	}
	_ = c.write(errorMessage("", e), time.Second)
	c.cancel() // the serving side closes with err's message (close)
}

// sendError reports an error about one request (or the connection when
// id is empty); the connection stays open.
func (c *wsConn) sendError(id string, err error) {
	e := toError(c.g.ctx, err)
	if e.Code == pgerr.InternalError {
		c.g.log.Error("websocket request failed", "user", c.claims.Subject, "err", err)
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

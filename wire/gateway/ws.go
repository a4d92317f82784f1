package gateway

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql"
)

// wsConn is one WebSocket client. The reader is the HTTP handler's
// goroutine; a writer goroutine runs only while there is something to
// send, so an idle connection costs one goroutine.
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

	pinging  atomic.Bool
	scratch  []notify.Notification // writer only
	rendered [][]byte              // writer only
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
	defer g.releaseConn(claims.Subject)
	g.mu.Lock()
	if g.ctx.Err() != nil {
		g.mu.Unlock()
		g.refuse(w, errShutdown, "shutdown")
		return
	}
	g.wg.Add(1) // under mu, so Close's Wait never races a first Add
	g.mu.Unlock()
	defer g.wg.Done()

	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: g.origins})
	if err != nil {
		return // Accept wrote the HTTP error
	}
	ws.SetReadLimit(g.limits.MaxMessageBytes)
	g.metrics.wsConns.Inc()
	defer g.metrics.wsConns.Dec()

	ctx, cancel := context.WithCancel(g.ctx)
	c := &wsConn{
		g: g, ws: ws, claims: claims, pid: g.nextPID(), ctx: ctx, cancel: cancel,
		space: make(chan struct{}, 1), subs: make(map[string]*subscription),
	}
	ping := time.AfterFunc(g.limits.PingInterval, c.ping)
	c.readLoop()
	ping.Stop()
	c.close()
}

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

// readLoop handles client messages until the connection ends.
func (c *wsConn) readLoop() {
	for {
		typ, data, err := c.ws.Read(c.ctx)
		if err != nil {
			if c.ctx.Err() == nil && websocket.CloseStatus(err) == -1 && !errors.Is(err, context.Canceled) {
				c.g.log.Debug("websocket read", "user", c.claims.Subject, "err", err)
			}
			return
		}
		if typ != websocket.MessageText {
			c.sendError("", pgerr.New(pgerr.ProtocolViolation, "messages are JSON text"))
			continue
		}
		c.handle(data)
		if c.ctx.Err() != nil {
			return
		}
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
	c.cancel()
	c.writerWG.Wait()
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
	if failed == nil {
		code := websocket.StatusNormalClosure
		if c.g.ctx.Err() != nil {
			code = websocket.StatusGoingAway
		}
		_ = c.ws.Close(code, "")
	}
	_ = c.ws.CloseNow()
}

// ping sends a WebSocket ping; a peer that does not answer within
// WriteTimeout is gone.
func (c *wsConn) ping() {
	if c.ctx.Err() != nil || !c.pinging.CompareAndSwap(false, true) {
		return
	}
	defer c.pinging.Store(false)
	ctx, cancel := context.WithTimeout(c.ctx, c.g.limits.WriteTimeout)
	defer cancel()
	if err := c.ws.Ping(ctx); err != nil {
		c.cancel()
		return
	}
	time.AfterFunc(c.g.limits.PingInterval, c.ping)
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
	for {
		msg, err := c.next()
		if err != nil {
			c.fail(err)
			return
		}
		if msg == nil {
			return // next cleared writing
		}
		ctx, cancel := context.WithTimeout(c.ctx, c.g.limits.WriteTimeout)
		err = c.ws.Write(ctx, websocket.MessageText, msg)
		timedOut := ctx.Err() != nil && c.ctx.Err() == nil
		cancel()
		if err != nil {
			if timedOut {
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

func (c *wsConn) stopWriting() {
	c.mu.Lock()
	c.writing = false
	c.mu.Unlock()
}

// next returns the next message to write, pumping live changes first;
// nil (with writing cleared) when there is none.
func (c *wsConn) next() ([]byte, error) {
	for {
		c.mu.Lock()
		if c.failed != nil || c.ctx.Err() != nil {
			c.writing = false
			c.mu.Unlock()
			return nil, nil
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
				return nil, err
			}
			c.mu.Lock()
			for i, msg := range c.rendered {
				c.rendered[i] = nil
				if !c.queueLiveLocked(msg) {
					c.mu.Unlock()
					return nil, errSlowClient
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
			return msg, nil
		}
		if !c.dirty {
			c.writing = false
			c.mu.Unlock()
			return nil, nil
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
	ctx, cancel := context.WithTimeout(c.ctx, time.Second)
	_ = c.ws.Write(ctx, websocket.MessageText, errorMessage("", e))
	cancel()
	_ = c.ws.Close(websocket.StatusPolicyViolation, e.Message[:min(len(e.Message), 120)])
	c.cancel()
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

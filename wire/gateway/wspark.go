package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"github.com/kalamdb/kalamdb/pgerr"
)

// An idle WebSocket connection is parked: no goroutine waits on it. A
// goroutine blocked in a read would hold a stack of 4 KiB or more for as
// long as the client stays quiet, which for a chat client is nearly
// always; instead the gateway's poller (wspoll_linux.go) watches the
// sockets of parked connections and starts a goroutine when a client
// sends something. That goroutine reads and handles what arrived, then
// parks the connection again.
//
// coder/websocket answers control frames only inside Read, which then
// blocks for the next data message: a parked connection cannot leave
// pongs to it. So the gateway sends its own pings (a raw frame, written
// by the writer goroutine between messages) and reads the answering
// pongs off the connection's buffered reader itself; a client that sent
// nothing between two pings is gone. Other frames go to the library.
// Where parking is not possible (TLS hides buffered data in tls.Conn, or
// no poller), the serving goroutine simply stays and blocks in its read.

// Who owns a connection (wsConn.state).
const (
	connBusy   int32 = iota // a serving goroutine runs it
	connParked              // the poller will start one when the client sends
	connDone                // ended
)

// serve reads and handles what the client sent, parks the connection when
// nothing more is buffered, and ends it when it closes. woken says the
// socket is readable (or closed): read before parking again.
func (c *wsConn) serve(woken bool) {
	defer func() {
		if r := recover(); r != nil {
			c.g.log.Error("panic in websocket connection", "user", c.user, "panic", r)
			c.finish()
		}
	}()
	for !c.ending.Load() {
		if !woken && c.br.Buffered() == 0 && c.park() {
			return // the poller owns it now
		}
		woken = false
		if c.ending.Load() {
			break
		}
		if ctl, err := c.takeControl(); err != nil {
			break
		} else if ctl {
			continue
		}
		typ, msg, err := c.readMessage()
		c.heard()
		if err != nil {
			if !c.ending.Load() && websocket.CloseStatus(err) == -1 && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
				c.g.log.Debug("websocket read", "user", c.user, "err", err)
			}
			break
		}
		if typ != websocket.MessageText {
			msgBufs.Put(msg)
			c.sendError("", pgerr.New(pgerr.ProtocolViolation, "messages are JSON text"))
			continue
		}
		c.handleOffStack(msg.Bytes()) // decoding copies what it keeps
		msgBufs.Put(msg)
	}
	c.finish()
}

// msgBufs hold client messages while they are handled: a connection
// reads a few small messages in its life, and a buffer of its own would be
// garbage each time.
var msgBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readMessage reads the next data message into a pooled buffer, which the
// caller puts back.
func (c *wsConn) readMessage() (websocket.MessageType, *bytes.Buffer, error) {
	// No context: the library would set up a cancellation callback for
	// each read; ended interrupts a blocked read with a deadline instead.
	typ, r, err := c.ws.Reader(context.Background())
	if err != nil {
		return 0, nil, err
	}
	buf := msgBufs.Get().(*bytes.Buffer)
	buf.Reset()
	if _, err := buf.ReadFrom(r); err != nil {
		msgBufs.Put(buf)
		return 0, nil, err
	}
	return typ, buf, nil
}

// park hands the connection to the poller until the client sends more and
// reports whether it did; when it did not (no poller, or the connection
// ended meanwhile) the caller keeps serving.
func (c *wsConn) park() bool {
	if !c.g.poller.usable(c) {
		return false
	}
	c.state.Store(connParked)
	if !c.ending.Load() && c.g.poller.arm(c) == nil {
		return true
	}
	// Ending, or the poller failed: whoever takes it back serves it.
	return !c.state.CompareAndSwap(connParked, connBusy)
}

// wake runs on the poller when a parked connection's client sent
// something.
func (c *wsConn) wake() {
	if c.state.CompareAndSwap(connParked, connBusy) {
		go c.serve(true)
	}
}

// ended runs when the connection starts ending (cancel: a failure, a
// dead peer, shutdown): a parked connection is closed on a goroutine of its own, a
// busy one has its read interrupted so its serving goroutine ends it.
func (c *wsConn) ended() {
	if c.state.CompareAndSwap(connParked, connBusy) {
		go c.finish()
		return
	}
	_ = c.nc.SetReadDeadline(time.Unix(1, 0))
}

// finish closes the connection and releases what it held; the serving
// goroutine calls it once, at the end.
func (c *wsConn) finish() {
	if c.state.Swap(connDone) == connDone {
		return
	}
	_ = c.nc.SetReadDeadline(time.Time{}) // let the close handshake read
	c.g.poller.forget(c)
	c.g.untrack(c)
	c.close()
	c.g.metrics.wsConns.Dec()
	c.g.releaseConn(c.user)
	c.g.wg.Done()
}

func (c *wsConn) heard() { c.lastHeard.Store(time.Now().UnixNano()) }

// takeControl consumes a ping or pong frame at the head of the buffered
// input and answers a ping with a pong, sent by the writer as the
// server's pings are: the library would answer only inside a read that
// then waits for the next data message, and a connection that waits
// cannot park. It reports false, consuming nothing, for any other frame.
func (c *wsConn) takeControl() (bool, error) {
	head, err := c.br.Peek(2)
	if err != nil {
		return false, nil // the library reports it
	}
	const opPing, opPong = 0x9, 0xA
	if (head[0] != 0x80|opPing && head[0] != 0x80|opPong) || head[1]&0x7F > 125 {
		return false, nil // not a whole control frame (FIN set), or malformed: the library's
	}
	ping, masked, n := head[0] == 0x80|opPing, head[1]&0x80 != 0, int(head[1]&0x7F)
	if !ping {
		if masked {
			n += 4 // the client's masking key
		}
		if _, err := c.br.Discard(2 + n); err != nil {
			return false, err
		}
		c.heard()
		return true, nil
	}
	if !masked {
		return false, nil // clients must mask: the library fails the connection
	}
	if _, err := c.br.Discard(2); err != nil {
		return false, err
	}
	var key [4]byte
	pong := make([]byte, 2+n)
	pong[0], pong[1] = 0x80|opPong, byte(n)
	if _, err := io.ReadFull(c.br, key[:]); err != nil {
		return false, err
	}
	if _, err := io.ReadFull(c.br, pong[2:]); err != nil {
		return false, err
	}
	for i := range pong[2:] {
		pong[2+i] ^= key[i%4]
	}
	c.heard()
	c.mu.Lock()
	c.queueControlLocked(pong)
	c.mu.Unlock()
	return true, nil
}

// queueControlLocked has the writer send a raw control frame before its
// next message. Called with mu held.
func (c *wsConn) queueControlLocked(frame []byte) {
	if c.control == nil {
		c.control = frame[:len(frame):len(frame)] // an append copies: frame may be shared
	} else {
		c.control = append(c.control, frame...)
	}
	c.startWriterLocked()
}

// pingSlots is how many times per PingInterval pingLoop looks for
// connections due a ping: each is pinged between one and 1+1/pingSlots
// intervals after its last.
const pingSlots = 8

// pingLoop pings the open WebSockets, each every PingInterval, until the
// gateway closes: one ticker for all of them, as a timer of its own would
// cost an idle connection more than 100 bytes.
func (g *Gateway) pingLoop() {
	t := time.NewTicker(max(g.limits.PingInterval/pingSlots, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-g.ctx.Done():
			return
		case now := <-t.C:
			g.mu.Lock()
			for c := g.conns; c != nil; c = c.nextConn {
				c.ping(now.UnixNano())
			}
			g.mu.Unlock()
		}
	}
}

// ping runs when the connection may be due a ping (pingLoop, under
// Gateway.mu): a client that sent nothing since the last ping is gone;
// otherwise the writer sends another.
func (c *wsConn) ping(now int64) {
	if c.ending.Load() || now-c.lastPing.Load() < int64(c.g.limits.PingInterval) {
		return
	}
	if c.lastHeard.Load() < c.lastPing.Load() {
		c.g.log.Debug("websocket client did not answer a ping", "user", c.user)
		c.cancel()
		return
	}
	c.lastPing.Store(now)
	c.mu.Lock()
	c.queueControlLocked(pingFrame)
	c.mu.Unlock()
}

// pingFrame is a server ping: FIN, opcode 9, no payload (unmasked).
var pingFrame = []byte{0x89, 0x00}

// writeControl writes control frames on the socket (writer goroutine
// only, between its messages; the library's own frames, a close or a
// pong, go out in one write each (wsframe.go), so frames never mix).
func (c *wsConn) writeControl(frames []byte) error {
	if err := c.nc.SetWriteDeadline(time.Now().Add(c.g.limits.WriteTimeout)); err != nil {
		return err
	}
	if c.ending.Load() { // see write
		return errShutdown
	}
	_, err := c.nc.Write(frames)
	return err
}

// rawConn returns the socket under nc for the poller, or nil (TLS).
func rawConn(nc net.Conn) syscall.RawConn {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

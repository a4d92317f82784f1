package wire

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/notify"
)

// notifier is implemented by sessions that support LISTEN: their queue of
// notifications, which the connection delivers as PostgreSQL does — after
// a command completes and before ReadyForQuery, and at once while the
// connection waits for the client outside a transaction block.
type notifier interface {
	Listener() *notify.Listener
}

// notifyState delivers one connection's notifications. The connection
// goroutine drains at ReadyForQuery; while the connection is idle, the
// server's delivery goroutines (deliver.go) drain, or, for a TLS
// connection or one whose socket is full, a goroutine of its own, started
// at the first need.
type notifyState struct {
	l    *notify.Listener
	wake chan struct{} // capacity 1: "the queue may have something"
	buf  []notify.Notification

	// mu guards idle, closed and buf; a delivering goroutine holds it
	// while it writes, so the connection goroutine, leaving idle, waits
	// for it.
	mu     sync.Mutex
	idle   bool
	closed bool // the connection is ending: deliver nothing more

	// backlogged is set while the socket could not take all output: the
	// connection's own goroutine delivers until it has written it out, so
	// its output stays bounded by the listener's queue.
	backlogged atomic.Bool

	// startMu guards started and stopped.
	startMu sync.Mutex
	started bool
	stopped bool
	cancel  context.CancelFunc
	done    sync.WaitGroup
}

// initNotify connects the session's listener, if it has one.
func (c *conn) initNotify() {
	n, ok := c.sess.(notifier)
	if !ok || n.Listener() == nil {
		return
	}
	nt := &notifyState{l: n.Listener(), wake: make(chan struct{}, 1)}
	c.nt = nt
	nt.l.SetWake(c.pokeNotify)
}

// pokeNotify runs on a publishing goroutine: it must not block.
func (c *conn) pokeNotify() {
	if c.sys != nil && !c.nt.backlogged.Load() && c.s.deliver.offer(c) {
		return
	}
	c.pokeOwn()
}

// pokeOwn wakes the connection's own delivery goroutine, starting it the
// first time.
func (c *conn) pokeOwn() {
	nt := c.nt
	nt.startMu.Lock()
	if !nt.started && !nt.stopped {
		nt.started = true
		ctx, cancel := context.WithCancel(c.ctx)
		nt.cancel = cancel
		nt.done.Add(1)
		go c.deliverLoop(ctx)
	}
	nt.startMu.Unlock()
	select {
	case nt.wake <- struct{}{}:
	default:
	}
}

// stopNotify ends the delivery goroutine; the session closes after it.
func (c *conn) stopNotify() {
	nt := c.nt
	if nt == nil {
		return
	}
	nt.startMu.Lock()
	nt.stopped = true
	if nt.cancel != nil {
		nt.cancel()
	}
	nt.startMu.Unlock()
	nt.done.Wait()
	nt.mu.Lock() // waits for a delivery goroutine's write in progress
	nt.closed = true
	nt.mu.Unlock()
}

// deliverIdle runs on a delivery goroutine: it writes the queued
// notifications if the connection is idle, without waiting for the
// socket; whatever does not fit goes out from the connection's own
// goroutine.
func (c *conn) deliverIdle() {
	nt := c.nt
	nt.mu.Lock()
	defer nt.mu.Unlock()
	if !nt.idle || nt.closed {
		return
	}
	if nt.backlogged.Load() {
		c.pokeOwn() // queued before the backlog began: leave it to the owner
		return
	}
	switch c.deliverLocked(deliverTry) {
	case deliverFailed:
		c.raw.Close() // the connection goroutine's read fails and it ends
	case deliverPartial:
		nt.backlogged.Store(true)
		c.pokeOwn()
	}
}

// deliverLoop delivers notifications while the connection is idle. A
// client that overflowed its queue gets FATAL 54000 and is disconnected.
func (c *conn) deliverLoop(ctx context.Context) {
	nt := c.nt
	defer nt.done.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case <-nt.wake:
		}
		nt.mu.Lock()
		ok := true
		if nt.idle && !nt.closed {
			ok = c.deliverLocked(deliverFlush) == deliverDone
			if ok {
				nt.backlogged.Store(false)
			}
		}
		nt.mu.Unlock()
		if !ok {
			c.raw.Close() // the connection goroutine's read fails and it ends
			return
		}
	}
}

// How deliverLocked writes, and how it went.
type deliverMode int

const (
	deliverBuffer deliverMode = iota // leave the output for ReadyForQuery's flush
	deliverFlush                     // write it all out, waiting for the socket
	deliverTry                       // write what the socket takes now
)

type deliverResult int

const (
	deliverDone    deliverResult = iota
	deliverPartial               // deliverTry: output remains buffered
	deliverFailed                // the connection must end
)

// deliverLocked buffers the queued notifications and writes them as mode
// says. After an overflow it sends FATAL and fails. nt.mu must be held.
func (c *conn) deliverLocked(mode deliverMode) deliverResult {
	nt := c.nt
	var err error
	nt.buf, err = nt.l.Drain(nt.buf[:0])
	if err != nil {
		fatal := *toPGError(err)
		fatal.Severity = "FATAL"
		c.send(c.errorResponse(&fatal))
		c.flush()
		return deliverFailed
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	for _, n := range nt.buf {
		if err := c.appendLocked(&pgproto3.NotificationResponse{PID: n.PID, Channel: n.Channel, Payload: n.Payload}); err != nil {
			break
		}
	}
	clear(nt.buf)
	switch {
	case mode == deliverTry && c.sys != nil:
		done, err := c.tryFlushLocked()
		if err != nil {
			return deliverFailed
		}
		if !done {
			return deliverPartial
		}
	case mode != deliverBuffer || len(c.wbuf) >= flushThreshold:
		// An idle connection's buffer holds only notifications, maybe
		// the rest of a partial write: flush it even if none are new.
		if c.flushLocked() != nil {
			return deliverFailed
		}
	}
	return deliverDone
}

// deliverAtReady buffers the queued notifications before ReadyForQuery
// when no transaction block is open; false when the connection must end.
func (c *conn) deliverAtReady() bool {
	if c.nt == nil || c.sess.TxStatus() != 'I' {
		return true
	}
	c.nt.mu.Lock()
	defer c.nt.mu.Unlock()
	return c.deliverLocked(deliverBuffer) == deliverDone
}

// enterIdle lets the delivery goroutine write while the connection waits
// for the client after ReadyForQuery, outside a transaction block.
func (c *conn) enterIdle() {
	if c.nt == nil || !c.ready || c.sess.TxStatus() != 'I' {
		return
	}
	c.nt.mu.Lock()
	c.nt.idle = true
	c.nt.mu.Unlock()
	if c.nt.l.Pending() {
		c.pokeNotify() // arrived after ReadyForQuery's drain
	}
}

// leaveIdle waits for a delivery in progress and stops new ones.
func (c *conn) leaveIdle() {
	if c.nt == nil {
		return
	}
	c.nt.mu.Lock()
	c.nt.idle = false
	c.nt.mu.Unlock()
}

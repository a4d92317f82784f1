package wire

import (
	"context"
	"sync"

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
// goroutine drains at ReadyForQuery; a delivery goroutine, started at the
// first notification, drains while the connection is idle.
type notifyState struct {
	l    *notify.Listener
	wake chan struct{} // capacity 1: "the queue may have something"
	buf  []notify.Notification

	// mu guards idle and buf; the delivery goroutine holds it while it
	// writes, so the connection goroutine, leaving idle, waits for it.
	mu   sync.Mutex
	idle bool

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
		if nt.idle {
			ok = c.deliverLocked(true)
		}
		nt.mu.Unlock()
		if !ok {
			c.raw.Close() // the connection goroutine's read fails and it ends
			return
		}
	}
}

// deliverLocked sends the queued notifications (flushing when async, else
// leaving them buffered for ReadyForQuery). After an overflow it sends
// FATAL and returns false. nt.mu must be held.
func (c *conn) deliverLocked(async bool) bool {
	nt := c.nt
	var err error
	nt.buf, err = nt.l.Drain(nt.buf[:0])
	if err != nil {
		fatal := *toPGError(err)
		fatal.Severity = "FATAL"
		c.send(c.errorResponse(&fatal))
		c.flush()
		return false
	}
	if len(nt.buf) == 0 {
		return true
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	for _, n := range nt.buf {
		if err := c.appendLocked(&pgproto3.NotificationResponse{PID: n.PID, Channel: n.Channel, Payload: n.Payload}); err != nil {
			break
		}
	}
	clear(nt.buf)
	if async || len(c.wbuf) >= flushThreshold {
		return c.flushLocked() == nil
	}
	return true
}

// deliverAtReady buffers the queued notifications before ReadyForQuery
// when no transaction block is open; false when the connection must end.
func (c *conn) deliverAtReady() bool {
	if c.nt == nil || c.sess.TxStatus() != 'I' {
		return true
	}
	c.nt.mu.Lock()
	defer c.nt.mu.Unlock()
	return c.deliverLocked(false)
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

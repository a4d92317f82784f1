package gateway

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// An HTTP query's context ends with its request (the client left), with
// the gateway (Close) and at Limits.StatementTimeout. Built from
// context.WithTimeout and context.AfterFunc for each request, that cost a
// timer (whose arming wakes the network poller), registrations with both
// parents and their removal: about a twentieth of the server's CPU for a
// point lookup. Nearly every request ends before anyone waits on its
// Done, so requestContext answers Err from the clock and its two parents,
// and builds those standard contexts only when Done is asked for (a
// commit waiting for its sync, pg_sleep, a derived context), once it has
// ended, or once Err was asked often (a scan asks for every row: a timer
// then costs less than reading the clock each time). From then on Done,
// Err, Cause and Value are theirs.

// pollsBeforeBuild is how many Err calls read the clock before the
// context is built.
const pollsBeforeBuild = 64

// requestContext is the context of one HTTP query.
type requestContext struct {
	parent   context.Context // the request's
	gw       context.Context // the gateway's
	deadline time.Time

	inner    atomic.Pointer[innerContext] // built once; nil until needed
	released atomic.Bool                  // the handler returned
	polls    atomic.Uint32                // Err calls answered from the clock

	mu sync.Mutex // serializes building inner
}

// innerContext is what a requestContext stands for, built.
type innerContext struct {
	ctx    context.Context
	cancel context.CancelFunc
	stop   func() bool // unregisters the gateway's cancellation
}

// newRequestContext returns the context of a request with parent, ended
// by gw and after timeout; release it when the request is done.
func newRequestContext(parent, gw context.Context, timeout time.Duration) *requestContext {
	d := time.Now().Add(timeout)
	if pd, ok := parent.Deadline(); ok && pd.Before(d) {
		d = pd
	}
	return &requestContext{parent: parent, gw: gw, deadline: d}
}

func (c *requestContext) Deadline() (time.Time, bool) { return c.deadline, true }

func (c *requestContext) Done() <-chan struct{} { return c.build().ctx.Done() }

func (c *requestContext) Err() error {
	in := c.inner.Load()
	if in == nil {
		if !c.released.Load() && c.parent.Err() == nil && c.gw.Err() == nil && time.Now().Before(c.deadline) &&
			c.polls.Add(1) <= pollsBeforeBuild {
			return nil
		}
		// Ended (the built context then reports it, and its Cause, as
		// before), or asked often.
		in = c.build()
	}
	if err := in.ctx.Err(); err != nil || c.gw.Err() == nil {
		return err
	}
	in.cancel() // now rather than on AfterFunc's goroutine
	return in.ctx.Err()
}

func (c *requestContext) Value(key any) any {
	if in := c.inner.Load(); in != nil {
		return in.ctx.Value(key) // the built one's, for context.Cause
	}
	return c.parent.Value(key)
}

// AfterFunc lets a context derived from c register with it rather than
// start a goroutine to watch it (see context.AfterFunc).
func (c *requestContext) AfterFunc(f func()) func() bool {
	return context.AfterFunc(c.build().ctx, f)
}

// build returns the standard context c stands for, building it once.
func (c *requestContext) build() *innerContext {
	if in := c.inner.Load(); in != nil {
		return in
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if in := c.inner.Load(); in != nil {
		return in
	}
	in := &innerContext{stop: func() bool { return false }}
	if c.released.Load() {
		// Whoever still holds c sees it canceled, as after a cancel; no
		// timer, no registration with the gateway outlives the request.
		in.ctx, in.cancel = context.WithCancel(c.parent)
		in.cancel()
	} else {
		in.ctx, in.cancel = context.WithDeadline(c.parent, c.deadline)
		in.stop = context.AfterFunc(c.gw, in.cancel)
		if c.gw.Err() != nil {
			in.cancel() // at once: AfterFunc cancels on a goroutine of its own
		}
	}
	c.inner.Store(in)
	return in
}

// release ends c when its request is done: it frees the timer and the
// gateway's registration if c built them.
func (c *requestContext) release() {
	c.mu.Lock()
	c.released.Store(true)
	in := c.inner.Load()
	c.mu.Unlock()
	if in != nil {
		in.stop()
		in.cancel()
	}
}

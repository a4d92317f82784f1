package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/pgerr"
)

// flushThreshold is the buffered size at which a long response is written
// out before it is complete, so a big result does not sit in memory twice.
const flushThreshold = 64 << 10

// errConnBroken reports that an earlier write to the client failed.
var errConnBroken = errors.New("connection broken")

// conn is one client connection. Its goroutine waits for messages and has
// a worker answer them (worker.go), blocked meanwhile, so the two act as
// one "connection goroutine"; other goroutines may only call sendAsync and
// cancelStatement.
type conn struct {
	s   *Server
	raw net.Conn // the socket; Shutdown may close it from another goroutine
	nc  net.Conn // raw, or the TLS connection over it; connection goroutine only
	// sys is raw's descriptor for non-blocking writes (deliver.go); nil
	// for TLS, which must write through nc.
	sys    syscall.RawConn
	ctx    context.Context
	log    *slog.Logger
	local  bool // loopback or unix socket
	tls    bool
	remote string

	// Set once by the connection goroutine before other goroutines can see
	// the conn through Server.byPID.
	pid    uint32
	secret [4]byte
	user   string

	rd   msgReader // reads frontend messages; connection goroutine only
	sess Session
	ext  extendedState
	nt   *notifyState // nil when the session cannot LISTEN
	// ready is set when the last response ended with ReadyForQuery, so
	// notifications may be delivered while waiting; connection goroutine only.
	ready bool

	wmu  sync.Mutex // guards wbox, wbuf, werr and writes to nc
	wbox *[]byte    // borrowed from s.bufs while output is pending, else nil
	wbuf []byte     // pending output, in *wbox
	werr error

	// terminate cancels ctx with a cause (pg_terminate_backend); any
	// goroutine may call it.
	terminate context.CancelCauseFunc

	cmu        sync.Mutex         // guards cancelStmt
	cancelStmt context.CancelFunc // cancels the running statement, nil when idle

	job job // the connection's work, handed to a worker

	// answeredAt is when the last answer ended, busy whether input came
	// soon after it (busy.go); connection goroutine only.
	answeredAt time.Time
	busy       bool
}

// serveConn runs one connection to its end. It never panics.
func (s *Server) serveConn(nc net.Conn) {
	ctx, cancel := context.WithCancelCause(s.ctx)
	defer cancel(nil)
	c := &conn{s: s, raw: nc, nc: nc, ctx: ctx, log: s.log, terminate: cancel}
	if tc, ok := nc.(*net.TCPConn); ok {
		c.sys, _ = tc.SyscallConn()
	}
	defer s.track(c)()
	defer nc.Close()

	// Shutdown must reach a goroutine blocked in a read: fail the read now,
	// but leave the write side time to send the final FATAL.
	stop := context.AfterFunc(ctx, func() {
		nc.SetReadDeadline(shutdownReadDeadline)
		nc.SetWriteDeadline(time.Now().Add(shutdownWriteGrace))
	})
	defer stop()

	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			stack := debug.Stack()
			if p, ok := r.(*workerPanic); ok {
				r, stack = p.value, p.stack
			}
			c.log.Error("panic in connection", "panic", r, "stack", string(stack))
			c.sendFatal(pgerr.New(pgerr.InternalError, "internal error: %v", r))
		}
		c.stopNotify()
		if c.sess != nil {
			c.closeSession()
		}
		c.log.Debug("connection closed", "duration", time.Since(start))
	}()

	if !s.work.run(&c.job, c.open) {
		return
	}
	c.loop()
}

// open names the connection in the log and runs the handshake. It runs on
// a worker, as everything but waiting for the client does.
func (c *conn) open() bool {
	c.local = isLocal(c.raw.RemoteAddr())
	c.remote = addrString(c.raw.RemoteAddr())
	c.log = c.s.log.With("remote", c.remote)
	c.log.Debug("connection opened")
	return c.startup()
}

// closeSession closes the session, keeping a panic there from escaping.
func (c *conn) closeSession() {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("panic closing session", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	sess := c.sess
	c.sess = nil
	sess.Close()
}

// loop waits for messages and has a worker answer them, until the client
// leaves or the connection fails.
func (c *conn) loop() {
	c.initNotify()
	c.initCopy()
	answer := c.answer
	for {
		c.enterIdle()
		err := c.rd.wait()
		c.leaveIdle()
		if err != nil {
			c.ready = false
			c.readFailed(err)
			return
		}
		c.noteArrival()
		if !c.s.work.run(&c.job, answer) {
			return
		}
	}
}

// answer reads and answers messages until none is left buffered and no
// more arrive within the busy window (busy.go); false ends the connection.
// It runs on a worker.
func (c *conn) answer() bool {
	c.s.answering.Add(1)
	defer c.s.answering.Add(-1)
	for {
		msg, err := c.rd.Receive()
		c.ready = false
		if err != nil {
			c.readFailed(err)
			return false
		}
		if !c.handle(msg) || c.broken() {
			return false
		}
		if !c.rd.buffered() {
			if more, ok := c.awaitBusy(); !more {
				return ok
			}
		}
	}
}

// handle answers one message; false ends the connection.
func (c *conn) handle(msg pgproto3.FrontendMessage) bool {
	if c.ctx.Err() != nil {
		// Terminated (pg_terminate_backend returns only after the cancel)
		// or shutting down: nothing more runs, as in PostgreSQL.
		e := pgerr.New(pgerr.AdminShutdown, "terminating connection due to administrator command")
		errors.As(context.Cause(c.ctx), &e)
		c.sendFatal(e)
		return false
	}
	if c.ext.failed {
		// After an error in the extended protocol, everything up to Sync is
		// skipped, as PostgreSQL does.
		switch msg.(type) {
		case *pgproto3.Sync:
		case *pgproto3.Terminate:
			return false
		default:
			return true
		}
	}
	switch msg.(type) {
	case *pgproto3.Parse, *pgproto3.Bind, *pgproto3.Describe, *pgproto3.Execute, *pgproto3.Close:
		if err := c.statementTimer(); err != nil {
			return c.extError(err)
		}
	}
	switch m := msg.(type) {
	case *pgproto3.Query:
		return c.simpleQuery(m.String)
	case *pgproto3.Parse:
		return c.parse(m)
	case *pgproto3.Bind:
		return c.bind(m)
	case *pgproto3.Describe:
		return c.describe(m)
	case *pgproto3.Execute:
		return c.execute(m)
	case *pgproto3.Close:
		return c.closeObject(m)
	case *pgproto3.Sync:
		return c.sync()
	case *pgproto3.Flush:
		return c.flush() == nil
	case *pgproto3.Terminate:
		return false
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// Outside COPY these are ignored, per the protocol.
	case *pgproto3.FunctionCall:
		if !c.sendError(pgerr.New(pgerr.FeatureNotSupported, "fastpath function calls are not supported")) {
			return false
		}
		return c.readyForQuery()
	default:
		c.sendFatal(pgerr.New(pgerr.ProtocolViolation, "unexpected message type %T", msg))
		return false
	}
	return true
}

// readFailed ends the connection after a failed read, telling the client
// why when it can still listen.
func (c *conn) readFailed(err error) {
	if c.ctx.Err() != nil {
		c.sendFatal(pgerr.New(pgerr.AdminShutdown, "terminating connection due to administrator command"))
		return
	}
	var tooBig *pgproto3.ExceededMaxBodyLenErr
	switch {
	case errors.As(err, &tooBig):
		c.log.Info("message too large", "size", tooBig.ActualBodyLen, "max", tooBig.MaxExpectedBodyLen)
		c.sendFatal(pgerr.New(pgerr.ProgramLimitExceeded, "message of %d bytes exceeds the maximum of %d bytes",
			tooBig.ActualBodyLen, tooBig.MaxExpectedBodyLen))
		c.drain(int64(tooBig.ActualBodyLen))
	case isIOError(err):
		// The client went away; nobody is left to tell.
		c.log.Debug("read", "err", err)
	default:
		c.log.Info("protocol violation", "err", err)
		c.sendFatal(pgerr.Wrap(err, pgerr.ProtocolViolation, "invalid frontend message: %v", err))
	}
}

// drain reads and drops up to n bytes for a moment, so a client still
// writing an oversized message can read our FATAL instead of a reset.
func (c *conn) drain(n int64) {
	c.nc.SetReadDeadline(time.Now().Add(time.Second))
	io.CopyN(io.Discard, c.nc, min(n, 64<<20))
}

func isIOError(err error) bool {
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.As(err, &ne)
}

// send buffers messages for the client, writing them out once the buffer
// is large. It returns an encoding error (nothing of that message is
// buffered) or errConnBroken.
func (c *conn) send(msgs ...pgproto3.BackendMessage) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	for _, m := range msgs {
		if err := c.appendLocked(m); err != nil {
			return err
		}
	}
	if len(c.wbuf) >= flushThreshold {
		return c.flushLocked()
	}
	return nil
}

// flush writes out everything buffered.
func (c *conn) flush() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.flushLocked()
}

// sendAsync sends one message now, from any goroutine: asynchronous
// messages (NotificationResponse, ParameterStatus, NoticeResponse) are
// allowed between any two messages of a response.
func (c *conn) sendAsync(msg pgproto3.BackendMessage) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.appendLocked(msg); err != nil {
		return err
	}
	return c.flushLocked()
}

func (c *conn) appendLocked(m pgproto3.BackendMessage) error {
	if c.werr != nil {
		return errConnBroken
	}
	if c.wbox == nil {
		c.wbox = c.s.bufs.getWrite()
		c.wbuf = *c.wbox
	}
	n := len(c.wbuf)
	buf, err := m.Encode(c.wbuf)
	if err != nil {
		c.wbuf = c.wbuf[:n]
		return err
	}
	c.wbuf = buf
	return nil
}

func (c *conn) flushLocked() error {
	if c.werr != nil {
		return errConnBroken
	}
	if len(c.wbuf) == 0 {
		return nil
	}
	_, err := c.nc.Write(c.wbuf)
	// Give the buffer back: an idle connection holds none.
	*c.wbox = c.wbuf
	c.s.bufs.putWrite(c.wbox)
	c.wbox, c.wbuf = nil, nil
	if err != nil {
		c.werr = fmt.Errorf("write: %w", err)
		c.log.Debug("write", "err", err)
		return errConnBroken
	}
	return nil
}

// broken reports whether a write has failed, so the connection is dead.
func (c *conn) broken() bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.werr != nil
}

// sendFatal sends a FATAL error and flushes; the caller then closes.
func (c *conn) sendFatal(e *pgerr.Error) {
	fatal := *e
	fatal.Severity = "FATAL"
	c.send(c.errorResponse(&fatal))
	c.flush()
}

// statementContext returns the context of one statement, which a
// CancelRequest can cancel; done must be called when it ends.
func (c *conn) statementContext() (ctx context.Context, done func()) {
	ctx, cancel := context.WithCancelCause(c.ctx)
	c.cmu.Lock()
	c.cancelStmt = func() { cancel(errCanceledByUser) }
	c.cmu.Unlock()
	return ctx, func() {
		c.cmu.Lock()
		c.cancelStmt = nil
		c.cmu.Unlock()
		cancel(nil)
	}
}

// cancelStatement cancels the running statement, if any.
func (c *conn) cancelStatement() {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	if c.cancelStmt != nil {
		c.cancelStmt()
	}
}

// shuttingDown reports whether the server is ending this connection; the
// caller then sends FATAL 57P01 and closes.
func (c *conn) shuttingDown() bool {
	if c.ctx.Err() == nil {
		return false
	}
	c.sendFatal(pgerr.New(pgerr.AdminShutdown, "terminating connection due to administrator command"))
	return true
}

// isLocal reports whether addr is a loopback or unix-socket peer.
func isLocal(addr net.Addr) bool {
	switch a := addr.(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	}
	return false
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

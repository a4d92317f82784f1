package wire

import (
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/wire/sockpoll"
)

// busyWaits are the two ways a worker waits in the busy window; each test
// runs with both.
var busyWaits = []struct {
	name string
	poll bool
}{{"deadline", false}, {"poll", true}}

// forEachBusyWait runs test once per way of waiting the platform has.
func forEachBusyWait(t *testing.T, test func(t *testing.T, poll bool)) {
	for _, w := range busyWaits {
		t.Run(w.name, func(t *testing.T) {
			if w.poll && !sockpoll.Supported {
				t.Skip("no poll(2) wait on this platform")
			}
			test(t, w.poll)
		})
	}
}

// newBusyServer returns a server for a test backend whose workers wait
// window for a connection's next message, in poll(2) if poll.
func newBusyServer(window time.Duration, poll bool) *Server {
	s := NewServer(Config{}, &testBackend{})
	s.busyWindow = window
	s.pollBusy = poll
	if poll {
		s.maxPollers = max(s.maxPollers, 1) // with GOMAXPROCS=1 too
	}
	return s
}

// startBusyServer serves newBusyServer's server.
func startBusyServer(t *testing.T, window time.Duration, poll bool) (*Server, string) {
	s := newBusyServer(window, poll)
	return s, serve(t, s, nil)
}

// checkPolled fails unless the busy-window waits used poll(2) exactly when
// the server was told to.
func checkPolled(t *testing.T, s *Server, poll bool) {
	t.Helper()
	if n := s.polls.Load(); (n > 0) != poll {
		t.Fatalf("%d busy-window waits in poll(2), with pollBusy %v", n, poll)
	}
}

// TestBusyConnectionStaysOnItsWorker: statements sent back to back are
// answered by the worker that answered the second (the first shows the
// connection busy), without handing each one over again.
func TestBusyConnectionStaysOnItsWorker(t *testing.T) {
	forEachBusyWait(t, testBusyConnectionStaysOnItsWorker)
}

func testBusyConnectionStaysOnItsWorker(t *testing.T, poll bool) {
	s, addr := startBusyServer(t, time.Minute, poll)
	conn := connect(t, addr, "root", "", "")
	ctx := testCtx(t)
	before := s.work.runs.Load()
	const n = 50
	for i := range n {
		var got int64
		if err := conn.QueryRow(ctx, "select 1").Scan(&got); err != nil || got != 1 {
			t.Fatalf("query %d: %v, %d", i, err, got)
		}
	}
	if runs := s.work.runs.Load() - before; runs != 2 {
		t.Fatalf("%d statements took %d hand-overs to a worker, want 2", n, runs)
	}
	checkPolled(t, s, poll)
}

// TestQuietConnectionGoesBackToItsGoroutine: a connection quiet for longer
// than the window is handed over again for each message, and keeps working.
func TestQuietConnectionGoesBackToItsGoroutine(t *testing.T) {
	forEachBusyWait(t, testQuietConnectionGoesBackToItsGoroutine)
}

func testQuietConnectionGoesBackToItsGoroutine(t *testing.T, poll bool) {
	s, addr := startBusyServer(t, time.Millisecond, poll)
	conn := connect(t, addr, "root", "", "")
	ctx := testCtx(t)
	before := s.work.runs.Load()
	const n = 5
	for i := range n {
		time.Sleep(20 * time.Millisecond)
		if _, err := conn.Exec(ctx, "insert", pgx.QueryExecModeSimpleProtocol); err != nil {
			t.Fatalf("statement %d: %v", i, err)
		}
	}
	if runs := s.work.runs.Load() - before; runs != n {
		t.Fatalf("%d statements after quiet spells took %d hand-overs, want %d", n, runs, n)
	}
}

// TestBusyWindowDoesNotCutSlowMessages: once a message has begun, its rest
// may take longer than the window; the deadline that bounds the wait must
// not fail the read.
func TestBusyWindowDoesNotCutSlowMessages(t *testing.T) {
	forEachBusyWait(t, testBusyWindowDoesNotCutSlowMessages)
}

func testBusyWindowDoesNotCutSlowMessages(t *testing.T, poll bool) {
	s, addr := startBusyServer(t, 100*time.Millisecond, poll)
	nc, fe := rawStartup(t, addr, map[string]string{"user": "root"})
	before := s.work.runs.Load()
	// Two quick queries put the connection in its worker's busy window.
	for range 2 {
		sendQuery(t, nc, "insert")
		expect(t, fe, &pgproto3.CommandComplete{}, &pgproto3.ReadyForQuery{})
	}
	// The next arrives in pieces, 150 ms apart.
	msg, err := (&pgproto3.Query{String: "select 2"}).Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range [][]byte{msg[:3], msg[3:8], msg[8:]} {
		if _, err := nc.Write(part); err != nil {
			t.Fatal(err)
		}
		time.Sleep(150 * time.Millisecond)
	}
	got := expect(t, fe, &pgproto3.RowDescription{}, &pgproto3.DataRow{}, &pgproto3.DataRow{},
		&pgproto3.CommandComplete{}, &pgproto3.ReadyForQuery{})
	if tag := string(got[3].(*pgproto3.CommandComplete).CommandTag); tag != "SELECT 2" {
		t.Fatalf("tag %q", tag)
	}
	if runs := s.work.runs.Load() - before; runs != 2 {
		t.Fatalf("%d hand-overs, want 2: the split query was not read in the busy window", runs)
	}
	checkPolled(t, s, poll)
}

// TestShutdownEndsBusyWindow: a connection waiting on its worker for the
// next message is ended by Shutdown at once, with FATAL 57P01.
func TestShutdownEndsBusyWindow(t *testing.T) {
	forEachBusyWait(t, testShutdownEndsBusyWindow)
}

func testShutdownEndsBusyWindow(t *testing.T, poll bool) {
	s := newBusyServer(time.Hour, poll)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	nc, fe := rawStartup(t, ln.Addr().String(), map[string]string{"user": "root"})
	for range 2 { // the second finds the connection busy
		sendQuery(t, nc, "insert")
		expect(t, fe, &pgproto3.CommandComplete{}, &pgproto3.ReadyForQuery{})
	}
	time.Sleep(10 * time.Millisecond) // the worker waits in the window
	start := time.Now()
	if err := s.Shutdown(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("Shutdown took %v with a connection in its busy window", took)
	}
	msg, err := fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if er, ok := msg.(*pgproto3.ErrorResponse); !ok || er.Code != pgerr.AdminShutdown || er.Severity != "FATAL" {
		t.Fatalf("got %#v, want FATAL 57P01", msg)
	}
	checkPolled(t, s, poll)
}

func sendQuery(t *testing.T, nc net.Conn, q string) {
	t.Helper()
	msg, err := (&pgproto3.Query{String: q}).Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Write(msg); err != nil {
		t.Fatal(err)
	}
}

// TestPollWaitOnlyWhileFewAnswer: with more connections answering than
// maxPollers, a worker waits through the netpoller, leaving the Ps free.
func TestPollWaitOnlyWhileFewAnswer(t *testing.T) {
	if !sockpoll.Supported {
		t.Skip("no poll(2) wait on this platform")
	}
	s := newBusyServer(time.Minute, true)
	s.maxPollers = 0 // the answering connection itself is one too many
	addr := serve(t, s, nil)
	conn := connect(t, addr, "root", "", "")
	ctx := testCtx(t)
	before := s.work.runs.Load()
	for i := range 10 {
		if _, err := conn.Exec(ctx, "insert", pgx.QueryExecModeSimpleProtocol); err != nil {
			t.Fatalf("statement %d: %v", i, err)
		}
	}
	if runs := s.work.runs.Load() - before; runs != 2 {
		t.Fatalf("10 statements took %d hand-overs, want 2", runs)
	}
	checkPolled(t, s, false)
}

// readCounter counts the reads of every connection it accepts.
type readCounter struct {
	net.Listener
	reads *atomic.Int64
}

func (l readCounter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countedConn{Conn: c, reads: l.reads}, nil
}

type countedConn struct {
	net.Conn
	reads *atomic.Int64
}

func (c countedConn) Read(p []byte) (int, error) {
	c.reads.Add(1)
	return c.Conn.Read(p)
}

// TestBusyWindowReadsBatchAtOnce: a busy connection's next batch, larger
// than the connection's own small buffer, is read in one system call, not
// one into the small buffer and another for the rest. (A wrapped
// connection has no poll(2) wait: this is the deadline wait.)
func TestBusyWindowReadsBatchAtOnce(t *testing.T) {
	var reads atomic.Int64
	s := newBusyServer(time.Minute, false)
	addr := serve(t, s, func(ln net.Listener) net.Listener { return readCounter{Listener: ln, reads: &reads} })
	conn := connect(t, addr, "root", "", "")
	ctx := testCtx(t)
	long := strings.Repeat("y", 2*idleReadSize)
	run := func() {
		t.Helper()
		if _, err := conn.Exec(ctx, "echo $1", long); err != nil {
			t.Fatal(err)
		}
	}
	run()
	run() // now busy
	before := reads.Load()
	const n = 20
	for range n {
		run()
	}
	// The worker may enter the read of the first batch before or after
	// before is taken, so n-1..n+1; two reads a batch would be 2n.
	if got := reads.Load() - before; got < n-1 || got > n+1 {
		t.Fatalf("%d batches of %d+ bytes took %d reads, want %d±1", n, 2*idleReadSize, got, n)
	}
}

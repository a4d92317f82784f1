package wire

import (
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/pgerr"
)

// startBusyServer serves a test backend whose workers wait window for a
// connection's next message.
func startBusyServer(t *testing.T, window time.Duration) (*Server, string) {
	s := NewServer(Config{}, &testBackend{})
	s.busyWindow = window
	return s, serve(t, s, nil)
}

// TestBusyConnectionStaysOnItsWorker: statements sent back to back are
// answered by the worker that answered the second (the first shows the
// connection busy), without handing each one over again.
func TestBusyConnectionStaysOnItsWorker(t *testing.T) {
	s, addr := startBusyServer(t, time.Minute)
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
}

// TestQuietConnectionGoesBackToItsGoroutine: a connection quiet for longer
// than the window is handed over again for each message, and keeps working.
func TestQuietConnectionGoesBackToItsGoroutine(t *testing.T) {
	s, addr := startBusyServer(t, time.Millisecond)
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
	s, addr := startBusyServer(t, 100*time.Millisecond)
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
}

// TestShutdownEndsBusyWindow: a connection waiting on its worker for the
// next message is ended by Shutdown at once, with FATAL 57P01.
func TestShutdownEndsBusyWindow(t *testing.T) {
	s := NewServer(Config{}, &testBackend{})
	s.busyWindow = time.Hour
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

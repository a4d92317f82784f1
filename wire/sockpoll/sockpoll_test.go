//go:build linux

package sockpoll

import (
	"net"
	"syscall"
	"testing"
	"time"
)

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

func rawConn(t *testing.T, c net.Conn) syscall.RawConn {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

func TestReadable(t *testing.T) {
	server, client := tcpPair(t)
	rc := rawConn(t, server)

	// With no input it waits out d; a signal may end a wait early, so a
	// few calls may be needed, not hundreds.
	start, calls := time.Now(), 0
	for left := 5 * time.Millisecond; left > 0; left = 5*time.Millisecond - time.Since(start) {
		calls++
		ready, err := Readable(rc, left)
		if err != nil || ready {
			t.Fatalf("no input: Readable = %v, %v; want false, nil", ready, err)
		}
	}
	if calls > 3 {
		t.Fatalf("no input: %d calls to wait 5ms, want Readable to block", calls)
	}

	var (
		ready bool
		err   error
	)
	go func() {
		time.Sleep(2 * time.Millisecond)
		client.Write([]byte("x"))
	}()
	// Signals may end a wait early (reported as no input): retry until the
	// input shows or a generous bound passes.
	deadline := time.Now().Add(5 * time.Second)
	for !ready && err == nil && time.Now().Before(deadline) {
		ready, err = Readable(rc, time.Second)
	}
	if err != nil || !ready {
		t.Fatalf("input sent: Readable = %v, %v; want true, nil", ready, err)
	}

	buf := make([]byte, 1)
	if _, err := server.Read(buf); err != nil {
		t.Fatal(err)
	}
	client.Close()
	if ready, err := Readable(rc, time.Second); err != nil || !ready {
		t.Fatalf("peer closed: Readable = %v, %v; want true (the read reports EOF)", ready, err)
	}
}

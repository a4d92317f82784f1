package gateway

import (
	"net"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/wire/sockpoll"
)

// loopback returns both ends of a TCP connection on 127.0.0.1.
func loopback(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if client, err = net.Dial("tcp", ln.Addr().String()); err != nil {
		t.Fatal(err)
	}
	if server, err = ln.Accept(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

func TestKeepAliveWait(t *testing.T) {
	if !sockpoll.Supported {
		t.Skip("poll(2) wait is Linux-only")
	}
	server, client := loopback(t)
	buf := make([]byte, 4096)
	for _, tc := range []struct {
		name     string
		setup    func(k *keepAliveWait)
		p        []byte
		wantPoll bool
	}{
		{"idle connection", func(*keepAliveWait) {}, buf, true},
		{"another connection read since", func(k *keepAliveWait) { other := k.newConn(); k.read(&other) }, buf, false},
		{"another connection read shortly before", nil, buf, false},
		{"a request in flight", func(k *keepAliveWait) { k.inflight.Add(1) }, buf, false},
		{"net/http's background read", func(*keepAliveWait) {}, buf[:1], false},
		{"pollers at the limit", func(k *keepAliveWait) { k.polling.Add(1) }, buf, false},
		{"one P", func(k *keepAliveWait) { k.max = 0 }, buf, false},
		{"not supported", func(k *keepAliveWait) { k.enabled = false }, buf, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := &keepAliveWait{enabled: true, max: 1}
			c := k.newConn()
			if tc.setup == nil { // another connection reads, then this one
				other := k.newConn()
				k.read(&other)
				k.read(&c)
			} else {
				k.read(&c) // this connection's last request
				tc.setup(k)
			}
			polling := k.polling.Load()
			go func() {
				time.Sleep(time.Millisecond)
				client.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
			}()
			k.before(server, tc.p, &c)
			if got := k.polls.Load() == 1; got != tc.wantPoll {
				t.Fatalf("polled = %v, want %v", got, tc.wantPoll)
			}
			if got := k.polling.Load(); got != polling {
				t.Fatalf("polling = %d after the wait, want %d as before", got, polling)
			}
			if err := server.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
				t.Fatal(err)
			}
			if _, err := server.Read(buf); err != nil {
				t.Fatalf("read after the wait: %v", err)
			}
		})
	}
}

// With nothing coming, the wait gives up after keepAlivePoll and leaves
// the read to the netpoller.
func TestKeepAliveWaitGivesUp(t *testing.T) {
	if !sockpoll.Supported {
		t.Skip("poll(2) wait is Linux-only")
	}
	server, _ := loopback(t)
	k := &keepAliveWait{enabled: true, max: 1}
	c := k.newConn()
	k.read(&c)
	start := time.Now()
	k.before(server, make([]byte, 4096), &c)
	if waited := time.Since(start); waited < keepAlivePoll || k.polls.Load() != 1 {
		t.Fatalf("waited %v with %d polls, want at least %v and 1", waited, k.polls.Load(), keepAlivePoll)
	}
}

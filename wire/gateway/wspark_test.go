package gateway_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/wire/gateway"
)

// Idle subscribed connections are parked: they hold no goroutine on the
// server, and each wakes when its client sends or a change arrives.
func TestIdleConnectionsAreParked(t *testing.T) {
	ts := setup(t, gateway.Limits{})
	const n = 40
	time.Sleep(100 * time.Millisecond)
	before := runtime.NumGoroutine()
	clients := make([]*wsClient, n)
	for i := range clients {
		user := fmt.Sprintf("park_%d", i)
		clients[i] = ts.dial(ts.token(user, auth.RoleUser))
		clients[i].send(`{"type":"subscribe","userId":"` + user + `"}`)
		clients[i].expect("subscribed")
	}
	var grown int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		// Client and server share the process: a client connection that
		// is not reading costs no goroutine either.
		if grown = runtime.NumGoroutine() - before; grown < n/4 || time.Now().After(deadline) {
			break
		}
	}
	if grown >= n/4 {
		t.Fatalf("%d idle connections added %d goroutines, want them parked", n, grown)
	}
	// Parked connections still answer and still receive their changes.
	pg := ts.pg("svc", auth.RoleService)
	for i, c := range clients {
		exec(t, pg, fmt.Sprintf("INSERT INTO park_%d.messages (conversation_id, content) VALUES ('c', 'hi %d')", i, i))
		if m := c.expect("change"); str(m.Row["content"]) != fmt.Sprintf("hi %d", i) {
			t.Fatalf("client %d: change %s", i, m.raw)
		}
		c.send(`{"type":"ping"}`)
		c.expect("pong")
	}
}

// The server pings; a client that reads answers (coder/websocket answers
// inside Read) and stays; one that never answers is disconnected.
func TestServerPings(t *testing.T) {
	ts := setup(t, gateway.Limits{PingInterval: 100 * time.Millisecond})
	alive := ts.dial(ts.token("user_alice", auth.RoleUser))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 16)
	go func() {
		for {
			_, data, err := alive.conn.Read(ctx)
			if err != nil {
				close(got)
				return
			}
			got <- string(data)
		}
	}()

	// A bare client: it upgrades, then never reads or answers.
	nc, br := ts.rawUpgrade(t, "user_bob")

	time.Sleep(time.Second) // ten ping intervals
	// The silent client was dropped: after the pings it never answered,
	// its connection reaches EOF (a close frame may come first).
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, br); err != nil {
		t.Fatalf("silent client: %v, want the server to close the connection", err)
	}
	// The reading client is still served.
	alive.send(`{"type":"ping"}`)
	select {
	case m, ok := <-got:
		if !ok || m != `{"type":"pong"}` {
			t.Fatalf("answering client got %q (open %v), want a pong", m, ok)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("answering client: no pong")
	}
}

// An upgrade request too large for the gateway's own first-request parser
// still works, through net/http; a plain HTTP request on a fresh
// connection too.
func TestUpgradeWithLargeHeadersAndPlainHTTP(t *testing.T) {
	ts := setup(t, gateway.Limits{})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	h := http.Header{}
	h.Set("X-Padding", strings.Repeat("p", 5000))
	u := "ws://" + ts.HTTPAddr() + "/ws?token=" + ts.token("user_alice", auth.RoleUser)
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("dial with a 5 KB header: %v", err)
	}
	c := &wsClient{t: t, conn: conn}
	defer conn.CloseNow()
	c.send(`{"type":"ping"}`)
	c.expect("pong")

	resp, err := http.Get("http://" + ts.HTTPAddr() + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
}

// rawUpgrade opens a WebSocket of user by hand, for frames a client
// library would not send or would answer itself.
func (ts *testServer) rawUpgrade(t *testing.T, user string) (net.Conn, *bufio.Reader) {
	t.Helper()
	nc, err := net.Dial("tcp", ts.HTTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	key := make([]byte, 16)
	rand.Read(key)
	fmt.Fprintf(nc, "GET /ws?token=%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
		ts.token(user, auth.RoleUser), ts.HTTPAddr(), base64.StdEncoding.EncodeToString(key))
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	return nc, br
}

// A client's ping is answered with its payload while the connection
// stays parked: the gateway answers it, not the library, whose answer
// would leave a goroutine waiting for the next message.
func TestClientPingAnsweredWhileParked(t *testing.T) {
	ts := setup(t, gateway.Limits{})
	const n = 40
	time.Sleep(100 * time.Millisecond)
	before := runtime.NumGoroutine()
	for i := 0; i < n; i++ {
		nc, br := ts.rawUpgrade(t, fmt.Sprintf("pinger_%d", i))
		payload := []byte(fmt.Sprintf("p%d", i))
		key := []byte{0x11, 0x22, 0x33, 0x44}
		ping := append([]byte{0x89, 0x80 | byte(len(payload))}, key...)
		for j, b := range payload {
			ping = append(ping, b^key[j%4])
		}
		if _, err := nc.Write(ping); err != nil {
			t.Fatal(err)
		}
		nc.SetReadDeadline(time.Now().Add(testTimeout))
		got := make([]byte, 2+len(payload))
		if _, err := io.ReadFull(br, got); err != nil {
			t.Fatalf("client %d: no pong: %v", i, err)
		}
		if want := append([]byte{0x8A, byte(len(payload))}, payload...); string(got) != string(want) {
			t.Fatalf("client %d: got frame %x, want pong %x", i, got, want)
		}
	}
	var grown int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if grown = runtime.NumGoroutine() - before; grown < n/4 || time.Now().After(deadline) {
			break
		}
	}
	if grown >= n/4 {
		t.Fatalf("%d connections that were pinged added %d goroutines, want them parked", n, grown)
	}
}

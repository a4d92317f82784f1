package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/wire/gateway"
)

// TestWebSocketResume is the original browser example: subscribe with
// lastMsgId while rows keep arriving over pgwire; every change after it
// arrives once, in _seq order, across the switch from replay to live.
func TestWebSocketResume(t *testing.T) {
	// A small replay chunk makes the replay cross several snapshots.
	ts := setup(t, gateway.Limits{MaxReplayInFlight: 16})
	pg := ts.pg("user_alice", auth.RoleUser)
	for i := range 40 {
		exec(t, pg, "INSERT INTO messages (conversation_id, content) VALUES ('c1', $1)", "m"+strconv.Itoa(i))
	}
	ctx := context.Background()
	var lastMsgID int64
	if err := pg.QueryRow(ctx, "SELECT _seq FROM messages WHERE content = 'm9'").Scan(&lastMsgID); err != nil {
		t.Fatal(err)
	}

	const more = 200
	done := make(chan error, 1)
	start := make(chan struct{})
	go func() {
		pg2 := ts.pg("user_alice", auth.RoleUser)
		<-start
		for i := range more {
			if _, err := pg2.Exec(ctx, "INSERT INTO messages (conversation_id, content) VALUES ('c1', $1)", "n"+strconv.Itoa(i)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()

	ws := ts.dial(ts.token("user_alice", auth.RoleUser))
	close(start)
	ws.send(fmt.Sprintf(`{"type":"subscribe","userId":"user_alice","lastMsgId":"%d"}`, lastMsgID))
	ws.expect("subscribed")
	want := 30 + more
	var got []serverMsg
	for len(got) < want {
		m := ws.expect("change")
		got = append(got, m)
	}
	if err := <-done; err != nil {
		t.Fatalf("inserter: %v", err)
	}
	seen := map[string]bool{}
	prev := lastMsgID
	for i, m := range got {
		content := str(m.Row["content"])
		if seen[content] {
			t.Fatalf("change %d: %s delivered twice", i, content)
		}
		seen[content] = true
		if m.Seq <= prev {
			t.Fatalf("change %d: seq %d after %d: not in _seq order", i, m.Seq, prev)
		}
		prev = m.Seq
		if m.ID != "user_alice" || m.Op != "insert" || m.Table != "public.messages" {
			t.Fatalf("change %d = %s", i, m.raw)
		}
	}
	for i := 10; i < 40; i++ {
		if !seen["m"+strconv.Itoa(i)] {
			t.Fatalf("m%d missing", i)
		}
	}
	for i := range more {
		if !seen["n"+strconv.Itoa(i)] {
			t.Fatalf("n%d missing", i)
		}
	}
	// Nothing else arrives.
	ws.send(`{"type":"ping"}`)
	ws.expect("pong")
}

// TestWebSocketLiveQuery follows a filtered SELECT: initial rows, then
// only matching changes; an update that leaves the filter is a delete.
func TestWebSocketLiveQuery(t *testing.T) {
	ts := setup(t, gateway.Limits{RowBatch: 2})
	pg := ts.pg("user_alice", auth.RoleUser)
	for i, conv := range []string{"c1", "c2", "c1", "c1", "c1"} {
		exec(t, pg, "INSERT INTO messages (conversation_id, content) VALUES ($1, $2)", conv, "old"+strconv.Itoa(i))
	}
	ws := ts.dial(ts.token("user_alice", auth.RoleUser))
	ws.send(`{"type":"subscribe","id":"q1","sql":"SELECT msg_id, content FROM messages m WHERE m.conversation_id = 'c1'","options":{"last_rows":3}}`)
	ack := ws.expect("subscribed")
	if !strings.Contains(ack.raw, `"columns":[{"name":"msg_id","type":"bigint"},{"name":"content","type":"text"}]`) {
		t.Fatalf("subscribed = %s", ack.raw)
	}
	var initial []string
	for {
		m := ws.expect("rows")
		for _, r := range m.Rows {
			initial = append(initial, str(r["content"]))
			if _, ok := r["conversation_id"]; ok {
				t.Fatalf("row %v has a column not selected", r)
			}
		}
		if !m.HasMore {
			break
		}
	}
	if got := strings.Join(initial, ","); got != "old2,old3,old4" {
		t.Fatalf("initial rows = %s, want the newest 3 matching, oldest first", got)
	}

	exec(t, pg, "INSERT INTO messages (conversation_id, content) VALUES ('c2', 'other')")
	exec(t, pg, "INSERT INTO messages (conversation_id, content) VALUES ('c1', 'new')")
	exec(t, pg, "UPDATE messages SET conversation_id = 'c2' WHERE content = 'old2'")
	exec(t, pg, "UPDATE messages SET conversation_id = 'c1' WHERE content = 'old1'")
	exec(t, pg, "UPDATE messages SET content = 'old3!' WHERE content = 'old3'")
	exec(t, pg, "DELETE FROM messages WHERE content = 'old4'")
	exec(t, pg, "DELETE FROM messages WHERE content = 'other'")
	exec(t, pg, "INSERT INTO messages (conversation_id, content) VALUES ('c1', 'last')")
	want := []string{"insert new", "delete old2", "update old1", "update old3!", "delete old4", "insert last"}
	for _, w := range want {
		m := ws.expect("change")
		if got := m.Op + " " + str(m.Row["content"]); got != w {
			t.Fatalf("got %s (%s), want %s", got, m.raw, w)
		}
		if m.ID != "q1" || m.Row["_seq"] == nil || m.Row["conversation_id"] != nil {
			t.Fatalf("change = %s", m.raw)
		}
	}
	ws.send(`{"type":"unsubscribe","id":"q1"}`)
	ws.expect("unsubscribed")
	exec(t, pg, "INSERT INTO messages (conversation_id, content) VALUES ('c1', 'after')")
	ws.send(`{"type":"ping"}`)
	ws.expect("pong")
}

// TestWebSocketLiveQueryFromSeq replays matching changes after from_seq.
func TestWebSocketLiveQueryFromSeq(t *testing.T) {
	ts := setup(t, gateway.Limits{})
	pg := ts.pg("user_alice", auth.RoleUser)
	for i, conv := range []string{"c1", "c1", "c2", "c1"} {
		exec(t, pg, "INSERT INTO messages (conversation_id, content) VALUES ($1, $2)", conv, "m"+strconv.Itoa(i))
	}
	var from int64
	if err := pg.QueryRow(context.Background(), "SELECT _seq FROM messages WHERE content = 'm0'").Scan(&from); err != nil {
		t.Fatal(err)
	}
	ws := ts.dial(ts.token("user_alice", auth.RoleUser))
	ws.send(fmt.Sprintf(`{"type":"subscribe","id":"q","sql":"SELECT * FROM messages WHERE conversation_id = 'c1'","options":{"from_seq":%d}}`, from))
	ws.expect("subscribed")
	for _, w := range []string{"m1", "m3"} {
		if m := ws.expect("change"); str(m.Row["content"]) != w || m.Op != "insert" {
			t.Fatalf("got %s, want insert %s", m.raw, w)
		}
	}
	exec(t, pg, "INSERT INTO messages (conversation_id, content) VALUES ('c1', 'live')")
	if m := ws.expect("change"); str(m.Row["content"]) != "live" {
		t.Fatalf("got %s, want live", m.raw)
	}
}

func TestWebSocketRefusals(t *testing.T) {
	ts := setup(t, gateway.Limits{MaxSubscriptions: 2, MaxConnsPerUser: 1})
	ts.pg("user_bob", auth.RoleUser) // creates user_bob
	alice := ts.token("user_alice", auth.RoleUser)
	ws := ts.dial(alice)

	tests := []struct{ name, msg, code string }{
		{"other partition", `{"type":"subscribe","userId":"user_bob","lastMsgId":0}`, "42501"},
		{"other partition by sql", `{"type":"subscribe","id":"x","sql":"SELECT * FROM user_bob.messages"}`, "42501"},
		{"join", `{"type":"subscribe","id":"x","sql":"SELECT * FROM messages a, messages b"}`, "0A000"},
		{"subquery", `{"type":"subscribe","id":"x","sql":"SELECT * FROM messages WHERE content IN (SELECT 'a')"}`, "0A000"},
		{"order by", `{"type":"subscribe","id":"x","sql":"SELECT * FROM messages ORDER BY msg_id"}`, "0A000"},
		{"not select", `{"type":"subscribe","id":"x","sql":"DELETE FROM messages"}`, "0A000"},
		{"unknown table", `{"type":"subscribe","id":"x","sql":"SELECT * FROM nosuch"}`, "42P01"},
		{"unknown column", `{"type":"subscribe","id":"x","sql":"SELECT * FROM messages WHERE nosuch = 1"}`, "42703"},
		{"syntax", `{"type":"subscribe","id":"x","sql":"SELEC"}`, "42601"},
		{"bad message", `{"type":`, "08P01"},
		{"unknown type", `{"type":"bogus"}`, "08P01"},
		{"unknown subscription", `{"type":"unsubscribe","id":"nope"}`, "42704"},
	}
	for _, tt := range tests {
		ws.send(tt.msg)
		m := ws.expect("error")
		if m.Code != tt.code {
			t.Fatalf("%s: got %s, want code %s", tt.name, m.raw, tt.code)
		}
	}
	// Two subscriptions are allowed, the third is refused.
	ws.send(`{"type":"subscribe","id":"a","userId":"user_alice"}`)
	ws.expect("subscribed")
	ws.send(`{"type":"subscribe","id":"b","sql":"SELECT * FROM messages"}`)
	ws.expect("subscribed")
	ws.expect("rows")
	ws.send(`{"type":"subscribe","id":"c","userId":"user_alice"}`)
	if m := ws.expect("error"); m.Code != "54000" || m.ID != "c" {
		t.Fatalf("third subscription: %s", m.raw)
	}
	// A second connection of the same user is refused before the upgrade.
	if _, err := ts.tryDial(alice); err == nil || !strings.Contains(err.Error(), "429") {
		t.Fatalf("second connection: %v, want HTTP 429", err)
	}
	if _, err := ts.tryDial("bogus"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("bad token: %v, want HTTP 401", err)
	}
	// Service may subscribe to another user's partition.
	svc := ts.dial(ts.token("svc", auth.RoleService))
	svc.send(`{"type":"subscribe","userId":"user_bob","lastMsgId":0}`)
	svc.expect("subscribed")
	exec(t, ts.pg("user_bob", auth.RoleUser), "INSERT INTO messages (content) VALUES ('for bob')")
	if m := svc.expect("change"); str(m.Row["content"]) != "for bob" {
		t.Fatalf("service got %s", m.raw)
	}
}

// TestWebSocketSlowConsumer: a client that does not read while a burst
// arrives gets an error and is closed; the server keeps no backlog.
func TestWebSocketSlowConsumer(t *testing.T) {
	ts := setup(t, gateway.Limits{SendQueue: 8})
	pg := ts.pg("user_alice", auth.RoleUser)
	ws := ts.dial(ts.token("user_alice", auth.RoleUser))
	ws.send(`{"type":"subscribe","userId":"user_alice"}`)
	ws.expect("subscribed")
	var values []string
	for i := range 200 {
		values = append(values, fmt.Sprintf("('c1', 'burst %d')", i))
	}
	exec(t, pg, "INSERT INTO messages (conversation_id, content) VALUES "+strings.Join(values, ","))
	var last serverMsg
	for {
		m, err := ws.read(testTimeout)
		if err != nil {
			if status := websocket.CloseStatus(err); status != websocket.StatusPolicyViolation {
				t.Fatalf("closed with %v (%v), want policy violation", status, err)
			}
			break
		}
		last = m
	}
	if last.Type != "error" || last.Code != "54000" {
		t.Fatalf("last message = %s, want the slow-consumer error", last.raw)
	}
	// The server still serves others.
	ws2 := ts.dial(ts.token("user_carol", auth.RoleUser))
	ws2.send(`{"type":"ping"}`)
	ws2.expect("pong")
}

// TestWebSocketShutdown: closing the server ends WebSockets with 1001.
func TestWebSocketShutdown(t *testing.T) {
	ts := setup(t, gateway.Limits{})
	ws := ts.dial(ts.token("user_alice", auth.RoleUser))
	ws.send(`{"type":"subscribe","userId":"user_alice"}`)
	ws.expect("subscribed")
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := ts.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	_, err := ws.read(5 * time.Second)
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("read after shutdown: %v, want the connection closed", err)
	}
}

// A row too large for a NOTIFY payload still reaches subscribers whole and
// is filtered like any other; a NOTIFY on the user's channel that looks
// like a change is not one and reaches no subscriber.
func TestWebSocketLargeRowsAndLookalikeNotify(t *testing.T) {
	ts := setup(t, gateway.Limits{})
	pg := ts.pg("user_alice", auth.RoleUser)
	ws := ts.dial(ts.token("user_alice", auth.RoleUser))
	ws.send(`{"type":"subscribe","id":"q","sql":"SELECT msg_id, content FROM messages WHERE conversation_id = 'c1'","options":{"last_rows":0}}`)
	ws.expect("subscribed")
	ws.expect("rows")
	plain := ts.dial(ts.token("user_alice", auth.RoleUser))
	plain.send(`{"type":"subscribe","userId":"user_alice"}`)
	plain.expect("subscribed")

	big := strings.Repeat("b", 20000)
	exec(t, pg, `SELECT pg_notify('user_alice', '{"table":"public.messages","op":"insert","seq":1,"row":{"content":"fake","conversation_id":"c1"}}')`)
	exec(t, pg, "INSERT INTO messages (conversation_id, content) VALUES ('c2', $1)", big)
	exec(t, pg, "INSERT INTO messages (conversation_id, content) VALUES ('c1', $1)", big+"!")
	// The plain subscription gets both rows, whole; the live query only
	// the c1 row; neither the lookalike NOTIFY.
	for _, want := range []string{big, big + "!"} {
		m := plain.expect("change")
		if m.Op != "insert" || str(m.Row["content"]) != want || strings.Contains(m.raw, "truncated") {
			t.Fatalf("plain subscription: change = %.200s, want the whole %d-byte row", m.raw, len(want))
		}
	}
	if m := ws.expect("change"); m.ID != "q" || m.Op != "insert" || str(m.Row["content"]) != big+"!" {
		t.Fatalf("live query: change = %.200s, want the c1 row whole", m.raw)
	}
	for _, c := range []*wsClient{ws, plain} {
		c.send(`{"type":"ping"}`)
		c.expect("pong")
	}
}

// Shutdown ends every WebSocket at once, whether parked (an idle
// subscriber, a client that never subscribed) or busy (a replay waiting
// for room in the send queue of a client that does not read): none waits
// for its write timeout.
func TestWebSocketShutdownEndsParkedAndBusy(t *testing.T) {
	ts := setup(t, gateway.Limits{SendQueue: 2, WriteTimeout: time.Minute})
	pg := ts.pg("user_bob", auth.RoleUser)
	big := strings.Repeat("x", 64<<10)
	for range 4 { // 16 MiB of history: more than the socket buffers hold
		var values []string
		for range 64 {
			values = append(values, "('c1', '"+big+"')")
		}
		exec(t, pg, "INSERT INTO messages (conversation_id, content) VALUES "+strings.Join(values, ","))
	}
	idle := ts.dial(ts.token("user_alice", auth.RoleUser))
	idle.send(`{"type":"subscribe","userId":"user_alice"}`)
	idle.expect("subscribed")
	bare := ts.dial(ts.token("user_carol", auth.RoleUser))
	busy := ts.dial(ts.token("user_bob", auth.RoleUser))
	busy.send(`{"type":"subscribe","userId":"user_bob","lastMsgId":0}`)
	busy.expect("subscribed")
	time.Sleep(300 * time.Millisecond) // the replay fills the socket and waits

	// The parked clients read (and so answer the close handshake); the
	// busy one does not.
	ended := make(chan error, 2)
	for _, c := range []*wsClient{idle, bare} {
		go func() {
			_, err := c.read(testTimeout)
			ended <- err
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- ts.Shutdown(ctx) }()
	for range 2 {
		err := <-ended
		if got := websocket.CloseStatus(err); got != websocket.StatusGoingAway {
			t.Fatalf("parked client: read after shutdown: %v (status %v), want %v", err, got, websocket.StatusGoingAway)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Fatalf("parked client closed %v after shutdown, want at once", took)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	// The busy connection's close handshake gives up after 5s (the
	// library's); its blocked write and replay ended at once.
	if took := time.Since(start); took > 15*time.Second {
		t.Fatalf("Shutdown took %v, want the busy connection ended before its write timeout", took)
	}
}

package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/notify"
)

// payload is the change-channel JSON.
type payload struct {
	Table     string         `json:"table"`
	Op        string         `json:"op"`
	Seq       int64          `json:"seq"`
	Row       map[string]any `json:"row"`
	OldKey    map[string]any `json:"old_key"`
	Truncated bool           `json:"truncated"`
}

func decode(t *testing.T, s string) payload {
	t.Helper()
	var p payload
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&p); err != nil {
		t.Fatalf("payload %s: %v", s, err)
	}
	return p
}

func seqOf(t *testing.T, c *client, where string) int64 {
	t.Helper()
	var seq int64
	if err := c.QueryRow(context.Background(), "SELECT _seq FROM user_alice.messages WHERE "+where).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

func setupUsers(t *testing.T, root *client) {
	t.Helper()
	root.exec("CREATE USER user_alice WITH PASSWORD 'pa'")
	root.exec("CREATE USER user_bob WITH PASSWORD 'pb'")
	root.exec("CREATE USER bot WITH PASSWORD 'pbot' IN ROLE service")
	root.exec(`CREATE TABLE messages (id bigint PRIMARY KEY, body text, meta jsonb, at timestamptz, raw bytea) WITH (type = 'user')`)
}

func TestChangeChannelPayloads(t *testing.T) {
	srv := startServer(t, notify.Options{})
	root := connect(t, srv, "root", "")
	setupUsers(t, root)
	alice := connect(t, srv, "user_alice", "pa")
	alice.exec("LISTEN user_alice")

	root.exec(`INSERT INTO user_alice.messages VALUES (1, 'hi', '{"k": [1, true]}', '2024-05-06 07:08:09.5+00', '\x0001ff')`)
	p := decode(t, alice.waitFor(1)[0].Payload)
	want := map[string]any{"id": json.Number("1"), "body": "hi", "meta": map[string]any{"k": []any{json.Number("1"), true}},
		"at": "2024-05-06T07:08:09.5Z", "raw": "AAH/"}
	if p.Table != "public.messages" || p.Op != "insert" || p.Seq != seqOf(t, root, "id = 1") || p.Truncated || !equalJSON(p.Row, want) {
		t.Fatalf("insert payload %+v", p)
	}

	root.exec("UPDATE user_alice.messages SET body = 'edited' WHERE id = 1")
	p = decode(t, alice.waitFor(1)[0].Payload)
	if p.Op != "update" || p.Row["body"] != "edited" || p.Seq != seqOf(t, root, "id = 1") || p.OldKey != nil {
		t.Fatalf("update payload %+v", p)
	}
	root.exec("UPDATE user_alice.messages SET id = 2 WHERE id = 1")
	p = decode(t, alice.waitFor(1)[0].Payload)
	if p.Op != "update" || p.Row["id"] != json.Number("2") || p.OldKey["id"] != json.Number("1") {
		t.Fatalf("key-moving update payload %+v", p)
	}

	root.exec("DELETE FROM user_alice.messages WHERE id = 2")
	p = decode(t, alice.waitFor(1)[0].Payload)
	if p.Op != "delete" || p.Row["id"] != json.Number("2") || p.Row["body"] != "edited" || p.Seq <= 0 {
		t.Fatalf("delete payload %+v", p)
	}

	big := strings.Repeat("x", 9000)
	root.exec("INSERT INTO user_alice.messages (id, body) VALUES (3, $1)", big)
	n := alice.waitFor(1)[0]
	p = decode(t, n.Payload)
	if len(n.Payload) > 7999 || !p.Truncated || len(p.Row) != 1 || p.Row["id"] != json.Number("3") || p.Op != "insert" {
		t.Fatalf("truncated payload (%d bytes) %s", len(n.Payload), n.Payload)
	}

	// One transaction touching two partitions: each user hears only its own.
	bob := connect(t, srv, "user_bob", "pb")
	bob.exec("LISTEN user_bob")
	root.exec("BEGIN")
	root.exec("INSERT INTO user_bob.messages (id, body) VALUES (10, 'b')")
	root.exec("INSERT INTO user_alice.messages (id, body) VALUES (10, 'a')")
	root.exec("ROLLBACK")
	root.exec("BEGIN")
	root.exec("INSERT INTO user_bob.messages (id, body) VALUES (11, 'b')")
	root.exec("INSERT INTO user_alice.messages (id, body) VALUES (11, 'a')")
	root.exec("COMMIT")
	if p := decode(t, bob.waitFor(1)[0].Payload); p.Row["id"] != json.Number("11") {
		t.Fatalf("bob got %+v", p)
	}
	if p := decode(t, alice.waitFor(1)[0].Payload); p.Row["id"] != json.Number("11") {
		t.Fatalf("alice got %+v", p)
	}

	// A user's own write arrives before her ReadyForQuery.
	alice.exec("INSERT INTO messages (id, body) VALUES (12, 'mine')")
	if got := alice.received(); len(got) != 1 || decode(t, got[0].Payload).Row["id"] != json.Number("12") || got[0].PID != alice.PgConn().PID() {
		t.Fatalf("own change: %s", show(got))
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestChangeChannelPermissions(t *testing.T) {
	srv := startServer(t, notify.Options{})
	root := connect(t, srv, "root", "")
	setupUsers(t, root)
	bob := connect(t, srv, "user_bob", "pb")
	wantCode(t, bob.execErr("LISTEN user_alice"), "42501", "permission denied")
	wantCode(t, bob.execErr("NOTIFY user_alice, 'spoof'"), "42501", "permission denied")
	wantCode(t, bob.execErr("SELECT pg_notify('user_alice', 'spoof')"), "42501", "permission denied")
	wantCode(t, bob.execErr("LISTEN root"), "42501", "permission denied")
	bob.exec("LISTEN user_bob")
	bob.exec("LISTEN user_nobody") // not a user: a plain channel
	bob.exec("LISTEN lobby")

	bot := connect(t, srv, "bot", "pbot")
	bot.exec("LISTEN user_alice") // service and above may
	root.exec("INSERT INTO user_alice.messages (id) VALUES (1)")
	if p := decode(t, bot.waitFor(1)[0].Payload); p.Op != "insert" {
		t.Fatalf("bot got %+v", p)
	}
	// SET ROLE to a user leaves a service session with that user's rights.
	bot.exec("SET ROLE user_bob")
	wantCode(t, bot.execErr("LISTEN user_alice"), "42501", "permission denied")
}

// TestSelfNotificationOrder checks the message order of a session's own
// notification: CommandComplete, NotificationResponse, ReadyForQuery.
func TestSelfNotificationOrder(t *testing.T) {
	srv := startServer(t, notify.Options{})
	nc, err := net.DialTimeout("tcp", srv.PGAddr(), testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(testTimeout))
	fe := pgproto3.NewFrontend(nc, nc)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": "root", "database": "kalamdb"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	readUntilReady := func() []string {
		var names []string
		for {
			msg, err := fe.Receive()
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, typeName(msg))
			if _, ok := msg.(*pgproto3.ReadyForQuery); ok {
				return names
			}
		}
	}
	readUntilReady()
	for _, tc := range []struct{ query, want string }{
		{"LISTEN c", "CommandComplete ReadyForQuery"},
		{"NOTIFY c, 'p'", "CommandComplete NotificationResponse ReadyForQuery"},
		{"SELECT pg_notify('c', 'q'); SELECT 1", "RowDescription DataRow CommandComplete RowDescription DataRow CommandComplete NotificationResponse ReadyForQuery"},
	} {
		fe.Send(&pgproto3.Query{String: tc.query})
		if err := fe.Flush(); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(readUntilReady(), " "); got != tc.want {
			t.Fatalf("%s: %s, want %s", tc.query, got, tc.want)
		}
	}
	// Extended protocol: delivered at Sync's ReadyForQuery.
	fe.Send(&pgproto3.Parse{Query: "NOTIFY c, 'e'"})
	fe.Send(&pgproto3.Bind{})
	fe.Send(&pgproto3.Execute{})
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(readUntilReady(), " "), "ParseComplete BindComplete CommandComplete NotificationResponse ReadyForQuery"; got != want {
		t.Fatalf("extended: %s, want %s", got, want)
	}
}

func typeName(msg pgproto3.BackendMessage) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pgproto3.")
}

func TestPsqlSelfNotification(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		if _, err := os.Stat("/usr/bin/psql"); err != nil {
			t.Skip("psql not installed")
		}
		psql = "/usr/bin/psql"
	}
	srv := startServer(t, notify.Options{})
	host, port, _ := net.SplitHostPort(srv.PGAddr())
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, "-X", "-h", host, "-p", port, "-U", "root", "-d", "kalamdb",
		"-c", "LISTEN c", "-c", "NOTIFY c, 'p'", "-c", "SELECT 1 AS one")
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	re := regexp.MustCompile(`(?s)^LISTEN\nNOTIFY\nAsynchronous notification "c" with payload "p" received from server process with PID \d+\.\n one \n`)
	if !re.Match(out) {
		t.Fatalf("psql output:\n%s", out)
	}
}

func TestReplayAfterSeq(t *testing.T) {
	srv := startServer(t, notify.Options{})
	root := connect(t, srv, "root", "")
	setupUsers(t, root)
	root.exec("INSERT INTO user_alice.messages (id, body) VALUES (1, 'one')")
	from := seqOf(t, root, "id = 1")
	root.exec("INSERT INTO user_alice.messages (id, body) VALUES (2, 'two'), (3, 'three')")
	root.exec("UPDATE user_alice.messages SET body = 'TWO' WHERE id = 2")
	root.exec("DELETE FROM user_alice.messages WHERE id = 3")
	root.exec("INSERT INTO user_bob.messages (id, body) VALUES (4, 'other user')")

	var got []string
	last := from
	err := srv.DB().Engine().Replay(context.Background(), "public", "messages", "user_alice", from, func(c *notify.Change) error {
		if c.Seq <= last {
			t.Fatalf("seq %d after %d: not in order", c.Seq, last)
		}
		last = c.Seq
		p := decode(t, c.Payload())
		got = append(got, fmt.Sprintf("%s %v %v", p.Op, p.Row["id"], p.Row["body"]))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// id 2's first version was superseded by the update; id 3 is a tombstone.
	if s := strings.Join(got, ", "); s != "insert 2 TWO, delete 3 <nil>" {
		t.Fatalf("replay: %s", s)
	}
}

package integration

import (
	"context"
	"strconv"
	"testing"
)

// seqs returns the _seq values of a table in user's partition, ascending.
func seqs(t testing.TB, ks *kserver, user, password, table string) []int64 {
	t.Helper()
	conn := connect(t, ks.dsn(user, password))
	defer conn.Close(context.Background())
	var out []int64
	for _, r := range queryText(t, conn, `SELECT _seq FROM `+table+` ORDER BY _seq`) {
		n, err := strconv.ParseInt(r[0], 10, 64)
		if err != nil {
			t.Fatalf("_seq %q: %v", r[0], err)
		}
		out = append(out, n)
	}
	return out
}

// TestRestart: users, schemas, tables, rows survive a clean restart, and
// _seq keeps increasing across it.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	ks := startServer(t, dir)
	root := ks.root(t)
	mustExec(t, root,
		`CREATE USER user_alice WITH PASSWORD 'pw'`,
		`CREATE USER bot WITH PASSWORD 'botpw' IN ROLE service`,
		`CREATE SCHEMA chat`,
		`CREATE TABLE chat.rooms (id bigint PRIMARY KEY, name text NOT NULL, size integer DEFAULT 3)`,
		`CREATE TABLE chat.inbox (id bigint PRIMARY KEY, body text) WITH (type = 'user', flush_rows = 100)`,
		`INSERT INTO chat.rooms (id, name) VALUES (1, 'general'), (2, 'random'), (3, 'gone')`,
		`UPDATE chat.rooms SET name = 'Random' WHERE id = 2`,
		`DELETE FROM chat.rooms WHERE id = 3`)
	alice := connect(t, ks.dsn("user_alice", "pw"))
	for i := 1; i <= 50; i++ {
		mustExec(t, alice, `INSERT INTO chat.inbox VALUES (`+strconv.Itoa(i)+`, 'm`+strconv.Itoa(i)+`')`)
	}
	oldRooms := seqs(t, ks, "root", "", "chat.rooms")
	oldInbox := seqs(t, ks, "user_alice", "pw", "chat.inbox")
	oldMax := max(oldRooms[len(oldRooms)-1], oldInbox[len(oldInbox)-1])

	alice.Close(context.Background())
	root.Close(context.Background())
	if err := ks.shutdown(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	ks = startServer(t, dir)
	root = ks.root(t)
	alice = connect(t, ks.dsn("user_alice", "pw")) // the password survived
	bot := connect(t, ks.dsn("bot", "botpw"))
	// bot's service role survived: it may read alice's partition (found
	// through the search path).
	mustExec(t, bot, `SET search_path = chat, public`)
	wantRows(t, bot, `SELECT count(*) FROM user_alice.inbox`, "50")
	wantRows(t, root, `SELECT id, name, size FROM chat.rooms ORDER BY id`, "1|general|3", "2|Random|3")
	wantRows(t, alice, `SELECT count(*), min(id), max(id) FROM chat.inbox`, "50|1|50")
	wantRows(t, alice, `SELECT body FROM chat.inbox WHERE id = 42`, "m42")
	if got := seqs(t, ks, "root", "", "chat.rooms"); len(got) != len(oldRooms) || got[0] != oldRooms[0] || got[1] != oldRooms[1] {
		t.Fatalf("rooms _seq after restart = %v, want %v", got, oldRooms)
	}
	// Constraints and defaults survived with the table.
	execCode(t, root, "23505", `INSERT INTO chat.rooms (id, name) VALUES (1, 'dup')`)
	execCode(t, root, "23502", `INSERT INTO chat.rooms (id) VALUES (9)`)
	execCode(t, alice, "42501", `CREATE TABLE chat.more (id bigint PRIMARY KEY)`)

	// New commits get larger _seq values than anything before the restart.
	var s1, s2 int64
	ctx := context.Background()
	if err := root.QueryRow(ctx, `INSERT INTO chat.rooms (id, name) VALUES (4, 'new') RETURNING _seq`).Scan(&s1); err != nil {
		t.Fatalf("insert after restart: %v", err)
	}
	if err := alice.QueryRow(ctx, `UPDATE chat.inbox SET body = 'edited' WHERE id = 1 RETURNING _seq`).Scan(&s2); err != nil {
		t.Fatalf("update after restart: %v", err)
	}
	if s1 <= oldMax || s2 <= s1 {
		t.Fatalf("_seq after restart: %d then %d, want both > %d and increasing", s1, s2, oldMax)
	}
}

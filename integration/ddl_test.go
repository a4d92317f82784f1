package integration

import (
	"testing"
	"time"
)

// TestDDL covers schemas, tables with every column feature, table types
// and options, and their errors.
func TestDDL(t *testing.T) {
	ks := startServer(t, "")
	conn := ks.root(t)

	mustExec(t, conn, `CREATE SCHEMA chat`)
	execCode(t, conn, "42P06", `CREATE SCHEMA chat`)
	mustExec(t, conn, `CREATE SCHEMA IF NOT EXISTS chat`)

	mustExec(t, conn, `CREATE TABLE chat.rooms (
		id bigint PRIMARY KEY,
		name text NOT NULL,
		topic varchar(20),
		size integer DEFAULT 7,
		open boolean NOT NULL DEFAULT true,
		ref uuid DEFAULT gen_random_uuid(),
		created_at timestamptz DEFAULT now(),
		kid bigint DEFAULT kalamdb_id()
	)`)
	execCode(t, conn, "42P07", `CREATE TABLE chat.rooms (id bigint PRIMARY KEY)`)
	if tag := execTag(t, conn, `CREATE TABLE IF NOT EXISTS chat.rooms (id bigint PRIMARY KEY)`); tag != "CREATE TABLE" {
		t.Fatalf("CREATE TABLE IF NOT EXISTS tag = %q", tag)
	}

	// Defaults: omitted columns and the DEFAULT keyword.
	before := time.Now().Add(-time.Minute)
	mustExec(t, conn,
		`INSERT INTO chat.rooms (id, name) VALUES (1, 'general')`,
		`INSERT INTO chat.rooms (id, name, size, open, ref) VALUES (2, 'random', DEFAULT, DEFAULT, DEFAULT)`)
	ctx, cancel := ctxT()
	defer cancel()
	rows, err := conn.Query(ctx, `SELECT id, size, open, ref::text, created_at, kid FROM chat.rooms ORDER BY id`)
	if err != nil {
		t.Fatalf("select defaults: %v", err)
	}
	refs := map[string]bool{}
	var n int
	for rows.Next() {
		var id, kid int64
		var size int32
		var open bool
		var ref string
		var created time.Time
		if err := rows.Scan(&id, &size, &open, &ref, &created, &kid); err != nil {
			t.Fatalf("scan defaults: %v", err)
		}
		n++
		if size != 7 || !open || kid <= 0 || len(ref) != 36 || created.Before(before) || created.After(time.Now().Add(time.Minute)) {
			t.Fatalf("row %d defaults: size=%d open=%v ref=%q created=%v kid=%d", id, size, open, ref, created, kid)
		}
		refs[ref] = true
	}
	if err := rows.Err(); err != nil || n != 2 || len(refs) != 2 {
		t.Fatalf("defaults: %d rows, %d distinct uuids, err %v", n, len(refs), err)
	}

	// NOT NULL and primary keys.
	execCode(t, conn, "23502", `INSERT INTO chat.rooms (id) VALUES (3)`)
	execCode(t, conn, "23502", `INSERT INTO chat.rooms (id, name, open) VALUES (3, 'x', NULL)`)
	execCode(t, conn, "23505", `INSERT INTO chat.rooms (id, name) VALUES (1, 'again')`)
	execCode(t, conn, "22001", `INSERT INTO chat.rooms (id, name, topic) VALUES (4, 'x', 'a topic longer than twenty')`)

	mustExec(t, conn, `CREATE TABLE chat.members (room text, member bigint, role text, PRIMARY KEY (room, member))`)
	if tag := execTag(t, conn, `INSERT INTO chat.members VALUES ('a', 1, 'owner'), ('a', 2, 'guest'), ('b', 1, 'owner')`); tag != "INSERT 0 3" {
		t.Fatalf("multi-column pk insert tag = %q", tag)
	}
	execCode(t, conn, "23505", `INSERT INTO chat.members VALUES ('a', 2, 'dup')`)
	wantRows(t, conn, `SELECT room, member, role FROM chat.members ORDER BY room, member`,
		"a|1|owner", "a|2|guest", "b|1|owner")

	// Table types and options.
	for _, ddl := range []string{
		`CREATE TABLE chat.inbox (id bigint PRIMARY KEY, body text) WITH (type = 'user')`,
		`CREATE TABLE chat.inbox_flush (id bigint PRIMARY KEY, body text) WITH (type = 'user', flush_rows = 1000, flush_interval = '10m')`,
		`CREATE TABLE chat.board (id bigint PRIMARY KEY, body text) WITH (type = 'shared', flush_rows = 50)`,
		`CREATE TABLE chat.typing (id bigint PRIMARY KEY, who text) WITH (type = 'stream', ttl = '30s')`,
		`CREATE TABLE public.plain (id integer PRIMARY KEY)`,
	} {
		mustExec(t, conn, ddl)
	}
	for _, ddl := range []string{
		`CREATE TABLE chat.bad1 (id bigint PRIMARY KEY) WITH (colour = 'blue')`,
		`CREATE TABLE chat.bad2 (id bigint PRIMARY KEY) WITH (type = 'bogus')`,
		`CREATE TABLE chat.bad3 (id bigint PRIMARY KEY) WITH (type = 'stream')`,
		`CREATE TABLE chat.bad4 (id bigint PRIMARY KEY) WITH (flush_rows = 'many')`,
	} {
		execCode(t, conn, "22023", ddl)
	}
	execCode(t, conn, "42P01", `SELECT * FROM chat.bad1`)
	mustExec(t, conn,
		`INSERT INTO chat.typing VALUES (1, 'root')`,
		`INSERT INTO chat.inbox VALUES (1, 'mine')`,
		`INSERT INTO chat.board VALUES (1, 'everyone')`)
	wantRows(t, conn, `SELECT who FROM chat.typing`, "root")
	wantRows(t, conn, `SELECT body FROM chat.inbox`, "mine")
	wantRows(t, conn, `SELECT body FROM chat.board`, "everyone")

	// Drops.
	execCode(t, conn, "42P01", `DROP TABLE chat.nosuch`)
	mustExec(t, conn, `DROP TABLE IF EXISTS chat.nosuch`, `DROP TABLE chat.board`)
	execCode(t, conn, "42P01", `SELECT * FROM chat.board`)
	mustExec(t, conn, `CREATE TABLE chat.board (id bigint PRIMARY KEY, note text)`)
	wantRows(t, conn, `SELECT count(*) FROM chat.board`, "0")
	execCode(t, conn, "3F000", `CREATE TABLE nosuchschema.t (id bigint PRIMARY KEY)`)
	for _, tbl := range []string{"rooms", "members", "inbox", "inbox_flush", "board", "typing"} {
		mustExec(t, conn, `DROP TABLE chat.`+tbl)
	}
	mustExec(t, conn, `DROP SCHEMA chat`, `DROP SCHEMA IF EXISTS chat`)
	execCode(t, conn, "3F000", `DROP SCHEMA chat`)
}

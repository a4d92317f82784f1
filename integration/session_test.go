package integration

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestTransactions covers BEGIN/COMMIT/ROLLBACK, isolation of uncommitted
// writes, and the aborted state after an error.
func TestTransactions(t *testing.T) {
	ks := startServer(t, "")
	conn := ks.root(t)
	other := ks.root(t)
	ctx := context.Background()
	mustExec(t, conn, `CREATE TABLE acct (id bigint PRIMARY KEY, owner text NOT NULL, balance integer)`,
		`INSERT INTO acct VALUES (1, 'ann', 100), (2, 'bob', 50)`)

	// Commit: atomic, invisible to others until COMMIT.
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	for _, s := range []string{
		`UPDATE acct SET balance = balance - 30 WHERE id = 1`,
		`UPDATE acct SET balance = balance + 30 WHERE id = 2`,
		`INSERT INTO acct VALUES (3, 'cy', 0)`,
	} {
		if _, err := tx.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if st := conn.PgConn().TxStatus(); st != 'T' {
		t.Fatalf("TxStatus in transaction = %c, want T", st)
	}
	wantRows(t, conn, `SELECT id, balance FROM acct ORDER BY id`, "1|70", "2|80", "3|0")
	wantRows(t, other, `SELECT id, balance FROM acct ORDER BY id`, "1|100", "2|50")
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("commit: %v", err)
	}
	wantRows(t, other, `SELECT id, balance FROM acct ORDER BY id`, "1|70", "2|80", "3|0")

	// Rollback discards everything, deletes included.
	tx, err = conn.Begin(ctx)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	mustExecTx(t, tx, `DELETE FROM acct WHERE id = 3`, `INSERT INTO acct VALUES (4, 'dee', 1)`, `UPDATE acct SET owner = 'x'`)
	wantRows(t, conn, `SELECT count(*) FROM acct WHERE owner = 'x'`, "3")
	if err := tx.Rollback(ctx); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	wantRows(t, conn, `SELECT id, owner, balance FROM acct ORDER BY id`, "1|ann|70", "2|bob|80", "3|cy|0")

	// An error aborts the transaction: 25P02 until ROLLBACK, then nothing
	// of it remains.
	mustExec(t, conn, `BEGIN`, `INSERT INTO acct VALUES (5, 'eve', 5)`)
	execCode(t, conn, "23505", `INSERT INTO acct VALUES (1, 'dup', 0)`)
	if st := conn.PgConn().TxStatus(); st != 'E' {
		t.Fatalf("TxStatus after error = %c, want E", st)
	}
	execCode(t, conn, "25P02", `SELECT 1`)
	execCode(t, conn, "25P02", `INSERT INTO acct VALUES (6, 'fay', 6)`)
	mustExec(t, conn, `ROLLBACK`)
	if st := conn.PgConn().TxStatus(); st != 'I' {
		t.Fatalf("TxStatus after rollback = %c, want I", st)
	}
	wantRows(t, conn, `SELECT id FROM acct ORDER BY id`, "1", "2", "3")

	// COMMIT of an aborted transaction rolls back (pgx reports it).
	tx, err = conn.Begin(ctx)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	mustExecTx(t, tx, `INSERT INTO acct VALUES (7, 'gus', 7)`)
	if _, err := tx.Exec(ctx, `SELECT nosuch FROM acct`); sqlState(err) != "42703" {
		t.Fatalf("unknown column in tx: %v, want 42703", err)
	}
	if err := tx.Commit(ctx); !errors.Is(err, pgx.ErrTxCommitRollback) {
		t.Fatalf("commit of aborted tx: %v, want ErrTxCommitRollback", err)
	}
	wantRows(t, conn, `SELECT count(*) FROM acct WHERE id = 7`, "0")

	// A failing statement in a multi-statement simple query rolls back the
	// statements before it (one implicit transaction).
	_, err = conn.PgConn().Exec(ctx, `INSERT INTO acct VALUES (8, 'hal', 8); INSERT INTO acct VALUES (1, 'dup', 0)`).ReadAll()
	wantCode(t, "multi-statement query", err, "23505")
	wantRows(t, conn, `SELECT count(*) FROM acct WHERE id = 8`, "0")

	// Two sessions updating the same row, one after the other.
	mustExec(t, conn, `BEGIN`, `UPDATE acct SET balance = balance + 1 WHERE id = 1`, `COMMIT`)
	mustExec(t, other, `BEGIN`, `UPDATE acct SET balance = balance + 1 WHERE id = 1`, `COMMIT`)
	wantRows(t, conn, `SELECT balance FROM acct WHERE id = 1`, "72")
}

func mustExecTx(t testing.TB, tx pgx.Tx, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		ctx, cancel := ctxT()
		_, err := tx.Exec(ctx, s)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestSettings covers SET/SHOW/RESET of the client parameters, version(),
// current_user and current_database().
func TestSettings(t *testing.T) {
	ks := startServer(t, "")
	// Any database name in the startup message reaches the one database.
	cfg, err := pgx.ParseConfig(ks.dsn("root", ""))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = "someotherdb"
	cfg.RuntimeParams["application_name"] = "itest"
	conn := connectConfig(t, cfg)

	if v := queryOne(t, conn, `SELECT version()`); !strings.Contains(v, "KalamDB") {
		t.Fatalf("version() = %q, want it to mention KalamDB", v)
	}
	wantRows(t, conn, `SELECT current_user, current_database()`, "root|kalamdb")
	wantRows(t, conn, `SHOW application_name`, "itest")

	cases := []struct{ name, set, show string }{
		{"application_name", "'chat-app'", "chat-app"},
		{"client_encoding", "'UTF8'", "UTF8"},
		{"DateStyle", "ISO", "ISO, MDY"}, // other styles are 0A000 by design
		{"TimeZone", "'Europe/Paris'", "Europe/Paris"},
		{"extra_float_digits", "0", "0"},
		{"search_path", "app, public", "app, public"},
		{"statement_timeout", "'5s'", "5s"},
	}
	for _, c := range cases {
		mustExec(t, conn, "SET "+c.name+" = "+c.set)
		wantRows(t, conn, "SHOW "+c.name, c.show)
	}
	// Reported parameters reach the driver as ParameterStatus.
	if got := conn.PgConn().ParameterStatus("application_name"); got != "chat-app" {
		t.Fatalf("ParameterStatus(application_name) = %q, want chat-app", got)
	}
	if got := conn.PgConn().ParameterStatus("TimeZone"); got != "Europe/Paris" {
		t.Fatalf("ParameterStatus(TimeZone) = %q, want Europe/Paris", got)
	}
	// The settings take effect.
	checkRows(t, conn, `SELECT '2024-01-15 12:00:00+00'::timestamptz`, "2024-01-15 13:00:00+01")
	checkRows(t, conn, `SELECT 1.0::double precision / 3`, "0.333333333333333")
	mustExec(t, conn, `CREATE SCHEMA app`, `CREATE TABLE app.things (id bigint PRIMARY KEY)`, `INSERT INTO things VALUES (1)`)
	wantRows(t, conn, `SELECT count(*) FROM app.things`, "1")

	for _, c := range cases {
		mustExec(t, conn, "RESET "+c.name)
	}
	wantRows(t, conn, `SHOW TimeZone`, "UTC")
	wantRows(t, conn, `SHOW DateStyle`, "ISO, MDY")
	wantRows(t, conn, `SHOW extra_float_digits`, "1")
	wantRows(t, conn, `SHOW search_path`, `"$user", public`)
	wantRows(t, conn, `SHOW statement_timeout`, "0")
	checkRows(t, conn, `SHOW application_name`, "itest") // back to the startup value, as in PostgreSQL
	wantRows(t, conn, `SELECT 1.0::double precision / 3`, "0.3333333333333333")
	execCode(t, conn, "42P01", `SELECT * FROM things`)

	execCode(t, conn, "42704", `SET no_such_parameter = 1`)
	execCode(t, conn, "42704", `SHOW no_such_parameter`)
	execCode(t, conn, "22023", `SET extra_float_digits = 'lots'`)
	// SET inside a rolled-back transaction is undone; SET LOCAL ends with
	// its transaction.
	mustExec(t, conn, `BEGIN`, `SET TimeZone = 'Asia/Tokyo'`, `ROLLBACK`)
	checkRows(t, conn, `SHOW TimeZone`, "UTC")
	mustExec(t, conn, `RESET TimeZone`)
	mustExec(t, conn, `BEGIN`, `SET LOCAL TimeZone = 'Asia/Tokyo'`)
	wantRows(t, conn, `SHOW TimeZone`, "Asia/Tokyo")
	mustExec(t, conn, `COMMIT`)
	wantRows(t, conn, `SHOW TimeZone`, "UTC")
}

// TestErrorCodes checks the SQLSTATE of each kind of failure, over both
// protocols, and that the session keeps working after each.
func TestErrorCodes(t *testing.T) {
	ks := startServer(t, "")
	conn := ks.root(t)
	simple := connectMode(t, ks.dsn("root", ""), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, conn, `CREATE TABLE e (id bigint PRIMARY KEY, name text NOT NULL, n integer)`,
		`INSERT INTO e VALUES (1, 'one', 1)`, `CREATE USER user_alice WITH PASSWORD 'pw'`)
	alice := connect(t, ks.dsn("user_alice", "pw"))

	cases := []struct {
		conn *pgx.Conn // nil: root, over both protocols
		code string
		sql  string
	}{
		{nil, "42601", `SELEC 1`},
		{nil, "42601", `SELECT * FROM e WHERE`},
		{nil, "42P01", `SELECT * FROM nosuch`},
		{nil, "42P01", `INSERT INTO nosuch VALUES (1)`},
		{nil, "42703", `SELECT nosuch FROM e`},
		{nil, "42703", `UPDATE e SET nosuch = 1`},
		{nil, "23505", `INSERT INTO e VALUES (1, 'again', 2)`},
		{nil, "23502", `INSERT INTO e (id) VALUES (2)`},
		{nil, "23502", `INSERT INTO e VALUES (2, NULL, 2)`},
		{nil, "22P02", `SELECT 'abc'::integer`},
		{nil, "22P02", `INSERT INTO e VALUES (3, 'x', 'seven')`},
		{nil, "22012", `SELECT 1 / 0`},
		{alice, "42501", `CREATE TABLE mine (id bigint PRIMARY KEY)`},
		{alice, "42501", `CREATE USER user_mallory WITH PASSWORD 'x'`},
		{alice, "42501", `CREATE SCHEMA hers`},
	}
	for _, c := range cases {
		conns := []*pgx.Conn{conn, simple}
		if c.conn != nil {
			conns = []*pgx.Conn{c.conn}
		}
		for _, cn := range conns {
			execCode(t, cn, c.code, c.sql)
			wantRows(t, cn, `SELECT 1`, "1")
		}
	}
	// A parameter that cannot be read as its type.
	ctx, cancel := ctxT()
	defer cancel()
	_, err := conn.Exec(ctx, `SELECT * FROM e WHERE n = $1`, "seven")
	wantCode(t, "text parameter for integer", err, "22P02")
	wantRows(t, conn, `SELECT id, name, n FROM e`, "1|one|1")
}

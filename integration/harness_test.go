package integration

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/server"
)

// testTimeout bounds every single client call so a hung server fails the
// test instead of stalling the package.
const testTimeout = 20 * time.Second

// psqlPath is where Debian puts psql; PATH is tried too.
const psqlPath = "/usr/bin/psql"

// logBuffer collects a server's log so it can be shown when a test fails
// (logging straight to t.Log would race with the test's end).
type logBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// kserver is an in-process KalamDB server for one test.
type kserver struct {
	*server.Server
	t   testing.TB
	dir string
	log *logBuffer
}

// startServer starts a server on 127.0.0.1:0 with data in dir (a new
// t.TempDir() when empty) and shuts it down at cleanup, failing the test if
// the shutdown fails.
func startServer(t testing.TB, dir string) *kserver {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	lb := &logBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	srv, err := server.Start(ctx, server.Config{
		DataDir:    dir,
		PGAddr:     "127.0.0.1:0",
		Durability: hotstore.Fsync,
		Logger:     slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelInfo})),
	})
	if err != nil {
		t.Fatalf("server.Start(%s): %v", dir, err)
	}
	ks := &kserver{Server: srv, t: t, dir: dir, log: lb}
	t.Cleanup(func() {
		if err := ks.shutdown(); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", tail(lb.String(), 8000))
		}
	})
	return ks
}

func (ks *kserver) shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	return ks.Shutdown(ctx)
}

// dsn is a connection string for user (with password when non-empty).
func (ks *kserver) dsn(user, password string) string {
	return dsnFor(ks.PGAddr(), user, password)
}

func dsnFor(addr, user, password string) string {
	u := url.URL{Scheme: "postgres", Host: addr, Path: "/kalamdb", RawQuery: "sslmode=disable"}
	if password != "" {
		u.User = url.UserPassword(user, password)
	} else {
		u.User = url.User(user)
	}
	return u.String()
}

// connect opens a pgx connection closed at cleanup.
func connect(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("parse %s: %v", dsn, err)
	}
	return connectConfig(t, cfg)
}

func connectConfig(t testing.TB, cfg *pgx.ConnConfig) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect as %s: %v", cfg.User, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn.Close(ctx)
	})
	return conn
}

// connectMode opens a connection that runs queries in mode.
func connectMode(t testing.TB, dsn string, mode pgx.QueryExecMode) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("parse %s: %v", dsn, err)
	}
	cfg.DefaultQueryExecMode = mode
	return connectConfig(t, cfg)
}

// root connects as the superuser (loopback, no password).
func (ks *kserver) root(t testing.TB) *pgx.Conn {
	t.Helper()
	return connect(t, ks.dsn("root", ""))
}

func ctxT() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), testTimeout)
}

// mustExec runs statements and fails the test on the first error.
func mustExec(t testing.TB, conn *pgx.Conn, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		ctx, cancel := ctxT()
		_, err := conn.Exec(ctx, s)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// execTag runs one statement with arguments and returns its command tag.
func execTag(t testing.TB, conn *pgx.Conn, sql string, args ...any) string {
	t.Helper()
	ctx, cancel := ctxT()
	defer cancel()
	tag, err := conn.Exec(ctx, sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return tag.String()
}

// sqlState returns err's SQLSTATE, or "" when it carries none.
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// wantCode fails unless err carries SQLSTATE code.
func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want SQLSTATE %s", what, code)
	}
	if got := sqlState(err); got != code {
		t.Fatalf("%s: SQLSTATE %q (%v), want %s", what, got, err, code)
	}
}

// execCode runs sql and fails unless it ends with SQLSTATE code.
func execCode(t testing.TB, conn *pgx.Conn, code, sql string, args ...any) {
	t.Helper()
	ctx, cancel := ctxT()
	defer cancel()
	_, err := conn.Exec(ctx, sql, args...)
	wantCode(t, sql, err, code)
}

// queryText runs sql over the simple protocol and returns every row as
// text, NULL as "NULL".
func queryText(t testing.TB, conn *pgx.Conn, sql string) [][]string {
	t.Helper()
	rows, err := textRows(conn.PgConn(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return rows
}

func textRows(pc *pgconn.PgConn, sql string) ([][]string, error) {
	ctx, cancel := ctxT()
	defer cancel()
	results, err := pc.Exec(ctx, sql).ReadAll()
	if err != nil {
		return nil, err
	}
	var out [][]string
	for _, r := range results {
		if r.Err != nil {
			return nil, r.Err
		}
		for _, row := range r.Rows {
			out = append(out, rowText(row))
		}
	}
	return out, nil
}

func rowText(row [][]byte) []string {
	s := make([]string, len(row))
	for i, v := range row {
		if v == nil {
			s[i] = "NULL"
		} else {
			s[i] = string(v)
		}
	}
	return s
}

// queryOne runs sql and returns its single text value.
func queryOne(t testing.TB, conn *pgx.Conn, sql string) string {
	t.Helper()
	rows := queryText(t, conn, sql)
	if len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("%s: got %v, want one value", sql, rows)
	}
	return rows[0][0]
}

// wantRows fails unless sql returns exactly want (text, NULL as "NULL").
func wantRows(t testing.TB, conn *pgx.Conn, sql string, want ...string) {
	t.Helper()
	got := joinRows(queryText(t, conn, sql))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\n got %q\nwant %q", sql, got, want)
	}
}

// checkRows is wantRows that lets the test go on after a mismatch.
func checkRows(t testing.TB, conn *pgx.Conn, sql string, want ...string) {
	t.Helper()
	rows, err := textRows(conn.PgConn(), sql)
	if err != nil {
		t.Errorf("%s: %v", sql, err)
		return
	}
	if got := joinRows(rows); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", sql, got, want)
	}
}

// joinRows renders each row as its values joined with "|".
func joinRows(rows [][]string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Join(r, "|")
	}
	return out
}

// findPsql returns psql's path, failing the test when it is missing: psql
// is part of the proof, not an optional extra.
func findPsql(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(psqlPath); err == nil {
		return psqlPath
	}
	p, err := exec.LookPath("psql")
	if err != nil {
		t.Fatalf("psql is required (apt-get install postgresql-client): not at %s nor on PATH", psqlPath)
	}
	return p
}

// runPsql runs a script file against the server at addr as user and
// returns stdout and stderr. ON_ERROR_STOP makes any unexpected error fail
// it; the script runs in its own directory so messages name it plainly.
func runPsql(t testing.TB, addr, user, database, script string) (stdout, stderr string, err error) {
	t.Helper()
	psql := findPsql(t)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("address %q: %v", addr, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, "-X", "-v", "ON_ERROR_STOP=1", "-f", filepath.Base(script))
	cmd.Dir = filepath.Dir(script)
	cmd.Env = append(os.Environ(),
		"PGHOST="+host, "PGPORT="+port, "PGUSER="+user, "PGDATABASE="+database,
		"PGGSSENCMODE=disable", "PGCONNECT_TIMEOUT=10", "PGCLIENTENCODING=UTF8",
		"PSQLRC=/dev/null", "PAGER=", "PSQL_PAGER=", "LC_ALL=C.UTF-8")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// containsInOrder checks that every non-blank line of want appears in got
// in the same order (trailing spaces ignored): as a whole line, or as a
// prefix when prefix is set. It returns the first line not found.
func containsInOrder(got, want string, prefix bool) (missing string, ok bool) {
	lines := strings.Split(got, "\n")
	match := func(line, w string) bool {
		line = strings.TrimRight(line, " \r")
		if prefix {
			return strings.HasPrefix(line, w)
		}
		return line == w
	}
	i := 0
	for _, w := range strings.Split(want, "\n") {
		w = strings.TrimRight(w, " \r")
		if strings.TrimSpace(w) == "" {
			continue
		}
		for i < len(lines) && !match(lines[i], w) {
			i++
		}
		if i == len(lines) {
			return w, false
		}
		i++
	}
	return "", true
}

// buildBinary compiles cmd/kalamdb into a temp dir.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kalamdb")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/kalamdb/kalamdb/cmd/kalamdb")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/kalamdb: %v\n%s", err, out)
	}
	return bin
}

// itoa is strconv.Itoa for int64.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }

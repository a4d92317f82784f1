package pgrun

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// startServer starts a server for one test and stops it at cleanup. It
// fails (never skips) when PostgreSQL is missing: CI installs it.
func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	if err := Available(); err != nil {
		t.Fatalf("PostgreSQL is required for this test: %v", err)
	}
	opts.Logf = t.Logf
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return s
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestStartQueryStop(t *testing.T) {
	s := startServer(t, Options{
		SyncCommit:     true,
		SharedBuffers:  "32MB",
		MaxConnections: 50,
		Extra:          map[string]string{"work_mem": "8MB"},
	})
	if s.Port() == 0 || s.Port() == 5432 {
		t.Fatalf("Port() = %d, want a free non-default port", s.Port())
	}
	conn := connect(t, s.DSN("postgres"))
	ctx := context.Background()

	settings := []struct{ name, want string }{
		{"synchronous_commit", "on"},
		{"shared_buffers", "32MB"},
		{"max_connections", "50"},
		{"work_mem", "8MB"},
		{"listen_addresses", "127.0.0.1"},
		{"server_version_num", ""}, // checked below
	}
	for _, tc := range settings {
		var got string
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", tc.name).Scan(&got); err != nil {
			t.Fatalf("current_setting(%s): %v", tc.name, err)
		}
		if tc.want != "" && got != tc.want {
			t.Fatalf("%s = %q, want %q", tc.name, got, tc.want)
		}
		if tc.name == "server_version_num" && (len(got) != 6 || got[:2] != "15") {
			t.Fatalf("server_version_num = %q, want 15xxxx", got)
		}
	}

	if _, err := conn.Exec(ctx, "CREATE TABLE t (id int PRIMARY KEY, v text)"); err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO t VALUES (1, 'a'), (2, 'b')"); err != nil {
		t.Fatalf("insert: %v", err)
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 2 {
		t.Fatalf("count = %d, %v; want 2", n, err)
	}

	// Our connection's backend must be among the server's processes.
	var backend int
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		t.Fatalf("pg_backend_pid: %v", err)
	}
	pids, err := s.Pids()
	if err != nil {
		t.Fatalf("Pids: %v", err)
	}
	if pids[0] != s.PostmasterPid() || !contains(pids, backend) {
		t.Fatalf("Pids() = %v, want postmaster %d first and backend %d", pids, s.PostmasterPid(), backend)
	}

	dir := s.Dir()
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("Stat(%s) after Stop = %v, want not exist", dir, err)
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
}

func TestSyncCommitOff(t *testing.T) {
	s := startServer(t, Options{})
	conn := connect(t, s.DSN("postgres"))
	var got string
	if err := conn.QueryRow(context.Background(), "SHOW synchronous_commit").Scan(&got); err != nil {
		t.Fatalf("show: %v", err)
	}
	if got != "off" {
		t.Fatalf("synchronous_commit = %q, want off", got)
	}
}

func TestStartBadSetting(t *testing.T) {
	if err := Available(); err != nil {
		t.Fatalf("PostgreSQL is required for this test: %v", err)
	}
	_, err := Start(context.Background(), Options{Extra: map[string]string{"no_such_setting": "1"}})
	if err == nil {
		t.Fatalf("Start with an unknown setting succeeded, want error")
	}
}

func TestMissingBinaries(t *testing.T) {
	_, err := Start(context.Background(), Options{BinDir: t.TempDir()})
	if err == nil {
		t.Fatalf("Start with empty BinDir succeeded, want ErrUnavailable")
	}
}

func TestParseStatPPid(t *testing.T) {
	tests := []struct {
		stat string
		want int
		ok   bool
	}{
		{"123 (postgres) S 77 123 123 0", 77, true},
		{"124 (post gres) (x) S 9 1 1", 9, true},
		{"125 postgres S 9", 0, false},
		{"126 (p) S", 0, false},
		{"127 (p) S abc", 0, false},
	}
	for _, tc := range tests {
		got, err := parseStatPPid(tc.stat)
		if (err == nil) != tc.ok || got != tc.want {
			t.Fatalf("parseStatPPid(%q) = %d, %v; want %d, ok=%v", tc.stat, got, err, tc.want, tc.ok)
		}
	}
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

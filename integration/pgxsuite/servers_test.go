package pgxsuite

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/kalamdb/kalamdb/integration/pgrun"

	// The tests build cmd/kalamdb with "go build" while they run, which
	// go test's result cache cannot see. Importing the server makes the
	// test binary, and with it the cache key, change whenever the
	// server's code (all but cmd/kalamdb's flag wiring) does.
	_ "github.com/kalamdb/kalamdb/server"
)

// rootPassword is the throwaway server's root password: the suites then
// log in with a password, as against PostgreSQL's pgx_test setups.
const rootPassword = "pgx-suite-secret"

// setupSQL is what pgx's testsetup/postgresql_setup.sql creates that the
// pgconn and pgx suites use (roles for TLS, MD5 and SCRAM are left out:
// those suites' variables stay unset). It runs on both servers; on KalamDB
// a statement may fail, which is logged.
var setupSQL = []string{
	"create extension hstore",
	"create extension ltree",
	"create domain uint64 as numeric(20,0)",
}

// logBuffer collects a server's log for a failure report; the process's
// output is copied in by another goroutine.
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

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// buildKalamDB compiles cmd/kalamdb into a temp dir.
func buildKalamDB(t *testing.T) string {
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

// startKalamDB runs `kalamdb serve` on free loopback ports and returns
// its pgwire address; the server gets SIGTERM at cleanup.
func startKalamDB(t *testing.T, bin string) (addr string, log *logBuffer) {
	t.Helper()
	cmd := exec.Command(bin, "serve",
		"--data", t.TempDir(),
		"--pg-addr", "127.0.0.1:0",
		"--http-addr", "127.0.0.1:0",
		"--root-password", rootPassword,
		// A throwaway server: acknowledging before fsync keeps the suite fast.
		"--durability", "async")
	cmd.Env = cleanEnv(os.Environ())
	// If the test binary dies, take the server with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	log = &logBuffer{}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start kalamdb: %v", err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("kalamdb did not stop within 30s; killed")
		}
		if t.Failed() {
			t.Logf("kalamdb log:\n%s", tail(log.String(), 8000))
		}
	})
	found := make(chan string, 1)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			log.Write([]byte(line + "\n"))
			if a, ok := listenAddr(line); ok && !sent {
				found <- a
				sent = true
			}
		}
		io.Copy(io.Discard, stderr)
		cmd.Wait()
	}()
	select {
	case addr = <-found:
		return addr, log
	case <-done:
		t.Fatalf("kalamdb exited during startup:\n%s", log.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("kalamdb did not log its pg address within 60s:\n%s", log.String())
	}
	return "", nil
}

// listenAddr picks the address out of the line `msg=listening proto=pg
// addr=127.0.0.1:N` that the server logs at start.
func listenAddr(line string) (string, bool) {
	if !strings.Contains(line, "msg=listening") || !strings.Contains(line, "proto=pg") {
		return "", false
	}
	for _, f := range strings.Fields(line) {
		if a, ok := strings.CutPrefix(f, "addr="); ok {
			return a, true
		}
	}
	return "", false
}

// startPostgres starts a throwaway PostgreSQL 15 with database pgx_test,
// set up as pgx's own test setup does. It fails (never skips) when
// PostgreSQL is missing: CI installs it.
func startPostgres(t *testing.T) string {
	t.Helper()
	if err := pgrun.Available(); err != nil {
		t.Fatalf("PostgreSQL 15 is required for this test: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	s, err := pgrun.Start(ctx, pgrun.Options{Logf: t.Logf})
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop PostgreSQL: %v", err)
		}
	})
	if err := execAll(ctx, s.DSN("postgres"), "create database pgx_test"); err != nil {
		t.Fatalf("PostgreSQL: %v", err)
	}
	dsn := s.DSN("pgx_test")
	if err := execAll(ctx, dsn, setupSQL...); err != nil {
		t.Fatalf("PostgreSQL setup: %v", err)
	}
	return dsn
}

// kalamDSN is the connection string for root on KalamDB's one database.
func kalamDSN(addr string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword("root", rootPassword), Host: addr,
		Path: "/kalamdb", RawQuery: "sslmode=disable"}
	return u.String()
}

// execAll runs each statement in turn over one connection.
func execAll(ctx context.Context, dsn string, stmts ...string) error {
	conn, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s).ReadAll(); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// copyModule copies the pgx module out of the read-only module cache so
// `go test` can run inside it, and returns the copy's directory and the
// module's version.
func copyModule(t *testing.T) (dir, version string) {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}} {{.Dir}}", "github.com/jackc/pgx/v5").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/jackc/pgx/v5: %v", err)
	}
	version, src, ok := strings.Cut(strings.TrimSpace(string(out)), " ")
	if !ok || src == "" {
		t.Fatalf("go list -m github.com/jackc/pgx/v5: no module directory in %q (go mod download?)", out)
	}
	dir = filepath.Join(t.TempDir(), "pgx")
	if err := copyTree(src, dir); err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
	return dir, version
}

// copyTree copies regular files and directories, made writable.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// cleanEnv drops the variables that would steer pgx's tests or the go
// command away from what the suite sets.
func cleanEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "PG") || name == "GOFLAGS" || name == "GOWORK" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// suiteTimeout bounds one server's run of both packages; a hung test then
// shows as missing instead of stalling everything.
const suiteTimeout = 150 * time.Second

// runSuites runs pgx's pgconn and root-package tests in dir against dsn
// and returns their outcomes; the raw events are kept in jsonPath.
func runSuites(t *testing.T, dir, dsn, jsonPath string) *Run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), suiteTimeout+60*time.Second)
	defer cancel()
	// -trimpath keeps the temp dir's path out of the build cache keys, so a
	// second run reuses the compiled test binaries.
	cmd := exec.CommandContext(ctx, "go", "test", "-json", "-count=1", "-trimpath",
		"-timeout", suiteTimeout.String(), "./pgconn", ".")
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(os.Environ()),
		// pgx's test dependencies are not in our go.sum; in the copy the
		// module's own go.mod and go.sum rule, fetched through the proxy
		// once and then from the module cache.
		"GOFLAGS=-mod=mod -buildvcs=false",
		"GOWORK=off",
		"PGX_TEST_DATABASE="+dsn,
		"PGX_TEST_TCP_CONN_STRING="+dsn,
	)
	f, err := os.Create(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = f, &stderr
	runErr := cmd.Run() // exits non-zero whenever a test fails
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	run, err := ParseEvents(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Tests) == 0 {
		t.Fatalf("go test in %s ran no tests (%v):\n%s", dir, runErr, tail(stderr.String(), 4000))
	}
	return run
}

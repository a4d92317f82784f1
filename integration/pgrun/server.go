package pgrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Superuser is the role initdb creates; it logs in without a password.
const Superuser = "postgres"

// Options configures the server. The zero value gives PostgreSQL's defaults
// with synchronous_commit off.
type Options struct {
	// SyncCommit sets synchronous_commit on (durable commits) or off.
	SyncCommit bool
	// SharedBuffers is shared_buffers, e.g. "256MB"; empty keeps the default.
	SharedBuffers string
	// MaxConnections is max_connections; 0 keeps the default (100).
	MaxConnections int
	// Extra holds further settings passed as -c name=value.
	Extra map[string]string
	// Logf, when set, receives progress lines and the server log on failure.
	Logf func(format string, args ...any)
	// BinDir overrides DefaultBinDir.
	BinDir string
}

// Server is a running throwaway PostgreSQL. Its methods are safe for
// concurrent use.
type Server struct {
	dir  string // temp dir: data/, the socket, the log
	port int
	cmd  *exec.Cmd
	log  *lockedBuffer
	done chan struct{} // closed when the postmaster has exited
	// waitErr is the postmaster's exit status; read only after done.
	waitErr error

	stopOnce sync.Once
	stopErr  error
}

// startAttempts bounds retries when the free port we picked is taken by
// someone else before postgres binds it.
const startAttempts = 5

// Start initialises a cluster in a new temporary directory and starts
// postgres on a free loopback port. The caller must call Stop.
func Start(ctx context.Context, opts Options) (*Server, error) {
	tc, err := resolve(opts.BinDir)
	if err != nil {
		return nil, err
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	dir, err := os.MkdirTemp("", "pgrun-")
	if err != nil {
		return nil, fmt.Errorf("pgrun temp dir: %w", err)
	}
	if err := tc.own(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := initdb(ctx, tc, dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		s, err := launch(ctx, tc, dir, opts)
		if err == nil {
			logf("pgrun: postgres ready on 127.0.0.1:%d (dir %s)", s.port, dir)
			return s, nil
		}
		var busy errPortBusy
		if errors.As(err, &busy) && attempt < startAttempts {
			logf("pgrun: port %d taken, retrying", busy.port)
			continue
		}
		logf("pgrun: start failed: %v", err)
		os.RemoveAll(dir)
		return nil, err
	}
}

func initdb(ctx context.Context, tc *toolchain, dir string) error {
	cmd := tc.command("initdb",
		"-D", filepath.Join(dir, "data"),
		"-U", Superuser, "--auth=trust",
		"-E", "UTF8", "--locale=C",
		"--no-sync", "--no-instructions")
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return nil
}

type errPortBusy struct{ port int }

func (e errPortBusy) Error() string { return fmt.Sprintf("port %d already in use", e.port) }

func launch(ctx context.Context, tc *toolchain, dir string, opts Options) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"-D", filepath.Join(dir, "data")}
	for _, kv := range settings(port, dir, opts) {
		args = append(args, "-c", kv)
	}
	cmd := tc.command("postgres", args...)
	// If we die without Stop, take the server down with us (SIGQUIT is an
	// immediate shutdown that also ends the backends).
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	logBuf := &lockedBuffer{}
	cmd.Stdout = logBuf
	cmd.Stderr = logBuf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	s := &Server{dir: dir, port: port, cmd: cmd, log: logBuf, done: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(ctx); err != nil {
		s.kill()
		if strings.Contains(logBuf.String(), "already in use") {
			return nil, errPortBusy{port}
		}
		return nil, fmt.Errorf("%w\n%s", err, logBuf.String())
	}
	return s, nil
}

// settings returns the -c arguments, sorted so runs are reproducible.
func settings(port int, dir string, opts Options) []string {
	m := map[string]string{
		"port":                    strconv.Itoa(port),
		"listen_addresses":        "127.0.0.1",
		"unix_socket_directories": dir,
		"fsync":                   "on",
		"synchronous_commit":      onOff(opts.SyncCommit),
		"logging_collector":       "off",
	}
	if opts.SharedBuffers != "" {
		m["shared_buffers"] = opts.SharedBuffers
	}
	if opts.MaxConnections > 0 {
		m["max_connections"] = strconv.Itoa(opts.MaxConnections)
	}
	for k, v := range opts.Extra {
		m[k] = v
	}
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// freePort asks the kernel for a free loopback port. Someone may take it
// before postgres binds it; launch reports that and Start retries.
func freePort() (int, error) {
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("find free port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if port != 5432 { // never collide with a real server's default
			return port, nil
		}
	}
}

const readyTimeout = 60 * time.Second

// waitReady polls with real connections until the server accepts one.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	for {
		cctx, ccancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgconn.Connect(cctx, s.DSN("postgres"))
		ccancel()
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("postgres exited during startup: %v", s.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("postgres not ready: %w (last: %v)", ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// DSN returns a connection string for database db as the superuser over TCP.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", Superuser, s.port, db)
}

// Port returns the TCP port the server listens on.
func (s *Server) Port() int { return s.port }

// Dir returns the temporary directory; the cluster lives in Dir()/data.
func (s *Server) Dir() string { return s.dir }

// DataDir returns the cluster's data directory.
func (s *Server) DataDir() string { return filepath.Join(s.dir, "data") }

// PostmasterPid returns the process id of the postmaster.
func (s *Server) PostmasterPid() int { return s.cmd.Process.Pid }

// Log returns what the server has logged so far.
func (s *Server) Log() string { return s.log.String() }

// stopTimeout bounds a fast shutdown before we kill the server.
const stopTimeout = 30 * time.Second

// Stop shuts the server down (fast shutdown: disconnect clients, checkpoint)
// and removes its directory. Calling it again returns the first result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		// SIGINT asks the postmaster for a fast shutdown.
		_ = s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.done:
		case <-time.After(stopTimeout):
			s.kill()
			s.stopErr = fmt.Errorf("postgres did not stop within %v; killed", stopTimeout)
		}
		if err := os.RemoveAll(s.dir); err != nil && s.stopErr == nil {
			s.stopErr = fmt.Errorf("remove %s: %w", s.dir, err)
		}
	})
	return s.stopErr
}

// kill ends the postmaster at once (immediate shutdown), then its group.
func (s *Server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

// lockedBuffer collects the server log; postgres writes it from the
// exec package's copying goroutine while callers read it.
type lockedBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

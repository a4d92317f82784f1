package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kalamdb/kalamdb/integration/pgrun"
)

type sysKind int

const (
	kindPG sysKind = iota
	kindKalam
)

// Column labels of the two systems in the table.
const (
	labelPG    = "PostgreSQL"
	labelKalam = "KalamDB"
)

// system is one server configuration that a case runs against.
type system struct {
	kind    sysKind
	label   string
	durable bool
	conn    *pgx.ConnConfig // copied for every connection
	pg      *pgrun.Server   // kindPG
	kalam   *kalamProc      // kindKalam
}

func (s *system) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, s.conn.Copy())
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", s.label, err)
	}
	return conn, nil
}

// memory returns the server's memory footprint in bytes: for PostgreSQL the
// summed Pss of all its processes (shared buffers counted once), for KalamDB
// its RSS.
func (s *system) memory() (int64, error) {
	if s.kind == kindKalam {
		return procStatusBytes(s.kalam.cmd.Process.Pid, "VmRSS:")
	}
	pids, err := s.pg.Pids()
	if err != nil {
		return 0, err
	}
	var total int64
	for _, pid := range pids {
		kb, err := smapsRollupKB(pid, "Pss:")
		if err != nil {
			continue // a backend that exited while we looked
		}
		total += kb
	}
	return total * 1024, nil
}

// cpu returns the CPU time the server has used so far: KalamDB's process,
// or PostgreSQL's postmaster and every process it forked that is still
// running (a case reads it while its connections are open).
func (s *system) cpu() (time.Duration, error) {
	if s.kind == kindKalam {
		return procCPU(s.kalam.cmd.Process.Pid)
	}
	pids, err := s.pg.Pids()
	if err != nil {
		return 0, err
	}
	var total time.Duration
	for _, pid := range pids {
		d, err := procCPU(pid)
		if err != nil {
			continue // exited while we looked
		}
		total += d
	}
	return total, nil
}

// procCount returns how many processes the server has (PostgreSQL forks one
// per connection; KalamDB is one process).
func (s *system) procCount() int {
	if s.kind == kindKalam {
		return 1
	}
	pids, err := s.pg.Pids()
	if err != nil {
		return 0
	}
	return len(pids)
}

// diskUsage returns the bytes the data lives in. PostgreSQL's pg_wal is
// left out: it is preallocated and recycled, bounded by max_wal_size rather
// than by the data.
func (s *system) diskUsage() (int64, error) {
	if s.kind == kindKalam {
		return du(s.kalam.dataDir, "")
	}
	return du(s.pg.DataDir(), filepath.Join(s.pg.DataDir(), "pg_wal"))
}

// persist makes the data reach its at-rest form before measuring disk use.
func (s *system) persist(ctx context.Context, conn *pgx.Conn) error {
	q := "CHECKPOINT"
	if s.kind == kindKalam {
		q = "SELECT kalamdb_flush_all()"
	}
	_, err := conn.Exec(ctx, q)
	return err
}

// environment holds the running servers of one bench run.
type environment struct {
	cfg      *config
	pg       *pgrun.Server
	kalam    *kalamProc
	kalamAsy *kalamProc // started on first use by an async workload
	bin      string
	versions []string
}

func startSystems(ctx context.Context, cfg *config) (*environment, error) {
	env := &environment{cfg: cfg}
	if cfg.has("kalamdb") {
		bin, err := kalamBinary(cfg.kalamBin)
		if err != nil {
			return nil, err
		}
		env.bin = bin
		out, err := exec.CommandContext(ctx, bin, "version").CombinedOutput()
		if err == nil {
			env.versions = append(env.versions, "KalamDB "+strings.TrimSpace(string(out)))
		}
	}
	if cfg.has("pg") {
		if err := pgrun.Available(); err != nil {
			return nil, err
		}
		cfg.logf("starting PostgreSQL 15 (shared_buffers=%s)", cfg.cacheSize)
		pg, err := pgrun.Start(ctx, pgrun.Options{
			SyncCommit:     true, // async rows turn it off per session
			SharedBuffers:  cfg.cacheSize,
			MaxConnections: cfg.maxConnections(),
			Logf:           cfg.logf,
		})
		if err != nil {
			return nil, err
		}
		env.pg = pg
		env.versions = append(env.versions, "PostgreSQL "+pgVersion(ctx, pg))
	}
	if env.bin != "" {
		k, err := startKalam(ctx, cfg, env.bin, "fsync")
		if err != nil {
			env.stop()
			return nil, err
		}
		env.kalam = k
	}
	return env, nil
}

// maxConnections leaves room for the largest connection count a workload
// opens, plus the bench's own connections.
func (c *config) maxConnections() int {
	n := c.w5Conns
	if m := c.w4Listeners + c.w4Idle; m > n {
		n = m
	}
	return n + 100
}

func pgVersion(ctx context.Context, pg *pgrun.Server) string {
	conn, err := pgx.Connect(ctx, pg.DSN("postgres"))
	if err != nil {
		return "?"
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "?"
	}
	return v
}

// systems returns the systems to compare for one workload, PostgreSQL first.
// Async workloads get a KalamDB started with --durability async and
// PostgreSQL sessions with synchronous_commit=off. When that KalamDB cannot
// start, the list holds PostgreSQL alone and kalamErr says why.
func (e *environment) systems(ctx context.Context, durable bool) (list []*system, kalamErr error) {
	if e.pg != nil {
		cc, err := pgx.ParseConfig(e.pg.DSN("postgres"))
		if err != nil {
			panic(err) // pgrun's DSN always parses
		}
		cc.RuntimeParams["synchronous_commit"] = "off"
		if durable {
			cc.RuntimeParams["synchronous_commit"] = "on"
		}
		list = append(list, &system{kind: kindPG, label: labelPG, durable: durable, conn: cc, pg: e.pg})
	}
	if e.kalam == nil {
		return list, nil
	}
	k := e.kalam
	if !durable {
		if e.kalamAsy == nil {
			a, err := startKalam(ctx, e.cfg, e.bin, "async")
			if err != nil {
				return list, err
			}
			e.kalamAsy = a
		}
		k = e.kalamAsy
	}
	cc, err := pgx.ParseConfig(k.dsn())
	if err != nil {
		return list, fmt.Errorf("KalamDB address %q: %w", k.pgAddr, err)
	}
	return append(list, &system{kind: kindKalam, label: labelKalam, durable: durable, conn: cc, kalam: k}), nil
}

func (e *environment) stop() {
	for _, k := range []*kalamProc{e.kalam, e.kalamAsy} {
		if k != nil {
			if err := k.stop(); err != nil {
				e.cfg.logf("stop KalamDB: %v", err)
			}
		}
	}
	if e.pg != nil {
		if err := e.pg.Stop(); err != nil {
			e.cfg.logf("stop PostgreSQL: %v", err)
		}
	}
}

// kalamBinary finds the kalamdb binary and fails loudly when it is missing.
func kalamBinary(flagPath string) (string, error) {
	path := flagPath
	if path == "" {
		root, err := moduleRoot()
		if err != nil {
			return "", err
		}
		path = filepath.Join(root, "bin", "kalamdb")
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("KalamDB binary not found at %s: build it with `go build -o bin/kalamdb ./cmd/kalamdb` (make build), or run with -systems pg: %w", path, err)
	}
	return path, nil
}

// moduleRoot walks up from the working directory to the go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// kalamProc is a running `kalamdb serve` with its own temp data dir.
type kalamProc struct {
	cmd      *exec.Cmd
	dir      string // temp dir holding dataDir
	dataDir  string
	pgAddr   string
	httpAddr string
	done     chan struct{} // closed when the process has exited
	tail     *logTail
	once     sync.Once
	stopErr  error
}

const kalamStartTimeout = 30 * time.Second

func startKalam(ctx context.Context, cfg *config, bin, durability string) (*kalamProc, error) {
	dir, err := os.MkdirTemp("", "kalamdb-bench-")
	if err != nil {
		return nil, fmt.Errorf("kalamdb temp dir: %w", err)
	}
	k := &kalamProc{dir: dir, dataDir: filepath.Join(dir, "data"), done: make(chan struct{}), tail: &logTail{max: 40}}
	k.cmd = exec.Command(bin, "serve", "--data", k.dataDir,
		"--pg-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--durability", durability, "--cache-size", cfg.cacheSize)
	k.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stderr, err := k.cmd.StderrPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	k.cmd.Stdout = k.tail
	cfg.logf("starting KalamDB (%s, --durability %s)", bin, durability)
	if err := k.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	addrs := make(chan [2]string, 1)
	logDone := make(chan struct{})
	go func() {
		k.readLog(stderr, addrs)
		close(logDone)
	}()
	go func() {
		// Wait closes the stderr pipe once the process has exited, so it
		// must wait for the log to be read to its end: otherwise the
		// lines of a server that fails at once can be lost (os/exec).
		<-logDone
		k.cmd.Wait()
		close(k.done)
	}()
	timer := time.NewTimer(kalamStartTimeout)
	defer timer.Stop()
	select {
	case a := <-addrs:
		k.pgAddr, k.httpAddr = a[0], a[1]
	case <-k.done:
		os.RemoveAll(dir)
		return nil, fmt.Errorf("KalamDB exited during startup (%v); its log:\n%s", k.cmd.ProcessState, k.tail)
	case <-timer.C:
		k.stop()
		return nil, fmt.Errorf("KalamDB logged no `msg=listening proto=pg` line within %v; its log:\n%s", kalamStartTimeout, k.tail)
	case <-ctx.Done():
		k.stop()
		return nil, ctx.Err()
	}
	cfg.logf("KalamDB (%s) listening on pg %s, http %s", durability, k.pgAddr, k.httpAddr)
	return k, nil
}

// readLog keeps the last lines of the server log and reports the listening
// addresses once both listeners (or pg alone, when the server says it
// started without HTTP) are logged.
func (k *kalamProc) readLog(r io.Reader, addrs chan<- [2]string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var pgAddr, httpAddr string
	sent := false
	for sc.Scan() {
		line := sc.Text()
		k.tail.Write([]byte(line + "\n"))
		if sent {
			continue
		}
		kv := parseLogLine(line)
		if kv["msg"] != "listening" && kv["msg"] != "started" {
			continue
		}
		switch kv["proto"] {
		case "pg":
			pgAddr = kv["addr"]
		case "http":
			httpAddr = kv["addr"]
		}
		// Both listeners are up once both are logged; a server without HTTP
		// logs only pg before msg=started.
		if pgAddr != "" && (httpAddr != "" || kv["msg"] == "started") {
			addrs <- [2]string{pgAddr, httpAddr}
			sent = true
		}
	}
}

func (k *kalamProc) dsn() string {
	return fmt.Sprintf("postgres://root@%s/kalamdb?sslmode=disable", k.pgAddr)
}

// stop asks for a graceful shutdown (SIGTERM), kills after a while, and
// removes the data dir.
func (k *kalamProc) stop() error {
	k.once.Do(func() {
		_ = k.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-k.done:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-k.cmd.Process.Pid, syscall.SIGKILL)
			<-k.done
			k.stopErr = errors.New("KalamDB did not stop within 30s after SIGTERM; killed")
		}
		if err := os.RemoveAll(k.dir); err != nil && k.stopErr == nil {
			k.stopErr = err
		}
	})
	return k.stopErr
}

// parseLogLine splits a log/slog text line into its key=value pairs; quoted
// values are unquoted. Malformed input yields what could be parsed.
func parseLogLine(line string) map[string]string {
	kv := map[string]string{}
	i := 0
	for i < len(line) {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		eq := strings.IndexByte(line[i:], '=')
		if eq < 0 {
			break
		}
		key := line[i : i+eq]
		i += eq + 1
		if strings.ContainsRune(key, ' ') {
			// Not a key: skip the word.
			key = key[strings.LastIndexByte(key, ' ')+1:]
		}
		var val string
		if i < len(line) && line[i] == '"' {
			end := i + 1
			for end < len(line) && line[end] != '"' {
				if line[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(line) {
				val = line[i+1:]
				i = len(line)
			} else {
				raw := line[i : end+1]
				if u, err := strconv.Unquote(raw); err == nil {
					val = u
				} else {
					val = raw[1 : len(raw)-1]
				}
				i = end + 1
			}
		} else {
			end := strings.IndexByte(line[i:], ' ')
			if end < 0 {
				end = len(line) - i
			}
			val = line[i : i+end]
			i += end
		}
		kv[key] = val
	}
	return kv
}

// logTail keeps the last max lines written to it.
type logTail struct {
	mu    sync.Mutex // guards lines
	max   int
	lines []string
}

func (t *logTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		t.lines = append(t.lines, l)
	}
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
	return len(p), nil
}

func (t *logTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

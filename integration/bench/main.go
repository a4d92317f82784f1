package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// config holds the flags after the profile has filled in what was not set.
type config struct {
	profile   string
	workloads []string
	systems   []string // "pg", "kalamdb"
	rounds    int
	duration  time.Duration
	out       string
	kalamBin  string
	fsyncTest bool

	cacheSize   string // PostgreSQL's shared_buffers and KalamDB's --cache-size
	clients     []int  // W1 client counts
	readClients []int  // W2 client counts
	w2Users     int
	w2Messages  int
	notifyCount int // notifications per W4 round
	w4Listeners int
	w4Idle      int
	w5Conns     int
	w6Messages  int
	wsSubs      int // W7ws WebSocket subscribers
	wsRate      int // W7ws messages per second

	log io.Writer // progress lines; nil: none (unit tests)
}

func (c *config) logf(format string, args ...any) {
	if c.log != nil {
		fmt.Fprintf(c.log, format+"\n", args...)
	}
}

func (c *config) has(system string) bool {
	for _, s := range c.systems {
		if s == system {
			return true
		}
	}
	return false
}

// profileConfig returns the sizes of a profile; quick must finish in under
// two minutes on the 2-core machine, startup included.
func profileConfig(name string) (config, bool) {
	switch name {
	case "quick":
		return config{
			rounds: 3, duration: 500 * time.Millisecond,
			clients: []int{1, 8, 32}, readClients: []int{1, 8},
			w2Users: 200, w2Messages: 10000,
			notifyCount: 100, w4Listeners: 20, w4Idle: 50,
			w5Conns: 100, w6Messages: 10000,
			wsSubs: 200, wsRate: 1000,
		}, true
	case "full":
		return config{
			rounds: 3, duration: 5 * time.Second,
			clients: []int{1, 8, 32}, readClients: []int{1, 8},
			w2Users: 10000, w2Messages: 500000,
			notifyCount: 1000, w4Listeners: 100, w4Idle: 300,
			w5Conns: 500, w6Messages: 200000,
			wsSubs: 10000, wsRate: 1000,
		}, true
	}
	return config{}, false
}

const allWorkloads = "W1,W1u,W1a,W2,W2c,W3,W4,W4a,W5,W6,W7,W7ws"

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "quick", "sizes and durations: quick or full")
	workloads := fs.String("workloads", allWorkloads, "comma-separated workloads to run")
	systems := fs.String("systems", "pg,kalamdb", "comma-separated systems: pg, kalamdb")
	rounds := fs.Int("rounds", 0, "rounds per case, median reported (default from profile; at least 3 for meaningful numbers)")
	duration := fs.Duration("duration", 0, "duration of one timed round (default from profile)")
	out := fs.String("out", "bench/results", "directory for the results file and chart; empty to skip")
	kalamBin := fs.String("kalamdb-bin", "", "kalamdb binary (default <module root>/bin/kalamdb)")
	fsyncTest := fs.Bool("fsync-test", true, "run pg_test_fsync once as context")
	cacheSize := fs.String("cache-size", "512MB", "cache memory of each system: PostgreSQL's shared_buffers and KalamDB's --cache-size")
	w2Users := fs.Int("w2-users", 0, "W2 users (one conversation each)")
	w2Messages := fs.Int("w2-messages", 0, "W2 messages loaded")
	notifyCount := fs.Int("w4-notifications", 0, "W4 notifications per round")
	w4Listeners := fs.Int("w4-listeners", 0, "W4 listeners on one channel")
	w4Idle := fs.Int("w4-idle", 0, "W4 idle listeners on other channels")
	w5Conns := fs.Int("w5-conns", 0, "W5 idle listening connections")
	w6Messages := fs.Int("w6-messages", 0, "W6 messages inserted")
	wsSubs := fs.Int("w7ws-subscribers", 0, "W7ws WebSocket subscribers, one user each")
	wsRate := fs.Int("w7ws-rate", 0, "W7ws messages per second, spread over the subscribers")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if !cacheSizeForm.MatchString(*cacheSize) {
		return nil, fmt.Errorf("-cache-size %q: want a whole number of kB, MB, GB or TB (a form PostgreSQL and KalamDB read alike)", *cacheSize)
	}
	p, ok := profileConfig(*profile)
	if !ok {
		return nil, fmt.Errorf("unknown profile %q (want quick or full)", *profile)
	}
	c := p
	c.profile = *profile
	c.out, c.kalamBin, c.fsyncTest, c.cacheSize = *out, *kalamBin, *fsyncTest, *cacheSize
	setInt(&c.rounds, *rounds)
	if *duration > 0 {
		c.duration = *duration
	}
	setInt(&c.w2Users, *w2Users)
	setInt(&c.w2Messages, *w2Messages)
	setInt(&c.notifyCount, *notifyCount)
	setInt(&c.w4Listeners, *w4Listeners)
	setInt(&c.w4Idle, *w4Idle)
	setInt(&c.w5Conns, *w5Conns)
	setInt(&c.w6Messages, *w6Messages)
	setInt(&c.wsSubs, *wsSubs)
	setInt(&c.wsRate, *wsRate)
	if c.w2Users > c.w2Messages {
		return nil, fmt.Errorf("-w2-users %d exceeds -w2-messages %d", c.w2Users, c.w2Messages)
	}
	known := strings.Split(allWorkloads, ",")
	for _, w := range splitList(*workloads) {
		w = canonical(w, known)
		if w == "" {
			return nil, fmt.Errorf("unknown workload in %q (known: %s)", *workloads, allWorkloads)
		}
		c.workloads = append(c.workloads, w)
	}
	for _, s := range splitList(*systems) {
		s = strings.ToLower(s)
		if s != "pg" && s != "kalamdb" {
			return nil, fmt.Errorf("unknown system %q (want pg, kalamdb)", s)
		}
		c.systems = append(c.systems, s)
	}
	if len(c.workloads) == 0 || len(c.systems) == 0 {
		return nil, fmt.Errorf("nothing to run: need at least one workload and one system")
	}
	return &c, nil
}

// cacheSizeForm is the one spelling of a size both systems read the same
// way: PostgreSQL's units are case-sensitive, and a bare number is 8 kB
// pages to it but bytes to KalamDB.
var cacheSizeForm = regexp.MustCompile(`^[0-9]+(kB|MB|GB|TB)$`)

func setInt(dst *int, v int) {
	if v > 0 {
		*dst = v
	}
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func canonical(w string, known []string) string {
	for _, k := range known {
		if strings.EqualFold(w, k) {
			return k
		}
	}
	return ""
}

// run is main without the process: the smoke test calls it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	cfg.log = stderr
	started := time.Now()

	env, err := startSystems(ctx, cfg)
	if err != nil {
		return err
	}
	defer env.stop()

	var fsyncLine, fsyncFull string
	if cfg.fsyncTest {
		fsyncLine, fsyncFull, err = pgTestFsync(ctx, cfg)
		if err != nil {
			cfg.logf("pg_test_fsync: %v", err)
			fsyncLine = "pg_test_fsync failed: " + err.Error()
		}
		fmt.Fprintf(stdout, "pg_test_fsync: %s\n\n", fsyncLine)
	}

	rows, pgErrs := runAll(ctx, cfg, env)
	rep := &report{cfg: cfg, rows: rows, fsyncLine: fsyncLine, fsyncFull: fsyncFull,
		started: started, elapsed: time.Since(started), versions: env.versions}
	fmt.Fprint(stdout, rep.table())
	if cfg.out != "" {
		path, err := rep.write(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nresults: %s\n", path)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if pgErrs > 0 {
		// PostgreSQL errors are bugs in the benchmark, not missing features.
		return fmt.Errorf("%d PostgreSQL case(s) failed; see the table", pgErrs)
	}
	return nil
}

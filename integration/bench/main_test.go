package main

import (
	"bufio"
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/integration/pgrun"

	// The tests build cmd/kalamdb with "go build" while they run, which
	// go test's result cache cannot see. Importing the server makes the
	// test binary, and with it the cache key, change whenever the
	// server's code (all but cmd/kalamdb's flag wiring) does.
	_ "github.com/kalamdb/kalamdb/server"
)

// TestSmokeW1PostgreSQL runs the quick profile's W1 briefly against
// PostgreSQL alone to exercise the whole harness. It fails, never skips,
// when PostgreSQL is missing: CI installs it.
func TestSmokeW1PostgreSQL(t *testing.T) {
	if err := pgrun.Available(); err != nil {
		t.Fatalf("PostgreSQL is required for this test: %v", err)
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"-profile", "quick", "-workloads", "W1", "-systems", "pg",
		"-rounds", "1", "-duration", "330ms", "-fsync-test=false", "-out", out}
	if err := run(ctx, args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	for _, n := range []string{"1 client", "8 clients", "32 clients"} {
		re := regexp.MustCompile(`\| W1 insert \(durable\), ` + n + ` \| \d+ tx/s \| — \| — \|  \| [\d.]+ / [\d.]+ ms \|  \|`)
		if !re.MatchString(stdout.String()) {
			t.Fatalf("no W1 %s row with a throughput and latencies in:\n%s", n, stdout.String())
		}
	}
	mds, _ := filepath.Glob(filepath.Join(out, "*.md"))
	pngs, _ := filepath.Glob(filepath.Join(out, "*.png"))
	if len(mds) != 1 || len(pngs) != 1 {
		t.Fatalf("results dir has %v and %v, want one .md and one .png", mds, pngs)
	}
	md, err := os.ReadFile(mds[0])
	if err != nil {
		t.Fatalf("read results: %v", err)
	}
	if !strings.Contains(string(md), "| W1 insert (durable), 8 clients |") || !strings.Contains(string(md), filepath.Base(pngs[0])) {
		t.Fatalf("results file lacks the table or the chart:\n%s", md)
	}
	f, err := os.Open(pngs[0])
	if err != nil {
		t.Fatalf("open chart: %v", err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Fatalf("chart is not a PNG: %v", err)
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		check   func(c *config) bool
	}{
		{"defaults", nil, false, func(c *config) bool {
			return c.profile == "quick" && strings.Join(c.workloads, ",") == allWorkloads && len(c.systems) == 2 && c.rounds == 3 &&
				c.cacheSize == "512MB"
		}},
		{"cache size", []string{"-cache-size", "1GB"}, false, func(c *config) bool { return c.cacheSize == "1GB" }},
		{"cache size in bytes", []string{"-cache-size", "1048576"}, true, nil}, // 8 kB pages to PostgreSQL
		{"cache size in lower case", []string{"-cache-size", "512mb"}, true, nil},
		{"full profile", []string{"-profile", "full"}, false, func(c *config) bool {
			return c.w2Users == 10000 && c.w2Messages == 500000 && c.w5Conns == 500 && c.duration == 5*time.Second
		}},
		{"overrides", []string{"-rounds", "5", "-duration", "2s", "-workloads", "w2, W4", "-systems", "PG"}, false, func(c *config) bool {
			return c.rounds == 5 && c.duration == 2*time.Second &&
				strings.Join(c.workloads, ",") == "W2,W4" && strings.Join(c.systems, ",") == "pg"
		}},
		{"sizes", []string{"-w2-users", "5", "-w2-messages", "50", "-w5-conns", "7"}, false, func(c *config) bool {
			return c.w2Users == 5 && c.w2Messages == 50 && c.w5Conns == 7
		}},
		{"unknown profile", []string{"-profile", "huge"}, true, nil},
		{"unknown workload", []string{"-workloads", "W9"}, true, nil},
		{"unknown system", []string{"-systems", "mysql"}, true, nil},
		{"no workloads", []string{"-workloads", ","}, true, nil},
		{"more users than messages", []string{"-w2-users", "10", "-w2-messages", "5"}, true, nil},
		{"stray argument", []string{"extra"}, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseFlags(tc.args, &bytes.Buffer{})
			if (err != nil) != tc.wantErr {
				t.Fatalf("parseFlags(%q) error = %v, wantErr %v", tc.args, err, tc.wantErr)
			}
			if err == nil && !tc.check(c) {
				t.Fatalf("parseFlags(%q) = %+v", tc.args, *c)
			}
		})
	}
}

// TestSmokeQuickProfile runs every workload of the quick profile on both
// systems with tiny rounds: a smoke test of the harness and of each
// workload's SQL on KalamDB, with no timing assertion. It builds the
// binary it runs, and fails when PostgreSQL is missing.
func TestSmokeQuickProfile(t *testing.T) {
	if err := pgrun.Available(); err != nil {
		t.Fatalf("PostgreSQL is required for this test: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "kalamdb")
	build := exec.Command("go", "build", "-o", bin, "github.com/kalamdb/kalamdb/cmd/kalamdb")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build kalamdb: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := []string{"-profile", "quick", "-rounds", "1", "-duration", "200ms", "-fsync-test=false",
		"-w2-users", "20", "-w2-messages", "400", "-w5-conns", "20", "-w6-messages", "400", "-w7ws-subscribers", "20",
		"-kalamdb-bin", bin, "-out", ""}
	if err := run(ctx, args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	// Every workload produced its rows, and no KalamDB cell holds an error.
	for _, label := range []string{"| W1 insert (durable)", "| W1u ", "| W1a ", "| W2 latest 50 of a conversation, ",
		"| W2 latest 50 of a conversation after flush", "| W3 ", "| W4 ", "| W4a ", "| W5 ", "| W6 ", "| W7 ", "| W7ws memory", "| W7ws WebSocket fan-out"} {
		if !strings.Contains(stdout.String(), label) {
			t.Fatalf("no row %q in:\n%s", label, stdout.String())
		}
	}
	if strings.Contains(stdout.String(), "error:") || strings.Contains(stdout.String(), "n/a") {
		t.Fatalf("a workload failed:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	// The read workloads settled and warmed up on both systems.
	for _, want := range []string{"W2 on PostgreSQL: settled in", "W2 on KalamDB: settled in", "W2c on KalamDB: settled in", "W7 on KalamDB: settled in"} {
		if !strings.Contains(stderr.String(), want) {
			t.Fatalf("no %q in stderr:\n%s", want, stderr.String())
		}
	}
	if m := regexp.MustCompile(`.*(settle|warm-up) on .*`).FindString(stderr.String()); m != "" {
		t.Fatalf("settling failed: %s", m)
	}
}

func TestParseGauge(t *testing.T) {
	text := "# HELP kalamdb_hot_compaction_backlog Levels...\n" +
		"# TYPE kalamdb_hot_compaction_backlog gauge\n" +
		"kalamdb_hot_compaction_backlog_other 7\n" +
		"kalamdb_jobs_total{kind=\"flush\",state=\"done\"} 3\n" +
		"kalamdb_hot_compaction_backlog 2\n"
	v, err := parseGauge(bufio.NewScanner(strings.NewReader(text)), "kalamdb_hot_compaction_backlog")
	if err != nil || v != 2 {
		t.Fatalf("parseGauge = %v, %v; want 2", v, err)
	}
	if _, err := parseGauge(bufio.NewScanner(strings.NewReader(text)), "kalamdb_cold_cache_bytes"); err == nil {
		t.Fatal("parseGauge found a metric that is not there")
	}
}

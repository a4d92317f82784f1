package main

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// report is everything one run prints and writes.
type report struct {
	cfg       *config
	rows      []row
	fsyncLine string
	fsyncFull string
	started   time.Time
	elapsed   time.Duration
	versions  []string
}

// table renders the rows as one markdown table. The ratio is oriented so
// that above 1 means KalamDB is better: KalamDB/PostgreSQL for throughput,
// PostgreSQL/KalamDB for latency, memory and bytes. It is the ratio of the
// medians; the next column gives each round's own ratio, median and range.
func (r *report) table() string {
	var b strings.Builder
	b.WriteString("| workload | PostgreSQL | KalamDB | ratio (>1: KalamDB better) | ratio per round, median (range) | PostgreSQL p50 / p99 | KalamDB p50 / p99 | server CPU per op, PostgreSQL / KalamDB |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, row := range r.rows {
		pg, k := row.cells[labelPG], row.cells[labelKalam]
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", row.name,
			formatValue(pg, row.unit), formatValue(k, row.unit), ratio(row, pg, k), formatRoundRatios(row.roundRatios),
			formatLat(pg), formatLat(k), formatCPU(pg, k))
	}
	return b.String()
}

// formatRoundRatios shows the per-round ratios when there are several.
func formatRoundRatios(rs []float64) string {
	if len(rs) < 2 {
		return ""
	}
	return fmt.Sprintf("%.2f (%.2f–%.2f)", median(rs), slices.Min(rs), slices.Max(rs))
}

// notRun fills the cell of a system that was not selected.
const notRun = "—"

func formatValue(c *cell, unit string) string {
	switch {
	case c == nil:
		return notRun
	case c.err != "":
		return c.err
	}
	switch unit {
	case "ms p50":
		return fmt.Sprintf("%.3f ms", c.value)
	case "KiB/conn":
		return fmt.Sprintf("%.0f KiB/conn", c.value)
	case "B/msg":
		return fmt.Sprintf("%.0f B/msg", c.value)
	}
	return fmt.Sprintf("%.0f %s", c.value, unit)
}

func formatLat(c *cell) string {
	if c == nil || c.err != "" || !c.hasLat {
		return ""
	}
	return fmt.Sprintf("%s / %s ms", ms(c.p50), ms(c.p99))
}

// formatCPU shows the servers' CPU time per operation, in microseconds.
func formatCPU(pg, k *cell) string {
	us := func(c *cell) string {
		if c == nil || c.err != "" || c.cpuPerOp <= 0 {
			return "–"
		}
		return fmt.Sprintf("%.0f", float64(c.cpuPerOp)/float64(time.Microsecond))
	}
	if us(pg) == "–" && us(k) == "–" {
		return ""
	}
	return us(pg) + " / " + us(k) + " µs"
}

func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v < 10 {
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func ratio(row row, pg, k *cell) string {
	if pg == nil || k == nil || pg.err != "" || k.err != "" || pg.value <= 0 || k.value <= 0 {
		return notRun
	}
	if row.higherBetter {
		return fmt.Sprintf("%.2f", k.value/pg.value)
	}
	return fmt.Sprintf("%.2f", pg.value/k.value)
}

// write saves the results file and its chart under cfg.out and returns the
// file's path.
func (r *report) write(ctx context.Context) (string, error) {
	if err := os.MkdirAll(r.cfg.out, 0o755); err != nil {
		return "", fmt.Errorf("results dir: %w", err)
	}
	base := r.started.Format("2006-01-02") + "-" + shortCommit(ctx)
	mdPath := filepath.Join(r.cfg.out, base+".md")
	pngName := base + ".png"

	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmark %s\n\n", base)
	fmt.Fprintf(&b, "- started %s, took %s\n", r.started.Format(time.RFC3339), r.elapsed.Round(time.Second))
	fmt.Fprintf(&b, "- profile %s, %d rounds (median), %s per timed round, systems %s, workloads %s\n",
		r.cfg.profile, r.cfg.rounds, r.cfg.duration, strings.Join(r.cfg.systems, ","), strings.Join(r.cfg.workloads, ","))
	fmt.Fprintf(&b, "- %s\n", strings.Join(append(r.versions, runtime.Version()), ", "))
	fmt.Fprintf(&b, "- machine: %d CPUs, %s, kernel %s\n", runtime.NumCPU(), cpuModel(), kernel())
	fmt.Fprintf(&b, "- cache memory %s each: PostgreSQL shared_buffers, KalamDB --cache-size\n", r.cfg.cacheSize)
	fmt.Fprintf(&b, "- PostgreSQL: synchronous_commit on (durable rows) / off (async rows)\n")
	fmt.Fprintf(&b, "- read workloads (W2, W2c, W7) start after the load settles (PostgreSQL: VACUUM ANALYZE, CHECKPOINT; "+
		"KalamDB: compaction backlog 0, no job running) and one untimed round of their first case on each system\n")
	if r.fsyncLine != "" {
		fmt.Fprintf(&b, "- pg_test_fsync -s 1 (one 8kB write): `%s`\n", r.fsyncLine)
	}
	b.WriteString("\n" + r.table() + "\n")

	var notes []string
	for _, row := range r.rows {
		for _, label := range []string{labelPG, labelKalam} {
			c := row.cells[label]
			switch {
			case c == nil:
			case c.err != "":
				notes = append(notes, fmt.Sprintf("%s, %s: %s", row.name, label, oneLine(c.detail)))
			case c.note != "":
				notes = append(notes, fmt.Sprintf("%s, %s: %s", row.name, label, c.note))
			}
		}
	}
	if len(notes) > 0 {
		b.WriteString("Notes:\n\n")
		for _, n := range notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		b.WriteString("\n")
	}

	if img := drawChart(r.rows); img != nil {
		f, err := os.Create(filepath.Join(r.cfg.out, pngName))
		if err != nil {
			return "", fmt.Errorf("chart: %w", err)
		}
		err = png.Encode(f, img)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", fmt.Errorf("chart: %w", err)
		}
		fmt.Fprintf(&b, "![latency p50/p99 per case](%s)\n\nChart groups (bars: PostgreSQL p50, p99; KalamDB p50, p99; log scale):\n\n", pngName)
		for i, row := range latencyRows(r.rows) {
			fmt.Fprintf(&b, "%d. %s\n", i+1, row.name)
		}
		b.WriteString("\n")
	}
	if r.cfg.profile == "full" && r.fsyncFull != "" {
		b.WriteString("<details><summary>pg_test_fsync -s 1</summary>\n\n```\n" + r.fsyncFull + "```\n</details>\n")
	}
	if err := os.WriteFile(mdPath, []byte(b.String()), 0o644); err != nil {
		return "", fmt.Errorf("write results: %w", err)
	}
	return mdPath, nil
}

func shortCommit(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "nocommit"
	}
	return strings.TrimSpace(string(out))
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

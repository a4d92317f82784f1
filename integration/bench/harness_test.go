package main

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tc := range tests {
		if got := median(tc.in); got != tc.want {
			t.Fatalf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{
		{0.5, 50 * time.Millisecond},
		{0.99, 99 * time.Millisecond},
		{1, 100 * time.Millisecond},
		{0, 1 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := percentile(ds, tc.p); got != tc.want {
			t.Fatalf("percentile(1..100ms, %v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if ds[0] != 100*time.Millisecond {
		t.Fatalf("percentile sorted its input in place")
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Fatalf("percentile(nil) = %v, want 0", got)
	}
}

func TestClassify(t *testing.T) {
	pgErr := &pgconn.PgError{Code: "42P01", Message: "relation does not exist"}
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("prepare: %w", pgErr), "error: 42P01"},
		{notYetError{fmt.Errorf("listen: %w", pgErr)}, "n/a (not yet)"},
		{fmt.Errorf("round: %w", context.DeadlineExceeded), "error: timeout"},
		{errors.New("a|b"), "error: a/b"},
		{errors.New("0123456789012345678901234567890123456789xyz"), "error: 0123456789012345678901234567890123456789..."},
	}
	for _, tc := range tests {
		if got := classify(tc.err); got != tc.want {
			t.Fatalf("classify(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	if err := notYetOnKalam(&system{kind: kindPG}, pgErr); classify(err) != "error: 42P01" {
		t.Fatalf("a PostgreSQL failure became %q", classify(err))
	}
}

// TestRunCaseInterleaves checks the A B A B order, the medians, and that a
// failing system is recorded and not retried while the other goes on.
func TestRunCaseInterleaves(t *testing.T) {
	pg := &system{kind: kindPG, label: labelPG}
	k := &system{kind: kindKalam, label: labelKalam}
	var order []string
	vals := map[string][]float64{labelPG: {10, 30, 20}}
	c := benchCase{name: "c", unit: "tx/s", higherBetter: true,
		run: func(_ context.Context, s *system) (sample, error) {
			order = append(order, s.label)
			if s.kind == kindKalam {
				return sample{}, &pgconn.PgError{Code: "0A000"}
			}
			v := vals[s.label][0]
			vals[s.label] = vals[s.label][1:]
			return sample{value: v, lat: []time.Duration{time.Duration(v) * time.Millisecond}}, nil
		}}
	cfg := &config{rounds: 3, duration: time.Millisecond}
	r := runCase(context.Background(), cfg, c, []*system{pg, k}, map[string]error{})
	if got := fmt.Sprint(order); got != "[PostgreSQL KalamDB PostgreSQL PostgreSQL]" {
		t.Fatalf("order = %s", got)
	}
	if got := r.cells[labelPG]; got.value != 20 || got.p50 != 20*time.Millisecond || !got.hasLat {
		t.Fatalf("PostgreSQL cell = %+v, want median 20", got)
	}
	if got := r.cells[labelKalam].err; got != "error: 0A000" {
		t.Fatalf("KalamDB cell err = %q", got)
	}
	// A failed prepare skips the system altogether.
	order = nil
	vals[labelPG] = []float64{1, 2, 3}
	r = runCase(context.Background(), cfg, c, []*system{pg, k}, map[string]error{labelKalam: notYetError{errors.New("x")}})
	if got := fmt.Sprint(order); got != "[PostgreSQL PostgreSQL PostgreSQL]" || r.cells[labelKalam].err != "n/a (not yet)" {
		t.Fatalf("order = %s, KalamDB cell = %+v", got, r.cells[labelKalam])
	}
}

// TestRoundRatios pairs the systems' results round by round, oriented
// like the table's ratio, and leaves out rounds a system did not finish.
func TestRoundRatios(t *testing.T) {
	pg := &system{kind: kindPG, label: labelPG}
	k := &system{kind: kindKalam, label: labelKalam}
	for _, c := range []struct {
		higherBetter bool
		want         string
	}{{true, "[2 0.5 1]"}, {false, "[0.5 2 1]"}} {
		vals := map[string][]float64{labelPG: {10, 40, 30}, labelKalam: {20, 20, 30}}
		bc := benchCase{name: "c", higherBetter: c.higherBetter, run: func(_ context.Context, s *system) (sample, error) {
			v := vals[s.label][0]
			vals[s.label] = vals[s.label][1:]
			return sample{value: v}, nil
		}}
		r := runCase(context.Background(), &config{rounds: 3, duration: time.Millisecond}, bc, []*system{pg, k}, map[string]error{})
		if got := fmt.Sprint(r.roundRatios); got != c.want {
			t.Fatalf("higherBetter %v: round ratios %s, want %s", c.higherBetter, got, c.want)
		}
	}
	// KalamDB fails in round 2: only round 1 pairs.
	n := 0
	bc := benchCase{name: "c", higherBetter: true, run: func(_ context.Context, s *system) (sample, error) {
		if s.kind == kindKalam {
			if n++; n == 2 {
				return sample{}, errors.New("lost")
			}
		}
		return sample{value: 10}, nil
	}}
	r := runCase(context.Background(), &config{rounds: 3, duration: time.Millisecond}, bc, []*system{pg, k}, map[string]error{})
	if got := fmt.Sprint(r.roundRatios); got != "[1]" {
		t.Fatalf("round ratios %s, want [1]", got)
	}
}

func TestTableRatios(t *testing.T) {
	rows := []row{
		{name: "tput", unit: "tx/s", higherBetter: true, cells: map[string]*cell{
			labelPG: {value: 100, cpuPerOp: 80 * time.Microsecond}, labelKalam: {value: 250, cpuPerOp: 41400 * time.Nanosecond}},
			roundRatios: []float64{2.6, 2.1, 2.4}},
		{name: "mem", unit: "KiB/conn", higherBetter: false, cells: map[string]*cell{
			labelPG: {value: 1000}, labelKalam: {value: 100}}},
		{name: "lat", unit: "ms p50", higherBetter: false, cells: map[string]*cell{
			labelPG:    {value: 2, hasLat: true, p50: 2 * time.Millisecond, p99: 15 * time.Millisecond},
			labelKalam: {err: "n/a (not yet)"}}},
		{name: "pg only", unit: "B/msg", cells: map[string]*cell{labelPG: {value: 300}}},
	}
	got := (&report{rows: rows}).table()
	want := "| workload | PostgreSQL | KalamDB | ratio (>1: KalamDB better) | ratio per round, median (range) | PostgreSQL p50 / p99 | KalamDB p50 / p99 | server CPU per op, PostgreSQL / KalamDB |\n" +
		"|---|---:|---:|---:|---:|---:|---:|---:|\n" +
		"| tput | 100 tx/s | 250 tx/s | 2.50 | 2.40 (2.10–2.60) |  |  | 80 / 41 µs |\n" +
		"| mem | 1000 KiB/conn | 100 KiB/conn | 10.00 |  |  |  |  |\n" +
		"| lat | 2.000 ms | n/a (not yet) | — |  | 2.00 / 15.0 ms |  |  |\n" +
		"| pg only | 300 B/msg | — | — |  |  |  |  |\n"
	if got != want {
		t.Fatalf("table:\n%s\nwant:\n%s", got, want)
	}
}

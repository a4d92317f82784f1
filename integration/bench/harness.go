package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// workload is a group of cases that share a schema set up once per system.
type workload struct {
	id      string
	durable bool // false: async durability on both systems
	// prepare creates the workload's tables on one system, once.
	prepare func(ctx context.Context, s *system) error
	// reads: the cases time reads of loaded data, so each system settles
	// and warms up before them (settle.go).
	reads bool
	cases []benchCase
}

// benchCase is one row of the table.
type benchCase struct {
	name         string // e.g. "W1 insert, 8 clients"
	unit         string // of the value: "tx/s", "ms", "KiB/conn", "B/msg"
	higherBetter bool
	once         bool // deterministic measurements need one round only
	kalamOnly    bool // PostgreSQL has nothing to compare: its cell stays empty
	run          func(ctx context.Context, s *system) (sample, error)
}

// sample is the outcome of one round of a case on one system.
type sample struct {
	value float64
	lat   []time.Duration // per-operation latencies; nil when latency does not apply
	// cpuPerOp is the server's CPU time per operation; 0 when not measured.
	cpuPerOp time.Duration
	note     string
}

// cell is the median result of a case on one system.
type cell struct {
	value    float64
	p50, p99 time.Duration
	hasLat   bool
	cpuPerOp time.Duration // median; 0 when not measured
	err      string        // short, for the table: "error: 42P01", "n/a (not yet)"
	detail   string        // the full error, for the notes
	note     string
}

type row struct {
	workload     string
	name         string
	unit         string
	higherBetter bool
	cells        map[string]*cell // by system label
	// roundRatios are the ratios (oriented as the table's) of the two
	// systems' results in each round both ran: their spread shows how far
	// the machine drifted between rounds.
	roundRatios []float64
}

// Time limits that keep a hanging server from stalling the run.
const (
	prepareTimeout = 15 * time.Minute
	roundSlack     = 2 * time.Minute
)

// runAll runs every selected workload and returns the rows and how many
// PostgreSQL cells failed.
func runAll(ctx context.Context, cfg *config, env *environment) ([]row, int) {
	var rows []row
	pgErrs := 0
	for _, id := range cfg.workloads {
		if ctx.Err() != nil {
			break
		}
		w := newWorkload(id, cfg)
		wstart := time.Now()
		systems, sysErr := env.systems(ctx, w.durable)
		cfg.logf("== %s", id)
		prepErr := map[string]error{}
		if sysErr != nil {
			prepErr[labelKalam] = sysErr
		}
		for _, s := range systems {
			pctx, cancel := context.WithTimeout(ctx, prepareTimeout)
			start := time.Now()
			if err := w.prepare(pctx, s); err != nil {
				prepErr[s.label] = err
				cfg.logf("%s prepare on %s: %v", id, s.label, err)
			} else {
				cfg.logf("%s prepared on %s in %v", id, s.label, time.Since(start).Round(time.Millisecond))
			}
			cancel()
		}
		if w.reads {
			settleAndWarm(ctx, cfg, w, systems, prepErr)
		}
		for _, c := range w.cases {
			r := runCase(ctx, cfg, c, systems, prepErr)
			r.workload = id
			for _, label := range []string{labelPG, labelKalam} {
				if cl := r.cells[label]; cl != nil && cl.err != "" {
					if prepErr[label] == nil { // logged above already
						cfg.logf("%s on %s: %s", c.name, label, cl.detail)
					}
					if label == labelPG {
						pgErrs++
					}
				}
			}
			rows = append(rows, r)
		}
		cfg.logf("%s done in %v", id, time.Since(wstart).Round(time.Millisecond))
	}
	return rows, pgErrs
}

// settleAndWarm lets each prepared system settle and warm up, logging how
// long each took; a system that does not settle in time is measured anyway.
func settleAndWarm(ctx context.Context, cfg *config, w *workload, systems []*system, prepErr map[string]error) {
	for _, s := range systems {
		if prepErr[s.label] != nil {
			continue
		}
		start := time.Now()
		if err := settle(ctx, s); err != nil {
			cfg.logf("%s settle on %s: %v", w.id, s.label, err)
		}
		settled := time.Since(start)
		if err := warmUp(ctx, cfg, w, s); err != nil {
			cfg.logf("%s warm-up on %s: %v", w.id, s.label, err)
		}
		cfg.logf("%s on %s: settled in %v, warmed up in %v", w.id, s.label,
			settled.Round(time.Millisecond), (time.Since(start) - settled).Round(time.Millisecond))
	}
}

// runCase interleaves the systems round by round (A B A B ...) so drift in
// the machine's state affects both alike, then takes medians.
func runCase(ctx context.Context, cfg *config, c benchCase, systems []*system, prepErr map[string]error) row {
	r := row{name: c.name, unit: c.unit, higherBetter: c.higherBetter, cells: map[string]*cell{}}
	rounds := cfg.rounds
	if c.once {
		rounds = 1
	}
	samples := map[string][]sample{}
	var pairs [][2]float64 // by round: PostgreSQL's value, KalamDB's
	failed := map[string]error{}
	for label, err := range prepErr {
		failed[label] = err
	}
	for round := 0; round < rounds && ctx.Err() == nil; round++ {
		var pair [2]float64
		for _, s := range systems {
			if failed[s.label] != nil || c.kalamOnly && s.kind != kindKalam {
				continue
			}
			rctx, cancel := context.WithTimeout(ctx, cfg.duration+roundSlack)
			smp, err := c.run(rctx, s)
			cancel()
			if err != nil {
				failed[s.label] = err
				continue
			}
			samples[s.label] = append(samples[s.label], smp)
			cfg.logf("  %s, round %d on %s: %.5g %s", c.name, round+1, s.label, smp.value, c.unit)
			if s.kind == kindPG {
				pair[0] = smp.value
			} else {
				pair[1] = smp.value
			}
		}
		if pair[0] > 0 && pair[1] > 0 {
			pairs = append(pairs, pair)
		}
	}
	for _, p := range pairs {
		if c.higherBetter {
			r.roundRatios = append(r.roundRatios, p[1]/p[0])
		} else {
			r.roundRatios = append(r.roundRatios, p[0]/p[1])
		}
	}
	for label, err := range failed {
		r.cells[label] = &cell{err: classify(err), detail: err.Error()}
	}
	for label, ss := range samples {
		if r.cells[label] == nil {
			r.cells[label] = summarize(ss)
		}
	}
	return r
}

func summarize(ss []sample) *cell {
	c := &cell{}
	var vals, p50s, p99s, cpus []float64
	var notes []string
	for _, s := range ss {
		vals = append(vals, s.value)
		if s.cpuPerOp > 0 {
			cpus = append(cpus, float64(s.cpuPerOp))
		}
		if s.lat != nil {
			c.hasLat = true
			p50s = append(p50s, float64(percentile(s.lat, 0.50)))
			p99s = append(p99s, float64(percentile(s.lat, 0.99)))
		}
		// The first round's note speaks for the others: they differ only
		// in their numbers.
		if s.note != "" && len(notes) == 0 {
			notes = append(notes, s.note)
		}
	}
	c.value = median(vals)
	if len(cpus) > 0 {
		c.cpuPerOp = time.Duration(median(cpus))
	}
	if c.hasLat {
		c.p50 = time.Duration(median(p50s))
		c.p99 = time.Duration(median(p99s))
	}
	c.note = strings.Join(notes, "; ")
	return c
}

// notYetError marks a failure of a feature KalamDB does not have yet.
type notYetError struct{ err error }

func (e notYetError) Error() string { return "not yet supported: " + e.err.Error() }
func (e notYetError) Unwrap() error { return e.err }

// notYetOnKalam wraps err as notYetError when s is KalamDB; a PostgreSQL
// failure stays an error.
func notYetOnKalam(s *system, err error) error {
	if err == nil || s.kind != kindKalam {
		return err
	}
	return notYetError{err}
}

// classify turns an error into the short text of a table cell.
func classify(err error) string {
	var ny notYetError
	if errors.As(err, &ny) {
		return "n/a (not yet)"
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return "error: " + pgErr.Code
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "error: timeout"
	}
	msg := err.Error()
	if len(msg) > 40 {
		msg = msg[:40] + "..."
	}
	return "error: " + strings.ReplaceAll(msg, "|", "/")
}

// opFunc is one operation of a client, timed by the closed loop.
type opFunc func(ctx context.Context) error

// clientSetup prepares client number i on its own connection and returns
// the operation it repeats.
type clientSetup func(ctx context.Context, conn *pgx.Conn, i int) (opFunc, error)

// closedLoop runs n clients, each repeating its operation back to back for
// d, and returns the throughput in operations per second with every
// operation's latency. Connecting and setup are not timed.
func closedLoop(ctx context.Context, s *system, n int, d time.Duration, setup clientSetup) (sample, error) {
	conns := make([]*pgx.Conn, n)
	ops := make([]opFunc, n)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close(context.Background())
			}
		}
	}()
	err := parallel(n, func(i int) error {
		conn, err := s.connect(ctx)
		if err != nil {
			return err
		}
		conns[i] = conn
		op, err := setup(ctx, conn, i)
		if err != nil {
			return err
		}
		ops[i] = op
		return nil
	})
	if err != nil {
		return sample{}, err
	}
	lats := make([][]time.Duration, n)
	cpu := startCPU(s)
	start := time.Now()
	deadline := start.Add(d)
	err = parallel(n, func(i int) error {
		l := make([]time.Duration, 0, 1024)
		for {
			t0 := time.Now()
			if !t0.Before(deadline) {
				break
			}
			if err := ops[i](ctx); err != nil {
				return err
			}
			l = append(l, time.Since(t0))
		}
		lats[i] = l
		return nil
	})
	elapsed := time.Since(start)
	if err != nil {
		return sample{}, err
	}
	return throughputSample(lats, elapsed, cpu)
}

// cpuMeter reads a server's CPU time at the start of a timed phase.
type cpuMeter struct {
	s     *system
	start time.Duration
	err   error
}

func startCPU(s *system) cpuMeter {
	d, err := s.cpu()
	return cpuMeter{s: s, start: d, err: err}
}

// used is the server's CPU time since the start; false when it could not
// be read.
func (m cpuMeter) used() (time.Duration, bool) {
	now, err := m.s.cpu()
	if m.err != nil || err != nil {
		return 0, false
	}
	return now - m.start, true
}

// throughputSample turns the clients' latencies over elapsed into a
// sample: operations per second, every latency and the server's CPU time
// per operation.
func throughputSample(lats [][]time.Duration, elapsed time.Duration, cpu cpuMeter) (sample, error) {
	used, measured := cpu.used() // right after the timed phase
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	if len(all) == 0 {
		return sample{}, errors.New("no operation completed")
	}
	smp := sample{value: float64(len(all)) / elapsed.Seconds(), lat: all}
	if measured {
		smp.cpuPerOp = used / time.Duration(len(all))
	}
	return smp, nil
}

// parallel runs f(0..n-1) concurrently and returns the first error.
func parallel(n int, f func(i int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	return firstNonNil(errs)
}

// parallelLimit is parallel with at most limit calls running at once.
func parallelLimit(n, limit int, f func(i int) error) error {
	sem := make(chan struct{}, limit)
	return parallel(n, func(i int) error {
		sem <- struct{}{}
		defer func() { <-sem }()
		return f(i)
	})
}

func firstNonNil(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// percentile uses the nearest-rank method on a sorted copy.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	k := int(math.Ceil(p*float64(len(s)))) - 1
	if k < 0 {
		k = 0
	}
	return s[k]
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// newWorkload builds a workload by id; parseFlags has checked the id.
func newWorkload(id string, cfg *config) *workload {
	switch id {
	case "W1":
		return w1Workload(cfg, "W1", true, false)
	case "W1u":
		return w1Workload(cfg, "W1u", true, true)
	case "W1a":
		return w1Workload(cfg, "W1a", false, false)
	case "W2":
		return w2Workload(cfg)
	case "W2c":
		return w2cWorkload(cfg)
	case "W7":
		return w7Workload(cfg)
	case "W7ws":
		return w7wsWorkload(cfg)
	case "W3":
		return w3Workload(cfg)
	case "W4":
		return w4Workload(cfg, "W4", true)
	case "W4a":
		return w4Workload(cfg, "W4a", false)
	case "W5":
		return w5Workload(cfg)
	case "W6":
		return w6Workload(cfg)
	}
	panic(fmt.Sprintf("unknown workload %q", id))
}

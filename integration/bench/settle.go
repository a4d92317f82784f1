package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// A read workload loads its history and then times reads. Right after the
// load both systems still have background work to do, and the first reads
// find their caches cold: PostgreSQL's autovacuum and checkpointer,
// KalamDB's LSM compaction and jobs. Timing reads then measures that work
// and the warm-up, not the reads, and by luck of the round: in one run
// KalamDB's three rounds of latest-50 at 1 client were 4894, 6479 and
// 7507 q/s. So before a read workload's cases both systems settle
// (settle) and then run its first case once untimed (warmUp).

const (
	settlePoll    = 200 * time.Millisecond
	settleQuiet   = 3 // consecutive quiet polls that count as settled
	settleTimeout = 5 * time.Minute
)

// settle waits for the system's background work on the loaded data: on
// PostgreSQL it runs what autovacuum and the checkpointer would (VACUUM
// ANALYZE, CHECKPOINT); on KalamDB it waits until the hot store's
// compaction backlog is 0 and no job runs. Past settleTimeout it reports
// an error; the caller logs it and measures anyway.
func settle(ctx context.Context, s *system) error {
	if s.kind == kindPG {
		return withSystem(ctx, s, func(conn *pgx.Conn) error {
			for _, q := range []string{"VACUUM ANALYZE", "CHECKPOINT"} {
				if _, err := conn.Exec(ctx, q); err != nil {
					return fmt.Errorf("%s: %w", q, err)
				}
			}
			return nil
		})
	}
	return withSystem(ctx, s, func(conn *pgx.Conn) error {
		deadline := time.Now().Add(settleTimeout)
		quiet := 0
		for quiet < settleQuiet {
			backlog, err := kalamGauge(ctx, s.kalam.httpAddr, "kalamdb_hot_compaction_backlog")
			if err != nil {
				return err
			}
			var running int64
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM kalamdb_jobs() WHERE state = 'running'").Scan(&running); err != nil {
				return fmt.Errorf("kalamdb_jobs: %w", err)
			}
			if backlog == 0 && running == 0 {
				quiet++
			} else {
				quiet = 0
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("not settled after %v: compaction backlog %v, %d jobs running", settleTimeout, backlog, running)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(settlePoll):
			}
		}
		return nil
	})
}

// kalamGauge reads one unlabelled metric from KalamDB's /metrics.
func kalamGauge(ctx context.Context, httpAddr, name string) (float64, error) {
	if httpAddr == "" {
		return 0, fmt.Errorf("KalamDB logged no HTTP listener to read %s from", name)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+httpAddr+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("metrics: %s", resp.Status)
	}
	return parseGauge(bufio.NewScanner(resp.Body), name)
}

// parseGauge finds `name value` in Prometheus text format.
func parseGauge(sc *bufio.Scanner, name string) (float64, error) {
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), name+" ")
		if !ok {
			continue
		}
		return strconv.ParseFloat(strings.TrimSpace(rest), 64)
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("metrics: no %s", name)
}

// warmUp runs the workload's first case once on the system, untimed, so
// the timed rounds start with the caches as a running application has
// them.
func warmUp(ctx context.Context, cfg *config, w *workload, s *system) error {
	if len(w.cases) == 0 {
		return nil
	}
	rctx, cancel := context.WithTimeout(ctx, cfg.duration+roundSlack)
	defer cancel()
	_, err := w.cases[0].run(rctx, s)
	return err
}

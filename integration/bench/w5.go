package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// settleTime lets a server finish allocating for new connections, or
// reaping closed ones, before we read its memory.
const settleTime = 300 * time.Millisecond

// w5Workload measures the memory an idle connection costs when it LISTENs
// on its own channel: the growth of the server's memory (PostgreSQL: summed
// Pss of all its processes; KalamDB: RSS) divided by the connections.
func w5Workload(cfg *config) *workload {
	return &workload{
		id:      "W5",
		durable: true,
		prepare: func(context.Context, *system) error { return nil },
		cases: []benchCase{{
			name: fmt.Sprintf("W5 memory per idle listening connection, %d connections", cfg.w5Conns),
			unit: "KiB/conn", higherBetter: false,
			run: func(ctx context.Context, s *system) (sample, error) {
				if s.kind == kindKalam {
					return freshKalamIdleMemory(ctx, cfg, s, cfg.w5Conns)
				}
				return idleMemory(ctx, s, cfg.w5Conns)
			},
		}},
	}
}

// freshKalamIdleMemory measures W5 on a KalamDB process of its own: the
// shared instance has run other workloads, and a Go heap reuses the memory
// they freed, so its RSS would not grow with new connections at all.
func freshKalamIdleMemory(ctx context.Context, cfg *config, s *system, n int) (sample, error) {
	return withFreshKalam(ctx, cfg, s, func(fresh *system) (sample, error) {
		return idleMemory(ctx, fresh, n)
	})
}

// withFreshKalam runs f against a new KalamDB process started from the
// same binary, stopped afterwards.
func withFreshKalam(ctx context.Context, cfg *config, s *system, f func(fresh *system) (sample, error)) (sample, error) {
	k, err := startKalam(ctx, cfg, s.kalam.cmd.Path, "fsync")
	if err != nil {
		return sample{}, err
	}
	defer func() {
		if err := k.stop(); err != nil {
			cfg.logf("stop KalamDB: %v", err)
		}
	}()
	cc, err := pgx.ParseConfig(k.dsn())
	if err != nil {
		return sample{}, fmt.Errorf("KalamDB address %q: %w", k.pgAddr, err)
	}
	return f(&system{kind: kindKalam, label: s.label, durable: s.durable, conn: cc, kalam: k})
}

func idleMemory(ctx context.Context, s *system, n int) (sample, error) {
	procs := s.procCount()
	time.Sleep(settleTime)
	before, err := s.memory()
	if err != nil {
		return sample{}, fmt.Errorf("read memory: %w", err)
	}
	ls, err := listenMany(ctx, s, n, func(i int) string { return fmt.Sprintf("w5_%d", i) }, false, nil)
	if err != nil {
		return sample{}, err
	}
	// A query on each makes the server finish setting the session up.
	err = parallelLimit(len(ls), 16, func(i int) error {
		var one int
		return ls[i].conn.QueryRow(ctx, "SELECT 1", pgx.QueryExecModeSimpleProtocol).Scan(&one)
	})
	if err != nil {
		closeAll(ls)
		return sample{}, err
	}
	time.Sleep(settleTime)
	after, err := s.memory()
	closeAll(ls)
	if err != nil {
		return sample{}, fmt.Errorf("read memory: %w", err)
	}
	// PostgreSQL's backends exit after their clients leave; wait so the next
	// round's baseline does not count them.
	for deadline := time.Now().Add(10 * time.Second); s.procCount() > procs && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	perConn := float64(after-before) / float64(n) / 1024
	return sample{value: perConn, note: fmt.Sprintf("%.1f MiB before, %.1f MiB with %d connections",
		float64(before)/(1<<20), float64(after)/(1<<20), n)}, nil
}

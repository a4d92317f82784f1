package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// w6Workload measures storage per message: the growth of the data directory
// after loading N messages and bringing them to rest (PostgreSQL:
// CHECKPOINT, without pg_wal; KalamDB: kalamdb_flush_all()), divided by N.
func w6Workload(cfg *config) *workload {
	const table = "w6_messages"
	return &workload{
		id:      "W6",
		durable: true,
		prepare: func(context.Context, *system) error { return nil },
		cases: []benchCase{{
			name: fmt.Sprintf("W6 storage per message, %d messages", cfg.w6Messages),
			unit: "B/msg", higherBetter: false, once: true,
			run: func(ctx context.Context, s *system) (sample, error) {
				measure := func(s *system) (sample, error) {
					var smp sample
					err := withSystem(ctx, s, func(conn *pgx.Conn) error {
						var err error
						smp, err = storagePerMessage(ctx, s, conn, table, cfg.w6Messages, cfg.w2Users)
						return err
					})
					return smp, err
				}
				if s.kind == kindKalam {
					// A fresh process: a flush of the shared instance would
					// move the other workloads' rows too.
					return withFreshKalam(ctx, cfg, s, measure)
				}
				return measure(s)
			},
		}},
	}
}

func storagePerMessage(ctx context.Context, s *system, conn *pgx.Conn, table string, n, users int) (sample, error) {
	if err := createMessages(ctx, s, conn, table, false); err != nil {
		return sample{}, err
	}
	var notes []string
	persist := func() error {
		err := s.persist(ctx, conn)
		time.Sleep(settleTime)
		return err
	}
	_ = persist() // a failure shows again below, where it is reported
	before, err := s.diskUsage()
	if err != nil {
		return sample{}, err
	}
	if err := loadMessages(ctx, s, conn, table, genMessages(n, users)); err != nil {
		return sample{}, err
	}
	if s.kind == kindKalam {
		if hot, err := s.diskUsage(); err == nil {
			notes = append(notes, fmt.Sprintf("hot before the flush %.0f B/msg", float64(hot-before)/float64(n)))
		}
	}
	if err := persist(); err != nil {
		notes = append(notes, fmt.Sprintf("not flushed (%s)", classify(err)))
	}
	if s.kind == kindKalam {
		if cold, err := du(filepath.Join(s.kalam.dataDir, "users"), ""); err == nil {
			shared, _ := du(filepath.Join(s.kalam.dataDir, "shared"), "")
			notes = append(notes, fmt.Sprintf("Parquet alone %.0f B/msg (flushed versions stay in Badger's files until its compaction)",
				float64(cold+shared)/float64(n)))
		}
	}
	after, err := s.diskUsage()
	if err != nil {
		return sample{}, err
	}
	if s.kind == kindPG {
		var rel int64
		if err := conn.QueryRow(ctx, "SELECT pg_total_relation_size($1)", table).Scan(&rel); err == nil {
			notes = append(notes, fmt.Sprintf("table+indexes %.0f B/msg", float64(rel)/float64(n)))
		}
	}
	smp := sample{value: float64(after-before) / float64(n)}
	if len(notes) > 0 {
		smp.note = strings.Join(notes, "; ")
	}
	return smp, nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/jackc/pgx/v5"
)

// w2Workload reads a loaded history: the latest 50 messages of a
// conversation, and a message by id, at each read client count. The data
// (one conversation per user) is loaded once per system, by COPY on
// PostgreSQL and multi-row INSERTs on KalamDB, into a shared table.
func w2Workload(cfg *config) *workload {
	const table = "w2_messages"
	w := &workload{
		id:      "W2",
		durable: true,
		prepare: func(ctx context.Context, s *system) error {
			msgs := genMessages(cfg.w2Messages, cfg.w2Users)
			return withSystem(ctx, s, func(conn *pgx.Conn) error {
				if err := createMessages(ctx, s, conn, table, false); err != nil {
					return err
				}
				if err := loadMessages(ctx, s, conn, table, msgs); err != nil {
					return err
				}
				if s.kind == kindPG {
					_, err := conn.Exec(ctx, "ANALYZE "+table)
					return err
				}
				// An index may not exist yet on KalamDB; reads work without it.
				_, _ = conn.Exec(ctx, "CREATE INDEX ON "+table+" (conversation_id, id)")
				return nil
			})
		},
	}
	latest := "SELECT id, conversation_id, sender, content, created_at FROM " + table +
		" WHERE conversation_id = $1 ORDER BY id DESC LIMIT 50"
	point := "SELECT id, conversation_id, sender, content, created_at FROM " + table + " WHERE id = $1"
	for _, q := range []struct {
		kind, sql string
		arg       func(r *rand.Rand) any
		minRows   int
	}{
		{"latest 50 of a conversation", latest, func(r *rand.Rand) any { return conversationID(r.IntN(cfg.w2Users)) }, 1},
		{"point lookup by id", point, func(r *rand.Rand) any { return int64(1 + r.IntN(cfg.w2Messages)) }, 1},
	} {
		for _, n := range cfg.readClients {
			w.cases = append(w.cases, benchCase{
				name: fmt.Sprintf("W2 %s, %d client%s", q.kind, n, plural(n)), unit: "q/s", higherBetter: true,
				run: func(ctx context.Context, s *system) (sample, error) {
					return closedLoop(ctx, s, n, cfg.duration, func(ctx context.Context, conn *pgx.Conn, i int) (opFunc, error) {
						if _, err := conn.Prepare(ctx, "q", q.sql); err != nil {
							return nil, fmt.Errorf("prepare: %w", err)
						}
						r := rand.New(rand.NewPCG(uint64(i), 2))
						return func(ctx context.Context) error {
							return readRows(ctx, conn, q.minRows, q.arg(r))
						}, nil
					})
				},
			})
		}
	}
	return w
}

var errTooFewRows = errors.New("query returned too few rows")

// readRows runs the prepared query, decodes every row, and checks that the
// loaded data was found: a fast wrong answer must not count.
func readRows(ctx context.Context, conn *pgx.Conn, minRows int, arg any) error {
	rows, err := conn.Query(ctx, "q", arg)
	if err != nil {
		return err
	}
	n := 0
	for rows.Next() {
		var m message
		if err := rows.Scan(&m.id, &m.conversation, &m.sender, &m.content, &m.created); err != nil {
			rows.Close()
			return err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n < minRows {
		return fmt.Errorf("%w: %d for %v", errTooFewRows, n, arg)
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/jackc/pgx/v5"
)

// w1Workload is single-row INSERT of a ~250-byte message with prepared
// statements at each client count. W1 writes a shared table, W1u a per-user
// table on KalamDB (each client acts for its own user through SET ROLE; on
// PostgreSQL the sender column plays that part), W1a uses async durability.
func w1Workload(cfg *config, id string, durable, perUser bool) *workload {
	table := strings.ToLower(id) + "_messages"
	users := "user_" + strings.ToLower(id) + "_"
	maxClients := 0
	for _, n := range cfg.clients {
		maxClients = max(maxClients, n)
	}
	w := &workload{
		id:      id,
		durable: durable,
		prepare: func(ctx context.Context, s *system) error {
			return withSystem(ctx, s, func(conn *pgx.Conn) error {
				if err := createMessages(ctx, s, conn, table, perUser); err != nil {
					return err
				}
				if perUser && s.kind == kindKalam {
					return createUsers(ctx, conn, users, maxClients)
				}
				return nil
			})
		},
	}
	insert := "INSERT INTO " + table + " (conversation_id, sender, content) VALUES ($1, $2, $3)"
	for _, n := range cfg.clients {
		name := fmt.Sprintf("%s insert (%s), %d client%s", id, w1Kind(durable, perUser), n, plural(n))
		w.cases = append(w.cases, benchCase{
			name: name, unit: "tx/s", higherBetter: true,
			run: func(ctx context.Context, s *system) (sample, error) {
				return closedLoop(ctx, s, n, cfg.duration, func(ctx context.Context, conn *pgx.Conn, i int) (opFunc, error) {
					if perUser && s.kind == kindKalam {
						if _, err := conn.Exec(ctx, "SET ROLE "+userName(users, i)); err != nil {
							return nil, fmt.Errorf("set role: %w", err)
						}
					}
					if _, err := conn.Prepare(ctx, "ins", insert); err != nil {
						return nil, fmt.Errorf("prepare insert: %w", err)
					}
					r := rand.New(rand.NewPCG(uint64(i), 1))
					sender := fmt.Sprintf("user_%06d", i)
					return func(ctx context.Context) error {
						_, err := conn.Exec(ctx, "ins", conversationID(i*10+r.IntN(10)), sender, content(r))
						return err
					}, nil
				})
			},
		})
	}
	return w
}

func w1Kind(durable, perUser bool) string {
	k := "durable"
	if !durable {
		k = "async"
	}
	if perUser {
		k += ", user table"
	}
	return k
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// w3Clients is the writer count of W3, as the issue asks.
const w3Clients = 8

// w3Workload posts messages that notify the recipient: 8 clients, each
// writing for its own user, with one listener per user's channel draining
// the notifications, so the cost of delivery is part of the measurement.
func w3Workload(cfg *config) *workload {
	const table, users = "w3_messages", "user_w3_"
	return &workload{
		id:      "W3",
		durable: true,
		prepare: func(ctx context.Context, s *system) error {
			return prepareNotifying(ctx, s, table, users, w3Clients)
		},
		cases: []benchCase{{
			name: fmt.Sprintf("W3 insert + notify, %d clients", w3Clients), unit: "tx/s", higherBetter: true,
			run: func(ctx context.Context, s *system) (sample, error) {
				ls, err := listenMany(ctx, s, w3Clients, func(i int) string { return userName(users, i) }, true, nil)
				if err != nil {
					return sample{}, err
				}
				defer closeAll(ls)
				smp, err := closedLoop(ctx, s, w3Clients, cfg.duration, func(ctx context.Context, conn *pgx.Conn, i int) (opFunc, error) {
					return notifyingWriter(ctx, s, conn, table, userName(users, i), i)
				})
				if err != nil {
					return smp, err
				}
				// Deliveries trail the writes a little; wait for them before
				// judging whether any went missing.
				want := int64(len(smp.lat))
				deadline := time.Now().Add(5 * time.Second)
				got := int64(0)
				for time.Now().Before(deadline) {
					got = 0
					for _, l := range ls {
						got += l.count.Load()
					}
					if got >= want {
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
				if got < want {
					smp.note = fmt.Sprintf("only %d of %d notifications arrived", got, want)
				}
				return smp, nil
			},
		}},
	}
}

package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// notifyRate is W4's offered load: notifying writes per second.
const notifyRate = 500

// deliveryTimeout is how long W4 waits for one notification to reach every
// listener before it calls the delivery lost.
const deliveryTimeout = 5 * time.Second

// w4Workload measures notification latency: from the start of a notifying
// write (see listen.go) to its arrival at each listener, one write at a
// time. Cases: one listener; many listeners on the channel; one listener
// while many idle connections listen on other channels. W4 commits
// durably, so its latency includes the commit's fsync; W4a commits
// asynchronously (synchronous_commit=off, --durability async), which
// leaves the delivery path itself.
func w4Workload(cfg *config, id string, durable bool) *workload {
	// Names of its own per workload: W4 and W4a share PostgreSQL.
	table, users := strings.ToLower(id)+"_messages", "user_"+strings.ToLower(id)+"_"
	w := &workload{
		id:      id,
		durable: durable,
		prepare: func(ctx context.Context, s *system) error {
			return prepareNotifying(ctx, s, table, users, 1)
		},
	}
	suffix := ""
	if !durable {
		suffix = " (async commit)"
	}
	for _, c := range []struct {
		name            string
		listeners, idle int
	}{
		{"notify latency, 1 listener", 1, 0},
		{fmt.Sprintf("notify latency, %d listeners", cfg.w4Listeners), cfg.w4Listeners, 0},
		{fmt.Sprintf("notify latency, 1 listener + %d idle", cfg.w4Idle), 1, cfg.w4Idle},
	} {
		w.cases = append(w.cases, benchCase{
			name: id + " " + c.name + suffix, unit: "ms p50", higherBetter: false,
			run: func(ctx context.Context, s *system) (sample, error) {
				return notifyLatency(ctx, s, table, userName(users, 0), c.listeners, c.idle, cfg.notifyCount)
			},
		})
	}
	return w
}

func notifyLatency(ctx context.Context, s *system, table, user string, listeners, idle, count int) (sample, error) {
	idlers, err := listenMany(ctx, s, idle, func(i int) string { return fmt.Sprintf("idle_%d", i) }, false, nil)
	if err != nil {
		return sample{}, err
	}
	defer closeAll(idlers)
	recv := make(chan time.Time, listeners)
	ls, err := listenMany(ctx, s, listeners, func(int) string { return user }, true, recv)
	if err != nil {
		return sample{}, err
	}
	defer closeAll(ls)

	conn, err := s.connect(ctx)
	if err != nil {
		return sample{}, err
	}
	defer conn.Close(context.Background())
	post, err := notifyingWriter(ctx, s, conn, table, user, 0)
	if err != nil {
		return sample{}, err
	}
	lat := make([]time.Duration, 0, count*listeners)
	// Writes are paced at notifyRate, as the issue measures, so a slow
	// delivery cannot make the offered load lighter.
	pace := time.NewTicker(time.Second / notifyRate)
	defer pace.Stop()
	for n := 0; n < count; n++ {
		<-pace.C
		t0 := time.Now()
		if err := post(ctx); err != nil {
			return sample{}, err
		}
		timeout := time.NewTimer(deliveryTimeout)
		for got := 0; got < listeners; got++ {
			select {
			case at := <-recv:
				lat = append(lat, at.Sub(t0))
			case <-timeout.C:
				return sample{}, fmt.Errorf("notification %d reached %d of %d listeners within %v", n, got, listeners, deliveryTimeout)
			case <-ctx.Done():
				timeout.Stop()
				return sample{}, ctx.Err()
			}
		}
		timeout.Stop()
	}
	p50 := percentile(lat, 0.5)
	return sample{value: float64(p50) / float64(time.Millisecond), lat: lat}, nil
}

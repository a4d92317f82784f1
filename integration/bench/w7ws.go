package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/kalamdb/kalamdb/auth"
)

// wsWriters is how many pgwire connections post W7ws's messages: enough
// for its rate with durable commits.
const wsWriters = 8

// w7wsWorkload measures the WebSocket half of the gateway, which
// PostgreSQL has no counterpart of: many subscribers, one user each, in
// the original {"type":"subscribe","userId"} form, on a KalamDB process of
// their own; the server's memory per idle subscriber; then messages posted
// over pgwire at a fixed rate spread over the subscribers, each timed from
// its INSERT to its arrival.
func w7wsWorkload(cfg *config) *workload {
	const table = "w7ws_messages"
	prepare := func(ctx context.Context, s *system) error {
		return withSystem(ctx, s, func(conn *pgx.Conn) error { return createMessages(ctx, s, conn, table, true) })
	}
	return &workload{
		id:      "W7ws",
		durable: true,
		prepare: func(context.Context, *system) error { return nil },
		cases: []benchCase{
			{
				name: fmt.Sprintf("W7ws memory per idle WebSocket subscriber, %d subscribers", cfg.wsSubs),
				unit: "KiB/conn", higherBetter: false, kalamOnly: true, once: true,
				run: func(ctx context.Context, s *system) (sample, error) {
					return withFreshKalam(ctx, cfg, s, func(k *system) (sample, error) {
						if err := prepare(ctx, k); err != nil {
							return sample{}, err
						}
						return wsFanout(ctx, cfg, k, table, 0)
					})
				},
			},
			{
				name: fmt.Sprintf("W7ws WebSocket fan-out, %d subscribers, %d messages/s", cfg.wsSubs, cfg.wsRate),
				unit: "ms p50", higherBetter: false, kalamOnly: true,
				run: func(ctx context.Context, s *system) (sample, error) {
					return withFreshKalam(ctx, cfg, s, func(k *system) (sample, error) {
						if err := prepare(ctx, k); err != nil {
							return sample{}, err
						}
						return wsFanout(ctx, cfg, k, table, cfg.wsRate)
					})
				},
			},
		},
	}
}

// wsFanout connects cfg.wsSubs subscribers to k. With rate 0 it returns
// the server's RSS growth per subscriber; otherwise it posts rate messages
// a second for cfg.duration and returns their delivery latencies.
func wsFanout(ctx context.Context, cfg *config, k *system, table string, rate int) (sample, error) {
	if k.kalam.httpAddr == "" {
		return sample{}, errors.New("KalamDB logged no HTTP listener")
	}
	secret, err := auth.LoadOrCreateSecret(k.kalam.dataDir)
	if err != nil {
		return sample{}, err
	}
	signer := auth.NewJWT(secret)
	n := cfg.wsSubs
	time.Sleep(settleTime)
	before, err := k.memory()
	if err != nil {
		return sample{}, fmt.Errorf("read memory: %w", err)
	}
	recv := make(chan time.Duration, 4096)
	subs := make([]*websocket.Conn, n)
	defer func() {
		for _, c := range subs {
			if c != nil {
				c.CloseNow()
			}
		}
	}()
	start := time.Now()
	err = parallelLimit(n, 32, func(i int) error {
		c, err := wsSubscribe(ctx, k.kalam.httpAddr, signer, wsUser(i), i)
		subs[i] = c
		return err
	})
	if err != nil {
		return sample{}, err
	}
	cfg.logf("W7ws: %d subscribers connected in %v", n, time.Since(start).Round(time.Millisecond))
	time.Sleep(settleTime)
	after, err := k.memory()
	if err != nil {
		return sample{}, fmt.Errorf("read memory: %w", err)
	}
	if rate == 0 {
		perConn := float64(after-before) / float64(n) / 1024
		return sample{value: perConn, note: fmt.Sprintf("server RSS %.1f MiB before, %.1f MiB with %d subscribers",
			float64(before)/(1<<20), float64(after)/(1<<20), n)}, nil
	}

	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var readers sync.WaitGroup
	for _, c := range subs {
		readers.Add(1)
		go func() {
			defer readers.Done()
			wsReceive(rctx, c, recv)
		}()
	}
	defer readers.Wait()
	defer cancel()

	total := max(1, int(cfg.duration.Seconds()*float64(rate)))
	jobs := make(chan int, total)
	writeErr := make(chan error, wsWriters)
	var writers sync.WaitGroup
	for w := 0; w < wsWriters; w++ {
		conn, err := k.connect(ctx)
		if err != nil {
			return sample{}, err
		}
		writers.Add(1)
		go func() {
			defer writers.Done()
			defer conn.Close(context.Background())
			for i := range jobs {
				sent := strconv.FormatInt(time.Now().UnixNano(), 10)
				q := "INSERT INTO " + wsUser(i%n) + "." + table + " (conversation_id, sender, content) VALUES ('c', 's', $1)"
				if _, err := conn.Exec(ctx, q, sent); err != nil {
					writeErr <- err
					return
				}
			}
		}()
	}
	interval := time.Second / time.Duration(rate)
	t0 := time.Now()
	for i := 0; i < total; i++ {
		if d := time.Until(t0.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		jobs <- i
	}
	close(jobs)
	writers.Wait()
	select {
	case err := <-writeErr:
		return sample{}, fmt.Errorf("insert: %w", err)
	default:
	}
	lat := make([]time.Duration, 0, total)
	timeout := time.NewTimer(deliveryTimeout)
	defer timeout.Stop()
	for len(lat) < total {
		select {
		case d := <-recv:
			lat = append(lat, d)
		case <-timeout.C:
			return sample{}, fmt.Errorf("%d of %d messages delivered within %v of the last insert", len(lat), total, deliveryTimeout)
		case <-ctx.Done():
			return sample{}, ctx.Err()
		}
	}
	elapsed := time.Since(t0)
	return sample{value: float64(percentile(lat, 0.5)) / float64(time.Millisecond), lat: lat,
		note: fmt.Sprintf("%d messages in %v (%.0f/s) over %d subscribers", total, elapsed.Round(time.Millisecond),
			float64(total)/elapsed.Seconds(), n)}, nil
}

func wsUser(i int) string { return "ws_user_" + strconv.Itoa(i) }

// wsSubscribe opens subscriber i's connection, its source address one of
// 127.0.0.1-250 so that many connections do not exhaust one address's
// ports, and waits for the subscription's acknowledgement.
func wsSubscribe(ctx context.Context, addr string, signer *auth.JWT, user string, i int) (*websocket.Conn, error) {
	token, err := signer.Sign(user, auth.RoleUser, time.Hour)
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i%250))}}
	client := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(dctx, "ws://"+addr+"/ws?token="+token, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		return nil, fmt.Errorf("subscriber %d: %w", i, err)
	}
	if err := c.Write(dctx, websocket.MessageText, []byte(`{"type":"subscribe","userId":"`+user+`"}`)); err != nil {
		c.CloseNow()
		return nil, fmt.Errorf("subscriber %d: %w", i, err)
	}
	_, data, err := c.Read(dctx)
	if err != nil {
		c.CloseNow()
		return nil, fmt.Errorf("subscriber %d: %w", i, err)
	}
	var ack struct{ Type, Message string }
	if err := json.Unmarshal(data, &ack); err != nil || ack.Type != "subscribed" {
		c.CloseNow()
		return nil, fmt.Errorf("subscriber %d: want subscribed, got %s", i, data)
	}
	return c, nil
}

// wsReceive sends each change's delivery latency (arrival minus the send
// time in its content) to recv until ctx ends or the connection fails.
func wsReceive(ctx context.Context, c *websocket.Conn, recv chan<- time.Duration) {
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		now := time.Now()
		var m struct {
			Type string
			Row  struct{ Content string }
		}
		if json.Unmarshal(data, &m) != nil || m.Type != "change" {
			continue
		}
		sent, err := strconv.ParseInt(m.Row.Content, 10, 64)
		if err != nil {
			continue
		}
		select {
		case recv <- now.Sub(time.Unix(0, sent)):
		case <-ctx.Done():
			return
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// w7Workload answers W2's point lookup over HTTP on KalamDB (POST
// /api/v1/query with a Bearer JWT and JSON parameters) and over pgwire on
// PostgreSQL, the way an application without a Postgres driver would talk
// to each: the same query, the same rows.
func w7Workload(cfg *config) *workload {
	// Its own table, so the reads stay hot whatever W2c flushed.
	const table = "w7_messages"
	w := &workload{
		id:      "W7",
		durable: true,
		reads:   true,
		prepare: func(ctx context.Context, s *system) error {
			return withSystem(ctx, s, func(conn *pgx.Conn) error { return loadHistory(ctx, cfg, s, conn, table) })
		},
	}
	point := "SELECT id, conversation_id, sender, content, created_at FROM " + table + " WHERE id = $1"
	for _, n := range cfg.readClients {
		w.cases = append(w.cases, benchCase{
			name: fmt.Sprintf("W7 point lookup, KalamDB over HTTP vs PostgreSQL over pgwire, %d client%s", n, plural(n)),
			unit: "q/s", higherBetter: true,
			run: func(ctx context.Context, s *system) (sample, error) {
				arg := func(r *rand.Rand) int64 { return int64(1 + r.IntN(cfg.w2Messages)) }
				if s.kind == kindPG {
					return closedLoop(ctx, s, n, cfg.duration, func(ctx context.Context, conn *pgx.Conn, i int) (opFunc, error) {
						if _, err := conn.Prepare(ctx, "q", point); err != nil {
							return nil, err
						}
						r := rand.New(rand.NewPCG(uint64(i), 7))
						return func(ctx context.Context) error { return readRows(ctx, conn, 1, arg(r)) }, nil
					})
				}
				return httpLoop(ctx, s, n, cfg.duration, point, arg)
			},
		})
	}
	return w
}

// httpLoop runs n clients, each posting the query with a random id until d
// has passed, over kept-alive connections.
func httpLoop(ctx context.Context, s *system, n int, d time.Duration, query string, arg func(*rand.Rand) int64) (sample, error) {
	if s.kalam.httpAddr == "" {
		return sample{}, errors.New("n/a (not yet): KalamDB logged no HTTP listener")
	}
	token, err := rootToken(ctx, s.kalam)
	if err != nil {
		return sample{}, err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}, Timeout: 10 * time.Second}
	url := "http://" + s.kalam.httpAddr + "/api/v1/query"
	lats := make([][]time.Duration, n)
	cpu := startCPU(s)
	start := time.Now()
	deadline := start.Add(d)
	err = parallel(n, func(i int) error {
		r := rand.New(rand.NewPCG(uint64(i), 7))
		for t0 := time.Now(); t0.Before(deadline); t0 = time.Now() {
			body, _ := json.Marshal(map[string]any{"sql": query, "params": []any{arg(r)}})
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			var out struct {
				Status  string `json:"status"`
				Results []struct {
					RowCount int `json:"row_count"`
				} `json:"results"`
			}
			err = json.NewDecoder(resp.Body).Decode(&out)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			if out.Status != "ok" || len(out.Results) != 1 || out.Results[0].RowCount < 1 {
				return fmt.Errorf("%w: HTTP %d %+v", errTooFewRows, resp.StatusCode, out)
			}
			lats[i] = append(lats[i], time.Since(t0))
		}
		return nil
	})
	elapsed := time.Since(start)
	if err != nil {
		return sample{}, err
	}
	return throughputSample(lats, elapsed, cpu)
}

// rootToken signs a token for root with the server's own secret.
func rootToken(ctx context.Context, k *kalamProc) (string, error) {
	out, err := exec.CommandContext(ctx, k.cmd.Path, "token", "--user", "root", "--role", "system", "--data", k.dataDir).Output()
	if err != nil {
		return "", fmt.Errorf("kalamdb token: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

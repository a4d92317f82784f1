package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/wire/gateway"
)

// postAsync posts a query from another goroutine and sends back the
// status and the error code ("" for none).
func postAsync(t *testing.T, ts *testServer, token, body string) <-chan [2]string {
	out := make(chan [2]string, 1)
	go func() {
		req, err := http.NewRequest(http.MethodPost, ts.base+"/api/v1/query", strings.NewReader(body))
		if err != nil {
			t.Error(err)
			out <- [2]string{}
			return
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			out <- [2]string{}
			return
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		var r response
		if err := json.Unmarshal(data, &r); err != nil {
			t.Errorf("body %q: %v", data, err)
		}
		out <- [2]string{http.StatusText(resp.StatusCode), r.Error.Code}
	}()
	return out
}

// The statement timeout ends a request's query: 408 with 57014.
func TestHTTPStatementTimeout(t *testing.T) {
	ts := startServer(t, gateway.Limits{StatementTimeout: 100 * time.Millisecond}, false)
	start := time.Now()
	status, r := ts.post("/api/v1/query", ts.token("root", auth.RoleSystem), `{"sql":"SELECT pg_sleep(10)"}`)
	if status != http.StatusRequestTimeout || r.Error.Code != "57014" {
		t.Fatalf("got %d %+v, want 408 57014", status, r)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the timeout took %v", d)
	}
	// A request after it runs as usual.
	if status, r := ts.post("/api/v1/query", ts.token("root", auth.RoleSystem), `{"sql":"SELECT 1"}`); status != http.StatusOK {
		t.Fatalf("next request: %d %+v", status, r)
	}
}

// Close cancels the queries in flight: 503 with 57P01.
func TestHTTPCloseCancelsQuery(t *testing.T) {
	ts := startServer(t, gateway.Limits{}, false)
	start := time.Now()
	res := postAsync(t, ts, ts.token("root", auth.RoleSystem), `{"sql":"SELECT pg_sleep(10)"}`)
	time.Sleep(300 * time.Millisecond) // running by now, or it starts canceled
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := ts.Gateway().Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case got := <-res:
		if want := [2]string{http.StatusText(http.StatusServiceUnavailable), "57P01"}; got != want {
			t.Fatalf("got %v, want %v", got, want)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("the query was not canceled by Close")
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Fatalf("canceled after %v", d)
	}
}

package gateway_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/wire/gateway"
)

// TestQuickStartCurl is the original README's curl example, as a Go HTTP
// client with a real token.
func TestQuickStartCurl(t *testing.T) {
	ts := setup(t, gateway.Limits{})
	alice := ts.token("user_alice", auth.RoleUser)

	status, r := ts.post("/api/v1/query", alice, `{"sql":
		"INSERT INTO messages (conversation_id, \"from\", content, metadata) VALUES ($1, $2, $3, $4)",
		"params": ["c1", "user_alice", "hello, world", {"model": "gpt", "tokens": 12}]}`)
	if status != http.StatusOK || r.Status != "ok" {
		t.Fatalf("insert: status %d, %+v", status, r)
	}
	if got := r.Results[0]; got.Command != "INSERT" || got.RowCount != 1 {
		t.Fatalf("insert result = %+v, want INSERT with row_count 1", got)
	}
	// Two statements in one body: both results come back.
	status, r = ts.post("/v1/api/sql", alice, `{"sql": "INSERT INTO messages (conversation_id, content) VALUES ('c1', 'second'); SELECT count(*) FROM messages"}`)
	if status != http.StatusOK || len(r.Results) != 2 {
		t.Fatalf("multi-statement: status %d, %+v", status, r)
	}
	if got := fmt.Sprint(r.Results[1].Rows); got != "[[2]]" {
		t.Fatalf("count(*) rows = %s, want [[2]]", got)
	}

	status, r = ts.post("/api/v1/query", alice, `{"sql": "SELECT msg_id, conversation_id, \"from\", content, metadata, created_at, _seq FROM user_alice.messages WHERE conversation_id = 'c1' ORDER BY msg_id LIMIT 10"}`)
	if status != http.StatusOK {
		t.Fatalf("select: status %d, %+v", status, r)
	}
	res := r.Results[0]
	var cols []string
	for _, c := range res.Columns {
		cols = append(cols, c.Name+":"+c.Type)
	}
	wantCols := "msg_id:bigint conversation_id:text from:text content:text metadata:jsonb created_at:timestamp with time zone _seq:bigint"
	if got := strings.Join(cols, " "); got != wantCols {
		t.Fatalf("columns = %s, want %s", got, wantCols)
	}
	if res.Command != "SELECT" || res.RowCount != 2 || len(res.Rows) != 2 {
		t.Fatalf("result = %+v, want 2 rows", res)
	}
	row := res.Rows[0]
	if _, ok := row[0].(json.Number); !ok {
		t.Fatalf("msg_id = %#v, want a JSON number", row[0])
	}
	if row[1] != "c1" || row[2] != "user_alice" || row[3] != "hello, world" {
		t.Fatalf("row = %v", row)
	}
	meta, ok := row[4].(map[string]any)
	if !ok || meta["model"] != "gpt" || meta["tokens"] != json.Number("12") {
		t.Fatalf("metadata = %#v, want the JSON object", row[4])
	}
	if ts, ok := row[5].(string); !ok || !strings.HasSuffix(ts, "Z") || !strings.Contains(ts, "T") {
		t.Fatalf("created_at = %#v, want RFC 3339 in UTC", row[5])
	}
}

func TestQueryValueEncoding(t *testing.T) {
	ts := setup(t, gateway.Limits{})
	tok := ts.token("user_bob", auth.RoleUser)
	status, r := ts.post("/api/v1/query", tok, `{"sql": "SELECT 1::int, 2.5::float8, 'NaN'::float8, 1.10::numeric, true, '\\x0102'::bytea, '2024-05-06'::date, '{\"a\":[1,2]}'::json, NULL::text, ARRAY['x','y']"}`)
	if status != http.StatusOK {
		t.Fatalf("status %d: %+v", status, r)
	}
	got := fmt.Sprint(r.Results[0].Rows[0])
	want := "[1 2.5 NaN 1.10 true AQI= 2024-05-06 map[a:[1 2]] <nil> [x y]]"
	if got != want {
		t.Fatalf("row = %s, want %s", got, want)
	}
}

func TestQueryErrors(t *testing.T) {
	ts := setup(t, gateway.Limits{MaxBodyBytes: 512})
	alice := ts.token("user_alice", auth.RoleUser)
	ts.token("user_bob", auth.RoleUser)
	// user_bob must exist for user_bob.messages to name a partition.
	ts.post("/api/v1/query", ts.token("user_bob", auth.RoleUser), `{"sql":"SELECT 1"}`)
	tests := []struct {
		name, token, body string
		status            int
		code              string
	}{
		{"no token", "", `{"sql":"SELECT 1"}`, 401, "28000"},
		{"bad token", "not.a.jwt", `{"sql":"SELECT 1"}`, 401, "28000"},
		{"forged token", alice[:len(alice)-4] + "AAAA", `{"sql":"SELECT 1"}`, 401, "28000"},
		{"syntax", alice, `{"sql":"SELEC 1"}`, 400, "42601"},
		{"no sql", alice, `{}`, 400, "42601"},
		{"bad json", alice, `{"sql":`, 400, "22P02"},
		{"unknown table", alice, `{"sql":"SELECT * FROM nosuch"}`, 404, "42P01"},
		{"other partition", alice, `{"sql":"SELECT * FROM user_bob.messages"}`, 403, "42501"},
		{"unknown column", alice, `{"sql":"SELECT nosuch FROM messages"}`, 400, "42703"},
		{"param count", alice, `{"sql":"SELECT $1::int","params":[1,2]}`, 400, "08P01"},
		{"param type", alice, `{"sql":"SELECT $1::int","params":["x"]}`, 400, "22P02"},
		{"division by zero", alice, `{"sql":"SELECT 1/0"}`, 400, "22012"},
		{"too large", alice, `{"sql":"SELECT '` + strings.Repeat("x", 600) + `'"}`, 413, "54000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, r := ts.post("/api/v1/query", tt.token, tt.body)
			if status != tt.status || r.Status != "error" || r.Error.Code != tt.code {
				t.Fatalf("got %d %+v, want %d with %s", status, r.Error, tt.status, tt.code)
			}
			if r.Error.Message == "" {
				t.Fatalf("error without a message")
			}
		})
	}
	// Service and above may address another partition.
	status, r := ts.post("/api/v1/query", ts.token("svc", auth.RoleService), `{"sql":"SELECT count(*) FROM user_bob.messages"}`)
	if status != http.StatusOK {
		t.Fatalf("service reading user_bob: %d %+v", status, r)
	}
}

func TestHealthMetricsAndRoot(t *testing.T) {
	ts := setup(t, gateway.Limits{})
	ts.post("/api/v1/query", ts.token("user_alice", auth.RoleUser), `{"sql":"INSERT INTO messages (content) VALUES ('x')"}`)
	ts.post("/api/v1/query", ts.token("user_alice", auth.RoleUser), `{"sql":"SELECT * FROM nosuch"}`)
	get := func(path string) (int, string) {
		resp, err := http.Get(ts.base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := get("/healthz"); status != 200 || body != "ok\n" {
		t.Fatalf("/healthz = %d %q", status, body)
	}
	status, body := get("/metrics")
	if status != 200 {
		t.Fatalf("/metrics = %d", status)
	}
	for _, want := range []string{
		`kalamdb_queries_total{command="INSERT"} 1`,
		`kalamdb_errors_total{sqlstate="42P01"} 1`,
		`kalamdb_commit_duration_seconds_count 1`,
		`kalamdb_notifications_queued_total`,
		`kalamdb_notifications_dropped_total 0`,
		`kalamdb_websocket_subscribers 0`,
		`kalamdb_http_connections`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// Without --demo, / is a 404.
	if status, _ := get("/"); status != 404 {
		t.Fatalf("/ without demo = %d, want 404", status)
	}
}

// A keep-alive connection waits for its next request in poll(2) while
// nothing else is being handled (keepalive.go); its requests are answered
// as over any connection. The requests go over one TCP connection of the
// test's own, the only HTTP connection: another one, idle, could hold the
// one poller slot of two Ps, and http.Transport may dial anew when its
// previous connection is not back in its pool yet.
func TestKeepAliveConnectionPolls(t *testing.T) {
	ts := setup(t, gateway.Limits{})
	tok := ts.token("user_alice", auth.RoleUser)
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	query := func(sql string) string {
		t.Helper()
		body := `{"sql":"` + sql + `"}`
		fmt.Fprintf(conn, "POST /api/v1/query HTTP/1.1\r\nHost: kalamdb\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", tok, len(body), body)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %q %v", sql, resp.StatusCode, got, err)
		}
		return string(got)
	}
	before := ts.Gateway().KeepAlivePolls()
	query("INSERT INTO messages (content) VALUES ('x')") // the connection's first request
	const n = 5
	for range n {
		if got := query("SELECT content FROM messages"); !strings.Contains(got, `"x"`) {
			t.Fatalf("SELECT = %s, want the row", got)
		}
	}
	polls := ts.Gateway().KeepAlivePolls() - before
	if runtime.GOOS == "linux" && runtime.GOMAXPROCS(0) > 1 {
		// The connection polls before each request after its first.
		if polls < n {
			t.Fatalf("%d polls for %d requests after the first, want at least %d", polls, n, n)
		}
	} else if polls != 0 {
		t.Fatalf("%d polls with GOMAXPROCS=%d on %s, want none", polls, runtime.GOMAXPROCS(0), runtime.GOOS)
	}
}

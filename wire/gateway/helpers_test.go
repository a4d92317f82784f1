package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/server"
	"github.com/kalamdb/kalamdb/wire/gateway"
)

const testTimeout = 20 * time.Second

// logBuffer keeps a server's log for a failing test.
type logBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is a real server on 127.0.0.1:0 with the gateway.
type testServer struct {
	*server.Server
	t    testing.TB
	base string // http://host:port
}

// messagesDDL is the chat model's messages table, as the tests need it.
const messagesDDL = `CREATE TABLE messages (
	msg_id bigint PRIMARY KEY DEFAULT kalamdb_id(),
	conversation_id text,
	"from" text,
	content text,
	metadata jsonb,
	created_at timestamptz DEFAULT now()
) WITH (type = 'user')`

func startServer(t testing.TB, limits gateway.Limits, demo bool) *testServer {
	t.Helper()
	lb := &logBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	srv, err := server.Start(ctx, server.Config{
		DataDir: t.TempDir(), PGAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0",
		Durability: hotstore.Async, Demo: demo, Gateway: limits,
		JWTSecret: []byte("test-secret-test-secret-test-secret!"),
		Logger:    slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatalf("server.Start: %v", err)
	}
	ts := &testServer{Server: srv, t: t, base: "http://" + srv.HTTPAddr()}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if t.Failed() {
			s := lb.String()
			if len(s) > 6000 {
				s = "..." + s[len(s)-6000:]
			}
			t.Logf("server log:\n%s", s)
		}
	})
	return ts
}

// token signs a JWT with the server's secret.
func (ts *testServer) token(user string, role auth.Role) string {
	ts.t.Helper()
	tok, err := ts.DB().JWT().Sign(user, role, time.Hour)
	if err != nil {
		ts.t.Fatalf("sign: %v", err)
	}
	return tok
}

// pg connects over pgwire as user with a token as the password.
func (ts *testServer) pg(user string, role auth.Role) *pgx.Conn {
	ts.t.Helper()
	u := url.URL{Scheme: "postgres", Host: ts.PGAddr(), Path: "/kalamdb", RawQuery: "sslmode=disable",
		User: url.UserPassword(user, ts.token(user, role))}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		ts.t.Fatalf("connect as %s: %v", user, err)
	}
	ts.t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// exec runs SQL over pgwire and fails the test on error.
func exec(t testing.TB, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// setup creates the messages table (as root) and returns the server.
func setup(t testing.TB, limits gateway.Limits) *testServer {
	ts := startServer(t, limits, false)
	exec(t, ts.pg("root", auth.RoleSystem), messagesDDL)
	return ts
}

// response is the JSON body of /api/v1/query.
type response struct {
	Status  string `json:"status"`
	Results []struct {
		Command string `json:"command"`
		Columns []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"columns"`
		Rows     [][]any `json:"rows"`
		RowCount int64   `json:"row_count"`
	} `json:"results"`
	TookMS float64 `json:"took_ms"`
	Error  struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// post sends a query request with an optional token and returns the
// status and decoded body.
func (ts *testServer) post(path, token, body string) (int, response) {
	ts.t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.base+path, strings.NewReader(body))
	if err != nil {
		ts.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	var r response
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		ts.t.Fatalf("POST %s: body %q: %v", path, data, err)
	}
	return resp.StatusCode, r
}

// wsClient is a test WebSocket client.
type wsClient struct {
	t    testing.TB
	conn *websocket.Conn
}

func (ts *testServer) dial(token string) *wsClient {
	ts.t.Helper()
	c, err := ts.tryDial(token)
	if err != nil {
		ts.t.Fatalf("dial: %v", err)
	}
	return c
}

func (ts *testServer) tryDial(token string) (*wsClient, error) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	u := "ws://" + ts.HTTPAddr() + "/ws?token=" + url.QueryEscape(token)
	conn, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(16 << 20)
	c := &wsClient{t: ts.t, conn: conn}
	ts.t.Cleanup(func() { conn.CloseNow() })
	return c, nil
}

func (c *wsClient) send(msg string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		c.t.Fatalf("ws write: %v", err)
	}
}

// serverMsg is any server message, numbers kept exact.
type serverMsg struct {
	Type    string                       `json:"type"`
	ID      string                       `json:"id"`
	Op      string                       `json:"op"`
	Seq     int64                        `json:"seq"`
	Table   string                       `json:"table"`
	Row     map[string]json.RawMessage   `json:"row"`
	Rows    []map[string]json.RawMessage `json:"rows"`
	HasMore bool                         `json:"has_more"`
	Code    string                       `json:"code"`
	Message string                       `json:"message"`
	raw     string
}

// read returns the next message, failing after timeout.
func (c *wsClient) read(timeout time.Duration) (serverMsg, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, data, err := c.conn.Read(ctx)
	if err != nil {
		return serverMsg{}, err
	}
	var m serverMsg
	if err := json.Unmarshal(data, &m); err != nil {
		c.t.Fatalf("bad server message %q: %v", data, err)
	}
	m.raw = string(data)
	return m, nil
}

func (c *wsClient) mustRead() serverMsg {
	c.t.Helper()
	m, err := c.read(testTimeout)
	if err != nil {
		c.t.Fatalf("ws read: %v", err)
	}
	return m
}

// expect reads the next message and checks its type.
func (c *wsClient) expect(typ string) serverMsg {
	c.t.Helper()
	m := c.mustRead()
	if m.Type != typ {
		c.t.Fatalf("got message %s, want type %q", m.raw, typ)
	}
	return m
}

func str(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return string(raw)
	}
	return s
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

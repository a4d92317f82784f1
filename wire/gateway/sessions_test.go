package gateway_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/wire/gateway"
)

// Parameterized requests run on pooled sessions; nothing one request does
// to its session may show in the next one's.
func TestPooledSessionsStayStateless(t *testing.T) {
	ts := setup(t, gateway.Limits{})
	alice := ts.token("user_alice", auth.RoleUser)
	query := func(body string) response {
		t.Helper()
		status, r := ts.post("/api/v1/query", alice, body)
		if status != http.StatusOK || r.Status != "ok" {
			t.Fatalf("%s: status %d, %+v", body, status, r)
		}
		return r
	}
	setting := func() string {
		r := query(`{"sql": "SELECT current_setting($1)", "params": ["search_path"]}`)
		return fmt.Sprint(r.Results[0].Rows[0][0])
	}
	def := setting()
	query(`{"sql": "SELECT set_config('search_path', $1, false)", "params": ["elsewhere"]}`)
	if got := setting(); got != def {
		t.Fatalf("search_path after another request's set_config = %q, want %q", got, def)
	}

	// A failed statement leaves nothing behind either.
	status, r := ts.post("/api/v1/query", alice, `{"sql": "SELECT 1 / $1::int", "params": [0]}`)
	if status == http.StatusOK || r.Error.Code != "22012" {
		t.Fatalf("division by zero: status %d, %+v", status, r)
	}

	// The same SQL again and again reuses its bound statement, which DDL
	// in between must not leave stale.
	insert := `{"sql": "INSERT INTO messages (conversation_id, content) VALUES ($1, $2)", "params": ["c", "x"]}`
	count := `{"sql": "SELECT * FROM messages WHERE conversation_id = $1", "params": ["c"]}`
	query(insert)
	if got := len(query(count).Results[0].Columns); got == 0 {
		t.Fatal("no columns")
	}
	before := len(query(count).Results[0].Columns)
	exec(t, ts.pg("root", auth.RoleSystem), "ALTER TABLE messages ADD COLUMN extra text DEFAULT 'd'")
	r = query(count)
	if got := len(r.Results[0].Columns); got != before+1 {
		t.Fatalf("columns after ADD COLUMN = %d, want %d", got, before+1)
	}
	if rows := r.Results[0].Rows; len(rows) != 1 || fmt.Sprint(rows[0][len(rows[0])-1]) != "d" {
		t.Fatalf("rows after ADD COLUMN = %v, want one ending in the default", rows)
	}

	// Other users never get alice's sessions: bob sees his own partition.
	bob := ts.token("user_bob", auth.RoleUser)
	status, r = ts.post("/api/v1/query", bob, count)
	if status != http.StatusOK || len(r.Results[0].Rows) != 0 {
		t.Fatalf("bob's rows: status %d, %+v", status, r)
	}
}

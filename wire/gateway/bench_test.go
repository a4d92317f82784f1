package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/wire/gateway"
)

// BenchmarkHTTPPointLookup is the bench's W7 request (a point lookup by id
// with a Bearer JWT) through the gateway's handler, without the network:
// what the gateway and the SQL engine cost per request, and their
// allocations.
func BenchmarkHTTPPointLookup(b *testing.B) {
	ts := startServer(b, gateway.Limits{}, false)
	root := ts.pg("root", auth.RoleSystem)
	exec(b, root, "CREATE TABLE w7 (id bigint PRIMARY KEY, conversation_id text, sender text, content text, created_at timestamptz DEFAULT now())")
	const rows = 1000
	for i := 1; i <= rows; i++ {
		exec(b, root, "INSERT INTO w7 (id, conversation_id, sender, content) VALUES ($1, 'conv_1', 'user_1', 'hello model said we should ship it')", int64(i))
	}
	auth := "Bearer " + ts.token("root", auth.RoleSystem)
	gw := ts.Gateway()
	bodies := make([]string, rows)
	for i := range bodies {
		// The bench client's body: json.Marshal of a map sorts the keys.
		bodies[i] = `{"params":[` + strconv.Itoa(i+1) + `],"sql":"SELECT id, conversation_id, sender, content, created_at FROM w7 WHERE id = $1"}`
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/query", strings.NewReader(bodies[i%rows]))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		gw.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"row_count":1`) {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

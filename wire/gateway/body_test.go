package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
)

// decodeAsBefore is how bodies were decoded before the direct scan.
func decodeAsBefore(body []byte) (queryRequest, error) {
	var req queryRequest
	err := json.NewDecoder(bytes.NewReader(body)).Decode(&req)
	return req, err
}

// sameRequest compares two requests as the handler sees them: a nil and
// an empty params list both mean "no parameters".
func sameRequest(a, b queryRequest) bool {
	if a.SQL != b.SQL || len(a.Params) != len(b.Params) {
		return false
	}
	for i := range a.Params {
		if !bytes.Equal(a.Params[i], b.Params[i]) {
			return false
		}
	}
	return true
}

var queryBodies = []struct {
	body string
	fast bool // the direct scan handles it
}{
	{`{"params":[42],"sql":"SELECT id FROM t WHERE id = $1"}`, true},
	{` { "sql" : "SELECT 1" } `, true},
	{"{\"sql\":\"SELECT 1\",\n\t\"params\":[ ]}\r\n", true},
	{`{}`, true},
	{`{"sql":"SELECT $1, $2, $3, $4, $5, $6","params":["a b",-1.5e+3,0,true,false,null]}`, true},
	{`{"sql":"SELECT \"from\" FROM t WHERE a \u003c $1","params":["x\"y\\z\u00e9"]}`, true},
	{`{"sql":"SELECT 'é'"}`, true},
	{"{\"sql\":\"SELECT '\xff'\"}", true}, // invalid UTF-8: U+FFFD, as encoding/json does
	{`{"sql":"SELECT \ud800"}`, true},     // a lone surrogate: U+FFFD too
	{`{"params":[1e5,0.25,-0,12345678901234567890]}`, true},

	// encoding/json's: other keys, any case, nested values, duplicates,
	// trailing data (the stream decoder ignores it), nulls.
	{`{"SQL":"SELECT 1"}`, false},
	{`{"sql":"SELECT 1","extra":1}`, false},
	{`{"sql":"SELECT 1","params":[{"a":[1,2]},[1,2]]}`, false},
	{`{"sql":"SELECT 1","sql":"SELECT 2"}`, false},
	{`{"sql":"SELECT 1"} trailing`, false},
	{`{"sql":"SELECT 1"}{}`, false},
	{`{"sql":null,"params":null}`, false},

	// Errors, with encoding/json's messages.
	{``, false},
	{`{"sql":`, false},
	{`{"sql":"SELECT 1",}`, false},
	{`{"sql":1}`, false},
	{`{"params":[01]}`, false},
	{`{"params":[1.]}`, false},
	{`{"params":[-]}`, false},
	{`{"params":[1e]}`, false},
	{`{"params":[tru]}`, false},
	{`{"params":[truex]}`, false},
	{`{"params":["\x"]}`, false},
	{`{"params":["\u12"]}`, false},
	{"{\"params\":[\"a\tb\"]}", false},
	{`{"params":[1 2]}`, false},
	{`[1]`, false},
	{`{"sql":"SELECT 1"`, false},
	{`{"sql":"SELECT 1" "params":[]}`, false},
}

// The direct scan must decode every body it takes exactly as
// encoding/json does, and readQueryRequest must agree with encoding/json
// on every body, errors included.
func TestReadQueryRequestMatchesEncodingJSON(t *testing.T) {
	for _, tt := range queryBodies {
		var fast queryRequest
		if got := parseQueryRequest([]byte(tt.body), &fast); got != tt.fast {
			t.Fatalf("%q: direct scan took it = %v, want %v", tt.body, got, tt.fast)
		}
		want, wantErr := decodeAsBefore([]byte(tt.body))
		if tt.fast && (wantErr != nil || !sameRequest(fast, want)) {
			t.Fatalf("%q: direct scan = %+v, encoding/json = %+v, %v", tt.body, fast, want, wantErr)
		}
		r := httptest.NewRequest(http.MethodPost, "/api/v1/query", strings.NewReader(tt.body))
		got, err := readQueryRequest(httptest.NewRecorder(), r, 1<<20)
		switch {
		case wantErr != nil:
			wantMsg := "invalid request body: " + wantErr.Error()
			if e, ok := pgerr.As(err); !ok || e.Code != pgerr.InvalidTextRepresentation || e.Message != wantMsg {
				t.Fatalf("%q: error %v, want 22P02 %q", tt.body, err, wantMsg)
			}
		case err != nil || !sameRequest(got, want):
			t.Fatalf("%q: got %+v, %v; want %+v", tt.body, got, err, want)
		}
	}
}

func TestReadQueryRequestLimits(t *testing.T) {
	body := `{"sql":"SELECT '` + strings.Repeat("x", 600) + `'"}`
	for _, chunked := range []bool{false, true} {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/query", strings.NewReader(body))
		if chunked {
			r.ContentLength = -1
		}
		_, err := readQueryRequest(httptest.NewRecorder(), r, 512)
		if e, ok := pgerr.As(err); !ok || e.Code != pgerr.ProgramLimitExceeded || e.Message != "request body exceeds 512 bytes" {
			t.Fatalf("chunked %v: %v, want 54000", chunked, err)
		}
	}
	// A body shorter than its Content-Length is truncated JSON.
	r := httptest.NewRequest(http.MethodPost, "/api/v1/query", strings.NewReader(`{"sql":"SELECT 1"}`))
	r.ContentLength = 100
	if _, err := readQueryRequest(httptest.NewRecorder(), r, 512); pgerr.Code(err) != pgerr.InvalidTextRepresentation {
		t.Fatalf("short body: %v, want 22P02", err)
	}
}

func FuzzParseQueryRequest(f *testing.F) {
	for _, tt := range queryBodies {
		f.Add([]byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast queryRequest
		if !parseQueryRequest(body, &fast) {
			return
		}
		want, err := decodeAsBefore(body)
		if err != nil || !sameRequest(fast, want) {
			t.Fatalf("%q: direct scan = %+v, encoding/json = %+v, %v", body, fast, want, err)
		}
	})
}

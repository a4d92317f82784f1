package coldstore

import (
	"bytes"
	"encoding/json"
	"testing"
)

func FuzzDecodeManifest(f *testing.F) {
	f.Add([]byte(`{"version":1,"table_id":7,"table":"chat.messages","next_batch":2,"segments":[{"path":"batch-1.parquet","rows":2,"tombstones":1,"bytes":10,"min_seq":1,"max_seq":2,"min_key":"AQ==","max_key":"Ag==","schema_version":1,"columns":[{"id":1,"name":"a","type_oid":20,"type_mod":-1,"nulls":0}]}]}`))
	f.Add([]byte(`{"version":1,"next_batch":1,"segments":[{"path":"../../etc/passwd","rows":1}]}`))
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeManifest(data)
		if err != nil {
			return
		}
		for _, s := range m.Segments {
			if _, ok := parseBatchName(s.Path); !ok || s.Rows <= 0 || bytes.Compare(s.MinKey, s.MaxKey) > 0 {
				t.Fatalf("accepted bad segment %+v", s)
			}
		}
		// What decodes re-encodes and decodes the same.
		enc, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		m2, err := decodeManifest(enc)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if enc2, _ := json.Marshal(m2); !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip differs:\n%s\n%s", enc, enc2)
		}
	})
}

func FuzzUnescapeName(f *testing.F) {
	for _, s := range []string{"user_alice", "%", "%2E", "a%2", "%zz", "%41"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if u, ok := unescapeName(s); ok && escapeName(u) != s {
			t.Fatalf("unescape(%q) = %q does not escape back", s, u)
		}
		if u, ok := unescapeName(escapeName(s)); !ok || u != s {
			t.Fatalf("escape/unescape of %q = %q, %v", s, u, ok)
		}
	})
}

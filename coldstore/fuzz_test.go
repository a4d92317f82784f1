package coldstore

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/types"
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

// FuzzFlatValue feeds readRow's physical-to-SQL conversion any value of
// any physical type for every column type: it must reject or return a
// value the hot store can encode, never panic.
func FuzzFlatValue(f *testing.F) {
	f.Add(uint32(1700), byte(5), []byte("1.50"))
	f.Add(uint32(2950), byte(6), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add(uint32(1184), byte(2), []byte{0, 0, 0, 0, 0, 0, 0, 1})
	f.Add(uint32(1082), byte(1), []byte{0x80, 0, 0, 0})
	f.Add(uint32(25), byte(5), []byte("héllo"))
	f.Fuzz(func(t *testing.T, oid uint32, kind byte, data []byte) {
		var v any
		var n uint64
		for i, b := range data {
			if i < 8 {
				n |= uint64(b) << (8 * i)
			}
		}
		switch kind % 7 {
		case 0:
			v = n&1 == 1
		case 1:
			v = int32(n)
		case 2:
			v = int64(n)
		case 3:
			v = math.Float32frombits(uint32(n))
		case 4:
			v = math.Float64frombits(n)
		case 5:
			v = data
		case 6:
			v = fixed(data)
		}
		got, err := flatValue(types.OID(oid), v)
		if err != nil {
			return
		}
		if _, err := hotstore.EncodeRow(nil, []uint32{1}, []any{got}); err != nil {
			t.Fatalf("flatValue(%d, %#v) = %#v: does not encode: %v", oid, v, got, err)
		}
	})
}

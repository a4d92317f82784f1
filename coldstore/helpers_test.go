package coldstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/types"
)

// hotstore's iterator is the flush source the SQL layer passes.
var _ RowSource = (*hotstore.Iterator)(nil)

// row is a flush input row; vals maps column id to value.
type row struct {
	key     []byte
	seq     int64
	deleted bool
	vals    map[uint32]any
}

// rowSource feeds rows to Flush.
type rowSource struct {
	rows []row
	i    int
	t    testing.TB
}

func (s *rowSource) Next() bool  { s.i++; return s.i <= len(s.rows) }
func (s *rowSource) Key() []byte { return s.rows[s.i-1].key }
func (s *rowSource) Err() error  { return nil }
func (s *rowSource) Record() hotstore.Record {
	r := s.rows[s.i-1]
	rec := hotstore.Record{Seq: r.seq, Deleted: r.deleted}
	if !r.deleted {
		var ids []uint32
		for id := range r.vals {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		vals := make([]any, len(ids))
		for i, id := range ids {
			vals[i] = r.vals[id]
		}
		data, err := hotstore.EncodeRow(nil, ids, vals)
		if err != nil {
			s.t.Fatalf("encode row: %v", err)
		}
		rec.Data = data
	}
	return rec
}

func openStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func intKey(t testing.TB, n int64) []byte {
	t.Helper()
	k, err := hotstore.AppendKey(nil, n)
	if err != nil {
		t.Fatalf("key: %v", err)
	}
	return k
}

func col(id uint32, name string, oid types.OID) catalog.Column {
	return catalog.Column{ID: id, Name: name, Type: types.Of(oid)}
}

var testPart = Partition{Table: 7, Schema: "chat", Name: "messages", User: "user_alice"}

func flush(t testing.TB, s *Store, part Partition, schema []catalog.Column, rows ...row) Segment {
	t.Helper()
	seg, err := s.Flush(context.Background(), part, schema, 1, &rowSource{rows: rows, t: t})
	if err != nil {
		t.Fatalf("flush: %v", err)
	}
	return seg
}

// got is one scanned row with normalized values.
type got struct {
	key     string
	seq     int64
	deleted bool
	vals    string
}

func scan(t testing.TB, s *Store, part Partition, o ScanOptions) ([]got, ScanStats) {
	t.Helper()
	it, err := s.Scan(context.Background(), part, o)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	defer it.Close()
	var out []got
	for it.Next() {
		g := got{key: fmt.Sprintf("%x", it.Key()), seq: it.Seq(), deleted: it.Deleted()}
		vals := map[uint32]any{}
		if err := it.Values(func(id uint32, v any) { vals[id] = norm(v) }); err != nil {
			t.Fatalf("values: %v", err)
		}
		g.vals = fmt.Sprint(vals)
		out = append(out, g)
	}
	if err := it.Err(); err != nil {
		t.Fatalf("scan: %v", err)
	}
	return out, it.Stats()
}

// norm makes values comparable with fmt: decimals by exact text, times by
// instant.
func norm(v any) any {
	switch x := v.(type) {
	case *apd.Decimal:
		return "dec:" + x.Text('G')
	case time.Time:
		return fmt.Sprintf("time:%d:%s", x.UnixMicro(), x.Location())
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = norm(e)
		}
		return out
	case []byte:
		return fmt.Sprintf("bytes:%x", x)
	case string:
		return "str:" + x
	}
	return v
}

func normMap(m map[uint32]any) string {
	out := map[uint32]any{}
	for k, v := range m {
		out[k] = norm(v)
	}
	return fmt.Sprint(out)
}

func listDir(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read dir: %v", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func partDir(s *Store, p Partition) string { return filepath.Join(s.Root(), p.dir()) }

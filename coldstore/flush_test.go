package coldstore

import (
	"log/slog"
	"testing"

	"github.com/kalamdb/kalamdb/hotstore"
)

// The SQL layer's flush: scan the hot partition with tombstones, flush,
// then read the same rows back from cold.
func TestFlushFromHotStore(t *testing.T) {
	hs, err := hotstore.Open(t.TempDir(), hotstore.Options{Logger: slog.New(slog.DiscardHandler), InMemory: true})
	if err != nil {
		t.Fatalf("hotstore: %v", err)
	}
	defer hs.Close()
	hp := hotstore.Partition{Table: testPart.Table, User: testPart.User}
	tx := hs.Begin()
	for i := int64(1); i <= 5; i++ {
		rec := hotstore.Record{Seq: i, Deleted: i == 3}
		if !rec.Deleted {
			rec.Data, _ = hotstore.EncodeRow(nil, []uint32{1, 2, 3}, []any{i, "c", "hi"})
		}
		if err := tx.Put(hp, intKey(t, i), rec, 0); err != nil {
			t.Fatalf("put: %v", err)
		}
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatalf("commit: %v", err)
	}
	rt := hs.Begin()
	defer rt.Discard()
	it := rt.Scan(hp, hotstore.ScanOptions{IncludeDeleted: true})
	s := openStore(t)
	seg, err := s.Flush(t.Context(), testPart, chatSchema, 1, it)
	it.Close()
	if err != nil {
		t.Fatalf("flush: %v", err)
	}
	if seg.Rows != 5 || seg.Tombstones != 1 || seg.MinSeq != 1 || seg.MaxSeq != 5 {
		t.Fatalf("segment %+v", seg)
	}
	out, _ := scan(t, s, testPart, ScanOptions{})
	if len(out) != 4 || out[0].vals != "map[1:1 2:str:c 3:str:hi]" {
		t.Fatalf("cold rows %v", out)
	}
}

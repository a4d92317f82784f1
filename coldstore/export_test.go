package coldstore

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// A segment is an ordinary Parquet file: a generic reader sees the system
// columns, one column per table column named c<id> with its SQL name in
// the metadata, and the rows.
func TestSegmentReadableByGenericReader(t *testing.T) {
	s := openStore(t)
	seg := flush(t, s, testPart, chatSchema, msg(t, 1, 1, "c1", "hello"), tomb(t, 2, 2))
	f, err := os.Open(filepath.Join(partDir(s, testPart), seg.Path))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer f.Close()
	tbl, err := pqarrow.ReadTable(context.Background(), f, parquet.NewReaderProperties(nil), pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("read table: %v", err)
	}
	defer tbl.Release()
	var names, sqlNames []string
	for _, fld := range tbl.Schema().Fields() {
		names = append(names, fld.Name)
		sqlNames = append(sqlNames, metaValue(fld, metaName))
	}
	if want := []string{"_key", "_seq", "_deleted", "c1", "c2", "c3"}; !slices.Equal(names, want) {
		t.Fatalf("columns %v, want %v", names, want)
	}
	if want := []string{"", "", "", "msg_id", "conversation_id", "content"}; !slices.Equal(sqlNames, want) {
		t.Fatalf("sql names %v, want %v", sqlNames, want)
	}
	if tbl.NumRows() != 2 {
		t.Fatalf("rows %d", tbl.NumRows())
	}
	// The plain Parquet schema (what non-Arrow tools see) and codec.
	pr, err := file.OpenParquetFile(f.Name(), false)
	if err != nil {
		t.Fatalf("open parquet: %v", err)
	}
	defer pr.Close()
	if got := pr.MetaData().Schema.Column(5).Name(); got != "c3" {
		t.Fatalf("parquet column 5 = %s", got)
	}
	cc, _ := pr.MetaData().RowGroup(0).ColumnChunk(5)
	if got := cc.Compression().String(); got != "ZSTD" {
		t.Fatalf("compression %s", got)
	}
}

func TestExportAndErase(t *testing.T) {
	s := openStore(t)
	bob := testPart
	bob.User = "user_bob"
	shared := Partition{Table: 9, Schema: "public", Name: "conversations"}
	flush(t, s, testPart, chatSchema, msg(t, 1, 1, "c", "alice 1"))
	flush(t, s, testPart, chatSchema, msg(t, 2, 2, "c", "alice 2"))
	flush(t, s, bob, chatSchema, msg(t, 1, 3, "c", "bob"))
	flush(t, s, shared, chatSchema, msg(t, 1, 4, "c", "shared"))
	blob := filepath.Join(s.Root(), userDir("user_alice"), "blobs", "msg-1.bin")
	os.MkdirAll(filepath.Dir(blob), 0o755)
	os.WriteFile(blob, []byte("big content"), 0o644)

	dest := filepath.Join(t.TempDir(), "alice-export")
	sum, err := s.ExportUser(t.Context(), "user_alice", dest)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	if len(sum.Partitions) != 1 || sum.Partitions[0].Rows != 2 || sum.Partitions[0].Table != "chat.messages" {
		t.Fatalf("summary %+v", sum)
	}
	var disk ExportSummary
	data, _ := os.ReadFile(filepath.Join(dest, exportName))
	if err := json.Unmarshal(data, &disk); err != nil || disk.User != "user_alice" {
		t.Fatalf("export.json %s: %v", data, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dest, "blobs", "msg-1.bin")); string(b) != "big content" {
		t.Fatalf("blob not exported: %q", b)
	}
	// The export is itself a readable partition directory.
	pd := filepath.Join(dest, sum.Partitions[0].Dir)
	m, err := readManifest(pd)
	if err != nil || len(m.Segments) != 2 {
		t.Fatalf("export manifest: %+v, %v", m, err)
	}
	for _, seg := range m.Segments {
		f, err := os.Open(filepath.Join(pd, seg.Path))
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		tbl, err := pqarrow.ReadTable(t.Context(), f, parquet.NewReaderProperties(nil), pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		f.Close()
		if err != nil || tbl.NumRows() != seg.Rows {
			t.Fatalf("read exported %s: %v", seg.Path, err)
		}
		tbl.Release()
	}
	if _, err := s.ExportUser(t.Context(), "user_alice", dest); err == nil {
		t.Fatalf("export over an existing directory succeeded")
	}

	if err := s.EraseUser(t.Context(), "user_alice"); err != nil {
		t.Fatalf("erase: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Root(), userDir("user_alice"))); !os.IsNotExist(err) {
		t.Fatalf("user dir survived erase: %v", err)
	}
	if got, _ := scan(t, s, testPart, ScanOptions{}); len(got) != 0 {
		t.Fatalf("erased user still has %d rows", len(got))
	}
	if got, _ := scan(t, s, bob, ScanOptions{}); len(got) != 1 {
		t.Fatalf("bob has %d rows after alice's erase", len(got))
	}
	if got, _ := scan(t, s, shared, ScanOptions{}); len(got) != 1 {
		t.Fatalf("shared table has %d rows after erase", len(got))
	}
	if names := listDir(t, filepath.Join(s.Root(), usersDir)); !slices.Equal(names, []string{"user_bob"}) {
		t.Fatalf("users after erase: %v", names)
	}
	if err := s.EraseUser(t.Context(), "nobody"); err != nil {
		t.Fatalf("erase of unknown user: %v", err)
	}
}

func TestDropTable(t *testing.T) {
	s := openStore(t)
	bob := testPart
	bob.User = "user_bob"
	other := testPart
	other.Name = "other"
	flush(t, s, testPart, chatSchema, msg(t, 1, 1, "c", "a"))
	flush(t, s, bob, chatSchema, msg(t, 1, 2, "c", "b"))
	flush(t, s, other, chatSchema, msg(t, 1, 3, "c", "o"))
	if err := s.DropTable(t.Context(), "chat", "messages"); err != nil {
		t.Fatalf("drop: %v", err)
	}
	for _, p := range []Partition{testPart, bob} {
		if _, err := os.Stat(partDir(s, p)); !os.IsNotExist(err) {
			t.Fatalf("%s survived drop", p.User)
		}
	}
	if got, _ := scan(t, s, other, ScanOptions{}); len(got) != 1 {
		t.Fatalf("other table lost rows")
	}
}

package hotstore

import (
	"context"
	"fmt"
	"testing"
)

// indexKey encodes values with AppendIndexKey.
func indexKey(t *testing.T, vals ...any) []byte {
	t.Helper()
	var k []byte
	for _, v := range vals {
		var err error
		if k, err = AppendIndexKey(k, v); err != nil {
			t.Fatalf("AppendIndexKey(%v): %v", v, err)
		}
	}
	return k
}

func collectIndex(t *testing.T, it *Iterator) []string {
	t.Helper()
	defer it.Close()
	var out []string
	for it.Next() {
		out = append(out, string(it.Value()))
	}
	if err := it.Err(); err != nil {
		t.Fatalf("index scan: %v", err)
	}
	return out
}

func TestIndexEntries(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 9, User: "alice"}
	tx := s.Begin()
	defer tx.Discard()
	entries := []struct {
		vals []any
		val  string
	}{
		{[]any{"c1", int64(2)}, "b"},
		{[]any{"c1", int64(1)}, "a"},
		{[]any{"c1", nil}, "null"},
		{[]any{"c2", int64(1)}, "z"},
	}
	for _, e := range entries {
		if err := tx.SetIndex(p, indexKey(t, e.vals...), []byte(e.val), 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.SetIndex(Partition{Table: 9, User: "bob"}, indexKey(t, "c1", int64(0)), []byte("bob"), 0); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	c1 := indexKey(t, "c1")
	tests := []struct {
		name string
		o    ScanOptions
		want string
	}{
		{"all", ScanOptions{}, "[a b null z]"},
		{"prefix", ScanOptions{Start: c1, End: prefixEnd(c1)}, "[a b null]"},
		{"prefix reverse", ScanOptions{Start: c1, End: prefixEnd(c1), Reverse: true}, "[null b a]"},
		{"no nulls", ScanOptions{Start: c1, End: append(c1, IndexNull()...), Reverse: true}, "[b a]"},
	}
	before := s.Stats().IndexEntries
	rt := s.Begin()
	defer rt.Discard()
	for _, tc := range tests {
		got := fmt.Sprint(collectIndex(t, rt.ScanIndex(p, tc.o)))
		if got != tc.want {
			t.Fatalf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
	if n := s.Stats().IndexEntries - before; n != 4+3+3+2 {
		t.Fatalf("IndexEntries grew by %d, want 12", n)
	}
	if v, ok, err := rt.GetIndex(p, indexKey(t, "c1", int64(2))); err != nil || !ok || string(v) != "b" {
		t.Fatalf("GetIndex = %q, %v, %v", v, ok, err)
	}
	users, err := rt.Partitions(9)
	if err != nil || fmt.Sprint(users) != "[]" {
		t.Fatalf("Partitions of an index-only id = %v, %v", users, err)
	}
	if err := s.DropIndex(context.Background(), 9); err != nil {
		t.Fatal(err)
	}
	rt2 := s.Begin()
	defer rt2.Discard()
	if got := collectIndex(t, rt2.ScanIndex(p, ScanOptions{})); len(got) != 0 {
		t.Fatalf("after DropIndex: %v", got)
	}
}

func TestPartitions(t *testing.T) {
	s := openStore(t, "", Options{})
	for _, u := range []string{"b", "a", "a\x00x", "", "ab"} {
		put(t, s, Partition{Table: 3, User: u}, map[int64]Record{1: row(1), 2: row(2)})
	}
	put(t, s, Partition{Table: 4, User: "zz"}, map[int64]Record{1: row(1)})
	tx := s.Begin()
	defer tx.Discard()
	got, err := tx.Partitions(3)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%q", []string{"", "a", "a\x00x", "ab", "b"}); fmt.Sprintf("%q", got) != want {
		t.Fatalf("Partitions = %q, want %s", got, want)
	}
}

func TestSavepointUndo(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 1, User: "u"}
	put(t, s, p, map[int64]Record{1: row(10), 2: row(20)})
	tx := s.Begin()
	defer tx.Discard()
	state := func() string {
		rows := collect(t, tx.Scan(p, ScanOptions{IncludeDeleted: true}))
		var seqs []string
		it := tx.ScanSeq(p, 0, false)
		for it.Next() {
			seqs = append(seqs, fmt.Sprint(it.Record().Seq))
		}
		it.Close()
		idx := collectIndex(t, tx.ScanIndex(p, ScanOptions{}))
		return fmt.Sprint(rows, seqs, idx)
	}
	mustPut := func(k, seq int64, del bool) {
		t.Helper()
		rec := row(seq)
		if del {
			rec = Record{Seq: seq, Deleted: true}
		}
		if err := tx.Put(p, intKey(t, k), rec, 0); err != nil {
			t.Fatal(err)
		}
	}
	base := state()
	sp1 := tx.Savepoint()
	mustPut(3, 30, false)
	mustPut(1, 11, false)
	if err := tx.SetIndex(p, []byte("k"), []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	afterSp1 := state()
	sp2 := tx.Savepoint()
	mustPut(2, 21, true)
	mustPut(3, 31, false)
	if err := tx.DeleteIndex(p, []byte("k")); err != nil {
		t.Fatal(err)
	}
	if err := tx.RollbackTo(sp2); err != nil {
		t.Fatal(err)
	}
	if got := state(); got != afterSp1 {
		t.Fatalf("after rollback to sp2:\n got %s\nwant %s", got, afterSp1)
	}
	mustPut(4, 40, false)
	if err := tx.RollbackTo(sp1); err != nil {
		t.Fatal(err)
	}
	if got := state(); got != base {
		t.Fatalf("after rollback to sp1:\n got %s\nwant %s", got, base)
	}
	if err := tx.RollbackTo(sp2); err == nil {
		t.Fatalf("rollback to a savepoint discarded by an outer rollback succeeded")
	}
	mustPut(5, 50, false)
	if err := tx.Release(sp1); err != nil {
		t.Fatal(err)
	}
	if len(tx.undo) != 0 {
		t.Fatalf("undo log kept %d entries after the last release", len(tx.undo))
	}
	want := state()
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	tx = s.Begin()
	if got := state(); got != want {
		t.Fatalf("committed:\n got %s\nwant %s", got, want)
	}
}

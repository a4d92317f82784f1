package hotstore

import (
	"context"
	"testing"
)

func TestPartitionsAndDropPartition(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	for _, user := range []string{"user_b", "user_a", "user_a\x00x", ""} {
		put(t, s, Partition{Table: 7, User: user}, map[int64]Record{1: row(1), 2: row(2)})
	}
	put(t, s, Partition{Table: 8, User: "other"}, map[int64]Record{1: row(3)})
	users, err := s.Partitions(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"", "user_a", "user_a\x00x", "user_b"}; !equalStrings(users, want) {
		t.Fatalf("partitions %q, want %q", users, want)
	}
	if err := s.DropPartition(ctx, Partition{Table: 7, User: "user_a"}); err != nil {
		t.Fatal(err)
	}
	users, err = s.Partitions(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"", "user_a\x00x", "user_b"}; !equalStrings(users, want) {
		t.Fatalf("after drop: %q, want %q", users, want)
	}
	txn := s.Begin()
	defer txn.Discard()
	if got := collect(t, txn.ScanSeq(Partition{Table: 7, User: "user_a"}, 0, false)); len(got) != 0 {
		t.Fatalf("seq index of dropped partition: %v", got)
	}
	if got := collect(t, txn.Scan(Partition{Table: 7, User: "user_b"}, ScanOptions{})); len(got) != 2 {
		t.Fatalf("neighbour partition: %v", got)
	}
}

func TestRemoveFlushedKeepsNewerVersions(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	p := Partition{Table: 3, User: "u"}
	put(t, s, p, map[int64]Record{1: row(10), 2: row(20)})
	// Key 2 is rewritten after the flush read it at seq 20.
	put(t, s, p, map[int64]Record{2: row(21)})
	txn := s.Begin()
	removed1, err := txn.RemoveFlushed(p, intKey(t, 1), 10)
	if err != nil {
		t.Fatal(err)
	}
	removed2, err := txn.RemoveFlushed(p, intKey(t, 2), 20)
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if !removed1 || removed2 {
		t.Fatalf("removed %v %v, want true false", removed1, removed2)
	}
	txn = s.Begin()
	defer txn.Discard()
	if _, ok, _ := txn.Get(p, intKey(t, 1)); ok {
		t.Fatal("flushed key still hot")
	}
	if rec, ok, _ := txn.Get(p, intKey(t, 2)); !ok || rec.Seq != 21 {
		t.Fatalf("newer version lost: %+v %v", rec, ok)
	}
	if got := collect(t, txn.ScanSeq(p, 0, false)); len(got) != 1 {
		t.Fatalf("seq index after remove: %v", got)
	}
}

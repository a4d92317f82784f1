package hotstore

import (
	"context"
	"testing"
)

// seqEntries returns the seq index of p as seen by tx, as "key:seq".
func seqEntries(t *testing.T, tx *Txn, p Partition) []string {
	t.Helper()
	return collect(t, tx.ScanSeq(p, 0, false))
}

// TestPutAfterGetKeepsSeqIndex: a Put right after a Get of the same key
// (which Put takes its previous version from) retires exactly the version
// the key has at that moment, also when the transaction wrote the key, or
// rolled back to a savepoint, between the Get and the Put, and when it
// wrote only other keys.
func TestPutAfterGetKeepsSeqIndex(t *testing.T) {
	s := openStore(t, "", Options{})
	p := Partition{Table: 4, User: "u"}
	put(t, s, p, map[int64]Record{1: row(1), 2: row(2)})

	tx := s.Begin()
	defer tx.Discard()
	get := func(k int64) {
		t.Helper()
		if _, _, err := tx.Get(p, intKey(t, k)); err != nil {
			t.Fatalf("Get %d: %v", k, err)
		}
	}
	putRow := func(k, seq int64) {
		t.Helper()
		if err := tx.Put(p, intKey(t, k), row(seq), 0); err != nil {
			t.Fatalf("Put %d: %v", k, err)
		}
	}
	get(1)
	// A write of another key (as an INSERT writes its index entries)
	// leaves what the Get saw valid.
	if err := tx.SetIndex(p, intKey(t, 100), nil, 0); err != nil {
		t.Fatal(err)
	}
	putRow(1, 3) // retires seq 1, as the Get saw
	putRow(1, 4) // written since the Get: must retire 3, not 1 again
	get(2)
	sp := tx.Savepoint()
	putRow(2, 5)
	get(2) // sees seq 5, which the rollback undoes
	if err := tx.RollbackTo(sp); err != nil {
		t.Fatal(err)
	}
	putRow(2, 6) // after the rollback key 2 is back at seq 2
	get(7)       // absent
	putRow(7, 8)
	get(7)
	putRow(7, 9)

	want := []string{"1:4", "2:6", "7:9"}
	if got := seqEntries(t, tx, p); !equalStrings(got, want) {
		t.Fatalf("seq index %v, want %v", got, want)
	}
	if n := seqIndexLen(tx, p); n != 3 {
		t.Fatalf("seq index has %d entries, want 3 (one per key)", n)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	rt := s.BeginRead()
	defer rt.Discard()
	if got := seqEntries(t, rt, p); !equalStrings(got, want) {
		t.Fatalf("committed seq index %v, want %v", got, want)
	}
}

package hotstore

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/cachebudget"
)

// TestIndexCacheSharesItsBudget checks the index cache against a budget it
// shares with another cache (the cold store's): it reports its size, keeps
// within what the other leaves, and is trimmed when the other claims its
// fair share.
func TestIndexCacheSharesItsBudget(t *testing.T) {
	const limit = 4 << 20
	budget := cachebudget.New(limit)
	var otherUsed int64
	other := budget.Join(func(target int64) {
		t.Errorf("the other cache (%d bytes, its fair share) was trimmed to %d", otherUsed, target)
	})
	s := openStore(t, "", Options{Cache: budget})
	const convs, perConv = 100, 100
	pad := string(bytes.Repeat([]byte("m"), 300)) // a chat message's row: 100 convs hold ~3.5 MB
	for c := range convs {
		tx := s.Begin()
		for id := int64(1); id <= perConv; id++ {
			if err := tx.SetIndexRecord(cacheIdx, convKey(t, fmt.Sprintf("conv%03d", c), id), intKey(t, id), Record{Seq: id, Data: []byte(fmt.Sprintf("row%d", id) + pad)}, 0); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	readAll := func() {
		for c := range convs {
			if got := readPadded(t, s, fmt.Sprintf("conv%03d", c), pad); len(got) != perConv {
				t.Fatalf("conv%03d: %d entries, want %d", c, len(got), perConv)
			}
		}
	}
	size := func() int64 {
		c := s.icache
		c.mu.Lock() // a trim may run: read both in one moment
		defer c.mu.Unlock()
		if used := c.mem.Used(); used != int64(c.bytes) {
			t.Fatalf("budget has %d bytes for the index cache, which holds %d", used, c.bytes)
		}
		return int64(c.bytes)
	}

	readAll()
	if got := size(); got <= limit/2 {
		t.Fatalf("index cache holds %d bytes with the whole %d budget free, want over half", got, limit)
	}

	otherUsed = limit / 2
	other.Set(otherUsed)
	deadline := time.Now().Add(5 * time.Second)
	for size()+otherUsed > limit {
		if time.Now().After(deadline) {
			t.Fatalf("index cache still holds %d bytes, with the other at %d of a %d budget", size(), otherUsed, limit)
		}
		time.Sleep(time.Millisecond)
	}

	trims := budget.Trims()
	readAll()
	if got := size(); got == 0 || got+otherUsed > limit || budget.Trims() != trims {
		t.Fatalf("after more scans the index cache holds %d bytes beside the other's %d (budget %d), %d more trims",
			got, otherUsed, limit, budget.Trims()-trims)
	}
}

// readPadded reads conv newest first, checking each row copy is "row<id>"
// and pad.
func readPadded(t *testing.T, s *Store, conv, pad string) []int64 {
	t.Helper()
	tx := s.BeginRead()
	defer tx.Discard()
	start, end := convRange(t, conv)
	it := tx.ScanIndex(cacheIdx, ScanOptions{Start: start, End: end, Reverse: true})
	defer it.Close()
	var ids []int64
	for it.Next() {
		id := keyToInt(t, it.Value())
		if rec, ok := it.IndexRecord(); !ok || string(rec.Data) != fmt.Sprintf("row%d", id)+pad {
			t.Fatalf("entry %d: record %q, %v", id, rec.Data, ok)
		}
		ids = append(ids, id)
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

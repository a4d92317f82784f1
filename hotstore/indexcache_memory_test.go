package hotstore

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"testing"
)

// A cached range must hold only what the cache counts for it: once a
// range held the scan's scratch buffer too (the cache kept a pointer into
// the fill), and the range cache took twice its bound.
func TestIndexCacheHoldsOnlyCountedBytes(t *testing.T) {
	s := openStore(t, "", Options{})
	const convs, perConv = 200, 100
	data := bytes.Repeat([]byte("m"), 300) // a chat message's row
	for c := range convs {
		tx := s.Begin()
		conv := fmt.Sprintf("conv%03d", c)
		for id := int64(1); id <= perConv; id++ {
			if err := tx.SetIndexRecord(cacheIdx, convKey(t, conv, id), intKey(t, id), Record{Seq: id, Data: data}, 0); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for c := range convs {
		tx := s.BeginRead()
		start, end := convRange(t, fmt.Sprintf("conv%03d", c))
		it := tx.ScanIndex(cacheIdx, ScanOptions{Start: start, End: end})
		n := 0
		for it.Next() {
			n++
		}
		it.Close()
		tx.Discard()
		if n != perConv {
			t.Fatalf("conv%03d: %d entries, want %d", c, n, perConv)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	counted := s.icache.size()
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if counted < convs*perConv*300 {
		t.Fatalf("cache counts %d bytes for %d entries of 300+ bytes: ranges not cached", counted, convs*perConv)
	}
	if grown > counted*13/10 {
		t.Fatalf("heap grew %d bytes while the cache counts %d (%.2fx)", grown, counted, float64(grown)/float64(counted))
	}
	t.Logf("heap grew %d bytes, cache counts %d (%.2fx)", grown, counted, float64(grown)/float64(counted))
}

package coldstore

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// chatRows makes n chat-message-like rows: ~250 bytes of content drawn
// from a Zipf-distributed vocabulary of random words (roughly English
// entropy, so compression is not flattered by repetition).
func chatRows(tb testing.TB, n int) []row {
	rng := rand.New(rand.NewPCG(7, 7))
	vocab := make([]string, 5000)
	for i := range vocab {
		w := make([]byte, 2+rng.IntN(8))
		for j := range w {
			w[j] = byte('a' + rng.IntN(26))
		}
		vocab[i] = string(w)
	}
	zipf := rand.NewZipf(rng, 1.1, 1, uint64(len(vocab)-1))
	rows := make([]row, n)
	seq := int64(1 << 40)
	for i := range rows {
		var sb strings.Builder
		for sb.Len() < 250 {
			sb.WriteString(vocab[zipf.Uint64()])
			sb.WriteByte(' ')
		}
		seq += 1 + rng.Int64N(1<<20)
		rows[i] = msg(tb, seq, seq, fmt.Sprintf("conv-%d", rng.IntN(20)), sb.String())
	}
	return rows
}

// BenchmarkFlushChat flushes 10k chat-message-like rows and reports the
// segment's bytes per row (content alone is ~250 bytes).
func BenchmarkFlushChat(b *testing.B) {
	rows := chatRows(b, 10000)
	var bytes, n int64
	for b.Loop() {
		s := openStore(b)
		seg := flush(b, s, testPart, chatSchema, rows...)
		bytes, n = seg.Bytes, seg.Rows
	}
	b.ReportMetric(float64(bytes)/float64(n), "bytes/row")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkScanChat reads back a 10k-row partition.
func BenchmarkScanChat(b *testing.B) {
	s := openStore(b)
	flush(b, s, testPart, chatSchema, chatRows(b, 10000)...)
	for b.Loop() {
		if out, _ := scan(b, s, testPart, ScanOptions{}); len(out) != 10000 {
			b.Fatalf("%d rows", len(out))
		}
	}
}

// lookupStore flushes 300k chat rows as three segments of 100k (msg ids
// growing, as in a chat history) and returns the keys.
func lookupStore(b *testing.B) (*Store, [][]byte) {
	s := openStore(b)
	rows := chatRows(b, 300000)
	for i := 0; i < len(rows); i += 100000 {
		flush(b, s, testPart, chatSchema, rows[i:i+100000]...)
	}
	keys := make([][]byte, len(rows))
	for i, r := range rows {
		keys[i] = r.key
	}
	return s, keys
}

// BenchmarkPointLookup reads keys of a 300k-row partition: with Get
// (through the read cache), and with the merged Scan of [key, key+0x00)
// it replaces. "hot" repeats 512 keys (a working set that stays cached);
// "random" draws from all 300k (more rows than the default 64 MiB cache
// holds); "miss" visits every key once in random order, so each lookup
// misses the cached rows (the steady state of random reads over a large
// partition); "cold" also disables the row-group cache, so each lookup
// decodes its row group's keys too (the first touch of a group).
func BenchmarkPointLookup(b *testing.B) {
	s, keys := lookupStore(b)
	rng := rand.New(rand.NewPCG(1, 1))
	perm := rng.Perm(len(keys))
	next := 0
	variants := []struct {
		name  string
		bytes int64
		key   func() []byte
	}{
		{"hot", defaultCacheBytes, func() []byte { return keys[rng.IntN(512)] }},
		{"random", defaultCacheBytes, func() []byte { return keys[rng.IntN(len(keys))] }},
		{"miss", defaultCacheBytes, func() []byte { next++; return keys[perm[next%len(perm)]] }},
		{"cold", 0, func() []byte { next++; return keys[perm[next%len(perm)]] }},
	}
	for _, v := range variants {
		b.Run("get-"+v.name, func(b *testing.B) {
			s.SetCacheLimits(defaultCacheReaders, v.bytes)
			if v.name == "hot" {
				for _, k := range keys[:512] { // time the cached working set, not its first reads
					s.Get(b.Context(), testPart, k)
				}
			}
			for b.Loop() {
				if _, ok, err := s.Get(b.Context(), testPart, v.key()); !ok || err != nil {
					b.Fatalf("get: %v %v", ok, err)
				}
			}
		})
		b.Run("scan-"+v.name, func(b *testing.B) {
			s.SetCacheLimits(defaultCacheReaders, v.bytes)
			for b.Loop() {
				if _, ok := scanGet(b, s, testPart, v.key()); !ok {
					b.Fatalf("scan: missing")
				}
			}
		})
	}
}

// BenchmarkPointLookupPages times the lookups that read their row's
// pages: keys of groups whose system columns are cached but not their
// table columns (the part of a partition larger than the cache that
// fill left out), after a warm-up touching every group.
func BenchmarkPointLookupPages(b *testing.B) {
	s, keys := lookupStore(b)
	s.SetCacheLimits(defaultCacheReaders, 16<<20) // the system columns and a few whole groups
	for i := 0; i < len(keys); i += defaultGroupRows / 4 {
		s.Get(b.Context(), testPart, keys[i])
	}
	var paged [][]byte
	for _, k := range keys {
		if h := cachedHit(s, k); h != nil && h.g.vals == nil {
			paged = append(paged, k)
		}
	}
	if len(paged) == 0 {
		b.Fatalf("no group without its table columns")
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for b.Loop() {
		if _, ok, err := s.Get(b.Context(), testPart, paged[rng.IntN(len(paged))]); !ok || err != nil {
			b.Fatalf("get: %v %v", ok, err)
		}
	}
}

// cachedHit returns where the read cache holds key's system columns, or nil.
func cachedHit(s *Store, key []byte) *hit {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	for _, r := range s.cache.readers {
		for _, g := range r.groups {
			if n := g.keys.Len(); n > 0 && bytes.Compare(g.keys.Value(0), key) <= 0 && bytes.Compare(key, g.keys.Value(n-1)) <= 0 {
				return &hit{seg: r.seg, g: g}
			}
		}
	}
	return nil
}

// BenchmarkScanNewest reads the 50 newest rows (ORDER BY key DESC LIMIT 50).
func BenchmarkScanNewest(b *testing.B) {
	s, _ := lookupStore(b)
	for b.Loop() {
		it, err := s.Scan(b.Context(), testPart, ScanOptions{Reverse: true})
		if err != nil {
			b.Fatalf("scan: %v", err)
		}
		for n := 0; n < 50 && it.Next(); n++ {
			if _, err := it.Record(); err != nil {
				b.Fatalf("record: %v", err)
			}
		}
		if err := it.Close(); err != nil {
			b.Fatalf("close: %v", err)
		}
	}
}

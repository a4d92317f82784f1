package coldstore

import (
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

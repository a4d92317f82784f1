package wal

import (
	"os"
	"testing"
)

// BenchmarkAppendSync is one commit with its own durable sync: the cost a
// lone committer pays, dominated by fdatasync of an allocated block.
func BenchmarkAppendSync(b *testing.B) {
	benchAppendSync(b, nil, 1)
}

// BenchmarkAppendSyncGroup16 syncs once per 16 appends (group commit);
// ns/op is per record.
func BenchmarkAppendSyncGroup16(b *testing.B) {
	benchAppendSync(b, nil, 16)
}

// BenchmarkAppendSyncNoDisk replaces fdatasync with nothing: the CPU and
// pwrite cost of the log itself.
func BenchmarkAppendSyncNoDisk(b *testing.B) {
	benchAppendSync(b, func(*os.File) error { return nil }, 1)
}

func benchAppendSync(b *testing.B, sync func(*os.File) error, group int) {
	l, err := Open(b.TempDir(), Options{SegmentSize: 16 << 20, Sync: sync})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	p := payload(1, 400)
	ts := uint64(0)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		ts++
		if err := l.Append(ts, p); err != nil {
			b.Fatal(err)
		}
		if ts%uint64(group) == 0 {
			if err := l.Sync(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

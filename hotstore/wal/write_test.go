package wal

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// segmentSyncs records the segment files a log syncs (not spares).
type segmentSyncs struct {
	mu    sync.Mutex
	files []string
}

func (s *segmentSyncs) hook(f *os.File) error {
	if !strings.HasSuffix(f.Name(), tmpExt) {
		s.mu.Lock()
		s.files = append(s.files, f.Name())
		s.mu.Unlock()
	}
	return fdatasync(f)
}

func (s *segmentSyncs) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	got := s.files
	s.files = nil
	return got
}

// Write puts the records in their segment without syncing it, so a
// process that dies after Write (no Close, no Sync) leaves them for the
// replay.
func TestWriteKeepsRecordsForAProcessCrash(t *testing.T) {
	dir := t.TempDir()
	var syncs segmentSyncs
	l, err := Open(dir, Options{SegmentSize: 4096, Sync: syncs.hook})
	if err != nil {
		t.Fatal(err)
	}
	// Abandoned below, but its goroutine preparing a spare must stop
	// before the directory is removed.
	t.Cleanup(func() { _ = l.Close() })
	var want []rec
	for ts := uint64(1); ts <= 5; ts++ {
		appendT(t, l, &want, ts, 100)
	}
	if err := l.Write(); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if got := syncs.take(); len(got) != 0 {
		t.Fatalf("Write synced %v", got)
	}
	// l is abandoned, as by a killed process.
	l2 := openT(t, dir, Options{SegmentSize: 4096})
	if got := replayAll(t, l2, 0); !slices.EqualFunc(got, want, func(a, b rec) bool {
		return a.ts == b.ts && string(a.payload) == string(b.payload)
	}) {
		t.Fatalf("replayed %v, want %v", got, want)
	}
}

// A Sync after Writes syncs every segment they wrote to, in log order,
// including one a later Write rotated away from.
func TestSyncAfterWriteSyncsWrittenSegments(t *testing.T) {
	dir := t.TempDir()
	var syncs segmentSyncs
	l := openT(t, dir, Options{SegmentSize: 512, Sync: syncs.hook})
	appendT(t, l, nil, 1, 200) // segment 1
	if err := l.Write(); err != nil {
		t.Fatal(err)
	}
	appendT(t, l, nil, 2, 200)
	appendT(t, l, nil, 3, 200) // rotates: segment 2
	if err := l.Write(); err != nil {
		t.Fatal(err)
	}
	if got := syncs.take(); len(got) != 0 {
		t.Fatalf("Write synced %v", got)
	}
	syncT(t, l)
	if got, want := syncs.take(), []string{segPath(dir, 1), segPath(dir, 2)}; !slices.Equal(got, want) {
		t.Fatalf("Sync synced %v, want %v", got, want)
	}
	syncT(t, l) // nothing new: nothing to sync
	if got := syncs.take(); len(got) != 0 {
		t.Fatalf("second Sync synced %v", got)
	}
}

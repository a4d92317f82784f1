package wal

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestCheckpointRemovesWholeSegments: with 100-byte payloads four records
// fit in a 512-byte segment, so segment k holds ts 4k-3 .. 4k.
func TestCheckpointRemovesWholeSegments(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 512}
	l := openT(t, dir, opts)
	var want []rec
	for ts := uint64(1); ts <= 20; ts++ {
		appendT(t, l, &want, ts, 100)
	}
	syncT(t, l)
	if got := segmentsOnDisk(t, dir); len(got) < 5 || !slices.Equal(got[:5], []uint64{1, 2, 3, 4, 5}) {
		t.Fatalf("segments %v, want 1..5 (and perhaps a spare)", got)
	}

	tests := []struct {
		ts      uint64
		removed []uint64 // segments gone after the checkpoint
		kept    []uint64
	}{
		{3, nil, []uint64{1, 2, 3, 4, 5}},        // segment 1 still has ts 4
		{6, []uint64{1}, []uint64{2, 3, 4, 5}},   // segment 2 has 7 and 8
		{5, []uint64{1}, []uint64{2, 3, 4, 5}},   // lower: no change
		{8, []uint64{1, 2}, []uint64{3, 4, 5}},   // exactly the last ts of 2
		{100, []uint64{1, 2, 3, 4}, []uint64{5}}, // never the active segment
		{1000, []uint64{1, 2, 3, 4}, []uint64{5}},
	}
	wantCkpt := uint64(0)
	for _, tt := range tests {
		if err := l.Checkpoint(tt.ts); err != nil {
			t.Fatalf("Checkpoint(%d): %v", tt.ts, err)
		}
		wantCkpt = max(wantCkpt, tt.ts)
		if got := l.Checkpointed(); got != wantCkpt {
			t.Fatalf("Checkpoint(%d): Checkpointed %d, want %d", tt.ts, got, wantCkpt)
		}
		for _, n := range tt.removed {
			if exists(segPath(dir, n)) {
				t.Errorf("Checkpoint(%d): segment %d not removed", tt.ts, n)
			}
		}
		for _, n := range tt.kept {
			if !exists(segPath(dir, n)) {
				t.Errorf("Checkpoint(%d): segment %d removed", tt.ts, n)
			}
		}
	}
	appendT(t, l, &want, 21, 100) // still goes to segment 5 and survives
	closeT(t, l)

	l = openT(t, dir, opts)
	if got := l.Checkpointed(); got != 1000 {
		t.Fatalf("Checkpointed after reopen: got %d, want 1000", got)
	}
	if got := l.LastTs(); got != 21 {
		t.Fatalf("LastTs after reopen: got %d, want 21", got)
	}
	sameRecs(t, replayAll(t, l, 0), want[16:])
	if got := replayAll(t, l, l.Checkpointed()); len(got) != 0 {
		t.Fatalf("Replay after the checkpoint: got %v, want none", got)
	}
}

// TestCheckpointBeforeReplay: a checkpoint taken before Replay may remove
// segments Open found; Replay skips them rather than failing.
func TestCheckpointBeforeReplay(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 512}
	l := openT(t, dir, opts)
	var want []rec
	for ts := uint64(1); ts <= 12; ts++ {
		appendT(t, l, &want, ts, 100)
	}
	closeT(t, l)
	l = openT(t, dir, opts)
	if err := l.Checkpoint(8); err != nil {
		t.Fatal(err)
	}
	sameRecs(t, replayAll(t, l, 8), want[8:])
}

func TestCorruptCheckpointRefused(t *testing.T) {
	valid := encodeCheckpoint(42)
	flipped := slices.Clone(valid)
	flipped[6] ^= 1
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"truncated", valid[:10]},
		{"flipped bit", flipped},
		{"too long", append(slices.Clone(valid), 0)},
		{"zeros", make([]byte, checkpointSize)},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, checkpointName), tt.data, 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := Open(dir, Options{SegmentSize: 512})
		if err == nil {
			l.Close()
		}
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Open got %v, want ErrCorrupt", tt.name, err)
		}
	}
}

func TestCheckpointFileRoundTrip(t *testing.T) {
	for _, ts := range []uint64{0, 1, 1 << 40, ^uint64(0)} {
		got, err := decodeCheckpoint(encodeCheckpoint(ts))
		if err != nil || got != ts {
			t.Errorf("round trip %d: got %d, %v", ts, got, err)
		}
	}
}

// TestLastTsSurvivesCheckpointOfAllRecords: once a checkpoint removed
// every segment with records, the end markers still carry the highest ts,
// so LastTs does not fall back and Append keeps refusing old timestamps.
func TestLastTsSurvivesCheckpointOfAllRecords(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 512}
	l := openT(t, dir, opts)
	for ts := uint64(1); ts <= 5; ts++ {
		appendT(t, l, nil, ts, 100)
	}
	closeT(t, l)
	for range 2 {
		// With its spare on disk at Close, each reopen finds an empty
		// segment after the records and seals it.
		l = openT(t, dir, opts)
		l.mu.Lock()
		next := l.seg
		l.mu.Unlock()
		waitSpare(t, l, next)
		closeT(t, l)
	}
	l = openT(t, dir, opts)
	if err := l.Checkpoint(5); err != nil {
		t.Fatal(err)
	}
	closeT(t, l)

	l = openT(t, dir, opts)
	if got := replayAll(t, l, 0); len(got) != 0 {
		t.Fatalf("Replay: got %v, want nothing left", got)
	}
	if got := l.LastTs(); got != 5 {
		t.Fatalf("LastTs: got %d, want 5", got)
	}
	if err := l.Append(5, nil); !errors.Is(err, ErrTsOrder) {
		t.Fatalf("Append(5): got %v, want ErrTsOrder", err)
	}
}

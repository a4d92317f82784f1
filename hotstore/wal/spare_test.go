package wal

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a log sink safe for the spare goroutine to write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// waitSpare waits until the spare goroutine has segment n ready.
func waitSpare(t *testing.T, l *Log, n uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		l.spares.mu.Lock()
		ready := l.spares.ready != nil && l.spares.readyNum == n
		l.spares.mu.Unlock()
		if ready {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("spare segment %d not ready after 5s", n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestRotationUsesSpare: when the spare is ready, rotations take it and
// nothing is created in the commit path (which would log a warning).
func TestRotationUsesSpare(t *testing.T) {
	dir := t.TempDir()
	var logs lockedBuffer
	opts := Options{SegmentSize: 512, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	l := openT(t, dir, opts)
	for ts := uint64(1); ts <= 6; ts++ {
		if ts%2 == 1 { // two records per segment: odd ones start a segment
			waitSpare(t, l, (ts+1)/2)
		}
		appendT(t, l, nil, ts, 200)
		syncT(t, l)
	}
	closeT(t, l)
	if s := logs.String(); strings.Contains(s, "level=WARN") {
		t.Fatalf("warnings with a ready spare:\n%s", s)
	}
}

// TestRotationWithoutSpare: a burst that rotates several times in one
// Sync outruns the spare goroutine; the segments are created inline,
// with a warning, and nothing is lost.
func TestRotationWithoutSpare(t *testing.T) {
	dir := t.TempDir()
	var logs lockedBuffer
	opts := Options{SegmentSize: 512, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	l := openT(t, dir, opts)
	var want []rec
	for ts := uint64(1); ts <= 40; ts++ {
		appendT(t, l, &want, ts, 200)
	}
	syncT(t, l)
	closeT(t, l)
	if s := logs.String(); !strings.Contains(s, "level=WARN") {
		t.Fatalf("no warning after 20 rotations in one Sync")
	}
	l = openT(t, dir, opts)
	sameRecs(t, replayAll(t, l, 0), want)
}

// TestUnusedSpareRemovedQuietly: the spare left at Close is removed at
// the next Open without a warning (it is there on every restart), while
// a segment with records after the end of the log still gets one.
func TestUnusedSpareRemovedQuietly(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{SegmentSize: 4096})
	appendT(t, l, nil, 1, 100)
	syncT(t, l)
	waitSpare(t, l, 2)
	closeT(t, l)
	if got := segmentsOnDisk(t, dir); len(got) != 2 {
		t.Fatalf("segments before reopen = %v, want the used one and the spare", got)
	}
	var logs lockedBuffer
	l = openT(t, dir, Options{SegmentSize: 4096, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	closeT(t, l)
	if s := logs.String(); strings.Contains(s, "level=WARN") {
		t.Fatalf("warning for an unused spare:\n%s", s)
	}
}

// TestNewLogHasItsFirstSegmentReady: a new log's first segment is ready
// when Open returns, so the first write neither creates it in the commit
// path nor waits for it (each logs a warning, seen on every first start).
func TestNewLogHasItsFirstSegmentReady(t *testing.T) {
	var logs lockedBuffer
	l := openT(t, t.TempDir(), Options{SegmentSize: 1 << 20, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	appendT(t, l, nil, 1, 100)
	syncT(t, l)
	closeT(t, l)
	if s := logs.String(); strings.Contains(s, "level=WARN") {
		t.Fatalf("warnings on a new log's first write:\n%s", s)
	}
}

package wal

import (
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestRoundTripAcrossRotations(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 512}
	l := openT(t, dir, opts)
	var want []rec
	for ts := uint64(1); ts <= 100; ts++ {
		appendT(t, l, &want, ts, int(ts%60)) // 0..59 bytes, empty payloads included
		if ts%7 == 0 {
			syncT(t, l)
		}
	}
	closeT(t, l)
	if segs := segmentsOnDisk(t, dir); len(segs) < 5 {
		t.Fatalf("got segments %v, want several rotations", segs)
	}

	l = openT(t, dir, opts)
	if got := l.LastTs(); got != 100 {
		t.Fatalf("LastTs: got %d, want 100", got)
	}
	for _, a := range []uint64{0, 1, 37, 99, 100, 1000} {
		sameRecs(t, replayAll(t, l, a), after(want, a))
	}
}

func TestReopenKeepsAppending(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 1024}
	var want []rec
	ts := uint64(0)
	for round := range 5 {
		l := openT(t, dir, opts)
		sameRecs(t, replayAll(t, l, 0), want)
		for range round * 3 { // the first round appends nothing
			ts++
			appendT(t, l, &want, ts, 100)
		}
		closeT(t, l)
	}
	l := openT(t, dir, opts)
	sameRecs(t, replayAll(t, l, 0), want)
}

func TestAppendDoesNoIO(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	var synced []string
	opts := Options{SegmentSize: 4096, Sync: func(f *os.File) error {
		mu.Lock()
		synced = append(synced, f.Name())
		mu.Unlock()
		return fdatasync(f)
	}}
	l := openT(t, dir, opts)
	for ts := uint64(1); ts <= 10; ts++ {
		appendT(t, l, nil, ts, 50)
	}
	data, err := os.ReadFile(segPath(dir, 1))
	if err == nil && strings.Trim(string(data), "\x00") != "" {
		t.Fatalf("segment 1 has data before Sync")
	}
	mu.Lock()
	for _, name := range synced {
		if !strings.HasSuffix(name, tmpExt) {
			t.Fatalf("Sync hook called on %s before Sync", name)
		}
	}
	mu.Unlock()
	syncT(t, l)
	data, err = os.ReadFile(segPath(dir, 1))
	if err != nil || strings.Trim(string(data), "\x00") == "" {
		t.Fatalf("segment 1 empty after Sync (err %v)", err)
	}
}

// TestSyncOrderAcrossRotation checks the ordering the recovery rule
// relies on: one Sync that spans a rotation syncs the old segment, with
// its end marker, before the new one.
func TestSyncOrderAcrossRotation(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	var synced []string
	opts := Options{SegmentSize: 512, Sync: func(f *os.File) error {
		if !strings.HasSuffix(f.Name(), tmpExt) { // not a spare being prepared
			mu.Lock()
			synced = append(synced, f.Name())
			mu.Unlock()
		}
		return fdatasync(f)
	}}
	l := openT(t, dir, opts)
	for ts := uint64(1); ts <= 4; ts++ {
		appendT(t, l, nil, ts, 200) // two fit in a segment: 1,2 | 3,4
	}
	syncT(t, l)
	mu.Lock()
	got := slices.Clone(synced)
	mu.Unlock()
	want := []string{segPath(dir, 1), segPath(dir, 2)}
	if !slices.Equal(got, want) {
		t.Fatalf("synced %v, want %v", got, want)
	}
	if sp := spans(t, dir, 1); len(sp) != 3 || sp[2].kind != kindEnd {
		t.Fatalf("segment 1 records %v, want two records and an end marker", sp)
	}
}

func TestAppendErrors(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 512}
	l := openT(t, dir, opts)
	maxPayload := 512 - 2*headerSize
	if err := l.Append(5, make([]byte, maxPayload)); err != nil {
		t.Fatalf("Append of the largest payload: %v", err)
	}
	tests := []struct {
		name string
		ts   uint64
		n    int
		want error
	}{
		{"equal ts", 5, 1, ErrTsOrder},
		{"lower ts", 4, 1, ErrTsOrder},
		{"zero ts", 0, 1, ErrTsOrder},
		{"too large", 6, maxPayload + 1, ErrRecordTooLarge},
	}
	for _, tt := range tests {
		if err := l.Append(tt.ts, make([]byte, tt.n)); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
	if err := l.Append(6, nil); err != nil {
		t.Fatalf("Append after refusals: %v", err)
	}
	closeT(t, l)

	// Found timestamps count as well as appended ones.
	l = openT(t, dir, opts)
	if err := l.Append(6, nil); !errors.Is(err, ErrTsOrder) {
		t.Fatalf("Append of a found ts: got %v, want ErrTsOrder", err)
	}
	if err := l.Append(7, nil); err != nil {
		t.Fatalf("Append after reopen: %v", err)
	}
	if err := l.Replay(0, func(uint64, []byte) error { return nil }); !errors.Is(err, ErrReplayAfterAppend) {
		t.Fatalf("Replay after Append: got %v, want ErrReplayAfterAppend", err)
	}
	closeT(t, l)

	closed := map[string]error{
		"Append":     l.Append(8, nil),
		"Sync":       l.Sync(),
		"Checkpoint": l.Checkpoint(1),
		"Replay":     l.Replay(0, func(uint64, []byte) error { return nil }),
	}
	for op, err := range closed {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: got %v, want ErrClosed", op, err)
		}
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestReplayStopsOnCallbackError(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{SegmentSize: 512})
	for ts := uint64(1); ts <= 10; ts++ {
		appendT(t, l, nil, ts, 100)
	}
	closeT(t, l)
	l = openT(t, dir, Options{SegmentSize: 512})
	stopErr := errors.New("stop")
	var seen []uint64
	err := l.Replay(0, func(ts uint64, _ []byte) error {
		seen = append(seen, ts)
		if ts == 4 {
			return stopErr
		}
		return nil
	})
	if !errors.Is(err, stopErr) || !slices.Equal(seen, []uint64{1, 2, 3, 4}) {
		t.Fatalf("got err %v after %v, want stop after [1 2 3 4]", err, seen)
	}
}

func TestOptionsValidated(t *testing.T) {
	for _, size := range []int64{-1, minSegmentSize - 1, maxSegmentSize + 1} {
		if l, err := Open(t.TempDir(), Options{SegmentSize: size}); err == nil {
			l.Close()
			t.Errorf("Open with SegmentSize %d: no error", size)
		}
	}
}

// TestConcurrentAppendSync appends from several goroutines (serialized by
// the caller's mutex, as the API asks) while another syncs in a loop.
func TestConcurrentAppendSync(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 4096}
	l := openT(t, dir, opts)

	const writers, perWriter = 4, 500
	var (
		mu   sync.Mutex // the caller's commit lock: orders ts with Append
		next uint64
		want = make([]rec, 0, writers*perWriter)
	)
	stop := make(chan struct{})
	syncErr := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				syncErr <- nil
				return
			default:
			}
			if err := l.Sync(); err != nil {
				syncErr <- err
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				mu.Lock()
				next++
				p := payload(next, (w*perWriter+i)%300)
				err := l.Append(next, p)
				want = append(want, rec{next, p})
				mu.Unlock()
				if err != nil {
					t.Errorf("Append: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	if err := <-syncErr; err != nil {
		t.Fatalf("Sync: %v", err)
	}
	closeT(t, l)

	l = openT(t, dir, opts)
	sameRecs(t, replayAll(t, l, 0), want)
}

func TestAppendAllocations(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{SegmentSize: 4 << 20})
	p := make([]byte, 400)
	ts := uint64(0)
	// Grow both buffers: Sync swaps them.
	for range 2 {
		for range 2000 {
			ts++
			if err := l.Append(ts, p); err != nil {
				t.Fatal(err)
			}
		}
		syncT(t, l)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		ts++
		if err := l.Append(ts, p); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Append allocates %v times per call, want 0", allocs)
	}
}

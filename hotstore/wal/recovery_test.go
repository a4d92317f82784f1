package wal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestTornTailCorruptByte damages a byte of the last record on disk:
// Replay stops before it, and what is appended after the reopen survives
// another one.
func TestTornTailCorruptByte(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 4096}
	l := openT(t, dir, opts)
	var want []rec
	for ts := uint64(1); ts <= 10; ts++ {
		appendT(t, l, &want, ts, 100)
	}
	closeT(t, l)

	sp := spans(t, dir, 1)
	last := sp[9]
	patchFile(t, segPath(dir, 1), last.end-1, []byte{0xFF ^ payload(10, 100)[99]})

	l = openT(t, dir, opts)
	want = want[:9]
	sameRecs(t, replayAll(t, l, 0), want)
	if got := l.LastTs(); got != 9 {
		t.Fatalf("LastTs: got %d, want 9", got)
	}
	appendT(t, l, &want, 10, 30) // ts 10 was never acknowledged: reusable
	appendT(t, l, &want, 11, 30)
	closeT(t, l)

	l = openT(t, dir, opts)
	sameRecs(t, replayAll(t, l, 0), want)
}

// TestStaleRecordsNeverReappear corrupts the CRC of a middle record and
// reopens: the records after it are gone, and stay gone after new records
// are appended, whatever their length. With the same length, the old
// record after the corrupt one would sit exactly where a reader looks
// next, with a valid CRC: only sealing the tail keeps it out.
func TestStaleRecordsNeverReappear(t *testing.T) {
	for _, n := range []int{10, 100} {
		dir := t.TempDir()
		opts := Options{SegmentSize: 4096}
		l := openT(t, dir, opts)
		var want []rec
		for ts := uint64(1); ts <= 5; ts++ {
			appendT(t, l, &want, ts, 100)
		}
		closeT(t, l)

		sp := spans(t, dir, 1)
		patchFile(t, segPath(dir, 1), sp[2].off+4, []byte{0xDE, 0xAD, 0xBE, 0xEF}) // record 3's CRC

		l = openT(t, dir, opts)
		want = want[:2]
		sameRecs(t, replayAll(t, l, 0), want)
		appendT(t, l, &want, 3, n)
		closeT(t, l)

		l = openT(t, dir, opts)
		sameRecs(t, replayAll(t, l, 0), want)
		closeT(t, l)
	}
}

// TestZeroedPages simulates pages the kernel never wrote back in the
// middle of the last segment, with later pages written: the log ends at
// the hole and the records after it never come back.
func TestZeroedPages(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 64 << 10}
	l := openT(t, dir, opts)
	var want []rec
	for ts := uint64(1); ts <= 40; ts++ {
		appendT(t, l, &want, ts, 1000)
	}
	closeT(t, l)

	const page = 4096
	patchFile(t, segPath(dir, 1), 2*page, make([]byte, 2*page))
	sp := spans(t, dir, 1)
	kept := 0
	for kept < len(sp) && sp[kept].end <= 2*page {
		kept++
	}

	l = openT(t, dir, opts)
	want = want[:kept]
	sameRecs(t, replayAll(t, l, 0), want)
	appendT(t, l, &want, uint64(kept)+1, 10)
	closeT(t, l)

	for range 2 {
		l = openT(t, dir, opts)
		sameRecs(t, replayAll(t, l, 0), want)
		closeT(t, l)
	}
}

// TestMissingEndMarker zeroes the end marker of a segment that has
// successors, as a crash can when the kernel wrote the later segment's
// pages but not the old one's: the later segments were never acknowledged
// and are removed.
func TestMissingEndMarker(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 512}
	l := openT(t, dir, opts)
	var want []rec
	for ts := uint64(1); ts <= 10; ts++ {
		appendT(t, l, &want, ts, 200) // two per segment
	}
	closeT(t, l)

	sp := spans(t, dir, 2)
	if len(sp) != 3 || sp[2].kind != kindEnd {
		t.Fatalf("segment 2 records %v, want two and an end marker", sp)
	}
	patchFile(t, segPath(dir, 2), sp[2].off, make([]byte, headerSize))

	l = openT(t, dir, opts)
	want = want[:4]
	sameRecs(t, replayAll(t, l, 0), want)
	if got := l.LastTs(); got != 4 {
		t.Fatalf("LastTs: got %d, want 4", got)
	}
	for _, n := range []uint64{4, 5} {
		if exists(segPath(dir, n)) {
			t.Fatalf("segment %d after the end of the log not removed", n)
		}
	}
	// Segment 3 is the next one to write: it may exist again as a fresh
	// spare, but holds no record.
	if exists(segPath(dir, 3)) && len(spans(t, dir, 3)) > 0 {
		t.Fatalf("segment 3 still holds records")
	}
	closeT(t, l)

	l = openT(t, dir, opts)
	sameRecs(t, replayAll(t, l, 0), want)
}

func TestMissingMiddleSegment(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 512}
	l := openT(t, dir, opts)
	var want []rec
	for ts := uint64(1); ts <= 6; ts++ {
		appendT(t, l, &want, ts, 200) // segments 1, 2, 3
	}
	closeT(t, l)
	if err := os.Remove(segPath(dir, 2)); err != nil {
		t.Fatal(err)
	}

	if l, err := Open(dir, opts); !errors.Is(err, ErrCorrupt) {
		if err == nil {
			l.Close()
		}
		t.Fatalf("Open with segment 2 missing: got %v, want ErrCorrupt", err)
	}

	// If a checkpoint covers everything before the gap, the segments
	// before it are leftovers of that checkpoint's removals.
	if err := writeCheckpoint(dir, 4); err != nil {
		t.Fatal(err)
	}
	l = openT(t, dir, opts)
	sameRecs(t, replayAll(t, l, 0), want[4:])
	if exists(segPath(dir, 1)) {
		t.Fatalf("segment 1 before the gap not removed")
	}
}

func TestOutOfOrderRecordsRefused(t *testing.T) {
	dir := t.TempDir()
	seed := segSeed(1)
	var b []byte
	b = appendRecord(b, seed, kindData, 5, []byte("a"))
	b = appendRecord(b, seed, kindData, 3, []byte("b"))
	b = append(b, make([]byte, 512-len(b))...)
	if err := os.WriteFile(segPath(dir, 1), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if l, err := Open(dir, Options{SegmentSize: 512}); !errors.Is(err, ErrCorrupt) {
		if err == nil {
			l.Close()
		}
		t.Fatalf("Open: got %v, want ErrCorrupt", err)
	}
}

// TestSealShortSegment: a segment cut short (no room left for a header)
// still gets its end marker, so the log can continue after it.
func TestSealShortSegment(t *testing.T) {
	dir := t.TempDir()
	seed := segSeed(1)
	b := appendRecord(nil, seed, kindData, 1, []byte("only"))
	if err := os.WriteFile(segPath(dir, 1), b, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := Options{SegmentSize: 512}
	l := openT(t, dir, opts)
	want := []rec{{1, []byte("only")}}
	sameRecs(t, replayAll(t, l, 0), want)
	appendT(t, l, &want, 2, 10)
	closeT(t, l)
	l = openT(t, dir, opts)
	sameRecs(t, replayAll(t, l, 0), want)
}

func TestLeftoverTempFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	leftovers := []string{segName(7) + tmpExt, checkpointName + tmpExt}
	for _, name := range leftovers {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	openT(t, dir, Options{SegmentSize: 512})
	for _, name := range leftovers {
		if exists(filepath.Join(dir, name)) {
			t.Errorf("%s not removed", name)
		}
	}
}

func TestSegmentsAreFullSizeAndNamed(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{SegmentSize: 8192})
	appendT(t, l, nil, 1, 10)
	syncT(t, l)
	st, err := os.Stat(segPath(dir, 1))
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != 8192 {
		t.Fatalf("segment size: got %d, want 8192", st.Size())
	}
	data, _ := os.ReadFile(segPath(dir, 1))
	if !bytes.Equal(data[len(data)-100:], make([]byte, 100)) {
		t.Fatalf("segment tail is not zeros")
	}
	if got := segmentsOnDisk(t, dir); !slices.Contains(got, 1) {
		t.Fatalf("segments %v, want 1", got)
	}
}

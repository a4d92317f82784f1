package coldstore

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestCompactEquivalence(t *testing.T) {
	s := openStore(t)
	s.groupRows = 64
	rng := rand.New(rand.NewPCG(1, 2))
	seq := int64(0)
	for f := 0; f < 6; f++ {
		var rows []row
		for id := int64(0); id < 300; id++ {
			if rng.IntN(3) != 0 {
				continue
			}
			seq++
			if rng.IntN(5) == 0 {
				rows = append(rows, tomb(t, id, seq))
			} else {
				rows = append(rows, msg(t, id, seq, fmt.Sprintf("c%d", id%4), fmt.Sprintf("v%d", seq)))
			}
		}
		flush(t, s, testPart, chatSchema, rows...)
	}
	before, _ := scan(t, s, testPart, ScanOptions{})
	old, _ := s.Segments(testPart)

	// A scan open across the compaction keeps reading the old files.
	it, err := s.Scan(t.Context(), testPart, ScanOptions{})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	res, err := s.Compact(t.Context(), testPart, chatSchema, 1)
	if err != nil {
		t.Fatalf("compact: %v", err)
	}
	n := 0
	for it.Next() {
		n++
	}
	if it.Err() != nil || n != len(before) {
		t.Fatalf("scan across compaction: %d rows, %v; want %d", n, it.Err(), len(before))
	}
	it.Close()

	after, _ := scan(t, s, testPart, ScanOptions{})
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("compaction changed results:\n%v\n%v", before, after)
	}
	segs, _ := s.Segments(testPart)
	if res.Merged != len(old) || len(segs) != 1 || segs[0].Tombstones != 0 || segs[0].Rows != int64(len(before)) {
		t.Fatalf("after compaction: merged %d, segments %+v", res.Merged, segs)
	}
	if names := listDir(t, partDir(s, testPart)); !slices.Equal(names, []string{segs[0].Path, manifestName}) {
		t.Fatalf("files after compaction: %v", names)
	}
	// Nothing left to do.
	if res, err := s.Compact(t.Context(), testPart, chatSchema, 1); err != nil || res.Merged != 0 {
		t.Fatalf("second compaction: %+v, %v", res, err)
	}
}

func TestCompactAllDeleted(t *testing.T) {
	s := openStore(t)
	flush(t, s, testPart, chatSchema, msg(t, 1, 1, "c", "x"))
	flush(t, s, testPart, chatSchema, tomb(t, 1, 2))
	if _, err := s.Compact(t.Context(), testPart, chatSchema, 1); err != nil {
		t.Fatalf("compact: %v", err)
	}
	segs, _ := s.Segments(testPart)
	if len(segs) != 0 {
		t.Fatalf("segments %v, want none", segs)
	}
	if names := listDir(t, partDir(s, testPart)); !slices.Equal(names, []string{manifestName}) {
		t.Fatalf("files: %v", names)
	}
}

// Every crash point of a flush or compaction leaves files the manifest
// does not list; reopening must hide and delete them and keep the data.
func TestCrashLeftovers(t *testing.T) {
	root := t.TempDir()
	s, err := Open(root)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	flush(t, s, testPart, chatSchema, msg(t, 1, 1, "c", "a"), msg(t, 2, 2, "c", "b"))
	flush(t, s, testPart, chatSchema, msg(t, 2, 3, "c", "b2"))
	want, _ := scan(t, s, testPart, ScanOptions{})
	segs, _ := s.Segments(testPart)
	dir := partDir(s, testPart)
	s.Close()

	data, err := os.ReadFile(filepath.Join(dir, segs[0].Path))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	leftovers := map[string][]byte{
		tmpPrefix + "123":  data[:len(data)/2],          // segment being written
		"batch-2.parquet":  data,                        // written, manifest not yet swapped
		"batch-9.parquet":  []byte("truncated garbage"), // number past next_batch
		tmpPrefix + "4567": []byte(`{"version":`),       // manifest being replaced
	}
	for name, b := range leftovers {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, trashDir, "user_bob-x", "t.t"), 0o755); err != nil {
		t.Fatalf("mkdir: %v", err)
	}

	s2, err := Open(root)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	if _, err := os.Stat(filepath.Join(root, trashDir)); !os.IsNotExist(err) {
		t.Fatalf("trash survived open: %v", err)
	}
	got, _ := scan(t, s2, testPart, ScanOptions{})
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after crash:\n got %v\nwant %v", got, want)
	}
	names := listDir(t, dir)
	if !slices.Equal(names, []string{segs[0].Path, segs[1].Path, manifestName}) {
		t.Fatalf("files after reopen: %v", names)
	}
	// The next flush reuses the orphan's number safely.
	seg := flush(t, s2, testPart, chatSchema, msg(t, 3, 4, "c", "c"))
	if seg.Path != "batch-2.parquet" {
		t.Fatalf("new segment %s", seg.Path)
	}
	if got, _ := scan(t, s2, testPart, ScanOptions{}); len(got) != 3 {
		t.Fatalf("after flush: %d rows", len(got))
	}
}

// A crash after a compaction published its manifest but before it deleted
// the replaced files leaves them as orphans.
func TestCrashAfterCompactionSwap(t *testing.T) {
	root := t.TempDir()
	s, _ := Open(root)
	flush(t, s, testPart, chatSchema, msg(t, 1, 1, "c", "a"))
	flush(t, s, testPart, chatSchema, msg(t, 1, 2, "c", "a2"))
	old, _ := s.Segments(testPart)
	dir := partDir(s, testPart)
	saved := map[string][]byte{}
	for _, seg := range old {
		saved[seg.Path], _ = os.ReadFile(filepath.Join(dir, seg.Path))
	}
	if _, err := s.Compact(t.Context(), testPart, chatSchema, 1); err != nil {
		t.Fatalf("compact: %v", err)
	}
	want, _ := scan(t, s, testPart, ScanOptions{})
	for name, b := range saved {
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	s2, _ := Open(root)
	got, _ := scan(t, s2, testPart, ScanOptions{})
	if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != 1 {
		t.Fatalf("got %v, want %v", got, want)
	}
	if n := len(listDir(t, dir)); n != 2 {
		t.Fatalf("%d files after reopen, want segment + manifest", n)
	}
}

// Flushes, scans and compactions of one partition run concurrently: no
// scan fails, and the end state holds every flushed row.
func TestConcurrentFlushScanCompact(t *testing.T) {
	s := openStore(t)
	const flushes, per = 8, 50
	done := make(chan error, 3)
	go func() {
		for f := int64(0); f < flushes; f++ {
			var rows []row
			for i := int64(0); i < per; i++ {
				id := f*per + i
				rows = append(rows, msg(t, id, id+1, "c", "x"))
			}
			if _, err := s.Flush(t.Context(), testPart, chatSchema, 1, &rowSource{rows: rows, t: t}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	go func() {
		for range flushes {
			if _, err := s.Compact(t.Context(), testPart, chatSchema, 1); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	go func() {
		for range 2 * flushes {
			it, err := s.Scan(t.Context(), testPart, ScanOptions{Reverse: true})
			if err != nil {
				done <- err
				return
			}
			for it.Next() {
			}
			err = it.Err()
			it.Close()
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range 3 {
		if err := <-done; err != nil {
			t.Fatalf("concurrent: %v", err)
		}
	}
	if out, _ := scan(t, s, testPart, ScanOptions{}); len(out) != flushes*per {
		t.Fatalf("%d rows, want %d", len(out), flushes*per)
	}
}

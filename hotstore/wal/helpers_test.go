package wal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
)

// openT opens a log and closes it at the end of the test unless the test
// closed it; the check that the close succeeds is the invariant.
func openT(t *testing.T, dir string, opts Options) *Log {
	t.Helper()
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("Close at cleanup: %v", err)
		}
	})
	return l
}

// closeT closes l, failing the test on error.
func closeT(t *testing.T, l *Log) {
	t.Helper()
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// payload returns a deterministic payload of n bytes for ts.
func payload(ts uint64, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(ts*31 + uint64(i)*7 + 1)
	}
	return b
}

type rec struct {
	ts      uint64
	payload []byte
}

func (r rec) String() string { return fmt.Sprintf("{ts %d, %d bytes}", r.ts, len(r.payload)) }

// replayAll returns every record Replay passes on after after.
func replayAll(t *testing.T, l *Log, after uint64) []rec {
	t.Helper()
	var got []rec
	err := l.Replay(after, func(ts uint64, p []byte) error {
		got = append(got, rec{ts, bytes.Clone(p)})
		return nil
	})
	if err != nil {
		t.Fatalf("Replay(%d): %v", after, err)
	}
	return got
}

// appendT appends a record and remembers it in *want.
func appendT(t *testing.T, l *Log, want *[]rec, ts uint64, n int) {
	t.Helper()
	p := payload(ts, n)
	if err := l.Append(ts, p); err != nil {
		t.Fatalf("Append(%d): %v", ts, err)
	}
	if want != nil {
		*want = append(*want, rec{ts, p})
	}
}

func syncT(t *testing.T, l *Log) {
	t.Helper()
	if err := l.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
}

// sameRecs compares record lists, reporting the first difference.
func sameRecs(t *testing.T, got, want []rec) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d records %v, want %d %v", len(got), tsList(got), len(want), tsList(want))
	}
	for i := range got {
		if got[i].ts != want[i].ts || !bytes.Equal(got[i].payload, want[i].payload) {
			t.Fatalf("record %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func tsList(rs []rec) []uint64 {
	out := make([]uint64, len(rs))
	for i, r := range rs {
		out[i] = r.ts
	}
	return out
}

func after(rs []rec, ts uint64) []rec {
	var out []rec
	for _, r := range rs {
		if r.ts > ts {
			out = append(out, r)
		}
	}
	return out
}

// segmentsOnDisk lists the segment numbers in dir.
func segmentsOnDisk(t *testing.T, dir string) []uint64 {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var nums []uint64
	for _, e := range ents {
		if n, ok := parseSegName(e.Name()); ok {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	return nums
}

// recordSpan is where a record lies in a segment file.
type recordSpan struct {
	off, end int64
	kind     byte
	ts       uint64
}

// spans walks a segment file's valid records, end marker included.
func spans(t *testing.T, dir string, seg uint64) []recordSpan {
	t.Helper()
	data, err := os.ReadFile(segPath(dir, seg))
	if err != nil {
		t.Fatal(err)
	}
	r := newSegReader(bytes.NewReader(data), seg, int64(len(data)))
	var out []recordSpan
	for {
		off := r.off
		ts, _, why, err := r.next()
		if err != nil {
			t.Fatal(err)
		}
		switch why {
		case stopNone:
			out = append(out, recordSpan{off, r.off, kindData, ts})
		case stopEnd:
			return append(out, recordSpan{off, off + headerSize, kindEnd, ts})
		default:
			return out
		}
	}
}

// patchFile overwrites part of a file, as a crash or a bad disk would.
func patchFile(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}

//go:build linux

package wal

import (
	"os"
	"syscall"
	"testing"
)

// TestSegmentNotSparse: segments are zero-filled with real writes, so
// every block is allocated (a sparse file or an unwritten extent would
// make the first fdatasync after overwriting it commit metadata).
func TestSegmentNotSparse(t *testing.T) {
	dir := t.TempDir()
	const size = 1 << 20
	l := openT(t, dir, Options{SegmentSize: size})
	appendT(t, l, nil, 1, 10)
	syncT(t, l)
	st, err := os.Stat(segPath(dir, 1))
	if err != nil {
		t.Fatal(err)
	}
	sys := st.Sys().(*syscall.Stat_t)
	if st.Size() != size || sys.Blocks*512 < size {
		t.Fatalf("segment: size %d, %d bytes allocated; want %d and at least as many", st.Size(), sys.Blocks*512, size)
	}
}

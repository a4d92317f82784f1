package wal

import (
	"bytes"
	"testing"
)

// FuzzSegmentReader feeds arbitrary segment bytes to the reader: it must
// not panic, must stay inside the segment, and every record it accepts
// must be exactly what the writer would have written at that offset.
func FuzzSegmentReader(f *testing.F) {
	seed := segSeed(1)
	var valid []byte
	for ts := uint64(1); ts <= 5; ts++ {
		valid = appendRecord(valid, seed, kindData, ts, payload(ts, int(ts)*7))
	}
	valid = appendRecord(valid, seed, kindEnd, 5, nil)
	f.Add(valid, uint64(1))
	f.Add(append(valid[:40:40], make([]byte, 300)...), uint64(1))
	f.Add(valid, uint64(2))
	f.Add([]byte{}, uint64(0))
	f.Add(make([]byte, 64), uint64(1))

	f.Fuzz(func(t *testing.T, data []byte, seg uint64) {
		r := newSegReader(bytes.NewReader(data), seg, int64(len(data)))
		for {
			off := r.off
			ts, p, why, err := r.next()
			if err != nil {
				t.Fatalf("read error from memory: %v", err)
			}
			if why != stopNone {
				if r.off != off || r.off > int64(len(data)) {
					t.Fatalf("stop %v moved the tail from %d to %d (size %d)", why, off, r.off, len(data))
				}
				return
			}
			if r.off <= off || r.off > int64(len(data)) {
				t.Fatalf("offset went from %d to %d (size %d)", off, r.off, len(data))
			}
			again := appendRecord(nil, segSeed(seg), kindData, ts, p)
			if !bytes.Equal(again, data[off:r.off]) {
				t.Fatalf("record at %d does not re-encode to its bytes", off)
			}
		}
	})
}

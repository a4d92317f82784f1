package wal

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"
)

// segmentBytes builds a segment of size bytes holding the given records.
func segmentBytes(size int, recs ...[]byte) []byte {
	var b []byte
	for _, r := range recs {
		b = append(b, r...)
	}
	return append(b, make([]byte, size-len(b))...)
}

func TestSegReaderStops(t *testing.T) {
	const seg = 7
	seed := segSeed(seg)
	data := appendRecord(nil, seed, kindData, 10, []byte("hello"))
	end := appendRecord(nil, seed, kindEnd, 10, nil)
	mutate := func(r []byte, f func([]byte)) []byte {
		r = slices.Clone(r)
		f(r)
		return r
	}
	tests := []struct {
		name string
		seg  []byte
		recs int // data records read before the stop
		want stop
	}{
		{"zeros after a record", segmentBytes(256, data), 1, stopZero},
		{"end marker", segmentBytes(256, data, end), 1, stopEnd},
		{"bad payload byte", segmentBytes(256, data, mutate(data, func(r []byte) { r[headerSize] ^= 1 })), 1, stopInvalid},
		{"bad ts", segmentBytes(256, mutate(data, func(r []byte) { r[8] ^= 1 })), 0, stopInvalid},
		{"unknown kind", segmentBytes(256, mutate(data, func(r []byte) { r[16] = 3 })), 0, stopInvalid},
		{"kind zero", segmentBytes(256, mutate(data, func(r []byte) { r[16] = 0 })), 0, stopInvalid},
		{"length past the end", segmentBytes(256, mutate(data, func(r []byte) { binary.LittleEndian.PutUint32(r, 1000) })), 0, stopInvalid},
		{"end marker with payload", segmentBytes(256, appendRecord(nil, seed, kindEnd, 1, []byte("x"))), 0, stopInvalid},
		{"record of another segment", segmentBytes(256, appendRecord(nil, segSeed(seg+1), kindData, 1, []byte("x"))), 0, stopInvalid},
		{"no room for a header", data[:headerSize+5], 1, stopInvalid},
		{"empty", nil, 0, stopInvalid},
	}
	for _, tt := range tests {
		r := newSegReader(bytes.NewReader(tt.seg), seg, int64(len(tt.seg)))
		n := 0
		for {
			ts, p, why, err := r.next()
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if why != stopNone {
				if n != tt.recs || why != tt.want {
					t.Errorf("%s: got %d records then %v, want %d then %v", tt.name, n, why, tt.recs, tt.want)
				}
				break
			}
			if ts != 10 || string(p) != "hello" {
				t.Fatalf("%s: record %d = (%d, %q), want (10, hello)", tt.name, n, ts, p)
			}
			n++
		}
	}
}

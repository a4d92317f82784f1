package wal

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Record header layout, little-endian:
//
//	[0:4]   payload length
//	[4:8]   CRC-32C of segment number, length, ts, kind and payload
//	[8:16]  ts
//	[16]    kind
//
// An end marker has length 0 and carries the highest ts in the log up to
// it.
const (
	headerSize = 17

	// kindData is a caller's record; kindEnd ends a segment and says the
	// log continues in the next one. Kind 0 is never written, so a header
	// of zeros (a never-written part of a segment) is never valid.
	kindData = 1
	kindEnd  = 2
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// segSeed is the CRC-32C of the segment number, where every record CRC
// of the segment starts: covering the segment number means a record read
// from a segment other than the one it was written to (a stale file, a
// copied block) does not check. It is computed once per segment, not per
// record, because hashing a stack array makes it escape to the heap.
func segSeed(seg uint64) uint32 {
	var s [8]byte
	binary.LittleEndian.PutUint64(s[:], seg)
	return crc32.Update(0, castagnoli, s[:])
}

// recordCRC continues seed over the header fields and the payload.
func recordCRC(seed uint32, hdr []byte, payload []byte) uint32 {
	c := crc32.Update(seed, castagnoli, hdr[0:4])
	c = crc32.Update(c, castagnoli, hdr[8:headerSize])
	return crc32.Update(c, castagnoli, payload)
}

// appendRecord appends one record to buf; seed is segSeed of its segment.
func appendRecord(buf []byte, seed uint32, kind byte, ts uint64, payload []byte) []byte {
	start := len(buf)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(payload)))
	buf = binary.LittleEndian.AppendUint32(buf, 0) // CRC, set below
	buf = binary.LittleEndian.AppendUint64(buf, ts)
	buf = append(buf, kind)
	hdr := buf[start : start+headerSize]
	binary.LittleEndian.PutUint32(hdr[4:8], recordCRC(seed, hdr, payload))
	return append(buf, payload...)
}

// stop says why segReader.next found no further data record.
type stop int

const (
	stopNone    stop = iota // a data record was returned
	stopEnd                 // end-of-segment record: the log continues in the next segment
	stopZero                // an all-zero header: never written, the end of the log
	stopInvalid             // bad CRC, kind or length, or no room for a header: the end of the log
)

func (s stop) String() string {
	switch s {
	case stopNone:
		return "record"
	case stopEnd:
		return "end marker"
	case stopZero:
		return "zero header"
	case stopInvalid:
		return "invalid record"
	}
	return fmt.Sprintf("stop(%d)", int(s))
}

// segReader reads one segment's records in order. It reads sequentially
// through a buffer, so a 64 MiB segment of small records costs a few
// dozen reads, not two per record.
type segReader struct {
	r    *bufio.Reader
	seg  uint64
	seed uint32 // segSeed(seg)
	size int64  // segment length in bytes
	off  int64  // offset of the next header

	hdr     [headerSize]byte
	payload []byte // reused: a returned payload is valid until the next call
}

func newSegReader(r io.ReaderAt, seg uint64, size int64) *segReader {
	bufSize := int64(1 << 20)
	if size < bufSize {
		bufSize = max(size, 16)
	}
	return &segReader{
		r:    bufio.NewReaderSize(io.NewSectionReader(r, 0, size), int(bufSize)),
		seg:  seg,
		seed: segSeed(seg),
		size: size,
	}
}

// next returns the next data record, or why there is none. After a stop
// other than stopNone, off is where that header starts: the tail of the
// segment's valid records. The error is for failed reads only; damage is a
// stop, never an error.
func (s *segReader) next() (ts uint64, payload []byte, why stop, err error) {
	if s.size-s.off < headerSize {
		return 0, nil, stopInvalid, nil
	}
	if _, err := io.ReadFull(s.r, s.hdr[:]); err != nil {
		return 0, nil, stopInvalid, readErr(err)
	}
	if s.hdr == [headerSize]byte{} {
		return 0, nil, stopZero, nil
	}
	n := int64(binary.LittleEndian.Uint32(s.hdr[0:4]))
	ts = binary.LittleEndian.Uint64(s.hdr[8:16])
	kind := s.hdr[16]
	switch kind {
	case kindEnd:
		if n != 0 {
			return 0, nil, stopInvalid, nil
		}
	case kindData:
		// Writers leave room for an end marker after every record; the
		// reader does not insist, so a segment cut short keeps its records
		// (Open's seal then extends the file).
		if n > s.size-s.off-headerSize {
			return 0, nil, stopInvalid, nil
		}
	default:
		return 0, nil, stopInvalid, nil
	}
	if int64(cap(s.payload)) < n {
		s.payload = make([]byte, n)
	}
	payload = s.payload[:n]
	if _, err := io.ReadFull(s.r, payload); err != nil {
		return 0, nil, stopInvalid, readErr(err)
	}
	if binary.LittleEndian.Uint32(s.hdr[4:8]) != recordCRC(s.seed, s.hdr[:], payload) {
		return 0, nil, stopInvalid, nil
	}
	if kind == kindEnd {
		return ts, nil, stopEnd, nil
	}
	s.off += headerSize + n
	return ts, payload, stopNone, nil
}

// readErr turns running off the end into "no error": the size was checked
// before reading, so that only happens when the file shrank under us, and
// then it is a short segment like any other.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil
	}
	return err
}

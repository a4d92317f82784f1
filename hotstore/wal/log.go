package wal

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
)

// Options configures Open. The zero value is usable.
type Options struct {
	// SegmentSize is the length of every segment file; 0 means 64 MiB.
	// Existing segments keep the size they were created with.
	SegmentSize int64

	// Sync makes a segment's written data durable; nil means fdatasync
	// (retried on EINTR). It is called by Sync, Close and Open's sealing,
	// never by two goroutines at once and never for a spare segment's
	// zeros. Tests replace it to count or order syncs.
	Sync func(f *os.File) error

	// Logger receives warnings (a rotation that had to create its segment,
	// garbage removed at Open); nil discards them.
	Logger *slog.Logger
}

const (
	defaultSegmentSize = 64 << 20
	minSegmentSize     = 256
	maxSegmentSize     = 1 << 32 // payload lengths are uint32

	// maxKeptBuffer is the largest append buffer kept for reuse after a
	// Sync; steady traffic between Syncs stays well below it.
	maxKeptBuffer = 8 << 20
)

// Log is an open write-ahead log. Append and Sync may run concurrently;
// the caller serializes its Appends, and Syncs are serialized inside.
//
// Lock order: ckptMu, then syncMu, then mu or segMu (never both).
type Log struct {
	dir        string
	sync       func(*os.File) error
	log        *slog.Logger
	segSize    int64
	maxPayload int
	spares     *spares
	openSegs   []segInfo // the log found at Open, every one sealed; read by Replay

	// mu guards the append side: the buffer of records not yet handed to
	// a Sync, where the next record goes, and the state Append checks.
	mu       sync.Mutex
	buf      []byte  // records appended since the last Sync took the buffer
	chunks   []chunk // buf split by segment, in log order
	seg      uint64  // segment the next record goes to
	seed     uint32  // segSeed(seg)
	off      int64   // its offset there, counting buffered records
	lastTs   uint64
	appended bool // Append has succeeded once: Replay is over
	closed   bool
	failed   error // set once a write or sync failed; wraps ErrFailed

	// syncMu serializes Sync and Close and guards the write side below.
	syncMu    sync.Mutex
	wbuf      []byte // the buffer not in use by Append, kept for reuse
	wchunks   []chunk
	active    *os.File // open segment activeNum; nil until the first write after Open
	activeNum uint64
	toSync    []*os.File // scratch for write
	// unsynced are the segments Write wrote to since the last Sync, in
	// log order: the next Sync syncs them first (and closes all but the
	// active one).
	unsynced []*os.File

	// segMu guards segs, which Sync extends and Checkpoint trims.
	segMu sync.Mutex
	segs  []segInfo // segments on disk in the log, ascending; the last one is never removed

	ckptMu       sync.Mutex // serializes Checkpoint and Close
	checkpointed atomic.Uint64
}

// chunk is a run of buf bound for one segment, starting at off.
type chunk struct {
	seg        uint64
	off        int64
	start, end int
	lastTs     uint64 // ts of the last record in the log up to the chunk's end
}

// segInfo describes a segment of the log. lastTs is the highest ts in the
// log up to the segment's end (carried over from earlier segments when it
// has no record), so it grows along the log and a Checkpoint can remove
// exactly the prefix of segments with lastTs <= ts.
type segInfo struct {
	num    uint64
	lastTs uint64
}

// Checkpointed returns the ts recorded by the last Checkpoint, 0 if none.
func (l *Log) Checkpointed() uint64 { return l.checkpointed.Load() }

// LastTs returns the highest ts of the records found at Open or appended
// since.
func (l *Log) LastTs() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastTs
}

// Append adds a record to the in-memory buffer; it does no I/O, and the
// record is durable only once a later Sync returns nil. ts must be greater
// than every ts appended or found at Open (so never 0). The payload is
// copied.
//
// The buffer holds everything appended since the last Sync, so its size
// is bounded by how often the caller syncs (at least every 200 ms).
func (l *Log) Append(ts uint64, payload []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return ErrClosed
	case l.failed != nil:
		return l.failed
	case ts <= l.lastTs:
		return fmt.Errorf("%w: append ts %d after %d", ErrTsOrder, ts, l.lastTs)
	case len(payload) > l.maxPayload:
		return fmt.Errorf("%w: %d bytes, at most %d", ErrRecordTooLarge, len(payload), l.maxPayload)
	}
	size := int64(headerSize + len(payload))
	// Every segment keeps room for its end marker after its last record.
	if l.off+size+headerSize > l.segSize {
		l.buf = appendRecord(l.startChunk(), l.seed, kindEnd, l.lastTs, nil)
		l.endChunk()
		l.seg, l.seed, l.off = l.seg+1, segSeed(l.seg+1), 0
	}
	l.buf = appendRecord(l.startChunk(), l.seed, kindData, ts, payload)
	l.off += size
	l.lastTs = ts
	l.endChunk()
	l.appended = true
	return nil
}

// startChunk makes the last chunk the one for l.seg and returns buf.
func (l *Log) startChunk() []byte {
	if n := len(l.chunks); n == 0 || l.chunks[n-1].seg != l.seg {
		l.chunks = append(l.chunks, chunk{seg: l.seg, off: l.off, start: len(l.buf), end: len(l.buf), lastTs: l.lastTs})
	}
	return l.buf
}

// endChunk records that the last chunk runs to the end of buf.
func (l *Log) endChunk() {
	c := &l.chunks[len(l.chunks)-1]
	c.end = len(l.buf)
	c.lastTs = l.lastTs
}

// Sync writes every record appended before the call to its segment and
// makes it durable. A record of a segment is reported durable only after
// the previous segment, with its end marker, was synced: a reader that
// stops at a missing end marker then never drops an acknowledged record.
// After a failure the log is unusable (ErrFailed).
func (l *Log) Sync() error { return l.flushOpen(true) }

// Write writes every record appended before the call to its segment
// without syncing it: it is then in the OS page cache, which outlives a
// crash of the process but not a power loss. The next Sync makes it
// durable. After a failure the log is unusable (ErrFailed).
func (l *Log) Write() error { return l.flushOpen(false) }

// flushOpen is flush for Sync and Write: ErrClosed once Close began.
func (l *Log) flushOpen(sync bool) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return l.flush(sync)
}

// flush swaps the append buffer for the spare one and writes it (and
// syncs it, if sync), so Appends continue during the I/O. Called with
// syncMu held.
func (l *Log) flush(sync bool) error {
	l.mu.Lock()
	if l.failed != nil {
		l.mu.Unlock()
		return l.failed
	}
	buf, chunks := l.buf, l.chunks
	l.buf, l.chunks = l.wbuf[:0], l.wchunks[:0]
	l.mu.Unlock()

	err := l.write(buf, chunks, sync)
	if cap(buf) > maxKeptBuffer {
		buf = nil // a burst's buffer: let it go rather than keep it for good
	}
	l.wbuf, l.wchunks = buf[:0], chunks[:0]
	if err != nil {
		err = fmt.Errorf("%w: %w", ErrFailed, err)
		l.mu.Lock()
		l.failed = err
		l.mu.Unlock()
	}
	return err
}

// write pwrites each chunk into its segment, taking a spare for each new
// one, then, if sync, syncs the segments written to since the last sync in
// log order and closes all but the last. Without sync it keeps them for
// the next one (unsynced). Called with syncMu held.
func (l *Log) write(buf []byte, chunks []chunk, sync bool) (err error) {
	toSync := append(l.toSync[:0], l.unsynced...)
	defer func() {
		if !sync && err == nil {
			l.unsynced = append(l.unsynced[:0], toSync...)
		} else {
			// Segments before the active one are complete: done with
			// them (after a failure the log is unusable anyway).
			for _, f := range toSync {
				if f != l.active {
					_ = f.Close()
				}
			}
			clear(l.unsynced)
			l.unsynced = l.unsynced[:0]
		}
		clear(toSync)
		l.toSync = toSync[:0]
	}()
	for _, c := range chunks {
		if l.active == nil || c.seg != l.activeNum {
			f, err := l.spares.take(c.seg)
			if err != nil {
				return err
			}
			if l.active != nil && !slices.Contains(toSync, l.active) {
				// Unreachable while Append writes the end marker and the
				// record after it in one call; do not leak the file.
				_ = l.active.Close()
			}
			l.active, l.activeNum = f, c.seg
			// The previous segment's lastTs was set by its own chunk, before
			// this one makes it removable by Checkpoint.
			l.segMu.Lock()
			l.segs = append(l.segs, segInfo{num: c.seg, lastTs: c.lastTs})
			l.segMu.Unlock()
			toSync = append(toSync, f)
		} else {
			l.segMu.Lock()
			l.segs[len(l.segs)-1].lastTs = c.lastTs
			l.segMu.Unlock()
			if !slices.Contains(toSync, l.active) {
				toSync = append(toSync, l.active)
			}
		}
		if _, err := l.active.WriteAt(buf[c.start:c.end], c.off); err != nil {
			return fmt.Errorf("write segment %d: %w", c.seg, err)
		}
	}
	if !sync {
		return nil
	}
	for _, f := range toSync {
		if err := l.sync(f); err != nil {
			return err
		}
	}
	return nil
}

// Checkpoint records that the records with ts <= ts are no longer needed
// (the caller made them durable elsewhere): it durably writes ts to the
// checkpoint file, then removes the oldest segments whose records all have
// ts <= ts, never the segment being written to. A ts below the recorded
// one changes nothing.
func (l *Log) Checkpoint(ts uint64) error {
	l.ckptMu.Lock()
	defer l.ckptMu.Unlock()
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if ts > l.checkpointed.Load() {
		if err := writeCheckpoint(l.dir, ts); err != nil {
			return err
		}
		l.checkpointed.Store(ts)
	}
	ts = l.checkpointed.Load()

	l.segMu.Lock()
	n := 0
	for n < len(l.segs)-1 && l.segs[n].lastTs <= ts {
		n++
	}
	victims := make([]uint64, n)
	for i := range victims {
		victims[i] = l.segs[i].num
	}
	l.segs = append(l.segs[:0], l.segs[n:]...)
	l.segMu.Unlock()
	return removeSegments(l.dir, victims)
}

// Replay calls fn for every record with ts > after found at Open, in log
// order. The payload is valid only during the call. Replay must run
// before the first Append; an error from fn stops it and is returned.
func (l *Log) Replay(after uint64, fn func(ts uint64, payload []byte) error) error {
	l.mu.Lock()
	closed, appended := l.closed, l.appended
	l.mu.Unlock()
	switch {
	case closed:
		return ErrClosed
	case appended:
		return ErrReplayAfterAppend
	}
	for _, s := range l.openSegs {
		if s.lastTs <= after {
			continue // carried lastTs: nothing above after in or before it
		}
		if err := l.replaySegment(s, after, fn); err != nil {
			return err
		}
	}
	return nil
}

func (l *Log) replaySegment(s segInfo, after uint64, fn func(uint64, []byte) error) error {
	f, err := os.Open(segPath(l.dir, s.num))
	if errors.Is(err, os.ErrNotExist) && s.lastTs <= l.checkpointed.Load() {
		return nil // removed by a Checkpoint that made it unneeded
	}
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	r := newSegReader(f, s.num, st.Size())
	for {
		ts, payload, why, err := r.next()
		if err != nil {
			return fmt.Errorf("replay segment %d: %w", s.num, err)
		}
		switch why {
		case stopNone:
		case stopEnd:
			return nil
		default:
			// Open sealed every segment it found; only outside
			// interference can change that.
			return fmt.Errorf("%w: segment %d changed since Open (%v at offset %d)", ErrCorrupt, s.num, why, r.off)
		}
		if ts <= after {
			continue
		}
		if err := fn(ts, payload); err != nil {
			return err
		}
	}
}

// Close syncs what was appended, stops preparing spares and closes the
// files. Closing a closed Log returns nil.
func (l *Log) Close() error {
	l.ckptMu.Lock()
	defer l.ckptMu.Unlock()
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true // no Append from here on, so flush sees the last buffer
	l.mu.Unlock()

	err := l.flush(true)
	l.spares.stop()
	if l.active != nil {
		if cerr := l.active.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close segment %d: %w", l.activeNum, cerr)
		}
		l.active = nil
	}
	return err
}

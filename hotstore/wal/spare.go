package wal

import (
	"log/slog"
	"os"
	"sync"
	"time"
)

// spares keeps the next segment prepared by a background goroutine, so a
// rotation normally takes a ready file instead of writing SegmentSize
// bytes of zeros while commits wait for their Sync.
//
// Only one goroutine creates a segment at a time (createMu), so a rotation
// that finds no spare ready waits for a preparation in progress instead of
// creating the same file beside it. Lock order: Log.syncMu (a rotation
// in Sync), then createMu, then mu.
type spares struct {
	dir   string
	size  int64
	sync  func(*os.File) error
	log   *slog.Logger
	zeros []byte // shared by all creations, which createMu serializes

	createMu sync.Mutex // held while a segment file is being created

	// mu guards want, ready, readyNum and closed.
	mu       sync.Mutex
	want     uint64   // the segment number to prepare next
	ready    *os.File // prepared segment readyNum, or nil
	readyNum uint64
	closed   bool

	kick chan struct{} // capacity 1: want changed or ready was taken
	quit chan struct{}
	done chan struct{} // closed when loop returns
}

func startSpares(dir string, size int64, sync func(*os.File) error, log *slog.Logger, want uint64) *spares {
	s := &spares{
		dir:   dir,
		size:  size,
		sync:  sync,
		log:   log,
		zeros: make([]byte, min(size, zeroChunk)),
		want:  want,
		kick:  make(chan struct{}, 1),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	s.kick <- struct{}{}
	go s.loop()
	return s
}

func (s *spares) loop() {
	defer close(s.done)
	for {
		select {
		case <-s.quit:
			return
		case <-s.kick:
		}
		s.prepare()
	}
}

// prepare creates segment want unless a spare is ready. A failure is only
// logged: the rotation that needs the segment tries again and reports it.
func (s *spares) prepare() {
	s.createMu.Lock()
	defer s.createMu.Unlock()
	s.mu.Lock()
	if s.ready != nil || s.closed {
		s.mu.Unlock()
		return
	}
	n := s.want
	s.mu.Unlock()

	start := time.Now()
	f, err := createSegment(s.dir, n, s.size, s.zeros, s.sync)
	if err != nil {
		s.log.Warn("wal: prepare spare segment", "segment", n, "err", err)
		return
	}
	s.log.Debug("wal: spare segment ready", "segment", n, "took", time.Since(start))

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		_ = f.Close() // the file stays: zeros are a valid, empty segment
		return
	}
	s.ready, s.readyNum = f, n
}

// take returns segment n open for writing, prepared in the background if
// it is ready and created here otherwise, and asks for n+1 to be prepared.
func (s *spares) take(n uint64) (*os.File, error) {
	if f := s.takeReady(n); f != nil {
		return f, nil
	}
	start := time.Now()
	s.createMu.Lock()
	defer s.createMu.Unlock()
	// A preparation in progress when we arrived has finished now.
	if f := s.takeReady(n); f != nil {
		s.log.Warn("wal: rotation waited for the spare segment", "segment", n, "waited", time.Since(start))
		return f, nil
	}
	s.log.Warn("wal: no spare segment ready; creating one in the commit path", "segment", n)
	f, err := createSegment(s.dir, n, s.size, s.zeros, s.sync)
	if err != nil {
		return nil, err
	}
	s.ask(n + 1)
	return f, nil
}

// takeReady hands out the ready spare if it is segment n. A ready spare
// of another number cannot happen while want follows the rotations; it
// is dropped rather than trusted.
func (s *spares) takeReady(n uint64) *os.File {
	s.mu.Lock()
	f, num := s.ready, s.readyNum
	s.ready = nil
	s.mu.Unlock()
	switch {
	case f == nil:
		return nil
	case num != n:
		_ = f.Close()
		_ = os.Remove(segPath(s.dir, num))
		return nil
	}
	s.ask(n + 1)
	return f
}

// ask sets the segment to prepare next and wakes the goroutine.
func (s *spares) ask(n uint64) {
	s.mu.Lock()
	s.want = n
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// stop ends the goroutine, waiting for a preparation in progress, and
// closes the ready spare. The spare's file stays on disk: it holds only
// zeros, which Open reads as the end of the log.
func (s *spares) stop() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	close(s.quit)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ready != nil {
		_ = s.ready.Close()
		s.ready = nil
	}
}

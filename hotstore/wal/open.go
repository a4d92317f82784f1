package wal

import (
	"context"
	"fmt"
	"log/slog"
	"os"
)

// Open opens the log in dir, creating dir if needed, and recovers it: it
// finds the end of the log by the rule in the package doc, removes the
// segments after it (never acknowledged), seals the last segment with an
// end marker at its valid tail, and starts preparing the segment new
// records go to.
func Open(dir string, opts Options) (*Log, error) {
	if opts.SegmentSize == 0 {
		opts.SegmentSize = defaultSegmentSize
	}
	if opts.SegmentSize < minSegmentSize || opts.SegmentSize > maxSegmentSize {
		return nil, fmt.Errorf("wal: SegmentSize %d outside [%d, %d]", opts.SegmentSize, int64(minSegmentSize), int64(maxSegmentSize))
	}
	if opts.Sync == nil {
		opts.Sync = fdatasync
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open wal: %w", err)
	}
	nums, err := listSegments(dir)
	if err != nil {
		return nil, fmt.Errorf("open wal: %w", err)
	}
	ckpt, err := readCheckpoint(dir)
	if err != nil {
		return nil, fmt.Errorf("open wal %s: %w", dir, err)
	}
	rec, err := recoverLog(dir, nums, ckpt, opts.Sync, opts.Logger)
	if err != nil {
		return nil, fmt.Errorf("open wal %s: %w", dir, err)
	}
	l := &Log{
		dir:        dir,
		sync:       opts.Sync,
		log:        opts.Logger,
		segSize:    opts.SegmentSize,
		maxPayload: int(opts.SegmentSize - 2*headerSize),
		openSegs:   rec.segs,
		seg:        rec.next,
		seed:       segSeed(rec.next),
		lastTs:     rec.lastTs,
		segs:       append([]segInfo(nil), rec.segs...),
	}
	l.checkpointed.Store(ckpt)
	// Spares are synced with plain fdatasync, not Options.Sync: the
	// caller's sync serves the commit path (and may not be safe to call
	// from another goroutine), while a spare's sync writes SegmentSize
	// bytes of zeros in the background.
	l.spares = startSpares(dir, opts.SegmentSize, fdatasync, opts.Logger, rec.next)
	if len(rec.segs) == 0 {
		// A new log's first write comes right after Open (a store
		// bootstraps its catalog): wait for its segment here rather than
		// have that write create it in the commit path, with a warning
		// on every first start.
		l.spares.prepare()
	}
	return l, nil
}

// recovered is the log Open found.
type recovered struct {
	segs   []segInfo // the log's segments, every one ending in an end marker
	lastTs uint64
	next   uint64 // the segment new records go to; not yet created
}

// recoverLog walks the segments from the oldest: within a segment, records
// count up to the first zero or invalid header or the end marker, and only
// an end marker continues the log into the next segment. Whatever follows
// the end of the log was never acknowledged (Sync syncs a segment's end
// marker before reporting anything after it) and is removed before the
// tail is sealed: sealing first would let a crash in between join the
// garbage to the log.
func recoverLog(dir string, nums []uint64, ckpt uint64, sync func(*os.File) error, log *slog.Logger) (recovered, error) {
	var r recovered
	for i, n := range nums {
		if k := len(r.segs); k > 0 && n != r.segs[k-1].num+1 {
			// Checkpoint removes segments oldest first; if the removals
			// reached the disk out of order, what precedes the gap is
			// older than the checkpoint.
			if r.lastTs > ckpt {
				return r, fmt.Errorf("%w: segment %d missing", ErrCorrupt, r.segs[k-1].num+1)
			}
			log.Warn("wal: removing segments left by an interrupted checkpoint", "before", n)
			if err := removeSegments(dir, segNums(r.segs)); err != nil {
				return r, err
			}
			r.segs = r.segs[:0]
		}
		lastTs, why, tail, err := scanSegment(dir, n, r.lastTs)
		if err != nil {
			return r, err
		}
		r.segs = append(r.segs, segInfo{num: n, lastTs: lastTs})
		r.lastTs = lastTs
		if why == stopEnd {
			continue
		}
		if garbage := nums[i+1:]; len(garbage) > 0 {
			// The spare prepared ahead of need is always there: only
			// segments with something written in them are news.
			level := slog.LevelDebug
			if !unused(dir, garbage) {
				level = slog.LevelWarn
			}
			log.Log(context.Background(), level, "wal: removing segments after the end of the log",
				"end", n, "offset", tail, "stop", why.String(), "segments", len(garbage))
			if err := removeSegments(dir, garbage); err != nil {
				return r, err
			}
		}
		if err := sealSegment(dir, n, tail, lastTs, sync); err != nil {
			return r, err
		}
		break
	}
	r.next = 1
	if k := len(r.segs); k > 0 {
		r.next = r.segs[k-1].num + 1
	}
	return r, nil
}

// unused reports whether every segment in nums starts with a zero header:
// spares never written to.
func unused(dir string, nums []uint64) bool {
	for _, n := range nums {
		_, why, tail, err := scanSegment(dir, n, 0)
		if err != nil || why != stopZero || tail != 0 {
			return false
		}
	}
	return true
}

func segNums(segs []segInfo) []uint64 {
	nums := make([]uint64, len(segs))
	for i, s := range segs {
		nums[i] = s.num
	}
	return nums
}

// scanSegment reads segment n to its first non-record and returns the
// highest ts (prevTs if it has no record), why it stopped and where.
func scanSegment(dir string, n uint64, prevTs uint64) (lastTs uint64, why stop, tail int64, err error) {
	f, err := os.Open(segPath(dir, n))
	if err != nil {
		return 0, 0, 0, fmt.Errorf("scan: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("scan: %w", err)
	}
	r := newSegReader(f, n, st.Size())
	lastTs = prevTs
	for {
		ts, _, why, err := r.next()
		if err != nil {
			return 0, 0, 0, fmt.Errorf("scan segment %d: %w", n, err)
		}
		if why == stopEnd {
			// The marker carries the highest ts written before it, which
			// keeps LastTs once a Checkpoint removed every segment with
			// records and only empty sealed ones are left.
			return max(lastTs, ts), why, r.off, nil
		}
		if why != stopNone {
			return lastTs, why, r.off, nil
		}
		if ts <= lastTs {
			// A valid record out of order is not a torn write; stopping
			// here would remove every later segment.
			return 0, 0, 0, fmt.Errorf("%w: segment %d offset %d: ts %d after %d", ErrCorrupt, n, r.off, ts, lastTs)
		}
		lastTs = ts
	}
}

// sealSegment writes an end marker at off and syncs it. Bytes after the
// valid tail may be a torn write's leftovers whose CRCs check; the marker
// hides them for good, and new records go to a fresh segment.
func sealSegment(dir string, n uint64, off int64, lastTs uint64, sync func(*os.File) error) error {
	f, err := os.OpenFile(segPath(dir, n), os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteAt(appendRecord(nil, segSeed(n), kindEnd, lastTs, nil), off); err != nil {
		return fmt.Errorf("seal segment %d: %w", n, err)
	}
	return sync(f)
}

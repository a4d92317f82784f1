package sql

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/coldstore"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/pgerr"
)

// Flush limits: one segment holds at most flushSegmentRows rows (a larger
// partition is flushed in several segments, so memory stays bounded), the
// flushed hot entries are removed in transactions of flushTrimBatch keys,
// and a partition is compacted once it has compactAfter segments.
const (
	flushSegmentRows = 100_000
	flushTrimBatch   = 1000
	compactAfter     = 8
)

// FlushTable consolidates the hot rows of every partition of t into the
// cold tier and returns how many rows (and tombstones) it moved.
func (e *Engine) FlushTable(ctx context.Context, t *catalog.Table) (int64, error) {
	if e.cold == nil {
		return 0, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "the cold tier is not configured")
	}
	if t.Type == catalog.Stream {
		return 0, pgerr.New(pgerr.WrongObjectType, "%s is a stream table: stream tables are never flushed", t.QualifiedName())
	}
	users, err := e.store.Partitions(ctx, t.ID)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, user := range users {
		n, err := e.flushPartition(ctx, t, user)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// FlushAll flushes every table but streams.
func (e *Engine) FlushAll(ctx context.Context) (int64, error) {
	var total int64
	for _, t := range e.cat.Tables() {
		if t.Type == catalog.Stream {
			continue
		}
		n, err := e.FlushTable(ctx, t)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// flushPartition moves one partition's hot rows to Parquet: it reads a
// snapshot of the newest version of each key (tombstones included) in
// segments of bounded size, publishes each segment, then removes exactly
// the flushed versions from the hot store. A write that races the flush
// has a newer seq and stays hot, so it is neither lost nor duplicated.
func (e *Engine) flushPartition(ctx context.Context, t *catalog.Table, user string) (int64, error) {
	// flushMu serializes flushes: two flushes of one partition would
	// write the same rows twice.
	e.flushMu.Lock()
	defer e.flushMu.Unlock()
	job := e.startJob("flush", t.QualifiedName(), user)
	total, bytes, segs, err := e.flushSegments(ctx, t, user)
	e.finishJob(job, total, bytes, segs, err)
	if err != nil {
		return total, fmt.Errorf("flush %s partition %q: %w", t.QualifiedName(), user, err)
	}
	if total > 0 {
		e.maybeCompact(ctx, t, coldstore.PartitionOf(t, user))
	}
	return total, nil
}

// flushSegments moves the partition's hot rows in segments of bounded
// size and reports the rows, bytes and segments written.
func (e *Engine) flushSegments(ctx context.Context, t *catalog.Table, user string) (rows, bytes, segs int64, err error) {
	part := hotstore.Partition{Table: t.ID, User: user}
	cp := coldstore.PartitionOf(t, user)
	var from []byte
	for {
		src, seg, err := e.flushSegment(ctx, t, part, cp, from)
		if err != nil {
			return rows, bytes, segs, err
		}
		if err := e.trimFlushed(ctx, part, src.keys, src.seqs); err != nil {
			return rows, bytes, segs, err
		}
		if seg.Rows > 0 {
			rows, bytes, segs = rows+seg.Rows, bytes+seg.Bytes, segs+1
		}
		if !src.more {
			return rows, bytes, segs, nil
		}
		from = src.next
	}
}

func (e *Engine) flushSegment(ctx context.Context, t *catalog.Table, part hotstore.Partition, cp coldstore.Partition, from []byte) (*flushSource, coldstore.Segment, error) {
	txn := e.store.Begin()
	defer txn.Discard()
	it := txn.Scan(part, hotstore.ScanOptions{Start: from, IncludeDeleted: true})
	defer it.Close()
	src := &flushSource{it: it, limit: flushSegmentRows}
	seg, err := e.cold.Flush(ctx, cp, t.Columns, int64(t.NextColumn), src)
	return src, seg, err
}

// trimFlushed removes the flushed hot versions in bounded transactions,
// retrying a batch that conflicted with a concurrent writer.
func (e *Engine) trimFlushed(ctx context.Context, part hotstore.Partition, keys [][]byte, seqs []int64) error {
	for lo := 0; lo < len(keys); lo += flushTrimBatch {
		hi := min(lo+flushTrimBatch, len(keys))
		for attempt := 0; ; attempt++ {
			err := e.trimBatch(ctx, part, keys[lo:hi], seqs[lo:hi])
			if err == nil {
				break
			}
			if pgerr.Code(err) != pgerr.SerializationFailure || attempt >= maxRetries {
				return err
			}
		}
		if hi < len(keys) {
			e.cold.Failpoint("flush-trim-partial")
		}
	}
	return nil
}

func (e *Engine) trimBatch(ctx context.Context, part hotstore.Partition, keys [][]byte, seqs []int64) error {
	txn := e.store.Begin()
	defer txn.Discard()
	for i, k := range keys {
		if _, err := txn.RemoveFlushed(part, k, seqs[i]); err != nil {
			return err
		}
	}
	return txn.Commit(ctx)
}

// maybeCompact merges a partition's segments once there are many.
func (e *Engine) maybeCompact(ctx context.Context, t *catalog.Table, cp coldstore.Partition) {
	segs, err := e.cold.Segments(cp)
	if err != nil || len(segs) < compactAfter {
		return
	}
	// A compaction failure leaves the old segments in place: the flush
	// itself succeeded, so it is only recorded.
	e.compactPartition(ctx, t, cp)
}

// compactPartition merges the partition's segments, recording the job.
func (e *Engine) compactPartition(ctx context.Context, t *catalog.Table, cp coldstore.Partition) (coldstore.CompactResult, error) {
	job := e.startJob("compact", t.QualifiedName(), cp.User)
	res, err := e.cold.Compact(ctx, cp, t.Columns, int64(t.NextColumn))
	e.finishJob(job, res.Segment.Rows, res.Segment.Bytes, int64(res.Merged), err)
	return res, err
}

// flushSource feeds the hot iterator to the cold writer, remembering each
// key and seq it handed over, and stops after limit rows.
type flushSource struct {
	it    *hotstore.Iterator
	limit int
	keys  [][]byte
	seqs  []int64
	more  bool   // rows remain after the limit
	next  []byte // the first key of the next segment
}

func (f *flushSource) Next() bool {
	if !f.it.Next() {
		return false
	}
	if len(f.keys) == f.limit {
		f.more, f.next = true, append([]byte(nil), f.it.Key()...)
		return false
	}
	f.keys = append(f.keys, append([]byte(nil), f.it.Key()...))
	f.seqs = append(f.seqs, f.it.Record().Seq)
	return true
}

func (f *flushSource) Key() []byte             { return f.it.Key() }
func (f *flushSource) Record() hotstore.Record { return f.it.Record() }
func (f *flushSource) Err() error              { return f.it.Err() }

// ExportUser flushes the user's hot rows and compacts each partition (so
// an export holds one version of each row and no tombstones: any Parquet
// reader sees exactly the live rows), then writes a self-contained copy of
// their partitions (Parquet segments and manifests) under the data
// directory's exports folder, and returns its path.
func (e *Engine) ExportUser(ctx context.Context, user string) (string, error) {
	if _, ok := e.cat.User(user); !ok {
		return "", pgerr.New(pgerr.UndefinedObject, "role %q does not exist", user)
	}
	for _, t := range e.cat.Tables() {
		if t.Type != catalog.User {
			continue
		}
		if _, err := e.flushPartition(ctx, t, user); err != nil {
			return "", err
		}
		if _, err := e.compactPartition(ctx, t, coldstore.PartitionOf(t, user)); err != nil {
			return "", err
		}
	}
	dir := filepath.Join(e.exportDir, user+"-"+time.Now().UTC().Format(exportStamp))
	if err := os.MkdirAll(e.exportDir, 0o700); err != nil {
		return "", err
	}
	if _, err := e.cold.ExportUser(ctx, user, dir); err != nil {
		return "", err
	}
	e.log.Info("export", "user", user, "path", dir)
	return dir, nil
}

// exportStamp is the time in an export's directory name, <user>-<stamp>.
const exportStamp = "20060102T150405.000"

// removeExports deletes the user's earlier exports: copies of their data
// are theirs to erase too. A name matches only as <user>-<stamp>, so
// user_a's erasure leaves user_a-b's exports alone.
func (e *Engine) removeExports(user string) error {
	entries, err := os.ReadDir(e.exportDir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("erase exports of %s: %w", user, err)
	}
	for _, d := range entries {
		stamp, ok := strings.CutPrefix(d.Name(), user+"-")
		if _, perr := time.Parse(exportStamp, stamp); !ok || perr != nil {
			continue
		}
		if err := os.RemoveAll(filepath.Join(e.exportDir, d.Name())); err != nil {
			return fmt.Errorf("erase exports of %s: %w", user, err)
		}
	}
	return nil
}

// Reclaim gives the hot store's disk space of flushed and erased rows
// back now (hotstore.Store.Reclaim), recorded as a "reclaim" job whose
// bytes are the bytes freed. The hot store also does this by itself after
// large deletes; this is for tests, measurements and administrators.
func (e *Engine) Reclaim(ctx context.Context) (hotstore.Reclaimed, error) {
	job := e.startJob("reclaim", "", "")
	res, err := e.store.Reclaim(ctx)
	e.finishJob(job, 0, res.Freed(), 0, err)
	return res, err
}

// EraseUser removes every partition of user, hot and cold, and returns the
// number of hot partitions erased. Other users' writes are not blocked.
func (e *Engine) EraseUser(ctx context.Context, user string) (int64, error) {
	e.flushMu.Lock() // no flush may recreate the user's files meanwhile
	defer e.flushMu.Unlock()
	var n int64
	for _, t := range e.cat.Tables() {
		if !t.Type.PerUser() {
			continue
		}
		if err := e.store.DropPartition(ctx, hotstore.Partition{Table: t.ID, User: user}); err != nil {
			return n, err
		}
		for _, ix := range t.Indexes {
			if err := e.store.DropIndexPartition(ctx, hotstore.Partition{Table: ix.ID, User: user}); err != nil {
				return n, err
			}
		}
		n++
	}
	if e.cold != nil {
		if err := e.cold.EraseUser(ctx, user); err != nil {
			return n, err
		}
	}
	if err := e.removeExports(user); err != nil {
		return n, err
	}
	e.log.Info("erase", "user", user, "tables", n)
	return n, nil
}

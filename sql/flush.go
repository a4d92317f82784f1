package sql

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
	start := time.Now()
	part := hotstore.Partition{Table: t.ID, User: user}
	cp := coldstore.PartitionOf(t, user)
	var total int64
	var from []byte
	for {
		src, seg, err := e.flushSegment(ctx, t, part, cp, from)
		if err != nil {
			return total, fmt.Errorf("flush %s partition %q: %w", t.QualifiedName(), user, err)
		}
		if err := e.trimFlushed(ctx, part, src.keys, src.seqs); err != nil {
			return total, fmt.Errorf("flush %s partition %q: %w", t.QualifiedName(), user, err)
		}
		total += int64(seg.Rows)
		if !src.more {
			break
		}
		from = src.next
	}
	if total > 0 {
		e.log.Info("flush", "table", t.QualifiedName(), "user", user, "rows", total, "took", time.Since(start))
		e.maybeCompact(ctx, t, cp)
	}
	return total, nil
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
	res, err := e.cold.Compact(ctx, cp, t.Columns, int64(t.NextColumn))
	if err != nil {
		e.log.Error("compact", "table", t.QualifiedName(), "user", cp.User, "err", err)
		return
	}
	e.log.Info("compact", "table", t.QualifiedName(), "user", cp.User, "result", fmt.Sprintf("%+v", res))
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

// ExportUser flushes the user's hot rows, then writes a self-contained
// copy of their partitions (Parquet segments and manifests) under the data
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
	}
	dir := filepath.Join(e.exportDir, fmt.Sprintf("%s-%s", user, time.Now().UTC().Format("20060102T150405.000")))
	if err := os.MkdirAll(e.exportDir, 0o700); err != nil {
		return "", err
	}
	if _, err := e.cold.ExportUser(ctx, user, dir); err != nil {
		return "", err
	}
	e.log.Info("export", "user", user, "path", dir)
	return dir, nil
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
		n++
	}
	if e.cold != nil {
		if err := e.cold.EraseUser(ctx, user); err != nil {
			return n, err
		}
	}
	e.log.Info("erase", "user", user, "tables", n)
	return n, nil
}

package sql

import (
	"context"
	"sync"
	"time"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
)

// Flusher applies the tables' flush policies in the background: a table
// with flush_interval is flushed that often, a partition of a table with
// flush_rows once it holds that many hot rows. Flushes run one at a time
// (Engine.flushMu), so the background work is bounded.
type Flusher struct {
	e     *Engine
	every time.Duration
	// last is when each table was last flushed by its interval; owned by
	// the Run goroutine.
	last map[uint32]time.Time
}

// NewFlusher checks the policies every tick.
func (e *Engine) NewFlusher(every time.Duration) *Flusher {
	return &Flusher{e: e, every: every, last: map[uint32]time.Time{}}
}

// Run checks the policies until ctx ends; wg.Done is called on return.
func (f *Flusher) Run(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	if f.e.cold == nil {
		return
	}
	t := time.NewTicker(f.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			f.check(ctx, now)
		}
	}
}

func (f *Flusher) check(ctx context.Context, now time.Time) {
	for _, t := range f.e.cat.Tables() {
		if ctx.Err() != nil {
			return
		}
		if t.Type == catalog.Stream {
			continue
		}
		if iv := t.Options.FlushInterval; iv > 0 {
			last, seen := f.last[t.ID]
			if !seen {
				f.last[t.ID] = now // the first interval starts now
			} else if now.Sub(last) >= iv {
				f.last[t.ID] = now
				if _, err := f.e.FlushTable(ctx, t); err != nil {
					f.e.log.Error("scheduled flush", "table", t.QualifiedName(), "err", err)
				}
				continue
			}
		}
		if t.Options.FlushRows > 0 {
			f.flushFullPartitions(ctx, t)
		}
	}
}

// flushFullPartitions flushes the partitions holding at least flush_rows
// hot rows. Counting walks the hot rows, which the policy itself keeps
// below flush_rows per partition.
func (f *Flusher) flushFullPartitions(ctx context.Context, t *catalog.Table) {
	users, err := f.e.store.Partitions(ctx, t.ID)
	if err != nil {
		f.e.log.Error("scheduled flush", "table", t.QualifiedName(), "err", err)
		return
	}
	for _, user := range users {
		if f.e.hotRows(t, user, t.Options.FlushRows) < t.Options.FlushRows {
			continue
		}
		if _, err := f.e.flushPartition(ctx, t, user); err != nil {
			f.e.log.Error("scheduled flush", "table", t.QualifiedName(), "user", user, "err", err)
		}
	}
}

// hotRows counts a partition's hot entries, stopping at limit.
func (e *Engine) hotRows(t *catalog.Table, user string, limit int64) int64 {
	txn := e.store.Begin()
	defer txn.Discard()
	it := txn.Scan(hotstore.Partition{Table: t.ID, User: user}, hotstore.ScanOptions{IncludeDeleted: true})
	defer it.Close()
	var n int64
	for n < limit && it.Next() {
		n++
	}
	return n
}

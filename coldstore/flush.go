package coldstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
)

// RowSource yields the rows of a flush in strictly increasing key order,
// one (newest) version per key, tombstones included. *hotstore.Iterator
// from Txn.Scan with IncludeDeleted satisfies it.
type RowSource interface {
	Next() bool
	Key() []byte
	Record() hotstore.Record
	Err() error
}

// Flush writes rows as a new segment of part and publishes it in the
// manifest. schema is the table's current column list: values of other
// column ids in a row (dropped columns) are ignored, and a column a row
// lacks (added after the row was written) gets its Missing value or NULL.
//
// It returns the new segment; Rows is 0 (and nothing is written) when rows
// is empty. Once Flush returns, the rows are durable in the cold tier and
// the caller may delete the flushed hot entries, each only if its seq is
// still the flushed one, so a write that raced the flush survives (hot
// versions always supersede cold ones). If Flush fails, nothing changed.
func (s *Store) Flush(ctx context.Context, part Partition, schema []catalog.Column, schemaVersion int64, rows RowSource) (Segment, error) {
	p, err := s.partition(part.dir())
	if err != nil {
		return Segment{}, err
	}
	p.mu.Lock()
	err = p.adoptLocked(part)
	n := p.man.NextBatch
	p.man.NextBatch++ // reserve the name; published with the segment
	p.mu.Unlock()
	if err != nil {
		return Segment{}, fmt.Errorf("flush %s: %w", part.QualifiedName(), err)
	}

	seg, ok, err := writeRows(ctx, p.dir, batchName(n), schema, schemaVersion, s.layout(), s.fail, rows)
	if err != nil || !ok {
		return Segment{}, wrapFlush(part, err)
	}
	return seg, wrapFlush(part, p.addSegment(seg))
}

func wrapFlush(part Partition, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("flush %s: %w", part.QualifiedName(), err)
}

// writeRows writes rows into dir/name.
func writeRows(ctx context.Context, dir, name string, schema []catalog.Column, schemaVersion int64, l layout, fail *failpoint, rows RowSource) (Segment, bool, error) {
	w, err := newSegmentWriter(dir, name, schema, schemaVersion, l)
	if err != nil {
		return Segment{}, false, err
	}
	w.op, w.fail = "flush", fail
	for i := 0; rows.Next(); i++ {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				w.abort()
				return Segment{}, false, err
			}
		}
		rec := rows.Record()
		err := w.add(rows.Key(), rec.Seq, rec.Deleted, func(set func(uint32, any)) error {
			return hotstore.DecodeRow(rec.Data, set)
		})
		if err != nil {
			w.abort()
			return Segment{}, false, err
		}
	}
	if err := rows.Err(); err != nil {
		w.abort()
		return Segment{}, false, err
	}
	return w.finish()
}

// addSegment publishes a newly written segment file.
func (p *partition) addSegment(seg Segment) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.erased {
		os.Remove(filepath.Join(p.dir, seg.Path))
		return ErrErased
	}
	next := p.man
	next.Segments = append(append([]Segment(nil), p.man.Segments...), seg)
	if n, _ := parseBatchName(seg.Path); n >= next.NextBatch {
		next.NextBatch = n + 1
	}
	// On failure the file stays: the manifest may or may not have reached
	// the disk, and an unlisted file is removed by the next load anyway.
	return p.publishLocked("flush", next)
}

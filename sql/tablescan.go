package sql

import (
	"context"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
)

// DDL that looks at existing rows (SET NOT NULL, ADD COLUMN ... NOT NULL,
// CREATE INDEX) reads every partition of a table, each in chunks of
// chunkRows rows per hot-store transaction, so a big table neither pins
// one snapshot for long nor overflows a Badger transaction.
const chunkRows = 1000

// eachRow calls fn with every live row of every partition of t (decoded
// with layout) until fn returns false. write is true when fn writes in
// txn: then every chunk is committed.
func (e *Engine) eachRow(ctx context.Context, t *catalog.Table, layout *rowLayout, write bool,
	fn func(txn *hotstore.Txn, part hotstore.Partition, key []byte, row []any) (bool, error)) error {
	users, err := e.partitionsOf(ctx, t) // both tiers: cold rows count too
	if err != nil {
		return err
	}
	for _, user := range users {
		part := hotstore.Partition{Table: t.ID, User: user}
		var after []byte
		for {
			more, last, err := e.eachChunk(ctx, t, part, layout, after, write, fn)
			if err != nil {
				return err
			}
			if !more {
				if last == nil {
					break // partition done
				}
				return nil // fn asked to stop
			}
			after = last
		}
	}
	return nil
}

// eachChunk reads up to chunkRows rows after key after. It returns
// more=true and the last key when the partition may hold more rows,
// more=false with last=nil at the end of the partition, and more=false
// with a key when fn stopped.
func (e *Engine) eachChunk(ctx context.Context, t *catalog.Table, part hotstore.Partition, layout *rowLayout, after []byte, write bool,
	fn func(txn *hotstore.Txn, part hotstore.Partition, key []byte, row []any) (bool, error)) (bool, []byte, error) {
	txn := e.store.Begin()
	defer txn.Discard()
	opts := hotstore.ScanOptions{}
	if after != nil {
		opts.Start = append(append([]byte(nil), after...), 0) // the next key after
	}
	it, err := e.scanTiers(ctx, txn, t, part, opts, nil)
	if err != nil {
		return false, nil, err
	}
	defer it.Close()
	n := 0
	var last []byte
	stopped := false
	for it.Next() {
		if err := ctx.Err(); err != nil {
			return false, nil, err
		}
		last = append(last[:0], it.Key()...)
		row, err := layout.decode(it.Record())
		if err != nil {
			return false, nil, err
		}
		ok, err := fn(txn, part, last, row)
		if err != nil {
			return false, nil, err
		}
		if !ok {
			stopped = true
			break
		}
		if n++; n == chunkRows {
			break
		}
	}
	if err := it.Err(); err != nil {
		return false, nil, err
	}
	it.Close()
	if write {
		if err := txn.Commit(ctx); err != nil {
			return false, nil, err
		}
	}
	switch {
	case stopped:
		return false, append([]byte{}, last...), nil
	case n < chunkRows:
		return false, nil, nil
	}
	return true, last, nil
}

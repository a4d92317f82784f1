package hotstore

import (
	"context"

	"github.com/dgraph-io/badger/v4"
)

// Internal reads and writes outside Txn, with timestamps from the oracle
// (oracle.go): Badger's DB.Update, DB.View and NewWriteBatch do not work,
// or read at the wrong time, in managed mode.

// readTxn starts a read-only Badger transaction at the visible timestamp;
// end releases it.
func (s *Store) readTxn() (bt *badger.Txn, end func()) {
	ts := s.orc.beginRead(false)
	bt = s.db.NewTransactionAt(ts, false)
	return bt, func() {
		bt.Discard()
		s.orc.endRead(ts, false)
	}
}

// view runs fn in a read-only transaction (DB.View).
func (s *Store) view(fn func(bt *badger.Txn) error) error {
	bt, end := s.readTxn()
	defer end()
	return fn(bt)
}

// update runs fn in a Badger transaction that only writes (it reads
// nothing: its reads are not checked for conflicts) and commits it at a
// new timestamp, which it returns. fn adds the fingerprints of the keys it
// writes that transactions may read to w, so they conflict with it.
func (s *Store) update(fn func(bt *badger.Txn, w *fpSet) error) (uint64, error) {
	bt := s.db.NewTransactionAt(0, true)
	defer bt.Discard()
	var w fpSet
	if err := fn(bt, &w); err != nil {
		return 0, err
	}
	ts := s.orc.blindTs(&w)
	err := bt.CommitAt(ts, nil)
	s.orc.finish(ts)
	return ts, err
}

// Deletes by prefix commit in transactions of at most dropBatchKeys keys
// and dropBatchBytes of keys, each visible on its own, so a large drop
// neither overflows a transaction nor holds back the visible timestamp.
const dropBatchBytes = 1 << 20

// deletePrefix deletes every key under prefix and returns the estimated
// bytes it frees.
func (s *Store) deletePrefix(ctx context.Context, prefix []byte) (int64, error) {
	rt, end := s.readTxn()
	defer end()
	io := badger.DefaultIteratorOptions
	io.PrefetchValues = false
	io.Prefix = prefix
	it := rt.NewIterator(io)
	defer it.Close()
	var garbage int64
	var keys [][]byte
	size := 0
	flush := func() error {
		_, err := s.update(func(bt *badger.Txn, w *fpSet) error {
			for _, k := range keys {
				if err := bt.Delete(k); err != nil {
					return err
				}
				w.add(s.orc.fp(k))
			}
			return nil
		})
		keys, size = keys[:0], 0
		return err
	}
	for it.Seek(prefix); it.Valid(); it.Next() {
		item := it.Item()
		garbage += item.EstimatedSize()
		k := item.KeyCopy(nil)
		keys = append(keys, k)
		if size += len(k); len(keys) < dropBatchKeys && size < dropBatchBytes {
			continue
		}
		if err := ctx.Err(); err != nil {
			return garbage, err
		}
		if err := flush(); err != nil {
			return garbage, err
		}
	}
	if len(keys) > 0 {
		if err := flush(); err != nil {
			return garbage, err
		}
	}
	return garbage, nil
}

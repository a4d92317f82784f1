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
	s.orc.settle()
	ts := s.orc.beginRead()
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

// blindTxn is the writer of update: writes that read nothing.
type blindTxn struct {
	bt *badger.Txn
	s  *Store
	// conflicts are the fingerprints of written keys that transactions
	// may read, so they conflict with the write; logged is the write set,
	// for the log record and the applier, when either needs it.
	conflicts fpSet
	logged    *writeSet
}

// set writes key; no transaction reads it (conflict-free).
func (b *blindTxn) set(key, value []byte) error {
	if err := b.bt.Set(key, value); err != nil {
		return err
	}
	if b.logged != nil {
		b.logged.set(key, value, 0)
	}
	return nil
}

// delete deletes key, which transactions may have read.
func (b *blindTxn) delete(key []byte) error {
	if err := b.bt.Delete(key); err != nil {
		return err
	}
	b.conflicts.add(b.s.orc.fp(key))
	if b.logged != nil {
		b.logged.delete(key)
	}
	return nil
}

// update runs fn in a Badger transaction that only writes (it reads
// nothing: its reads are not checked for conflicts) and commits it at a
// new timestamp, which it returns once the write is visible. A logged
// update goes to the write-ahead log like a commit; an unlogged one
// (reclamation's markers and pads, which hold no data) may be lost in a
// crash. On disk, both go through the applier (apply.go).
func (s *Store) update(logged bool, fn func(b *blindTxn) error) (uint64, error) {
	b := &blindTxn{bt: s.db.NewTransactionAt(0, true), s: s}
	defer b.bt.Discard()
	logRec := logged && s.orc.log != nil
	if logRec || s.apply != nil {
		b.logged = new(writeSet)
	}
	if err := fn(b); err != nil {
		return 0, err
	}
	var rec []byte
	var q *queuedCommit
	if b.logged != nil && !b.logged.empty() {
		rec = b.logged.encode(make([]byte, 0, b.logged.encodedLen()))
		if s.apply != nil {
			q = &queuedCommit{rec: &rec}
		}
	}
	ts, err := s.orc.blindTs(&b.conflicts, rec, logRec, q)
	if err != nil {
		return 0, err
	}
	if q != nil {
		s.orc.waitVisible(ts)
		return ts, s.orc.failure()
	}
	err = b.bt.CommitAt(ts, nil)
	if err != nil && rec != nil {
		s.orc.fail(err)
	}
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
		_, err := s.update(true, func(b *blindTxn) error {
			for _, k := range keys {
				if err := b.delete(k); err != nil {
					return err
				}
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

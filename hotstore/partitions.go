package hotstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// Partitions returns the users with keys in table, in key order ("" is
// the single partition of a shared table). It seeks from one partition to
// the next, so it costs one seek per partition, not one step per row.
func (s *Store) Partitions(ctx context.Context, table uint32) ([]string, error) {
	rt, end := s.readTxn()
	defer end()
	prefix := appendTable(nil, tagRow, table)
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	opts.Prefix = prefix
	it := rt.NewIterator(opts)
	defer it.Close()
	var users []string
	for it.Seek(prefix); it.Valid(); {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		raw, _, err := unescape(it.Item().Key()[len(prefix):])
		if err != nil {
			return nil, fmt.Errorf("partitions of table %d: %w", table, err)
		}
		user := string(raw)
		users = append(users, user)
		it.Seek(prefixEnd(appendPartition(nil, tagRow, Partition{Table: table, User: user})))
	}
	return users, nil
}

// DropPartition removes every record and seq index entry of one partition
// (erasing a user) without blocking other writers, like DropTable.
func (s *Store) DropPartition(ctx context.Context, p Partition) error {
	defer s.noteWrite()
	var garbage int64
	for _, tag := range []byte{tagRow, tagSeq} {
		n, err := s.deletePrefix(ctx, appendPartition(nil, tag, p))
		if err != nil {
			return fmt.Errorf("drop partition %d/%s: %w", p.Table, p.User, err)
		}
		garbage += n
	}
	s.reclaim.note(garbage)
	if s.opts.Durability == Fsync {
		if err := s.sync.wait(ctx); err != nil {
			return fmt.Errorf("drop partition %d/%s: %w", p.Table, p.User, err)
		}
	}
	return nil
}

// RemoveFlushed deletes key's record in p and its seq index entry when its
// newest version still has seq: a flush copied exactly that version to the
// cold tier. A version written after the flush read the key is kept, so a
// write racing a flush is never lost. It reports whether it removed.
func (t *Txn) RemoveFlushed(p Partition, key []byte, seq int64) (bool, error) {
	if t.done {
		return false, ErrTxnDone
	}
	rowKey := append(appendPartition(nil, tagRow, p), key...)
	item, err := t.get(rowKey)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("remove flushed: %w", err)
	}
	var cur int64
	if err := item.Value(func(v []byte) error {
		rec, err := decodeRecord(v)
		cur = rec.Seq
		return err
	}); err != nil {
		return false, fmt.Errorf("remove flushed: %w", err)
	}
	if cur != seq {
		return false, nil
	}
	// The record, its seq entry (about the key's size) and the tombstones.
	t.garbage += item.EstimatedSize() + int64(len(rowKey))
	if err := t.del(rowKey); err != nil {
		return false, err
	}
	seqKey := binary.BigEndian.AppendUint64(appendPartition(nil, tagSeq, p), uint64(seq))
	return true, t.del(seqKey)
}

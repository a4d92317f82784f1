package hotstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Secondary-index entries live in their own keyspace, one partition per
// (index, user) exactly like rows, so a user's index is one contiguous
// range next to nothing of anyone else's:
//
//	'i' index(uint32 BE) user(escaped) key -> value
//
// The SQL layer chooses key and value (the indexed values, then the primary
// key; the value is the primary key). Index entries have no seq index.
const tagIndex = 'i'

// keyNull is AppendIndexKey's NULL: above every type tag, so NULLs sort
// last in an ascending scan, as PostgreSQL's default NULLS LAST.
const keyNull = 0xF0

// AppendIndexKey is AppendKey for index columns, which may be NULL.
func AppendIndexKey(buf []byte, v any) ([]byte, error) {
	if v == nil {
		return append(buf, keyNull), nil
	}
	return AppendKey(buf, v)
}

// IndexNull is the encoding of a NULL index value: a scan bound that keeps
// NULL entries out of a range.
func IndexNull() []byte { return []byte{keyNull} }

// GetIndex reads one index entry. The value is a fresh copy.
func (t *Txn) GetIndex(p Partition, key []byte) ([]byte, bool, error) {
	if t.done {
		return nil, false, ErrTxnDone
	}
	t.kbuf = append(appendPartition(t.kbuf[:0], tagIndex, p), key...)
	item, err := t.bt.Get(t.kbuf)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("get index: %w", err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, false, fmt.Errorf("get index: %w", err)
	}
	return v, true, nil
}

// SetIndex writes an index entry; ttl > 0 makes it expire with its row.
// key and value are copied.
func (t *Txn) SetIndex(p Partition, key, value []byte, ttl time.Duration) error {
	if t.done {
		return ErrTxnDone
	}
	buf := make([]byte, 0, partitionLen(p)+len(key)+len(value))
	k := append(appendPartition(buf, tagIndex, p), key...)
	v := append(k[len(k):], value...)
	var expires uint64
	if ttl > 0 {
		expires = uint64(time.Now().Add(ttl).Unix())
	}
	return t.set(&badger.Entry{Key: k, Value: v, ExpiresAt: expires})
}

// DeleteIndex removes an index entry.
func (t *Txn) DeleteIndex(p Partition, key []byte) error {
	if t.done {
		return ErrTxnDone
	}
	return t.del(append(appendPartition(make([]byte, 0, partitionLen(p)+len(key)), tagIndex, p), key...))
}

// ScanIndex iterates p's index entries in key order within o's bounds;
// Key and Value return the entry. IncludeDeleted does not apply.
func (t *Txn) ScanIndex(p Partition, o ScanOptions) *Iterator {
	it := t.scanKeyspace(tagIndex, p, o)
	it.raw = true
	return it
}

// Value returns the current index entry's value (ScanIndex only).
func (it *Iterator) Value() []byte { return it.vbuf }

// DropIndex removes every entry of an index in every partition, without
// blocking other writers (see DropTable).
func (s *Store) DropIndex(ctx context.Context, index uint32) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	if err := s.deletePrefix(ctx, wb, appendTable(nil, tagIndex, index)); err != nil {
		return fmt.Errorf("drop index %d: %w", index, err)
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("drop index %d: %w", index, err)
	}
	if s.opts.Durability == Fsync {
		if err := s.sync.wait(ctx); err != nil {
			return fmt.Errorf("drop index %d: %w", index, err)
		}
	}
	return nil
}

// DropIndexPartition removes one partition of an index (erasing a user),
// without blocking other writers, like DropPartition.
func (s *Store) DropIndexPartition(ctx context.Context, p Partition) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	if err := s.deletePrefix(ctx, wb, appendPartition(nil, tagIndex, p)); err != nil {
		return fmt.Errorf("drop index partition %d/%s: %w", p.Table, p.User, err)
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("drop index partition %d/%s: %w", p.Table, p.User, err)
	}
	if s.opts.Durability == Fsync {
		if err := s.sync.wait(ctx); err != nil {
			return fmt.Errorf("drop index partition %d/%s: %w", p.Table, p.User, err)
		}
	}
	return nil
}

// Partitions returns the users that have at least one record (live or
// tombstone) in table, in key order; a shared table has the one user "".
// It skips from partition to partition, so it costs one seek per user.
func (t *Txn) Partitions(table uint32) ([]string, error) {
	if t.done {
		return nil, ErrTxnDone
	}
	prefix := appendTable(nil, tagRow, table)
	o := badger.DefaultIteratorOptions
	o.PrefetchValues = false
	o.Prefix = prefix
	it := t.bt.NewIterator(o)
	defer it.Close()
	var users []string
	for it.Seek(prefix); it.Valid(); {
		k := it.Item().Key()
		raw, _, err := unescape(k[len(prefix):])
		if err != nil {
			return nil, fmt.Errorf("partitions of %d: %w", table, err)
		}
		user := string(raw)
		users = append(users, user)
		it.Seek(prefixEnd(appendPartition(nil, tagRow, Partition{Table: table, User: user})))
	}
	return users, nil
}

package hotstore

import (
	"context"
	"encoding/binary"
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

// Index entry values: the value SetIndex was given (the SQL layer's
// primary key, which starts with a key type tag), or, for SetIndexRecord,
// idxCopy, uvarint(len(value)), value, then a copy of the row's record
// (appendRecord). The copy lets an index scan answer without a lookup per
// hit; keeping it current is the writer's job.
const idxCopy = 0x01

func appendIndexValue(buf, value []byte, rec Record) []byte {
	buf = binary.AppendUvarint(append(buf, idxCopy), uint64(len(value)))
	return appendRecord(append(buf, value...), rec)
}

// splitIndexValue parses an entry value; rec aliases v.
func splitIndexValue(v []byte) (value []byte, rec Record, hasRec bool, err error) {
	if len(v) == 0 || v[0] != idxCopy {
		return v, Record{}, false, nil
	}
	n, w := binary.Uvarint(v[1:])
	// w > 1 with a zero last byte is a non-minimal length: refused, so
	// that every value has one encoding.
	if w <= 0 || (w > 1 && v[w] == 0) || n > uint64(len(v)-1-w) {
		return nil, Record{}, false, errCorruptIdx
	}
	body := v[1+w:]
	if rec, err = decodeRecord(body[n:]); err != nil {
		return nil, Record{}, false, errCorruptIdx
	}
	return body[:n:n], rec, true, nil
}

// GetIndex reads one index entry's value (without any row copy). The
// value is a fresh copy.
func (t *Txn) GetIndex(p Partition, key []byte) ([]byte, bool, error) {
	v, _, _, ok, err := t.GetIndexRecord(p, key)
	return v, ok, err
}

// GetIndexRecord reads one index entry: its value and, when it was written
// by SetIndexRecord, the row copy (hasRec). Both are fresh copies.
func (t *Txn) GetIndexRecord(p Partition, key []byte) (value []byte, rec Record, hasRec, ok bool, err error) {
	if t.done {
		return nil, Record{}, false, false, ErrTxnDone
	}
	t.kbuf = append(appendPartition(t.kbuf[:0], tagIndex, p), key...)
	item, err := t.get(t.kbuf)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, Record{}, false, false, nil
	}
	if err != nil {
		return nil, Record{}, false, false, fmt.Errorf("get index: %w", err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, Record{}, false, false, fmt.Errorf("get index: %w", err)
	}
	if value, rec, hasRec, err = splitIndexValue(v); err != nil {
		return nil, Record{}, false, false, fmt.Errorf("get index: %w", err)
	}
	return value, rec, hasRec, true, nil
}

// SetIndex writes an index entry; ttl > 0 makes it expire with its row.
// key and value are copied. value must not start with byte 0x01 (the SQL
// layer's values are primary keys, which start with a type tag).
func (t *Txn) SetIndex(p Partition, key, value []byte, ttl time.Duration) error {
	if t.done {
		return ErrTxnDone
	}
	if len(value) > 0 && value[0] == idxCopy {
		return fmt.Errorf("set index: %w: value starts with 0x01", ErrValueType)
	}
	buf := make([]byte, 0, partitionLen(p)+len(key)+len(value))
	k := append(appendPartition(buf, tagIndex, p), key...)
	v := append(k[len(k):], value...)
	return t.setIndexEntry(k, v, ttl)
}

// SetIndexRecord writes an index entry that also carries rec, a copy of
// the row it points to, so scans need not look the row up. The caller
// rewrites the entry whenever the row changes. key, value and rec.Data
// are copied.
func (t *Txn) SetIndexRecord(p Partition, key, value []byte, rec Record, ttl time.Duration) error {
	if t.done {
		return ErrTxnDone
	}
	buf := make([]byte, 0, partitionLen(p)+len(key)+1+binary.MaxVarintLen64+len(value)+recHeader+len(rec.Data))
	k := append(appendPartition(buf, tagIndex, p), key...)
	v := appendIndexValue(k[len(k):], value, rec)
	return t.setIndexEntry(k, v, ttl)
}

func (t *Txn) setIndexEntry(k, v []byte, ttl time.Duration) error {
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
	return t.scanKeyspace(tagIndex, p, o)
}

// Value returns the current index entry's value (ScanIndex only), without
// any row copy.
func (it *Iterator) Value() []byte { return it.ival }

// IndexRecord returns the row copy of the current index entry, if it was
// written by SetIndexRecord (ScanIndex only). Data is valid until Next.
func (it *Iterator) IndexRecord() (Record, bool) { return it.rec, it.hasRec }

// DropIndex removes every entry of an index in every partition, without
// blocking other writers (see DropTable).
func (s *Store) DropIndex(ctx context.Context, index uint32) error {
	s.icache.beginGlobal()
	defer s.icache.endGlobal()
	defer s.noteWrite()
	garbage, err := s.deletePrefix(ctx, appendTable(nil, tagIndex, index))
	if err != nil {
		return fmt.Errorf("drop index %d: %w", index, err)
	}
	s.reclaim.note(garbage)
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
	s.icache.beginGlobal()
	defer s.icache.endGlobal()
	defer s.noteWrite()
	garbage, err := s.deletePrefix(ctx, appendPartition(nil, tagIndex, p))
	if err != nil {
		return fmt.Errorf("drop index partition %d/%s: %w", p.Table, p.User, err)
	}
	s.reclaim.note(garbage)
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
	if err := t.fresh(); err != nil {
		return nil, err
	}
	prefix := appendTable(nil, tagRow, table)
	o := badger.DefaultIteratorOptions
	o.PrefetchValues = false
	o.Prefix = prefix
	it := t.bt.NewIterator(o)
	defer it.Close()
	var users []string
	t.noteRead(prefix)
	for it.Seek(prefix); it.Valid(); {
		k := it.Item().Key()
		t.noteRead(k)
		raw, _, err := unescape(k[len(prefix):])
		if err != nil {
			return nil, fmt.Errorf("partitions of %d: %w", table, err)
		}
		user := string(raw)
		users = append(users, user)
		next := prefixEnd(appendPartition(nil, tagRow, Partition{Table: table, User: user}))
		t.noteRead(next)
		it.Seek(next)
	}
	return users, nil
}

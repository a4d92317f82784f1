package hotstore

import (
	"context"
	"log/slog"
	"time"
)

// This file fixes the package's API for the rest of the tree; bodies are
// filled in by the hotstore work item.

// Durability says when a commit is acknowledged.
type Durability int

const (
	// Fsync acknowledges a commit only after an fsync covers it (group commit).
	Fsync Durability = iota
	// Async acknowledges a commit once it is in the OS page cache.
	Async
)

// Options configure Open.
type Options struct {
	Durability Durability
	Logger     *slog.Logger // required
	// InMemory keeps everything in memory (tests of upper layers only).
	InMemory bool
}

// Partition names one keyspace: a table and, for per-user tables, the user.
// Shared tables use User "".
type Partition struct {
	Table uint32
	User  string
}

// Record is one stored version of a row.
type Record struct {
	Seq     int64  // the row's _seq
	Deleted bool   // a tombstone
	Data    []byte // EncodeRow output; nil for tombstones
}

// ScanOptions bound a primary-key scan of one partition.
type ScanOptions struct {
	Start, End     []byte // primary-key range [Start, End); nil is unbounded
	Reverse        bool   // newest-first by key
	IncludeDeleted bool   // also return tombstones
}

// Store is the hot store: one Badger instance for every partition.
type Store struct{}

// Open opens (creating if needed) the store in dir.
func Open(dir string, opts Options) (*Store, error) { panic("hotstore: unimplemented") }

// Close flushes and closes the store.
func (s *Store) Close() error { panic("hotstore: unimplemented") }

// NextSeq returns a new _seq: unique, increasing, unix milliseconds << 20
// in the high bits, never going backwards across restarts.
func (s *Store) NextSeq() int64 { panic("hotstore: unimplemented") }

// Begin starts a read-write transaction on a consistent snapshot.
func (s *Store) Begin() *Txn { panic("hotstore: unimplemented") }

// DropTable removes every partition, record and index entry of a table
// without blocking other writers.
func (s *Store) DropTable(ctx context.Context, table uint32) error { panic("hotstore: unimplemented") }

// Txn is a transaction. It is not safe for concurrent use.
type Txn struct{}

// Get reads the newest record of key (a primary key built with AppendKey)
// in p. Tombstones are returned with Deleted set.
func (t *Txn) Get(p Partition, key []byte) (Record, bool, error) { panic("hotstore: unimplemented") }

// Put writes rec as the newest version of key in p, keeping the seq index in
// step. ttl > 0 makes the record (and its index entry) expire (stream tables).
func (t *Txn) Put(p Partition, key []byte, rec Record, ttl time.Duration) error {
	panic("hotstore: unimplemented")
}

// Scan iterates p's records in primary-key order.
func (t *Txn) Scan(p Partition, o ScanOptions) *Iterator { panic("hotstore: unimplemented") }

// ScanSeq iterates p's records with Seq > after in seq order (newest first
// when reverse), tombstones included.
func (t *Txn) ScanSeq(p Partition, after int64, reverse bool) *Iterator {
	panic("hotstore: unimplemented")
}

// GetMeta, SetMeta, DeleteMeta and ScanMeta keep small metadata (the
// catalog) in a keyspace apart from every partition.
func (t *Txn) GetMeta(key []byte) ([]byte, bool, error) { panic("hotstore: unimplemented") }
func (t *Txn) SetMeta(key, value []byte) error          { panic("hotstore: unimplemented") }
func (t *Txn) DeleteMeta(key []byte) error              { panic("hotstore: unimplemented") }
func (t *Txn) ScanMeta(prefix []byte, fn func(key, value []byte) error) error {
	panic("hotstore: unimplemented")
}

// Commit commits the transaction and, under Fsync durability, waits until an
// fsync covers it. A write-write conflict returns an error with SQLSTATE
// 40001. After Commit the Txn is finished.
func (t *Txn) Commit(ctx context.Context) error { panic("hotstore: unimplemented") }

// Discard abandons the transaction; safe after Commit.
func (t *Txn) Discard() { panic("hotstore: unimplemented") }

// Iterator walks records. Key and Record are valid until the next Next.
type Iterator struct{}

func (it *Iterator) Next() bool     { panic("hotstore: unimplemented") }
func (it *Iterator) Key() []byte    { panic("hotstore: unimplemented") }
func (it *Iterator) Record() Record { panic("hotstore: unimplemented") }
func (it *Iterator) Err() error     { panic("hotstore: unimplemented") }
func (it *Iterator) Close()         { panic("hotstore: unimplemented") }

// AppendKey appends the order-preserving (memcomparable) encoding of a
// non-NULL primary-key value (bool, int64, float64, string, []byte,
// time.Time, types.UUID) to buf. Encodings of several columns concatenate
// and still sort as the tuple.
func AppendKey(buf []byte, v any) ([]byte, error) { panic("hotstore: unimplemented") }

// DecodeKey reads one value written by AppendKey and returns the rest.
func DecodeKey(b []byte) (v any, rest []byte, err error) { panic("hotstore: unimplemented") }

// EncodeRow encodes a row as (column id, value) pairs, NULLs included, so
// rows written before an ADD or DROP COLUMN still decode. Values are any of
// the representations listed in package types.
func EncodeRow(buf []byte, ids []uint32, vals []any) ([]byte, error) {
	panic("hotstore: unimplemented")
}

// DecodeRow calls fn for every stored (column id, value) pair of data.
func DecodeRow(data []byte, fn func(id uint32, v any)) error { panic("hotstore: unimplemented") }

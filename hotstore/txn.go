package hotstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/kalamdb/kalamdb/hotstore/wal"
	"github.com/kalamdb/kalamdb/pgerr"
)

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
	// Stable says Data never changes, so decoded values may point into it
	// (rows served from the index cache, see DecodeStableRowArena).
	Stable bool
}

// Record value layout: seq (8 bytes big-endian), flags, then Data.
const (
	recHeader  = 9
	recDeleted = 0x01
)

func appendRecord(buf []byte, rec Record) []byte {
	buf = binary.BigEndian.AppendUint64(buf, uint64(rec.Seq))
	var flags byte
	if rec.Deleted {
		flags |= recDeleted
	}
	return append(append(buf, flags), rec.Data...)
}

// decodeRecord aliases v: Data points into it.
func decodeRecord(v []byte) (Record, error) {
	if len(v) < recHeader || v[8]&^recDeleted != 0 {
		return Record{}, errCorruptRec
	}
	rec := Record{Seq: int64(binary.BigEndian.Uint64(v)), Deleted: v[8]&recDeleted != 0}
	if len(v) > recHeader {
		rec.Data = v[recHeader:]
	}
	return rec, nil
}

// partitionLen is len(appendPartition(nil, tag, p)).
func partitionLen(p Partition) int {
	return 1 + 4 + len(p.User) + strings.Count(p.User, "\x00") + 2
}

// Txn is a transaction. It is not safe for concurrent use.
type Txn struct {
	s     *Store
	bt    *badger.Txn
	snap  *snapshot   // set when bt is a shared snapshot (BeginRead)
	iters []*Iterator // open iterators, closed by Commit and Discard
	kbuf  []byte      // scratch for lookup keys (Badger does not keep them)
	wrote bool
	done  bool
	// bigValue is set once a write goes to Badger's value log (see
	// commitBadger).
	bigValue bool
	// lastGet remembers the last Get of a read-write transaction
	// (getmemo.go).
	lastGet getMemo
	// Conflict detection (oracle.go), read-write only: readTs is the
	// snapshot, registered with the oracle while readOpen; reads and
	// writes are the fingerprints of keys read and written.
	readTs   uint64
	readOpen bool
	// target is the last commit that may have returned before the
	// transaction began (stale.go).
	target uint64
	reads  []uint64
	writes fpSet
	// logged is the write set for the log record (walrecord.go), kept
	// only when the store has a log.
	logged writeSet
	// clock is the index cache's clock before the snapshot was taken;
	// idxBuckets are the index-cache buckets this transaction writes,
	// idxOther is set when it wrote an index key without one.
	clock      uint64
	idxBuckets map[string]struct{}
	idxOther   bool
	noCache    bool // tests: walk Badger even where the cache could serve
	// garbage estimates the bytes RemoveFlushed deleted, handed to the
	// reclaimer once the deletes commit.
	garbage int64

	// Savepoints (savepoint.go): undo holds the previous state of every
	// key written while marks (undo lengths, one per open savepoint) is
	// not empty.
	undo  []undoEntry
	marks []int
}

// Begin starts a read-write transaction on a consistent snapshot.
func (s *Store) Begin() *Txn {
	clock := s.icache.clock.Load() // before the snapshot: see indexcache.go
	ts, target := s.orc.beginUpdate()
	return &Txn{s: s, bt: s.db.NewTransactionAt(ts, true), clock: clock, readTs: ts, target: target, readOpen: true}
}

// BeginRead starts a read-only transaction on a consistent snapshot. It is
// cheaper than Begin: Badger tracks no reads for conflict detection and
// keeps no write state, and read-only transactions with no write between
// them share one snapshot (snapshot.go). Every write fails.
func (s *Store) BeginRead() *Txn {
	sn := s.acquireSnapshot()
	return &Txn{s: s, bt: sn.bt, snap: sn, clock: sn.clock}
}

// Get reads the newest record of key (a primary key built with AppendKey)
// in p. Tombstones are returned with Deleted set. Data is a fresh copy.
func (t *Txn) Get(p Partition, key []byte) (Record, bool, error) {
	if t.done {
		return Record{}, false, ErrTxnDone
	}
	t.kbuf = append(appendPartition(t.kbuf[:0], tagRow, p), key...)
	item, err := t.get(t.kbuf)
	if errors.Is(err, badger.ErrKeyNotFound) {
		t.noteGet(false, 0)
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("get: %w", err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return Record{}, false, fmt.Errorf("get: %w", err)
	}
	rec, err := decodeRecord(v)
	if err != nil {
		return Record{}, false, fmt.Errorf("get: %w", err)
	}
	t.noteGet(true, rec.Seq)
	return rec, true, nil
}

// Put writes rec as the newest version of key in p, keeping the seq index in
// step. ttl > 0 makes the record (and its index entry) expire (stream tables).
//
// Put reads the key's current version to retire its index entry, so two
// transactions writing the same key conflict even without a prior Get.
func (t *Txn) Put(p Partition, key []byte, rec Record, ttl time.Duration) error {
	if t.done {
		return ErrTxnDone
	}
	// Badger keeps the key and value slices until commit: carve them from
	// one fresh allocation rather than reusing scratch space.
	pl := partitionLen(p)
	buf := make([]byte, 0, 2*pl+len(key)+8+recHeader+len(rec.Data)+len(key))
	rowKey := append(appendPartition(buf, tagRow, p), key...)
	buf = rowKey[len(rowKey):]
	seqKey := binary.BigEndian.AppendUint64(appendPartition(buf, tagSeq, p), uint64(rec.Seq))
	buf = seqKey[len(seqKey):]
	val := appendRecord(buf, rec)
	buf = val[len(val):]
	pk := append(buf, key...)

	if found, oldSeq, ok := t.lastGet.lookup(rowKey); ok {
		if found {
			if err := t.retireSeq(p, oldSeq, rec.Seq); err != nil {
				return fmt.Errorf("put: %w", err)
			}
		}
	} else {
		item, err := t.get(rowKey)
		switch {
		case err == nil:
			if err := t.retireIndex(p, item, rec.Seq); err != nil {
				return fmt.Errorf("put: %w", err)
			}
		case !errors.Is(err, badger.ErrKeyNotFound):
			return fmt.Errorf("put: %w", err)
		}
	}

	var expires uint64
	if ttl > 0 {
		expires = uint64(time.Now().Add(ttl).Unix())
	}
	if err := t.set(&badger.Entry{Key: rowKey, Value: val, ExpiresAt: expires}); err != nil {
		return err
	}
	if err := t.set(&badger.Entry{Key: seqKey, Value: pk, ExpiresAt: expires}); err != nil {
		return err
	}
	return nil
}

// retireIndex deletes the seq index entry of the version in item unless the
// new version reuses its seq.
func (t *Txn) retireIndex(p Partition, item *badger.Item, newSeq int64) error {
	var oldSeq int64
	err := item.Value(func(v []byte) error {
		rec, err := decodeRecord(v)
		oldSeq = rec.Seq
		return err
	})
	if err != nil {
		return err
	}
	return t.retireSeq(p, oldSeq, newSeq)
}

// retireSeq deletes the seq index entry of a version with oldSeq unless the
// new version reuses it.
func (t *Txn) retireSeq(p Partition, oldSeq, newSeq int64) error {
	if oldSeq == newSeq {
		return nil
	}
	old := binary.BigEndian.AppendUint64(appendPartition(nil, tagSeq, p), uint64(oldSeq))
	return t.del(old)
}

// get reads key through Badger, recording the read for conflict detection
// unless the transaction wrote key itself (Badger answers those from its
// pending writes), and catching up first if its snapshot may lack the
// key's last write (stale.go).
func (t *Txn) get(key []byte) (*badger.Item, error) {
	if t.snap == nil {
		if fp := t.s.orc.fp(key); !t.writes.has(fp) {
			if err := t.catchUpFor(fp); err != nil {
				return nil, err
			}
			t.reads = append(t.reads, fp)
		}
	}
	return t.bt.Get(key)
}

// noteRead records a key an iterator passed or sought, as Badger's
// iterators do for read-write transactions.
func (t *Txn) noteRead(key []byte) {
	if t.snap == nil {
		t.reads = append(t.reads, t.s.orc.fp(key))
	}
}

// noteWritten records a written key for conflict detection.
func (t *Txn) noteWritten(key []byte) {
	if t.snap == nil {
		t.writes.add(t.s.orc.fp(key))
	}
}

func (t *Txn) set(e *badger.Entry) error {
	if err := t.remember(e.Key); err != nil {
		return err
	}
	t.noteIndexWrite(e.Key)
	t.noteWritten(e.Key)
	if len(e.Value) >= t.s.valueThreshold {
		t.bigValue = true // counted in vlogWrites once applied
	}
	t.lastGet.forget(e.Key)
	if err := t.bt.SetEntry(e); err != nil {
		return mapWriteErr("put", err)
	}
	t.logSet(e)
	t.wrote = true
	return nil
}

func (t *Txn) del(key []byte) error {
	if err := t.remember(key); err != nil {
		return err
	}
	t.noteIndexWrite(key)
	t.lastGet.forget(key)
	t.noteWritten(key)
	if err := t.bt.Delete(key); err != nil {
		return mapWriteErr("delete", err)
	}
	t.logDelete(key)
	t.wrote = true
	return nil
}

// GetMeta, SetMeta, DeleteMeta and ScanMeta keep small metadata (the
// catalog) in a keyspace apart from every partition.
func (t *Txn) GetMeta(key []byte) ([]byte, bool, error) {
	if t.done {
		return nil, false, ErrTxnDone
	}
	t.kbuf = append(append(t.kbuf[:0], tagMeta), key...)
	item, err := t.get(t.kbuf)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("get meta: %w", err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, false, fmt.Errorf("get meta: %w", err)
	}
	return v, true, nil
}

// SetMeta copies key and value; the caller may reuse them.
func (t *Txn) SetMeta(key, value []byte) error {
	if t.done {
		return ErrTxnDone
	}
	buf := make([]byte, 0, 1+len(key)+len(value))
	k := append(append(buf, tagMeta), key...)
	v := append(k[len(k):], value...)
	return t.set(&badger.Entry{Key: k, Value: v})
}

func (t *Txn) DeleteMeta(key []byte) error {
	if t.done {
		return ErrTxnDone
	}
	return t.del(append([]byte{tagMeta}, key...))
}

// ScanMeta calls fn for every metadata key starting with prefix, in key
// order. key and value are valid only during the call.
func (t *Txn) ScanMeta(prefix []byte, fn func(key, value []byte) error) error {
	if t.done {
		return ErrTxnDone
	}
	if err := t.fresh(); err != nil {
		return err
	}
	full := append([]byte{tagMeta}, prefix...)
	o := badger.DefaultIteratorOptions
	o.Prefix = full
	o.PrefetchSize = scanPrefetch
	it := t.bt.NewIterator(o)
	defer it.Close()
	t.noteRead(full)
	for it.Seek(full); it.Valid(); it.Next() {
		item := it.Item()
		t.noteRead(item.Key())
		err := item.Value(func(v []byte) error { return fn(item.Key()[1:], v) })
		if err != nil {
			return err
		}
	}
	return nil
}

// Commit commits the transaction and, under Fsync durability, waits until an
// fsync covers it. A write-write conflict returns an error with SQLSTATE
// 40001. After Commit the Txn is finished.
//
// If ctx ends while waiting for the fsync, Commit returns ctx's error; the
// transaction is committed and visible, and becomes durable with the next
// sync, but the caller must not report it as durable.
func (t *Txn) Commit(ctx context.Context) error {
	if t.done {
		return ErrTxnDone
	}
	if err := ctx.Err(); err != nil {
		t.Discard()
		return err
	}
	t.closeIters()
	if t.wrote {
		// Close waits for commits in progress, then refuses new ones, so
		// ErrClosed always means not committed.
		t.s.commitGate.RLock()
		defer t.s.commitGate.RUnlock()
		if t.s.closing {
			t.Discard()
			return ErrClosed
		}
	}
	t.done = true
	if err := t.commitBadger(); err != nil {
		if errors.Is(err, badger.ErrConflict) {
			t.s.conflicts.Add(1)
		}
		return mapWriteErr("commit", err)
	}
	if !t.wrote {
		return nil
	}
	t.s.commits.Add(1)
	t.s.reclaim.note(t.garbage)
	if t.s.opts.Durability != Fsync {
		// The commit may still be queued for Badger (apply.go): in the
		// log's segment, it is in the page cache a killed process leaves.
		if log := t.s.orc.log; log != nil {
			if err := log.Write(); err != nil {
				return mapWriteErr("commit", err)
			}
		}
		return nil
	}
	return t.s.sync.wait(ctx)
}

// commitBadger commits the Badger transaction, telling the index cache
// about the index buckets it writes before and until Badger applied it.
// The commit's record is in the log (oracle.commitTs) before Badger
// applies it; with a log, the applier applies it later (apply.go).
func (t *Txn) commitBadger() error {
	if t.snap != nil || !t.wrote {
		t.endBadger() // nothing to commit
		return nil
	}
	c := t.s.icache
	endIndexWrite := func() {}
	switch {
	case t.idxOther:
		c.beginGlobal()
		endIndexWrite = c.endGlobal
	case len(t.idxBuckets) > 0:
		c.beginWrite(t.idxBuckets)
		endIndexWrite = func() { c.endWrite(t.idxBuckets) }
	}
	defer t.s.noteWrite()
	defer t.bt.Discard()
	rec, buf := t.record()
	var q *queuedCommit
	if t.s.apply != nil && buf != nil {
		// Once queued, the applier releases the record and ends the
		// index-cache write.
		q = &queuedCommit{rec: buf, idx: t.idxBuckets, idxOther: t.idxOther}
	}
	ts, err := t.s.orc.commitTs(t.readTs, t.reads, &t.writes, rec, q)
	t.readOpen = false
	if err != nil {
		releaseRecord(buf)
		endIndexWrite()
		return err
	}
	if q != nil {
		if t.bigValue || q.full {
			// The round that acknowledges a value-log write syncs the
			// value log, so it must be there first (vlogfiles.go).
			t.s.orc.waitVisible(ts)
			if t.bigValue && t.s.orc.failure() == nil {
				t.s.vlogWrites.Add(1)
			}
		}
		return nil
	}
	releaseRecord(buf)
	defer endIndexWrite()
	err = t.bt.CommitAt(ts, nil)
	switch {
	case err != nil && rec != nil:
		t.s.orc.fail(err)
	case err == nil && t.bigValue:
		// Counted once the value is in the value log, so the round
		// that acknowledges the commit syncs it (vlogfiles.go).
		t.s.vlogWrites.Add(1)
	}
	t.s.orc.finish(ts)
	return err
}

// logSet and logDelete add a write to the log record's write set.
func (t *Txn) logSet(e *badger.Entry) {
	if t.s.orc.log != nil {
		t.logged.set(e.Key, e.Value, e.ExpiresAt)
	}
}

func (t *Txn) logDelete(key []byte) {
	if t.s.orc.log != nil {
		t.logged.delete(key)
	}
}

// record encodes the log record of the transaction's writes into a pooled
// buffer (nil without a log); buf goes back with releaseRecord once the
// log has copied the record.
func (t *Txn) record() (rec []byte, buf *[]byte) {
	if t.s.orc.log == nil || t.logged.empty() {
		return nil, nil
	}
	buf = recordBufs.Get().(*[]byte)
	*buf = t.logged.encode(slices.Grow((*buf)[:0], t.logged.encodedLen()))
	return *buf, buf
}

func releaseRecord(buf *[]byte) {
	if buf != nil && cap(*buf) <= maxPooledRecord {
		recordBufs.Put(buf)
	}
}

// noteIndexWrite records the index-cache bucket of a written key.
func (t *Txn) noteIndexWrite(key []byte) {
	if len(key) == 0 || key[0] != tagIndex {
		return
	}
	b, ok := indexBucket(key)
	if !ok {
		t.idxOther = true
		return
	}
	if t.idxBuckets == nil {
		t.idxBuckets = make(map[string]struct{}, 1)
	}
	t.idxBuckets[string(b)] = struct{}{}
}

// Discard abandons the transaction; safe after Commit.
func (t *Txn) Discard() {
	t.closeIters()
	t.done = true
	t.endBadger()
}

// endBadger ends the Badger transaction, or this reader's hold on a shared
// snapshot; safe to call again.
func (t *Txn) endBadger() {
	switch {
	case t.bt == nil: // a shared snapshot, already released
		return
	case t.snap == nil:
		if t.readOpen {
			t.readOpen = false
			t.s.orc.endRead(t.readTs, true)
		}
		t.bt.Discard()
		return
	}
	t.s.releaseSnapshot(t.snap)
	t.snap, t.bt = nil, nil
}

func (t *Txn) closeIters() {
	for len(t.iters) > 0 {
		t.iters[len(t.iters)-1].Close()
	}
}

// mapWriteErr attaches SQLSTATEs to Badger's transaction errors.
func mapWriteErr(op string, err error) error {
	switch {
	case errors.Is(err, badger.ErrConflict):
		return pgerr.Wrap(err, pgerr.SerializationFailure,
			"could not serialize access due to concurrent update")
	case errors.Is(err, badger.ErrTxnTooBig), errors.Is(err, wal.ErrRecordTooLarge):
		return pgerr.Wrap(err, pgerr.ProgramLimitExceeded,
			"transaction is too large for the hot store")
	case errors.Is(err, ErrFailed), errors.Is(err, wal.ErrFailed):
		return pgerr.Wrap(err, pgerr.IOError,
			"the hot store cannot commit after a failed write; restart the server")
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}

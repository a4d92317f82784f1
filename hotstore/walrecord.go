package hotstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"sync"

	"github.com/dgraph-io/badger/v4"
)

// A commit's record in the write-ahead log (wal/, see doc.go) is its write
// set: the final state of every key it wrote, applied again at the
// commit's timestamp when the log is replayed. Within one commit each key
// appears once (a later write of the key replaces the earlier one, as in
// Badger's own pending writes), so order inside a record does not matter.
//
// Entry layout: op (walSet or walDelete), key length (uvarint), key, and
// for walSet the value length (uvarint), value and expiry (uvarint, unix
// seconds, 0 = never).
const (
	walSet    = 1
	walDelete = 2
)

// writeEntry is one key's final state in a write set. key and value are
// not copied: Badger keeps them until the commit as well.
type writeEntry struct {
	key, value []byte
	expires    uint64
	del        bool
}

// writeSet collects a commit's writes for its log record: linear search
// while small (a single-row INSERT writes 2-4 keys), a map beyond.
type writeSet struct {
	entries []writeEntry
	index   map[string]int // key -> entries index, once entries outgrow writeSetSmall
}

const writeSetSmall = 16

func (w *writeSet) set(key, value []byte, expires uint64) {
	w.put(writeEntry{key: key, value: value, expires: expires})
}

func (w *writeSet) delete(key []byte) { w.put(writeEntry{key: key, del: true}) }

func (w *writeSet) put(e writeEntry) {
	if i, ok := w.find(e.key); ok {
		w.entries[i] = e
		return
	}
	w.entries = append(w.entries, e)
	switch {
	case w.index != nil:
		w.index[string(e.key)] = len(w.entries) - 1
	case len(w.entries) > writeSetSmall:
		w.index = make(map[string]int, 2*len(w.entries))
		for i, x := range w.entries {
			w.index[string(x.key)] = i
		}
	}
}

func (w *writeSet) find(key []byte) (int, bool) {
	if w.index != nil {
		i, ok := w.index[string(key)]
		return i, ok
	}
	for i := range w.entries {
		if bytes.Equal(w.entries[i].key, key) {
			return i, true
		}
	}
	return 0, false
}

func (w *writeSet) empty() bool { return len(w.entries) == 0 }

// encodedLen is an upper bound of len(w.encode(nil)).
func (w *writeSet) encodedLen() int {
	n := 0
	for i := range w.entries {
		n += 1 + 3*binary.MaxVarintLen64 + len(w.entries[i].key) + len(w.entries[i].value)
	}
	return n
}

func (w *writeSet) encode(buf []byte) []byte {
	for i := range w.entries {
		e := &w.entries[i]
		if e.del {
			buf = append(buf, walDelete)
			buf = binary.AppendUvarint(buf, uint64(len(e.key)))
			buf = append(buf, e.key...)
			continue
		}
		buf = append(buf, walSet)
		buf = binary.AppendUvarint(buf, uint64(len(e.key)))
		buf = append(buf, e.key...)
		buf = binary.AppendUvarint(buf, uint64(len(e.value)))
		buf = append(buf, e.value...)
		buf = binary.AppendUvarint(buf, e.expires)
	}
	return buf
}

// recordBufs recycles encoding buffers: every logged commit needs one, and
// the log copies the record, so the buffer is free again at once.
var recordBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledRecord keeps an occasional huge record's buffer out of the pool.
const maxPooledRecord = 64 << 10

// decodeWriteSet calls fn for every entry of a record. key and value alias
// rec.
func decodeWriteSet(rec []byte, fn func(e writeEntry) error) error {
	for len(rec) > 0 {
		op := rec[0]
		rec = rec[1:]
		if op != walSet && op != walDelete {
			return fmt.Errorf("%w: log entry op %d", ErrCorrupt, op)
		}
		var e writeEntry
		var ok bool
		if e.key, rec, ok = walBytes(rec); !ok {
			return fmt.Errorf("%w: truncated log entry key", ErrCorrupt)
		}
		if op == walDelete {
			e.del = true
		} else {
			if e.value, rec, ok = walBytes(rec); !ok {
				return fmt.Errorf("%w: truncated log entry value", ErrCorrupt)
			}
			n, w := binary.Uvarint(rec)
			if w <= 0 {
				return fmt.Errorf("%w: truncated log entry expiry", ErrCorrupt)
			}
			e.expires, rec = n, rec[w:]
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// walBytes reads a uvarint length and that many bytes.
func walBytes(b []byte) (field, rest []byte, ok bool) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return nil, nil, false
	}
	return b[w : w+int(n)], b[w+int(n):], true
}

// replayer writes logged commits into Badger again at their timestamps
// (Open). It skips a key Badger already holds at the commit's timestamp or
// a newer one: what survived of Badger's memtable files at that version
// is the same write, and a newer version (a tombstone, say) must not get
// an older one written above it, in a newer memtable; Badger's
// compactions assume a newer level never holds an older version (the
// applier keeps this order too, apply.go). newest looks the keys up, at
// every version, tombstones included: it was opened before the replay
// began, and what the replay itself wrote is older than what it skips for.
type replayer struct {
	db     *badger.DB
	rt     *badger.Txn
	newest *badger.Iterator
}

func newReplayer(db *badger.DB) *replayer {
	rt := db.NewTransactionAt(math.MaxUint64, false)
	it := rt.NewIterator(badger.IteratorOptions{AllVersions: true})
	return &replayer{db: db, rt: rt, newest: it}
}

func (r *replayer) close() {
	r.newest.Close()
	r.rt.Discard()
}

// held reports whether Badger holds key at ts or a newer version.
func (r *replayer) held(key []byte, ts uint64) bool {
	r.newest.Seek(key)
	if !r.newest.Valid() {
		return false
	}
	item := r.newest.Item()
	return bytes.Equal(item.Key(), key) && item.Version() >= ts
}

// apply writes one logged commit.
func (r *replayer) apply(ts uint64, rec []byte) error {
	bt := r.db.NewTransactionAt(ts-1, true)
	defer bt.Discard()
	err := decodeWriteSet(rec, func(e writeEntry) error {
		if r.held(e.key, ts) {
			return nil
		}
		// Badger keeps the slices until the commit; rec is reused after.
		key := bytes.Clone(e.key)
		if e.del {
			return bt.Delete(key)
		}
		return bt.SetEntry(&badger.Entry{Key: key, Value: bytes.Clone(e.value), ExpiresAt: e.expires})
	})
	if err != nil {
		return fmt.Errorf("replay commit %d: %w", ts, err)
	}
	if err := bt.CommitAt(ts, nil); err != nil {
		return fmt.Errorf("replay commit %d: %w", ts, err)
	}
	return nil
}

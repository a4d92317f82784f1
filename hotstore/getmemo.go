package hotstore

import "bytes"

// An INSERT checks that its key is free (Get) and then writes it (Put);
// an UPDATE reads the row it then writes. Put must know the key's current
// version to retire its seq-index entry, and a second Badger lookup of the
// same key costs as much as the first. So a read-write transaction
// remembers what its last Get found, and Put uses that when it writes the
// same key with nothing written in between.

// getMemo is the last Get of a read-write transaction.
type getMemo struct {
	key    []byte // the row key looked up; nil when nothing is remembered
	found  bool   // a record (perhaps a tombstone) was there
	seq    int64  // its seq, when found
	writes uint64 // Txn.writes at the time
}

// noteGet remembers the Get of t.kbuf just done. Read-only transactions
// never Put, so they skip it.
func (t *Txn) noteGet(found bool, seq int64) {
	if t.snap != nil {
		return
	}
	m := &t.lastGet
	m.key = append(m.key[:0], t.kbuf...)
	m.found, m.seq, m.writes = found, seq, t.writes
}

// lookup reports what the last Get found for rowKey, if it was of rowKey
// and the transaction has written nothing since (writes is Txn.writes).
func (m *getMemo) lookup(rowKey []byte, writes uint64) (found bool, seq int64, ok bool) {
	if m.key == nil || m.writes != writes || !bytes.Equal(m.key, rowKey) {
		return false, 0, false
	}
	return m.found, m.seq, true
}

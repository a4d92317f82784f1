package hotstore

import "bytes"

// An INSERT checks that its key is free (Get) and then writes it (Put);
// an UPDATE reads the row it then writes. Put must know the key's current
// version to retire its seq-index entry, and a second Badger lookup of the
// same key costs as much as the first. So a read-write transaction
// remembers what its last Get found, and Put uses that when it writes the
// same key, unless the transaction wrote that key (or rolled back to a
// savepoint) in between. Writes of other keys, such as the secondary
// index entries an INSERT makes between the two, leave it valid.

// getMemo is the last Get of a read-write transaction.
type getMemo struct {
	key   []byte // the row key looked up
	valid bool   // key and the rest describe the key's current version
	found bool   // a record (perhaps a tombstone) was there
	seq   int64  // its seq, when found
}

// noteGet remembers the Get of t.kbuf just done. Read-only transactions
// never Put, so they skip it.
func (t *Txn) noteGet(found bool, seq int64) {
	if t.snap != nil {
		return
	}
	m := &t.lastGet
	m.key = append(m.key[:0], t.kbuf...)
	m.valid, m.found, m.seq = true, found, seq
}

// lookup reports what the last Get found for rowKey, if it was of rowKey
// and still holds.
func (m *getMemo) lookup(rowKey []byte) (found bool, seq int64, ok bool) {
	if !m.valid || !bytes.Equal(m.key, rowKey) {
		return false, 0, false
	}
	return m.found, m.seq, true
}

// forget drops the memo when key, about to be written, is its key.
func (m *getMemo) forget(key []byte) {
	if m.valid && bytes.Equal(m.key, key) {
		m.valid = false
	}
}

package hotstore

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Badger transactions cannot roll back part of their writes, so savepoints
// keep an undo log: while a savepoint is open, every write first records
// the key's previous state as this transaction sees it (value and expiry,
// or absence), and RollbackTo writes those states back, newest first.
// Rows, seq-index entries, index entries and metadata all go through set
// and del, so all of them are covered.
//
// Caveat: recording reads the key, which adds it to Badger's conflict set;
// a transaction inside a savepoint may see a few more 40001 conflicts.

// undoEntry is one key's state before a write.
type undoEntry struct {
	key     []byte // Badger key (kept by Badger anyway until commit)
	value   []byte
	expires uint64
	existed bool
}

// ErrNoSavepoint is returned by RollbackTo and Release for an unknown id.
var ErrNoSavepoint = errors.New("hotstore: no such savepoint")

// Savepoint opens a savepoint and returns its id (1 for the outermost,
// then 2, 3 ... as they nest).
func (t *Txn) Savepoint() int {
	t.marks = append(t.marks, len(t.undo))
	return len(t.marks)
}

// RollbackTo undoes every write made since savepoint id was opened. The
// savepoint stays open; savepoints opened after it are gone.
func (t *Txn) RollbackTo(id int) error {
	if t.done {
		return ErrTxnDone
	}
	if id < 1 || id > len(t.marks) {
		return fmt.Errorf("rollback to %d: %w", id, ErrNoSavepoint)
	}
	t.closeIters()
	t.lastGet.valid = false // the restores below may change the key it remembers
	mark := t.marks[id-1]
	for i := len(t.undo) - 1; i >= mark; i-- {
		u := t.undo[i]
		t.noteWritten(u.key)
		var err error
		if u.existed && len(u.value) >= t.s.valueThreshold {
			t.bigValue = true // as in set
		}
		if u.existed {
			e := &badger.Entry{Key: u.key, Value: u.value, ExpiresAt: u.expires}
			if err = t.bt.SetEntry(e); err == nil {
				t.logSet(e)
			}
		} else if err = t.bt.Delete(u.key); err == nil {
			t.logDelete(u.key)
		}
		if err != nil {
			return mapWriteErr("rollback to savepoint", err)
		}
	}
	clear(t.undo[mark:])
	t.undo = t.undo[:mark]
	t.marks = t.marks[:id]
	return nil
}

// Release closes savepoint id and every savepoint opened after it; their
// writes stay. With no savepoint left, undo recording stops.
func (t *Txn) Release(id int) error {
	if id < 1 || id > len(t.marks) {
		return fmt.Errorf("release %d: %w", id, ErrNoSavepoint)
	}
	t.marks = t.marks[:id-1]
	if len(t.marks) == 0 {
		t.undo = nil
	}
	return nil
}

// remember records key's current state before a write, when a savepoint
// is open.
func (t *Txn) remember(key []byte) error {
	if len(t.marks) == 0 {
		return nil
	}
	u := undoEntry{key: key}
	item, err := t.get(key)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
	case err != nil:
		return fmt.Errorf("savepoint undo: %w", err)
	default:
		if u.value, err = item.ValueCopy(nil); err != nil {
			return fmt.Errorf("savepoint undo: %w", err)
		}
		u.expires, u.existed = item.ExpiresAt(), true
	}
	t.undo = append(t.undo, u)
	return nil
}

package sql

import (
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/notify"
)

// Every row write goes through insertRow, updateRow or deleteRow, which
// keep the primary key unique, the secondary indexes in step and the
// change channel informed. Tables without a primary key are keyed by the
// row's current _seq: an update moves the row to its new seq, so the key
// of a row read back is always layout.key(row).

// insertRow stores a new row (table columns set; _seq is assigned here).
func (l *rowLayout) insertRow(x *execCtx, part hotstore.Partition, changes *notify.Table, row []any) error {
	if err := l.checkRow(row); err != nil {
		return err
	}
	seq := x.s.eng.store.NextSeq()
	n := len(l.t.Columns)
	row[n], row[n+1] = seq, false
	key, err := l.key(row)
	if err != nil {
		return err
	}
	if len(l.t.PrimaryKey) > 0 {
		old, ok, err := x.getRecord(l.t, part, key)
		if err != nil {
			return err
		}
		if ok && !old.Deleted {
			return l.duplicateKey(row)
		}
	}
	if err := l.writeEntries(x, part, nil, nil, row, key); err != nil {
		return err
	}
	data, err := l.encode(row)
	if err != nil {
		return err
	}
	if err := x.txn.Put(part, key, hotstore.Record{Seq: seq, Data: data}, l.t.Options.TTL); err != nil {
		return err
	}
	x.s.recordChange(changes, part, notify.OpInsert, seq, row, nil)
	return nil
}

// updateRow replaces old (as read) by row, a modified copy of it.
func (l *rowLayout) updateRow(x *execCtx, part hotstore.Partition, changes *notify.Table, old, row []any) error {
	if err := l.checkRow(row); err != nil {
		return err
	}
	n := len(l.t.Columns)
	ttl := l.t.Options.TTL
	oldKey, err := l.key(old)
	if err != nil {
		return err
	}
	seq := x.s.eng.store.NextSeq()
	row[n], row[n+1] = seq, false
	key, err := l.key(row)
	if err != nil {
		return err
	}
	var movedFrom []any // the old key when the update changes it
	if string(key) != string(oldKey) {
		if len(l.t.PrimaryKey) > 0 {
			// The key changed: the new key must be free.
			prev, ok, err := x.getRecord(l.t, part, key)
			if err != nil {
				return err
			}
			if ok && !prev.Deleted {
				return l.duplicateKey(row)
			}
			movedFrom = keyValues(l.t, old)
		}
		if err := x.txn.Put(part, oldKey, hotstore.Record{Seq: seq, Deleted: true}, ttl); err != nil {
			return err
		}
		seq = x.s.eng.store.NextSeq()
		row[n] = seq
		if len(l.t.PrimaryKey) == 0 {
			// Keyed by _seq: the new version moves to its new seq.
			if key, err = l.key(row); err != nil {
				return err
			}
		}
	}
	if err := l.writeEntries(x, part, old, oldKey, row, key); err != nil {
		return err
	}
	data, err := l.encode(row)
	if err != nil {
		return err
	}
	if err := x.txn.Put(part, key, hotstore.Record{Seq: seq, Data: data}, ttl); err != nil {
		return err
	}
	x.s.recordChange(changes, part, notify.OpUpdate, seq, row, movedFrom)
	return nil
}

// deleteRow writes old's tombstone and drops its index entries.
func (l *rowLayout) deleteRow(x *execCtx, part hotstore.Partition, changes *notify.Table, old []any) error {
	key, err := l.key(old)
	if err != nil {
		return err
	}
	if err := l.writeEntries(x, part, old, key, nil, nil); err != nil {
		return err
	}
	seq := x.s.eng.store.NextSeq()
	if err := x.txn.Put(part, key, hotstore.Record{Seq: seq, Deleted: true}, l.t.Options.TTL); err != nil {
		return err
	}
	x.s.recordChange(changes, part, notify.OpDelete, seq, old, nil)
	return nil
}

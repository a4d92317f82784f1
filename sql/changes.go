package sql

import (
	"context"
	"fmt"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/notify"
	"github.com/kalamdb/kalamdb/pgerr"
)

// changeTable describes t for change records, or nil when t is not a
// per-user table (shared tables have no change channel).
func changeTable(t *catalog.Table) *notify.Table {
	if !t.Type.PerUser() {
		return nil
	}
	nt := &notify.Table{Name: t.Schema + "." + t.Name, ID: t.ID, Key: t.PrimaryKey}
	for _, c := range t.Columns {
		nt.Columns = append(nt.Columns, notify.Column{Name: c.Name, Type: c.Type})
	}
	return nt
}

// recordChange remembers a row change of a per-user table for publication
// at commit on its partition's channel. It is recorded whether or not
// anyone listens now: the check happens at publication, so a LISTEN that
// commits before this transaction does still hears it. row must not be
// modified afterwards.
func (s *Session) recordChange(t *notify.Table, part hotstore.Partition, op notify.Op, seq int64, row, oldKey []any) {
	if t == nil || part.User == "" {
		return
	}
	c := &notify.Change{Table: t, Partition: part.User, Op: op, Seq: seq, Row: row[:len(t.Columns):len(t.Columns)], OldKey: oldKey}
	s.pend.entries = append(s.pend.entries, notify.Entry{Change: c})
}

// keyValues returns the primary-key values of row.
func keyValues(t *catalog.Table, row []any) []any {
	out := make([]any, len(t.PrimaryKey))
	for j, i := range t.PrimaryKey {
		out[j] = row[i]
	}
	return out
}

// CheckChangeTable reports whether schema.table has changes to follow
// (42P01 when it does not exist, 42809 for a shared table), as Replay
// would, without reading anything.
func (e *Engine) CheckChangeTable(schema, table string) error {
	_, err := e.changeSource(schema, table)
	return err
}

func (e *Engine) changeSource(schema, table string) (*catalog.Table, error) {
	t, ok := e.cat.Table(schema, table)
	if !ok {
		return nil, pgerr.New(pgerr.UndefinedTable, "relation \"%s.%s\" does not exist", schema, table)
	}
	if !t.Type.PerUser() {
		return nil, pgerr.New(pgerr.WrongObjectType, "%s.%s is not a per-user table: it has no changes to replay", schema, table)
	}
	return t, nil
}

// Replay calls fn for every change in user's partition of the per-user
// table schema.table with _seq > after, in _seq order, from one snapshot: a live row
// as an insert of its current version, a deleted one as a delete whose Row
// holds only the key. Versions superseded since are not replayed (the
// current version carries a newer seq). The package comment of notify
// explains how a subscriber switches from Replay to live without a gap.
func (e *Engine) Replay(ctx context.Context, schema, table, user string, after int64, fn func(*notify.Change) error) error {
	t, err := e.changeSource(schema, table)
	if err != nil {
		return err
	}
	nt := changeTable(t)
	layout, err := newRowLayout(t)
	if err != nil {
		return err
	}
	txn := e.store.Begin()
	defer txn.Discard()
	it := txn.ScanSeq(hotstore.Partition{Table: t.ID, User: user}, after, false)
	defer it.Close()
	for it.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := it.Record()
		c := &notify.Change{Table: nt, Partition: user, Seq: rec.Seq, Op: notify.OpInsert}
		if rec.Deleted {
			c.Op = notify.OpDelete
			if c.Row, err = keyRow(t, it.Key()); err != nil {
				return fmt.Errorf("replay %s: %w", t.Name, err)
			}
		} else {
			row, err := layout.decode(rec)
			if err != nil {
				return err
			}
			c.Row = row[:len(t.Columns)]
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("replay %s: %w", t.Name, err)
	}
	return nil
}

// keyRow decodes a stored primary key into a row with only the key
// columns set (nil for tables keyed by _seq).
func keyRow(t *catalog.Table, key []byte) ([]any, error) {
	row := make([]any, len(t.Columns))
	for _, i := range t.PrimaryKey {
		v, rest, err := hotstore.DecodeKey(key)
		if err != nil {
			return nil, err
		}
		row[i], key = v, rest
	}
	return row, nil
}

package notify

import (
	"strconv"
	"sync"

	"github.com/kalamdb/kalamdb/types"
)

// Op is what a change did to a row.
type Op uint8

// The operations of a Change.
const (
	OpInsert Op = iota + 1
	OpUpdate
	OpDelete
)

func (o Op) String() string {
	switch o {
	case OpInsert:
		return "insert"
	case OpUpdate:
		return "update"
	case OpDelete:
		return "delete"
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// Column is one column of a changed table.
type Column struct {
	Name string
	Type types.Type
}

// Table describes a changed table; the sql layer builds one per bound
// statement and every Change of that statement shares it.
type Table struct {
	Name    string // qualified: "public.messages"
	ID      uint32
	Columns []Column
	// Key are the primary-key column indexes; empty when the table has
	// none and rows are keyed by _seq.
	Key []int
}

// Change is one committed change to a row of a per-user table: the record
// that LISTEN, the WebSocket gateway and live queries all consume.
type Change struct {
	Table     *Table
	Partition string // the user id whose partition changed: the channel
	Op        Op
	Seq       int64 // the row version's _seq (for deletes, the tombstone's)
	// Row holds the table's columns in order: the new row, or for a
	// delete the deleted row. A replayed delete knows only the key: Row
	// then has the key columns set and every other column nil.
	Row []any
	// OldKey is set when an update changed the primary key: the old key
	// values, in Table.Key order.
	OldKey []any

	once    sync.Once
	payload string
}

// Payload is the change's NOTIFY payload, built once:
// {"table":"public.messages","op":"insert","seq":123,"row":{...}}; when
// that would exceed MaxPayload bytes, row holds only the primary key and
// "truncated":true is added.
func (c *Change) Payload() string {
	c.once.Do(func() { c.payload = string(c.AppendJSON(nil, MaxPayload)) })
	return c.payload
}

// AppendJSON appends the change as a JSON object, truncated as Payload
// describes when it would exceed limit bytes (limit <= 0: never).
func (c *Change) AppendJSON(buf []byte, limit int) []byte {
	start := len(buf)
	buf = c.appendHead(buf)
	buf = append(buf, `,"row":`...)
	buf = c.appendRow(buf, false)
	buf = c.appendOldKey(buf)
	buf = append(buf, '}')
	if limit <= 0 || len(buf)-start <= limit {
		return buf
	}
	buf = c.appendHead(buf[:start])
	buf = append(buf, `,"row":`...)
	buf = c.appendRow(buf, true)
	buf = c.appendOldKey(buf)
	buf = append(buf, `,"truncated":true}`...)
	if len(buf)-start > limit {
		// Even the key is too large: say which row changed by seq only.
		buf = c.appendHead(buf[:start])
		buf = append(buf, `,"row":{},"truncated":true}`...)
	}
	return buf
}

func (c *Change) appendHead(buf []byte) []byte {
	buf = append(buf, `{"table":`...)
	buf = appendJSONString(buf, c.Table.Name)
	buf = append(buf, `,"op":"`...)
	buf = append(buf, c.Op.String()...)
	buf = append(buf, `","seq":`...)
	return strconv.AppendInt(buf, c.Seq, 10)
}

// appendRow writes the row object: every column, or only the key.
func (c *Change) appendRow(buf []byte, keyOnly bool) []byte {
	t := c.Table
	buf = append(buf, '{')
	first := true
	field := func(name string, typ types.Type, v any) {
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = appendJSONString(buf, name)
		buf = append(buf, ':')
		buf = AppendValueJSON(buf, typ, v)
	}
	switch {
	case keyOnly && len(t.Key) == 0:
		field("_seq", types.Of(types.Int8), c.Seq)
	case keyOnly:
		for _, i := range t.Key {
			field(t.Columns[i].Name, t.Columns[i].Type, c.value(i))
		}
	default:
		for i, col := range t.Columns {
			field(col.Name, col.Type, c.value(i))
		}
	}
	return append(buf, '}')
}

func (c *Change) appendOldKey(buf []byte) []byte {
	if c.OldKey == nil {
		return buf
	}
	buf = append(buf, `,"old_key":{`...)
	for j, i := range c.Table.Key {
		if j > 0 {
			buf = append(buf, ',')
		}
		col := c.Table.Columns[i]
		buf = appendJSONString(buf, col.Name)
		buf = append(buf, ':')
		var v any
		if j < len(c.OldKey) {
			v = c.OldKey[j]
		}
		buf = AppendValueJSON(buf, col.Type, v)
	}
	return append(buf, '}')
}

func (c *Change) value(i int) any {
	if i < len(c.Row) {
		return c.Row[i]
	}
	return nil
}

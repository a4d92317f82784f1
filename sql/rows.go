package sql

import (
	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// rowLayout maps a table's stored rows (column id -> value) to evaluated
// rows (table columns in order, then _seq and _deleted).
type rowLayout struct {
	t       *catalog.Table
	ids     []uint32
	posByID []int32 // column id -> position, -1 for dropped columns
	missing []any   // value of each column in rows written before it existed
	indexes []*indexLayout
}

func newRowLayout(t *catalog.Table) (*rowLayout, error) {
	l := &rowLayout{t: t, posByID: make([]int32, t.NextColumn+1), missing: make([]any, len(t.Columns)), indexes: bindIndexes(t)}
	for i := range l.posByID {
		l.posByID[i] = -1
	}
	for i, c := range t.Columns {
		l.ids = append(l.ids, c.ID)
		l.posByID[c.ID] = int32(i)
		if c.HasMissing {
			v, err := types.ParseText(c.Type, c.Missing, nil)
			if err != nil {
				return nil, err
			}
			l.missing[i] = v
		}
	}
	return l, nil
}

func (l *rowLayout) width() int { return len(l.t.Columns) + hiddenColumns }

// decode fills a new evaluated row from a stored record.
func (l *rowLayout) decode(rec hotstore.Record) ([]any, error) {
	return l.decodeIn(nil, rec)
}

// rowArena carves the rows of one scan, and the values in them, out of
// shared slabs (hotstore.Arena): a scan otherwise allocates a row and
// several boxed values per row, and under concurrent "latest 50" reads
// those allocations and their GC cost as much as the decode itself.
type rowArena struct {
	vals hotstore.Arena
	rows []any // slab the next rows are cut from
	slab int   // rows in the last slab made
}

// scanRows hands a scan's decoded rows out: each in a row of its own, or,
// when the consumer keeps no row past its call (reuse), all in one row
// overwritten by the next. The values are never reused.
type scanRows struct {
	arena rowArena
	reuse bool
	last  []any
}

func (s *scanRows) decode(l *rowLayout, rec hotstore.Record) ([]any, error) {
	if !s.reuse {
		return l.decodeIn(&s.arena, rec)
	}
	if s.last == nil {
		s.last = make([]any, l.width())
	}
	return l.decodeInto(s.last, &s.arena.vals, rec)
}

// rowsPerSlab bounds how many rows share one slab, so a row kept after
// its scan pins few others. Slabs start small and double, so that a
// statement returning one row allocates for little more than that row.
const (
	rowsPerSlab   = 32
	rowsFirstSlab = 2
)

func (a *rowArena) row(width int) []any {
	if width == 0 {
		return []any{}
	}
	if len(a.rows) < width {
		a.slab = min(max(2*a.slab, rowsFirstSlab), rowsPerSlab)
		a.rows = make([]any, width*a.slab)
	}
	row := a.rows[:width:width]
	a.rows = a.rows[width:]
	return row
}

// decodeIn is decode with the row and its values allocated from a (nil:
// on the heap one by one).
func (l *rowLayout) decodeIn(a *rowArena, rec hotstore.Record) ([]any, error) {
	if a != nil {
		return l.decodeInto(a.row(l.width()), &a.vals, rec)
	}
	return l.decodeInto(make([]any, l.width()), nil, rec)
}

// decodeInto overwrites every column of row (l.width() long) with rec's,
// boxing values in vals (nil: on the heap one by one).
func (l *rowLayout) decodeInto(row []any, vals *hotstore.Arena, rec hotstore.Record) ([]any, error) {
	copy(row, l.missing)
	if !rec.Deleted {
		set := func(id uint32, v any) {
			if int(id) < len(l.posByID) {
				if p := l.posByID[id]; p >= 0 {
					row[p] = v
				}
			}
		}
		var err error
		if rec.Stable {
			err = hotstore.DecodeStableRowArena(rec.Data, vals, set)
		} else {
			err = hotstore.DecodeRowArena(rec.Data, vals, set)
		}
		if err != nil {
			return nil, pgerr.Wrap(err, pgerr.InternalError, "decode row of %s: %v", l.t.Name, err)
		}
	}
	n := len(l.t.Columns)
	if vals != nil {
		row[n] = vals.Int(rec.Seq)
	} else {
		row[n] = rec.Seq
	}
	row[n+1] = rec.Deleted
	return row, nil
}

// encode stores the table columns of row. Multidimensional arrays exist
// only as query values: the stored formats (and Parquet) hold flat ones.
func (l *rowLayout) encode(row []any) ([]byte, error) {
	for _, v := range row[:len(l.t.Columns)] {
		if a, ok := v.([]any); ok && len(a) > 0 {
			if _, nested := a[0].([]any); nested {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "multidimensional arrays cannot be stored")
			}
		}
	}
	return hotstore.EncodeRow(nil, l.ids, row[:len(l.t.Columns)])
}

// key returns the primary key of row; tables without one are keyed by
// _seq, so their rows sort by commit order.
func (l *rowLayout) key(row []any) ([]byte, error) {
	if len(l.t.PrimaryKey) == 0 {
		return hotstore.AppendKey(nil, row[len(l.t.Columns)])
	}
	var key []byte
	var err error
	for _, i := range l.t.PrimaryKey {
		if key, err = hotstore.AppendKey(key, row[i]); err != nil {
			return nil, err
		}
	}
	return key, nil
}

// checkRow enforces NOT NULL (primary-key columns are always NOT NULL).
func (l *rowLayout) checkRow(row []any) error {
	for i, c := range l.t.Columns {
		if row[i] == nil && (c.NotNull || l.isKey(i)) {
			return pgerr.New(pgerr.NotNullViolation, "null value in column %q of relation %q violates not-null constraint", c.Name, l.t.Name)
		}
	}
	return nil
}

func (l *rowLayout) isKey(i int) bool {
	for _, k := range l.t.PrimaryKey {
		if k == i {
			return true
		}
	}
	return false
}

// duplicateKey is the 23505 error for row's primary key.
func (l *rowLayout) duplicateKey(row []any) error {
	names, vals := "", ""
	for j, i := range l.t.PrimaryKey {
		if j > 0 {
			names += ", "
			vals += ", "
		}
		names += l.t.Columns[i].Name
		vals += string(types.AppendText(nil, l.t.Columns[i].Type.OID, row[i], nil))
	}
	e := pgerr.New(pgerr.UniqueViolation, "duplicate key value violates unique constraint %q", l.t.Name+"_pkey")
	e.Detail = "Key (" + names + ")=(" + vals + ") already exists."
	return e
}

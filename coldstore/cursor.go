package coldstore

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/kalamdb/kalamdb/types"
)

// readCol is one projected table column of a segment.
type readCol struct {
	id   uint32
	oid  types.OID
	name string // Parquet column name
}

// cursor walks one segment's rows in key order (or reverse), loading one
// row group at a time. A shadow cursor reads only _key, _seq and _deleted.
type cursor struct {
	ctx     context.Context
	seg     Segment
	shadow  bool
	reverse bool

	f      *os.File
	pr     *file.Reader
	fr     *pqarrow.FileReader
	leaves []int
	cols   []readCol
	rgs    []int // row groups still to load, in visiting order
	start  []byte
	end    []byte

	keys   *array.Binary
	seqs   *array.Int64
	dels   *array.Boolean
	vals   []arrow.Array // parallel to cols
	row    int
	lo, hi int // rows of the loaded group inside [start, end)
	done   bool
	groups int // row groups loaded, for ScanStats
}

// openCursor opens seg in dir. want lists the table columns to read (nil:
// all the segment has).
func openCursor(ctx context.Context, dir string, seg Segment, want []uint32, shadow, reverse bool, start, end []byte) (*cursor, error) {
	c := &cursor{ctx: ctx, seg: seg, shadow: shadow, reverse: reverse, start: start, end: end}
	var err error
	if c.f, err = os.Open(filepath.Join(dir, seg.Path)); err != nil {
		return nil, fmt.Errorf("open segment: %w", err)
	}
	if c.pr, err = file.NewParquetReader(c.f); err != nil {
		c.close()
		return nil, fmt.Errorf("open segment %s: %w: %v", seg.Path, ErrCorrupt, err)
	}
	if c.fr, err = pqarrow.NewFileReader(c.pr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator); err != nil {
		c.close()
		return nil, fmt.Errorf("open segment %s: %w: %v", seg.Path, ErrCorrupt, err)
	}
	sc, err := c.fr.Schema()
	if err != nil {
		c.close()
		return nil, fmt.Errorf("open segment %s: %w: %v", seg.Path, ErrCorrupt, err)
	}
	for i, f := range sc.Fields() {
		if i < sysColumns {
			if f.Name != []string{colKey, colSeq, colDeleted}[i] {
				c.close()
				return nil, fmt.Errorf("open segment %s: %w: column %d is %s", seg.Path, ErrCorrupt, i, f.Name)
			}
			c.addLeaves(i)
			continue
		}
		id, ok := parseFieldName(f.Name)
		if !ok || shadow || (want != nil && !slices.Contains(want, id)) {
			continue
		}
		t, err := columnType(f)
		if err != nil {
			c.close()
			return nil, fmt.Errorf("open segment %s: %w", seg.Path, err)
		}
		c.cols = append(c.cols, readCol{id: id, oid: t.OID, name: f.Name})
		c.addLeaves(i)
	}
	c.vals = make([]arrow.Array, len(c.cols))
	for rg := range c.pr.NumRowGroups() {
		if c.groupInRange(rg) {
			c.rgs = append(c.rgs, rg)
		}
	}
	if reverse {
		slices.Reverse(c.rgs)
	}
	if err := c.load(); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

func (c *cursor) addLeaves(field int) {
	var walk func(f *pqarrow.SchemaField)
	walk = func(f *pqarrow.SchemaField) {
		if f.IsLeaf() {
			c.leaves = append(c.leaves, f.ColIndex)
		}
		for i := range f.Children {
			walk(&f.Children[i])
		}
	}
	walk(&c.fr.Manifest.Fields[field])
}

// groupInRange uses the row group's _key statistics, when present, to skip
// groups wholly outside [start, end).
func (c *cursor) groupInRange(rg int) bool {
	if c.start == nil && c.end == nil {
		return true
	}
	cc, err := c.pr.MetaData().RowGroup(rg).ColumnChunk(0)
	if err != nil {
		return true
	}
	if ok, err := cc.StatsSet(); !ok || err != nil {
		return true
	}
	st, err := cc.Statistics()
	if err != nil {
		return true
	}
	bs, ok := st.(*metadata.ByteArrayStatistics)
	if !ok || !bs.HasMinMax() {
		return true
	}
	if c.start != nil && bytes.Compare(bs.Max(), c.start) < 0 {
		return false
	}
	return c.end == nil || bytes.Compare(bs.Min(), c.end) < 0
}

// load reads row groups until one has a row inside [start, end).
func (c *cursor) load() error {
	for {
		c.release()
		if len(c.rgs) == 0 {
			c.done = true
			return nil
		}
		if err := c.ctx.Err(); err != nil {
			return err
		}
		rg := c.rgs[0]
		c.rgs = c.rgs[1:]
		if err := c.readGroup(rg); err != nil {
			return err
		}
		n := c.keys.Len()
		c.lo, c.hi = 0, n
		if c.start != nil {
			c.lo = sort.Search(n, func(i int) bool { return bytes.Compare(c.keys.Value(i), c.start) >= 0 })
		}
		if c.end != nil {
			c.hi = sort.Search(n, func(i int) bool { return bytes.Compare(c.keys.Value(i), c.end) >= 0 })
		}
		// Groups are sorted: once the range ends inside this group, later
		// groups (in visiting order) are all outside it.
		if (!c.reverse && c.hi < n) || (c.reverse && c.lo > 0) {
			c.rgs = nil
		}
		if c.lo < c.hi {
			c.row = c.lo
			if c.reverse {
				c.row = c.hi - 1
			}
			return nil
		}
	}
}

// readGroup loads the projected columns of row group rg.
func (c *cursor) readGroup(rg int) error {
	tbl, err := c.fr.ReadRowGroups(c.ctx, c.leaves, []int{rg})
	if err != nil {
		return fmt.Errorf("read segment %s: %w: %v", c.seg.Path, ErrCorrupt, err)
	}
	defer tbl.Release()
	c.groups++
	col := func(name string) (arrow.Array, error) {
		idx := tbl.Schema().FieldIndices(name)
		if len(idx) != 1 {
			return nil, fmt.Errorf("read segment %s: %w: no column %s", c.seg.Path, ErrCorrupt, name)
		}
		chunks := tbl.Column(idx[0]).Data().Chunks()
		if len(chunks) == 1 {
			chunks[0].Retain()
			return chunks[0], nil
		}
		return array.Concatenate(chunks, memory.DefaultAllocator)
	}
	var ok1, ok2, ok3 bool
	k, err1 := col(colKey)
	s, err2 := col(colSeq)
	d, err3 := col(colDeleted)
	if err := firstErr(err1, err2, err3); err != nil {
		releaseAll(k, s, d)
		return err
	}
	c.keys, ok1 = k.(*array.Binary)
	c.seqs, ok2 = s.(*array.Int64)
	c.dels, ok3 = d.(*array.Boolean)
	if !ok1 || !ok2 || !ok3 || s.Len() != k.Len() || d.Len() != k.Len() || k.NullN()+s.NullN()+d.NullN() > 0 {
		releaseAll(k, s, d)
		c.keys, c.seqs, c.dels = nil, nil, nil
		return fmt.Errorf("read segment %s: %w: system columns", c.seg.Path, ErrCorrupt)
	}
	for i, rc := range c.cols {
		a, err := col(rc.name)
		if err != nil {
			return err
		}
		c.vals[i] = a
		if a.Len() != k.Len() {
			return fmt.Errorf("read segment %s: %w: column %s length", c.seg.Path, ErrCorrupt, rc.name)
		}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func releaseAll(arrs ...arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}

func (c *cursor) key() []byte   { return c.keys.Value(c.row) }
func (c *cursor) seq() int64    { return c.seqs.Value(c.row) }
func (c *cursor) deleted() bool { return c.dels.Value(c.row) }

// values calls fn for every projected column of the current row.
func (c *cursor) values(fn func(id uint32, v any)) error {
	for i, rc := range c.cols {
		v, err := valueAt(c.vals[i], rc.oid, c.row)
		if err != nil {
			return fmt.Errorf("read segment %s column %d: %w", c.seg.Path, rc.id, err)
		}
		fn(rc.id, v)
	}
	return nil
}

// advance moves to the next row in visiting order.
func (c *cursor) advance() error {
	if c.reverse {
		c.row--
		if c.row >= c.lo {
			return nil
		}
	} else {
		c.row++
		if c.row < c.hi {
			return nil
		}
	}
	return c.load()
}

func (c *cursor) release() {
	var arrs []arrow.Array
	if c.keys != nil {
		arrs = append(arrs, c.keys, c.seqs, c.dels)
	}
	for i, a := range c.vals {
		if a != nil {
			arrs = append(arrs, a)
			c.vals[i] = nil
		}
	}
	releaseAll(arrs...)
	c.keys, c.seqs, c.dels = nil, nil, nil
}

func (c *cursor) close() {
	c.release()
	if c.pr != nil {
		c.pr.Close()
		c.pr = nil
	}
	if c.f != nil {
		c.f.Close()
		c.f = nil
	}
}

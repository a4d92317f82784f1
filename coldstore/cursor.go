package coldstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/kalamdb/kalamdb/types"
)

// readCol is one projected table column of a segment.
type readCol struct {
	id     uint32
	oid    types.OID
	name   string // Parquet column name
	leaf   int    // first Parquet leaf column
	leaves int    // number of leaves (several for an interval)
	flat   bool   // one leaf, not nested: readRow decodes it directly
}

// cursor walks one segment's rows in key order (or reverse), loading one
// row group at a time. A shadow cursor reads only _key, _seq and _deleted.
type cursor struct {
	ctx     context.Context
	seg     Segment
	shadow  bool
	reverse bool

	cache  *readCache
	r      *segReader // from cache; released by close
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

// openCursor opens seg of p through the store's read cache, which lends
// it the open reader (and any row groups a point lookup cached). want
// lists the table columns to read (nil: all the segment has).
func openCursor(ctx context.Context, p *partition, seg Segment, want []uint32, shadow, reverse bool, start, end []byte) (*cursor, error) {
	c := &cursor{ctx: ctx, seg: seg, shadow: shadow, reverse: reverse, start: start, end: end, cache: p.cache}
	var err error
	if c.r, err = p.cache.acquire(p, seg); err != nil {
		return nil, err
	}
	if c.cols, c.leaves, err = projection(c.r.fr, want, shadow); err != nil {
		c.close()
		return nil, fmt.Errorf("open segment %s: %w", seg.Path, err)
	}
	c.vals = make([]arrow.Array, len(c.cols))
	for rg := range c.r.maxKey {
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

// projection checks a segment's system columns and picks the table columns
// in want (nil: all; none for a shadow), with the Parquet leaves to read.
func projection(fr *pqarrow.FileReader, want []uint32, shadow bool) ([]readCol, []int, error) {
	sc, err := fr.Schema()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	var cols []readCol
	var leaves []int
	addLeaves := func(field int) {
		var walk func(f *pqarrow.SchemaField)
		walk = func(f *pqarrow.SchemaField) {
			if f.IsLeaf() {
				leaves = append(leaves, f.ColIndex)
			}
			for i := range f.Children {
				walk(&f.Children[i])
			}
		}
		walk(&fr.Manifest.Fields[field])
	}
	for i, f := range sc.Fields() {
		if i < sysColumns {
			if f.Name != []string{colKey, colSeq, colDeleted}[i] {
				return nil, nil, fmt.Errorf("%w: column %d is %s", ErrCorrupt, i, f.Name)
			}
			addLeaves(i)
			continue
		}
		id, ok := parseFieldName(f.Name)
		if !ok || shadow || (want != nil && !slices.Contains(want, id)) {
			continue
		}
		t, err := columnType(f)
		if err != nil {
			return nil, nil, err
		}
		first := len(leaves)
		addLeaves(i)
		if len(leaves) == first {
			return nil, nil, fmt.Errorf("%w: column %s has no leaves", ErrCorrupt, f.Name)
		}
		_, nested := f.Type.(arrow.NestedType)
		cols = append(cols, readCol{id: id, oid: t.OID, name: f.Name, leaf: leaves[first], leaves: len(leaves) - first, flat: len(leaves) == first+1 && !nested})
	}
	return cols, leaves, nil
}

// groupInRange uses the row group's _key statistics, when present, to skip
// groups wholly outside [start, end).
func (c *cursor) groupInRange(rg int) bool {
	lo, hi := c.r.minKey[rg], c.r.maxKey[rg]
	if hi == nil {
		return true
	}
	if c.start != nil && bytes.Compare(hi, c.start) < 0 {
		return false
	}
	return c.end == nil || bytes.Compare(lo, c.end) < 0
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

// readGroup loads the projected columns of row group rg. System columns
// a point lookup cached are borrowed (Retained, so release leaves the
// cache's reference intact); scans never add to the cache: a full scan
// would evict the lookups' working set.
func (c *cursor) readGroup(rg int) error {
	leaves := c.leaves
	sys, vals := c.cache.cachedGroup(c.r, rg)
	if vals != nil {
		c.fromCache(sys, vals)
		return nil
	}
	if sys != nil {
		leaves = leaves[sysColumns:]
	}
	g, err := readColumns(c.ctx, c.r.fr, c.seg.Path, leaves, rg, c.cols, sys)
	if err != nil {
		return err
	}
	c.groups++
	c.keys, c.seqs, c.dels = g.keys, g.seqs, g.dels
	copy(c.vals, g.vals)
	return nil
}

// fromCache takes a row group whose every column a point lookup decoded.
func (c *cursor) fromCache(g *group, vals []arrow.Array) {
	j := 0
	for i, rc := range c.cols {
		for c.r.cols[j].id != rc.id {
			j++ // c.cols is a subsequence of the segment's columns
		}
		c.vals[i] = vals[j]
		c.vals[i].Retain()
	}
	c.keys, c.seqs, c.dels = g.keys, g.seqs, g.dels
	for _, a := range []arrow.Array{c.keys, c.seqs, c.dels} {
		a.Retain()
	}
	c.groups++
}

// groupCols are the decoded columns of one row group.
type groupCols struct {
	keys *array.Binary
	seqs *array.Int64
	dels *array.Boolean
	vals []arrow.Array // parallel to the projected columns
}

// readColumns decodes row group rg of fr: the system columns (unless sys
// holds them already; leaves then omit them) and cols.
func readColumns(ctx context.Context, fr *pqarrow.FileReader, path string, leaves []int, rg int, cols []readCol, sys *group) (groupCols, error) {
	var g groupCols
	if sys != nil {
		for _, a := range []arrow.Array{sys.keys, sys.seqs, sys.dels} {
			a.Retain()
		}
		g.keys, g.seqs, g.dels = sys.keys, sys.seqs, sys.dels
		if len(cols) == 0 {
			return g, nil
		}
	}
	tbl, err := fr.ReadRowGroups(ctx, leaves, []int{rg})
	if err != nil {
		if sys != nil {
			releaseAll(g.keys, g.seqs, g.dels)
		}
		return groupCols{}, fmt.Errorf("read segment %s: %w: %v", path, ErrCorrupt, err)
	}
	defer tbl.Release()
	col := func(name string) (arrow.Array, error) {
		idx := tbl.Schema().FieldIndices(name)
		if len(idx) != 1 {
			return nil, fmt.Errorf("read segment %s: %w: no column %s", path, ErrCorrupt, name)
		}
		chunks := tbl.Column(idx[0]).Data().Chunks()
		if len(chunks) == 1 {
			chunks[0].Retain()
			return chunks[0], nil
		}
		return array.Concatenate(chunks, memory.DefaultAllocator)
	}
	if sys == nil {
		if g, err = systemColumns(path, col); err != nil {
			return g, err
		}
	}
	k, s, d := arrow.Array(g.keys), arrow.Array(g.seqs), arrow.Array(g.dels)
	g.vals = make([]arrow.Array, len(cols))
	for i, rc := range cols {
		a, err := col(rc.name)
		if err == nil && a.Len() != k.Len() {
			a.Release()
			err = fmt.Errorf("read segment %s: %w: column %s length", path, ErrCorrupt, rc.name)
		}
		if err != nil {
			releaseAll(append([]arrow.Array{k, s, d}, g.vals[:i]...)...)
			return groupCols{}, err
		}
		g.vals[i] = a
	}
	return g, nil
}

// systemColumns takes _key, _seq and _deleted from col and checks them.
func systemColumns(path string, col func(string) (arrow.Array, error)) (groupCols, error) {
	var g groupCols
	var ok1, ok2, ok3 bool
	k, err1 := col(colKey)
	s, err2 := col(colSeq)
	d, err3 := col(colDeleted)
	if err := firstErr(err1, err2, err3); err != nil {
		releaseAll(k, s, d)
		return g, err
	}
	g.keys, ok1 = k.(*array.Binary)
	g.seqs, ok2 = s.(*array.Int64)
	g.dels, ok3 = d.(*array.Boolean)
	if !ok1 || !ok2 || !ok3 || s.Len() != k.Len() || d.Len() != k.Len() || k.NullN()+s.NullN()+d.NullN() > 0 {
		releaseAll(k, s, d)
		return groupCols{}, fmt.Errorf("read segment %s: %w: system columns", path, ErrCorrupt)
	}
	return g, nil
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
	if c.r != nil {
		c.cache.release(c.r)
		c.r = nil
	}
}

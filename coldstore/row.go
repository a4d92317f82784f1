package coldstore

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/cockroachdb/apd/v3"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/types"
)

// rowFile opens a second view of a segment (sharing its file and parsed
// footer) for reading single rows: its column readers stream pages from
// the file instead of loading each column chunk whole. A lookup then
// touches only the page of each column that holds its row, found through
// the offset index when the segment has one (segments written before
// it have none: see readRow).
func rowFile(f *os.File, md *metadata.FileMetaData) (*file.Reader, error) {
	props := parquet.NewReaderProperties(memory.DefaultAllocator)
	props.BufferedStreamEnabled = true
	return file.NewParquetReader(f, file.WithMetadata(md), file.WithReadProps(props))
}

// readRow materializes row of g (every table column, encoded like
// Record.Data) without decoding the rest of the group. Flat columns are
// decoded straight from their page; nested ones (interval, arrays) go
// with their whole column chunk (see readNested).
// A group without an offset index (written before segments had one) is
// decoded whole instead: seeking would decompress every page before the
// row once per column.
func (r *segReader) readRow(ctx context.Context, g *group, row int) ([]byte, error) {
	ids := make([]uint32, len(r.cols))
	vals := make([]any, len(r.cols))
	if !g.paged {
		return r.readRowWhole(ctx, g, row, ids, vals)
	}
	// Column readers are reused across lookups of the group: a new one
	// allocates its page buffers (~50 KB) and rereads the dictionary.
	rr, _ := g.readers.Get().(*rowReaders)
	if rr == nil {
		rr = &rowReaders{crs: make([]file.ColumnChunkReader, len(r.cols))}
	}
	var nested []int
	for i, rc := range r.cols {
		ids[i] = rc.id
		if !rc.flat {
			nested = append(nested, i)
			continue
		}
		v, err := rr.readFlat(g.rows, i, rc, row)
		if err != nil {
			// Not returned to the pool: a failed reader's state is unknown.
			return nil, fmt.Errorf("read segment %s row group %d row %d column %d: %w", r.seg.Path, g.rg, row, rc.id, err)
		}
		vals[i] = v
	}
	g.readers.Put(rr)
	if len(nested) > 0 {
		if err := r.readNested(ctx, g, row, nested, vals); err != nil {
			return nil, fmt.Errorf("read segment %s row group %d row %d: %w", r.seg.Path, g.rg, row, err)
		}
	}
	return hotstore.EncodeRow(nil, ids, vals)
}

// rowReaders is a group's column readers (parallel to segReader.cols,
// made on first use) and the one-value buffers of their reads, pooled
// per group: buffers passed to ReadBatch escape, so keeping them here
// saves two allocations per column per lookup.
type rowReaders struct {
	crs  []file.ColumnChunkReader
	def  [1]int16
	b    [1]bool
	i32  [1]int32
	i64  [1]int64
	f32  [1]float32
	f64  [1]float64
	ba   [1]parquet.ByteArray
	flba [1]parquet.FixedLenByteArray
}

// readRowWhole decodes the table columns of g's row group and encodes row.
func (r *segReader) readRowWhole(ctx context.Context, g *group, row int, ids []uint32, vals []any) ([]byte, error) {
	cols, err := readColumns(ctx, r.fr, r.seg.Path, r.leaves[sysColumns:], g.rg, r.cols, g)
	if err != nil {
		return nil, err
	}
	defer releaseAll(append([]arrow.Array{cols.keys, cols.seqs, cols.dels}, cols.vals...)...)
	for i, rc := range r.cols {
		v, err := valueAt(cols.vals[i], rc.oid, row)
		if err != nil {
			return nil, fmt.Errorf("read segment %s column %d: %w", r.seg.Path, rc.id, err)
		}
		ids[i], vals[i] = rc.id, v
	}
	return hotstore.EncodeRow(nil, ids, vals)
}

// readFlat decodes one value of the single-leaf column r.cols[i] from the
// page that holds row.
func (rr *rowReaders) readFlat(rgr *file.RowGroupReader, i int, rc readCol, row int) (any, error) {
	if rr.crs[i] == nil {
		cr, err := rgr.Column(rc.leaf)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		rr.crs[i] = cr
	}
	cr := rr.crs[i]
	if err := cr.SeekToRow(int64(row)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	var (
		levels int64
		n      int
		v      any
		err    error
	)
	switch c := cr.(type) {
	case *file.BooleanColumnChunkReader:
		v, levels, n, err = readOne(c, rr.def[:], rr.b[:])
	case *file.Int32ColumnChunkReader:
		v, levels, n, err = readOne(c, rr.def[:], rr.i32[:])
	case *file.Int64ColumnChunkReader:
		v, levels, n, err = readOne(c, rr.def[:], rr.i64[:])
	case *file.Float32ColumnChunkReader:
		v, levels, n, err = readOne(c, rr.def[:], rr.f32[:])
	case *file.Float64ColumnChunkReader:
		v, levels, n, err = readOne(c, rr.def[:], rr.f64[:])
	case *file.ByteArrayColumnChunkReader:
		var b parquet.ByteArray
		b, levels, n, err = readOne(c, rr.def[:], rr.ba[:])
		v = []byte(b) // aliases the page: flatValue copies
	case *file.FixedLenByteArrayColumnChunkReader:
		var b parquet.FixedLenByteArray
		b, levels, n, err = readOne(c, rr.def[:], rr.flba[:])
		v = fixed(b)
	default:
		return nil, fmt.Errorf("%w: physical type %s", ErrCorrupt, cr.Type())
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	case levels != 1:
		return nil, fmt.Errorf("%w: row past the column's end", ErrCorrupt)
	case n == 0:
		return nil, nil // NULL
	}
	return flatValue(rc.oid, v)
}

// batchReader is what every typed column chunk reader offers.
type batchReader[T any] interface {
	ReadBatch(batchSize int64, values []T, defLvls, repLvls []int16) (total int64, valuesRead int, err error)
}

// readOne reads the value the reader stands at into buf[0] (n == 0:
// NULL) and clears buf so the pool does not keep the page alive.
func readOne[T any](r batchReader[T], def []int16, buf []T) (v T, levels int64, n int, err error) {
	levels, n, err = r.ReadBatch(1, buf[:1], def, nil)
	v = buf[0]
	var zero T
	buf[0] = zero
	return v, levels, n, err
}

// fixed marks a fixed-length value apart from a variable-length one.
type fixed []byte

// flatValue turns a Parquet physical value of a column of type oid into
// its types representation, as valueAt does for the Arrow array that
// pqarrow would decode (see arrowType for the mapping).
func flatValue(oid types.OID, v any) (any, error) {
	bad := func() (any, error) { return nil, fmt.Errorf("%w: %T for type %d", ErrCorrupt, v, oid) }
	switch x := v.(type) {
	case bool:
		if oid == types.Bool {
			return x, nil
		}
	case int32:
		switch oid {
		case types.Int4, types.Int2:
			return int64(x), nil
		case types.Date:
			return time.UnixMicro(int64(x) * 86_400_000_000).UTC(), nil
		}
	case int64:
		switch oid {
		case types.Int8, types.OIDType, types.Regclass, types.Regtype:
			return x, nil
		case types.Timestamptz, types.Timestamp:
			return time.UnixMicro(x).UTC(), nil
		case types.Time:
			return epoch2000.Add(time.Duration(x) * time.Microsecond), nil
		}
	case float32:
		if oid == types.Float4 {
			return float64(x), nil
		}
	case float64:
		if oid == types.Float8 {
			return x, nil
		}
	case []byte:
		switch oid {
		case types.Bytea:
			return append([]byte{}, x...), nil
		case types.Numeric:
			d, _, err := apd.NewFromString(string(x))
			if err != nil {
				return nil, fmt.Errorf("%w: numeric %q", ErrCorrupt, x)
			}
			return d, nil
		case types.Text, types.Varchar, types.Bpchar, types.Name, types.Char, types.JSON, types.JSONB:
			return string(x), nil
		}
	case fixed:
		if oid == types.UUIDOID && len(x) == 16 {
			var u types.UUID
			copy(u[:], x)
			return u, nil
		}
	}
	return bad()
}

// readNested decodes the columns r.cols[i] for i in idx (nested types)
// of g's row group whole, and puts row's values in vals. pqarrow's
// seeking record reader would read just the row's pages, but it fails
// on some lists (int8[] across pages: "number of decoded rep/def levels
// did not match"), and nested columns are rare in chat tables.
func (r *segReader) readNested(ctx context.Context, g *group, row int, idx []int, vals []any) error {
	var leaves []int
	cols := make([]readCol, len(idx))
	for j, i := range idx {
		cols[j] = r.cols[i]
		for l := range r.cols[i].leaves {
			leaves = append(leaves, r.cols[i].leaf+l)
		}
	}
	gc, err := readColumns(ctx, r.fr, r.seg.Path, leaves, g.rg, cols, g)
	if err != nil {
		return err
	}
	defer releaseAll(append([]arrow.Array{gc.keys, gc.seqs, gc.dels}, gc.vals...)...)
	for j, i := range idx {
		v, err := valueAt(gc.vals[j], cols[j].oid, row)
		if err != nil {
			return fmt.Errorf("column %d: %w", cols[j].id, err)
		}
		vals[i] = v
	}
	return nil
}

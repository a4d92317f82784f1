package coldstore

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/types"
)

// defaultGroupRows bounds a row group: the unit a reader loads at once, so it
// also bounds the memory of a scan per open segment (~1 MB of chat rows),
// the work of a newest-first LIMIT query and the cost of a point lookup
// that misses the read cache. Measured on 100k chat rows: 16384 rows per
// group 88.4 bytes/row and ~10 ms CPU per group decode; 4096 rows 89.0
// bytes/row (+0.7%) and ~2.5 ms; 1024 rows 93.6 bytes/row.
const defaultGroupRows = 4096

// defaultPageBytes bounds a data page (before compression), the unit a
// point lookup decompresses per column: with the page index the lookup
// reads only the page holding its row. Pages end at write batches, so a
// wide column's pages are one batch (~16 KB of chat text) whatever the
// bound, while narrow columns (ids, timestamps, short text) get pages of
// ~4 KB instead of ~16 KB. See writerProps for the measurements.
const defaultPageBytes = 4 << 10

// dictPagesPerPage scales the dictionary page limit from pageBytes: a
// dictionary of up to 16 KB keeps low-cardinality columns dictionary
// encoded as before pages shrank to 4 KB.
const dictPagesPerPage = 4

// writeBatchRows is how many values the Parquet writer takes between page
// size checks: 64 chat messages are ~16 KB, so pages overshoot
// pageBytes by at most that.
const writeBatchRows = 64

// layout is how a segment's rows are cut into row groups and pages.
type layout struct {
	groupRows int
	pageBytes int
}

// colSpec is one table column being written.
type colSpec struct {
	id      uint32
	typ     types.Type
	missing any  // value of rows that lack the column (ADD COLUMN ... DEFAULT)
	stats   bool // keep min/max
}

// segmentWriter streams rows sorted by key into a temp Parquet file and
// collects the segment's manifest entry.
type segmentWriter struct {
	dir, name string
	f         *os.File
	bw        *bufio.Writer
	rb        *array.RecordBuilder
	fw        *pqarrow.FileWriter
	cols      []colSpec
	pos       map[uint32]int
	vals      []any
	seen      []bool
	inBatch   int
	seg       Segment
	keyBuf    []byte
	layout    layout
	op        string     // "flush" or "compact", for failpoints
	fail      *failpoint // nil: none
}

// writerOnly hides Close so the Parquet writer cannot close the file
// before it is flushed and fsynced.
type writerOnly struct{ io.Writer }

// writerProps are the Parquet settings of every segment; cols are its
// table columns. The page index (offset index per column chunk) lets a
// point lookup seek to the page of its row; segments written before it
// had none and are read by scanning page headers instead. The writer
// checks the page size every write batch, so the batch is small enough
// for pages to end near pageBytes.
//
// Dictionaries are capped at a few pages (a lookup of a dictionary-encoded
// page decodes the whole dictionary, once per pooled column reader) and
// dropped when the first page shows plain encoding is smaller (unique
// ids, message text), the check parquet-mr does; low-cardinality columns
// keep theirs.
//
// Measured on 20k chat rows (id, conversation, ~250 bytes of text):
// 1 MiB pages 89 bytes/row and ~2.5 ms to read one row; 64 KiB 98 bytes/row;
// 32 KiB 104; 16 KiB 112 and ~0.15 ms; 8 KiB 127. The default trades a
// quarter more disk for reads of single rows an order of magnitude faster.
// Measured later on 300k rows of W2's shape (id, conversation, sender,
// 210 bytes of text, timestamp), CPU of a lookup that reads pages:
// 16 KiB pages 143 µs and 62 bytes/row (repetitive text) or 75 µs and
// 113 bytes/row (Zipf text); 4 KiB 86 µs / 69 bytes/row and 50 µs / 114:
// zstd decompression of the row's pages is most of a lookup, and only the
// narrow columns' pages shrink (see defaultPageBytes), which costs little
// disk. Fixed-width columns (numbers, times, uuids, booleans) then use
// LZ4_RAW, which decompresses several times faster than zstd and loses
// little on them: 55 µs / 75 bytes/row and 41 µs / 120 bytes/row. LZ4 for
// text too would halve that again for half again as much disk (Zipf
// text); 4 KiB text pages (smaller write batches) cost a third more disk
// for no clear gain.
func writerProps(l layout, cols []arrow.Field) *parquet.WriterProperties {
	props := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithMaxRowGroupLength(int64(l.groupRows)),
		parquet.WithDataPageSize(int64(l.pageBytes)),
		parquet.WithDictionaryPageSizeLimit(int64(dictPagesPerPage * l.pageBytes)),
		parquet.WithBatchSize(writeBatchRows),
		parquet.WithPageIndexEnabled(true),
		parquet.WithDictionaryFor(colKey, false),
		parquet.WithDictionaryFor(colSeq, false),
		parquet.WithEncodingFor(colSeq, parquet.Encodings.DeltaBinaryPacked),
		parquet.WithSortingColumns([]parquet.SortingColumn{{ColumnIdx: 0}}),
		parquet.WithCreatedBy("kalamdb coldstore"),
	}
	for _, f := range cols {
		if _, nested := f.Type.(arrow.NestedType); !nested {
			props = append(props, parquet.WithDictionaryCostFallbackFor(f.Name, true))
		}
		if _, fixed := f.Type.(arrow.FixedWidthDataType); fixed {
			props = append(props, parquet.WithCompressionFor(f.Name, compress.Codecs.Lz4Raw))
		}
	}
	return parquet.NewWriterProperties(props...)
}

// arrowSchema builds the file schema of cols.
func arrowSchema(cols []catalog.Column) (*arrow.Schema, error) {
	fields := []arrow.Field{
		{Name: colKey, Type: arrow.BinaryTypes.Binary},
		{Name: colSeq, Type: arrow.PrimitiveTypes.Int64},
		{Name: colDeleted, Type: arrow.FixedWidthTypes.Boolean},
	}
	for _, c := range cols {
		at, err := arrowType(c.Type.OID)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		fields = append(fields, arrow.Field{
			Name: fieldName(c.ID), Type: at, Nullable: true,
			Metadata: arrow.NewMetadata(
				[]string{metaName, metaID, metaOID, metaMod},
				[]string{c.Name, strconv.FormatUint(uint64(c.ID), 10),
					strconv.FormatUint(uint64(c.Type.OID), 10), strconv.FormatInt(int64(c.Type.Mod), 10)}),
		})
	}
	return arrow.NewSchema(fields, nil), nil
}

func newSegmentWriter(dir, name string, cols []catalog.Column, schemaVersion int64, l layout) (*segmentWriter, error) {
	sc, err := arrowSchema(cols)
	if err != nil {
		return nil, err
	}
	w := &segmentWriter{
		dir: dir, name: name, layout: l, pos: make(map[uint32]int, len(cols)),
		vals: make([]any, len(cols)), seen: make([]bool, len(cols)),
		seg: Segment{Path: name, SchemaVersion: schemaVersion},
	}
	for i, c := range cols {
		spec := colSpec{id: c.ID, typ: c.Type, stats: statsKind(c.Type.OID)}
		if c.HasMissing && c.Missing != "" {
			if spec.missing, err = types.ParseText(c.Type, c.Missing, time.UTC); err != nil {
				return nil, fmt.Errorf("column %s missing value: %w", c.Name, err)
			}
		}
		w.cols = append(w.cols, spec)
		w.pos[c.ID] = i
		w.seg.Columns = append(w.seg.Columns, ColumnStats{ID: c.ID, Name: c.Name, OID: uint32(c.Type.OID), Mod: c.Type.Mod})
	}
	if err := mkdirAll(dir); err != nil {
		return nil, err
	}
	if w.f, err = os.CreateTemp(dir, tmpPrefix+"*"); err != nil {
		return nil, fmt.Errorf("create segment: %w", err)
	}
	w.bw = bufio.NewWriterSize(w.f, 1<<20)
	w.fw, err = pqarrow.NewFileWriter(sc, writerOnly{w.bw}, writerProps(w.layout, sc.Fields()[sysColumns:]),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		w.abort()
		return nil, fmt.Errorf("create segment: %w", err)
	}
	w.rb = array.NewRecordBuilder(memory.DefaultAllocator, sc)
	return w, nil
}

// add appends one row. fill reports the row's values through set; it is
// not called for tombstones, whose columns are all NULL.
func (w *segmentWriter) add(key []byte, seq int64, deleted bool, fill func(set func(id uint32, v any)) error) error {
	if w.seg.Rows > 0 && bytes.Compare(key, w.seg.MaxKey) <= 0 {
		return fmt.Errorf("%w: %x after %x", ErrUnsorted, key, w.seg.MaxKey)
	}
	clear(w.vals)
	clear(w.seen)
	if !deleted {
		err := fill(func(id uint32, v any) {
			if i, ok := w.pos[id]; ok {
				w.vals[i], w.seen[i] = v, true
			}
		})
		if err != nil {
			return err
		}
		for i := range w.cols {
			if !w.seen[i] {
				w.vals[i] = w.cols[i].missing
			}
		}
	}
	w.rb.Field(0).(*array.BinaryBuilder).Append(key)
	w.rb.Field(1).(*array.Int64Builder).Append(seq)
	w.rb.Field(2).(*array.BooleanBuilder).Append(deleted)
	for i := range w.cols {
		if err := appendArrow(w.rb.Field(sysColumns+i), w.cols[i].typ.OID, w.vals[i]); err != nil {
			return fmt.Errorf("column %d: %w", w.cols[i].id, err)
		}
		w.track(i, w.vals[i])
	}
	if w.seg.Rows == 0 {
		w.seg.MinKey, w.seg.MinSeq, w.seg.MaxSeq = bytes.Clone(key), seq, seq
	}
	w.seg.MaxKey = append(w.seg.MaxKey[:0], key...)
	w.seg.MinSeq, w.seg.MaxSeq = min(w.seg.MinSeq, seq), max(w.seg.MaxSeq, seq)
	w.seg.Rows++
	if deleted {
		w.seg.Tombstones++
	}
	if w.inBatch++; w.inBatch == w.layout.groupRows {
		return w.writeBatch()
	}
	return nil
}

// track updates column i's null count and min/max.
func (w *segmentWriter) track(i int, v any) {
	st := &w.seg.Columns[i]
	if v == nil {
		st.Nulls++
		return
	}
	if !w.cols[i].stats {
		return
	}
	enc, err := hotstore.AppendKey(w.keyBuf[:0], v)
	w.keyBuf = enc
	if err != nil {
		// Not orderable after all: keep no bounds rather than wrong ones.
		w.cols[i].stats, st.Min, st.Max = false, nil, nil
		return
	}
	if st.Min == nil || bytes.Compare(enc, st.Min) < 0 {
		st.Min = append(st.Min[:0], enc...)
	}
	if st.Max == nil || bytes.Compare(enc, st.Max) > 0 {
		st.Max = append(st.Max[:0], enc...)
	}
}

// writeBatch writes the buffered rows as one row group.
func (w *segmentWriter) writeBatch() error {
	rec := w.rb.NewRecordBatch()
	defer rec.Release()
	w.inBatch = 0
	if err := w.fw.Write(rec); err != nil {
		return fmt.Errorf("write segment: %w", err)
	}
	return nil
}

// finish makes the segment durable under its final name and returns its
// manifest entry. With no rows it writes nothing and returns ok=false.
func (w *segmentWriter) finish() (seg Segment, ok bool, err error) {
	if w.seg.Rows == 0 {
		w.abort()
		return Segment{}, false, nil
	}
	if w.inBatch > 0 {
		if err := w.writeBatch(); err != nil {
			w.abort()
			return Segment{}, false, err
		}
	}
	err = w.fw.Close()
	w.fw = nil
	if err == nil {
		err = w.bw.Flush()
	}
	if err == nil {
		err = w.f.Sync()
	}
	var fi os.FileInfo
	if err == nil {
		fi, err = w.f.Stat()
	}
	if err != nil {
		w.abort()
		return Segment{}, false, fmt.Errorf("write segment: %w", err)
	}
	tmp := w.f.Name()
	w.f.Close()
	w.f = nil
	w.rb.Release()
	w.fail.reach(w.op + "-temp-written")
	final := filepath.Join(w.dir, w.name)
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return Segment{}, false, fmt.Errorf("write segment: %w", err)
	}
	if err := syncDir(w.dir); err != nil {
		return Segment{}, false, err
	}
	w.fail.reach(w.op + "-renamed")
	w.seg.Bytes = fi.Size()
	return w.seg, true, nil
}

// abort drops the temp file.
func (w *segmentWriter) abort() {
	if w.fw != nil {
		w.fw.Close()
		w.fw = nil
	}
	if w.rb != nil {
		w.rb.Release()
		w.rb = nil
	}
	if w.f != nil {
		w.f.Close()
		os.Remove(w.f.Name())
		w.f = nil
	}
}

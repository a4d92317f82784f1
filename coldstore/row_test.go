package coldstore

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/types"
)

// typedSchema has a column of every stored type.
var typedSchema = []catalog.Column{
	col(1, "b", types.Bool), col(2, "i8", types.Int8), col(3, "i4", types.Int4),
	col(4, "i2", types.Int2), col(5, "f8", types.Float8), col(6, "f4", types.Float4),
	col(7, "num", types.Numeric), col(8, "txt", types.Text), col(9, "vc", types.Varchar),
	col(10, "by", types.Bytea), col(11, "js", types.JSON), col(12, "jb", types.JSONB),
	col(13, "u", types.UUIDOID), col(14, "ts", types.Timestamp), col(15, "tz", types.Timestamptz),
	col(16, "d", types.Date), col(17, "tm", types.Time), col(18, "iv", types.IntervalOID),
	col(19, "ta", types.TextArray), col(20, "ia", types.Int8Array), col(21, "bp", types.Bpchar),
	col(22, "oid", types.OIDType), col(23, "ua", types.UUIDArray),
}

// typedRows makes n rows of typedSchema, keys 3i (so lookups between
// them miss): tombstones, all-NULL rows, rows with scattered NULLs and
// rows with values larger than a page.
func typedRows(t testing.TB, n int) []row {
	base := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)
	rows := make([]row, n)
	for i := range rows {
		r := row{key: intKey(t, int64(3*i)), seq: int64(1000 + i)}
		switch {
		case i%7 == 3:
			r.deleted = true
		case i%7 == 5:
			r.vals = map[uint32]any{} // every column NULL
		default:
			d, err := types.ParseText(types.Of(types.Numeric), fmt.Sprintf("%d.%03d", i*7919, i%1000), time.UTC)
			if err != nil {
				t.Fatalf("numeric: %v", err)
			}
			txt := fmt.Sprintf("row %d says %s", i, strings.Repeat("ab", i%13))
			if i%11 == 0 {
				txt = strings.Repeat(fmt.Sprintf("large %d ", i), 3000) // ~30 KB
			}
			r.vals = map[uint32]any{
				1: i%2 == 0, 2: int64(i) * -1_000_000_007, 3: int64(i * 31), 4: int64(i % 32000), 5: float64(i) / 7,
				6: float64(float32(i) / 3), 7: d, 8: txt, 9: fmt.Sprint("v", i), 10: []byte{byte(i), 0, byte(i >> 8)},
				11: fmt.Sprintf(`{"n": %d}`, i), 12: fmt.Sprintf(`{"m": %d}`, i),
				13: types.UUID{byte(i), byte(i >> 8), 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
				14: base.Add(time.Duration(i) * time.Hour), 15: base.Add(-time.Duration(i) * time.Minute),
				16: time.Date(1999, 1, 1+i, 0, 0, 0, 0, time.UTC), 17: time.Date(2000, 1, 1, i%24, i%60, 0, 0, time.UTC),
				18: types.Interval{Months: int32(i), Days: -int32(i), Micros: int64(i) * 1000},
				19: []any{"a", nil, fmt.Sprint(i)}, 20: []any{int64(i), nil}, 21: "bp  ", 22: int64(i),
				23: []any{types.UUID{byte(i)}},
			}
			for id := range r.vals {
				if (int(id)+i)%5 == 0 {
					r.vals[id] = nil
				}
			}
		}
		rows[i] = r
	}
	return rows
}

// checkRows checks that Get returns exactly rows (every column, absent ones
// NULL, tombstones with their seq) and nothing for the keys between them.
func checkRows(t *testing.T, s *Store, schema []catalog.Column, rows []row) {
	t.Helper()
	for i, r := range rows {
		got, ok, err := s.Get(t.Context(), testPart, r.key)
		if err != nil || !ok {
			t.Fatalf("row %d: %v %v", i, ok, err)
		}
		if got.Seq != r.seq || got.Deleted != r.deleted {
			t.Fatalf("row %d: seq %d deleted %v, want %d %v", i, got.Seq, got.Deleted, r.seq, r.deleted)
		}
		want := map[uint32]any{}
		if !r.deleted {
			for _, c := range schema {
				want[c.ID] = r.vals[c.ID]
			}
		}
		vals := map[uint32]any{}
		if err := hotstore.DecodeRow(got.Data, func(id uint32, v any) { vals[id] = v }); err != nil {
			t.Fatalf("row %d: decode: %v", i, err)
		}
		if g, w := normMap(vals), normMap(want); g != w {
			t.Fatalf("row %d:\n got %s\nwant %s", i, g, w)
		}
		if _, ok, err := s.Get(t.Context(), testPart, intKey(t, 3*int64(i)+1)); ok || err != nil {
			t.Fatalf("key %d: %v %v, want none", 3*i+1, ok, err)
		}
	}
}

// TestGetEveryRow looks up every row of segments with many row groups and
// many pages per column chunk, through the row cache and without it.
func TestGetEveryRow(t *testing.T) {
	s := openStore(t)
	s.groupRows, s.pageBytes = 256, 512 // pages end every writeBatchRows rows
	rows := typedRows(t, 600)
	seg := flush(t, s, testPart, typedSchema, rows...)

	p, err := s.partition(testPart.dir())
	if err != nil {
		t.Fatalf("partition: %v", err)
	}
	r, err := s.cache.acquire(p, seg)
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	rgs := r.pr.NumRowGroups()
	idx, err := r.pr.GetPageIndexReader().RowGroup(0)
	if err != nil || idx == nil {
		t.Fatalf("no page index: %v", err)
	}
	oi, err := idx.GetOffsetIndex(r.cols[7].leaf) // txt
	s.cache.release(r)
	if err != nil || oi == nil || len(oi.GetPageLocations()) < 4 || rgs < 3 {
		t.Fatalf("want several row groups and pages: %d groups, offset index %v %v", rgs, oi, err)
	}

	for _, groupBytes := range []int64{0, defaultCacheBytes, defaultCacheBytes} {
		s.SetCacheLimits(defaultCacheReaders, groupBytes)
		checkRows(t, s, typedSchema, rows)
	}

	// A newer segment over part of the key range: Get picks the newest
	// version, materializing rows of both segments.
	var newer []row
	for i := 200; i < 450; i += 3 {
		r := rows[i]
		r.seq += 10000
		if i%4 == 0 {
			r.deleted, r.vals = true, nil
		}
		newer = append(newer, r)
		rows[i] = r
	}
	flush(t, s, testPart, typedSchema, newer...)
	checkRows(t, s, typedSchema, rows)
}

// TestGetLegacySegment reads a partition written before segments had a
// page index (testdata/legacy: typedRows(t, 300) flushed with 64-row
// groups by the previous writer: 1 MiB pages, dictionaries, no index).
func TestGetLegacySegment(t *testing.T) {
	root := t.TempDir()
	dst := filepath.Join(root, testPart.dir())
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatalf("mkdir: %v", err)
	}
	src := filepath.Join("testdata", "legacy")
	for _, name := range listDir(t, src) {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatalf("read fixture: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), data, 0o644); err != nil {
			t.Fatalf("write fixture: %v", err)
		}
	}
	s, err := Open(root)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	segs, err := s.Segments(testPart)
	if err != nil || len(segs) != 1 {
		t.Fatalf("segments %v %v", segs, err)
	}
	rows := typedRows(t, 300)
	for _, groupBytes := range []int64{0, defaultCacheBytes} {
		s.SetCacheLimits(defaultCacheReaders, groupBytes)
		checkRows(t, s, typedSchema, rows)
	}
	out, _ := scan(t, s, testPart, ScanOptions{IncludeDeleted: true})
	if len(out) != len(rows) {
		t.Fatalf("scan: %d rows, want %d", len(out), len(rows))
	}
}

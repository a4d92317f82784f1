package coldstore

import (
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
)

// TestLayoutForLookups checks the default layout of a chat segment: a
// point lookup decompresses one page per column, so narrow columns get
// small pages (a 4096-row int8 chunk in several pages, not two of 16 KB)
// and fixed-width ones the faster codec, while text keeps zstd. Every
// sampled row still reads back, through pages and through the group cache.
func TestLayoutForLookups(t *testing.T) {
	s := openStore(t)
	rows := chatRows(t, defaultGroupRows+100)
	seg := flush(t, s, testPart, chatSchema, rows...)

	r, err := file.OpenParquetFile(filepath.Join(partDir(s, testPart), seg.Path), false)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer r.Close()
	idx, err := r.GetPageIndexReader().RowGroup(0)
	if err != nil || idx == nil {
		t.Fatalf("page index: %v", err)
	}
	for _, c := range []struct {
		leaf     int
		codec    compress.Compression
		minPages int
	}{
		{sysColumns + 0, compress.Codecs.Lz4Raw, 6}, // msg_id: 4096 x 8 bytes
		{sysColumns + 2, compress.Codecs.Zstd, 40},  // content: ~250 bytes a row
	} {
		cc, err := r.MetaData().RowGroup(0).ColumnChunk(c.leaf)
		if err != nil {
			t.Fatalf("column %d: %v", c.leaf, err)
		}
		if got := cc.Compression(); got != c.codec {
			t.Fatalf("column %d: codec %v, want %v", c.leaf, got, c.codec)
		}
		oi, err := idx.GetOffsetIndex(c.leaf)
		if err != nil {
			t.Fatalf("offset index %d: %v", c.leaf, err)
		}
		if got := len(oi.GetPageLocations()); got < c.minPages {
			t.Fatalf("column %d: %d pages in a %d-row group, want at least %d", c.leaf, got, defaultGroupRows, c.minPages)
		}
	}

	var sample []row
	for i := 0; i < len(rows); i += 7 {
		sample = append(sample, rows[i])
	}
	for _, groupBytes := range []int64{0, defaultCacheBytes} {
		s.SetCacheLimits(defaultCacheReaders, groupBytes)
		checkRows(t, s, chatSchema, sample)
	}
}

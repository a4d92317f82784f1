package coldstore

import (
	"fmt"
	"slices"
	"testing"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/types"
)

var chatSchema = []catalog.Column{col(1, "msg_id", types.Int8), col(2, "conversation_id", types.Text), col(3, "content", types.Text)}

func msg(t testing.TB, id, seq int64, conv, content string) row {
	return row{key: intKey(t, id), seq: seq, vals: map[uint32]any{1: id, 2: conv, 3: content}}
}

func tomb(t testing.TB, id, seq int64) row { return row{key: intKey(t, id), seq: seq, deleted: true} }

func keysOf(out []got) []string {
	var ks []string
	for _, g := range out {
		ks = append(ks, g.key)
	}
	return ks
}

func TestMergeNewestWins(t *testing.T) {
	s := openStore(t)
	var first, second []row
	for i := int64(1); i <= 10; i++ {
		first = append(first, msg(t, i, i, "c1", fmt.Sprintf("old %d", i)))
	}
	for i := int64(5); i <= 15; i++ {
		if i == 7 {
			second = append(second, tomb(t, 7, 107))
			continue
		}
		second = append(second, msg(t, i, 100+i, "c1", fmt.Sprintf("new %d", i)))
	}
	// An older version flushed later (a replayed flush) must still lose.
	third := []row{msg(t, 6, 3, "c1", "stale")}
	flush(t, s, testPart, chatSchema, first...)
	flush(t, s, testPart, chatSchema, second...)
	flush(t, s, testPart, chatSchema, third...)

	out, _ := scan(t, s, testPart, ScanOptions{})
	if len(out) != 14 {
		t.Fatalf("got %d rows, want 14", len(out))
	}
	for _, g := range out {
		id := g.key
		if g.deleted {
			t.Fatalf("tombstone %s returned without IncludeDeleted", id)
		}
	}
	want := map[int64]string{4: "old 4", 5: "new 5", 6: "new 6", 8: "new 8", 15: "new 15"}
	for id, content := range want {
		i := slices.Index(keysOf(out), fmt.Sprintf("%x", intKey(t, id)))
		if i < 0 {
			t.Fatalf("key %d missing", id)
		}
		if !containsStr(out[i].vals, content) {
			t.Fatalf("key %d: got %s, want content %q", id, out[i].vals, content)
		}
	}

	all, _ := scan(t, s, testPart, ScanOptions{IncludeDeleted: true})
	i := slices.Index(keysOf(all), fmt.Sprintf("%x", intKey(t, 7)))
	if len(all) != 15 || i < 0 || !all[i].deleted || all[i].seq != 107 || all[i].vals != "map[]" {
		t.Fatalf("with tombstones: %d rows, key 7 at %d: %+v", len(all), i, all[i])
	}

	rev, _ := scan(t, s, testPart, ScanOptions{Reverse: true})
	slices.Reverse(rev)
	if fmt.Sprint(rev) != fmt.Sprint(out) {
		t.Fatalf("reverse scan differs:\n%v\n%v", rev, out)
	}

	// Key range [5, 9) and as-of / after-seq views.
	rng, _ := scan(t, s, testPart, ScanOptions{Start: intKey(t, 5), End: intKey(t, 9)})
	if got := len(rng); got != 3 { // 5, 6, 8
		t.Fatalf("range: %d rows, want 3", got)
	}
	asOf, _ := scan(t, s, testPart, ScanOptions{MaxSeq: 10})
	if len(asOf) != 10 || !containsStr(asOf[6].vals, "old 7") {
		t.Fatalf("as of seq 10: %d rows, row 7 %v", len(asOf), asOf)
	}
	after, _ := scan(t, s, testPart, ScanOptions{AfterSeq: 100, IncludeDeleted: true})
	if len(after) != 11 {
		t.Fatalf("after seq 100: %d rows, want 11", len(after))
	}
}

func containsStr(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestSchemaEvolution(t *testing.T) {
	s := openStore(t)
	v1 := []catalog.Column{col(1, "id", types.Int8), col(2, "dropped", types.Text)}
	flush(t, s, testPart, v1, row{key: intKey(t, 1), seq: 1, vals: map[uint32]any{1: int64(1), 2: "gone"}})

	// ALTER TABLE DROP COLUMN dropped, ADD COLUMN added int DEFAULT 42.
	added := col(3, "added", types.Int4)
	added.Missing, added.HasMissing = "42", true
	v2 := []catalog.Column{col(1, "id", types.Int8), added}
	// A hot row written before the ADD (no column 3) and one after.
	flush(t, s, testPart, v2,
		row{key: intKey(t, 2), seq: 2, vals: map[uint32]any{1: int64(2), 2: "stale hot value"}},
		row{key: intKey(t, 3), seq: 3, vals: map[uint32]any{1: int64(3), 3: int64(7)}})

	out, _ := scan(t, s, testPart, ScanOptions{Columns: []uint32{1, 3}})
	want := []string{"map[1:1]", "map[1:2 3:42]", "map[1:3 3:7]"}
	for i, g := range out {
		if g.vals != want[i] {
			t.Fatalf("row %d: got %s, want %s", i, g.vals, want[i])
		}
	}
	if len(out) != len(want) {
		t.Fatalf("got %d rows", len(out))
	}

	// Compaction rewrites old rows in the current schema.
	if _, err := s.Compact(t.Context(), testPart, v2, 2); err != nil {
		t.Fatalf("compact: %v", err)
	}
	out, _ = scan(t, s, testPart, ScanOptions{})
	want = []string{"map[1:1 3:42]", "map[1:2 3:42]", "map[1:3 3:7]"}
	for i, g := range out {
		if g.vals != want[i] {
			t.Fatalf("after compaction row %d: got %s, want %s", i, g.vals, want[i])
		}
	}
}

func TestPruning(t *testing.T) {
	s := openStore(t)
	for seg := int64(0); seg < 3; seg++ {
		var rows []row
		for i := int64(0); i < 100; i++ {
			id := seg*100 + i
			rows = append(rows, msg(t, id, id+1, fmt.Sprintf("conv%d", seg), "x"))
		}
		flush(t, s, testPart, chatSchema, rows...)
	}
	tests := []struct {
		name           string
		opts           ScanOptions
		rows           int
		opened, shadow int
	}{
		{"all", ScanOptions{}, 300, 3, 0},
		{"equal", ScanOptions{Equal: []Equal{{2, "conv1"}}}, 100, 1, 0},
		{"equal absent value", ScanOptions{Equal: []Equal{{2, "nope"}}}, 0, 0, 0},
		{"equal other type", ScanOptions{Equal: []Equal{{2, int64(1)}}}, 300, 3, 0},
		{"after seq", ScanOptions{AfterSeq: 200}, 100, 1, 0},
		{"max seq", ScanOptions{MaxSeq: 50}, 50, 1, 0},
		{"key range", ScanOptions{Start: intKey(t, 150), End: intKey(t, 160)}, 10, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, st := scan(t, s, testPart, tt.opts)
			if len(out) != tt.rows || st.Opened != tt.opened || st.Shadowed != tt.shadow {
				t.Fatalf("rows %d opened %d shadowed %d; want %d %d %d", len(out), st.Opened, st.Shadowed, tt.rows, tt.opened, tt.shadow)
			}
		})
	}
}

// A segment pruned by a predicate must still hide older versions of its
// keys, or an updated (or deleted) row would reappear with old values.
func TestPruningKeepsShadows(t *testing.T) {
	s := openStore(t)
	flush(t, s, testPart, chatSchema, msg(t, 1, 1, "c1", "a"), msg(t, 2, 2, "c1", "b"), msg(t, 3, 3, "c1", "c"))
	flush(t, s, testPart, chatSchema, msg(t, 1, 10, "c2", "moved"), tomb(t, 2, 11))
	out, st := scan(t, s, testPart, ScanOptions{Equal: []Equal{{2, "c1"}}})
	if len(out) != 1 || !containsStr(out[0].vals, "str:c") {
		t.Fatalf("got %v, want only key 3", out)
	}
	if st.Opened != 1 || st.Shadowed != 1 {
		t.Fatalf("opened %d shadowed %d, want 1 1", st.Opened, st.Shadowed)
	}
}

func TestReverseLimitReadsNewestSegment(t *testing.T) {
	s := openStore(t)
	const per = 1000
	for seg := int64(0); seg < 5; seg++ {
		var rows []row
		for i := int64(0); i < per; i++ {
			id := seg*per + i
			rows = append(rows, msg(t, id, id+1, "c", "x"))
		}
		flush(t, s, testPart, chatSchema, rows...)
	}
	for _, reverse := range []bool{true, false} {
		it, err := s.Scan(t.Context(), testPart, ScanOptions{Reverse: reverse})
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		var ids []int64
		for len(ids) < 20 && it.Next() {
			it.Values(func(id uint32, v any) {
				if id == 1 {
					ids = append(ids, v.(int64))
				}
			})
		}
		st := it.Stats()
		it.Close()
		first, last := int64(0), int64(19)
		if reverse {
			first, last = 5*per-1, 5*per-20
		}
		if len(ids) != 20 || ids[0] != first || ids[19] != last {
			t.Fatalf("reverse=%v: ids %v", reverse, ids)
		}
		if st.Opened != 1 || st.RowGroups != 1 {
			t.Fatalf("reverse=%v: opened %d segments, %d row groups; want 1, 1", reverse, st.Opened, st.RowGroups)
		}
	}
}

func TestTableIDMismatchHidesOldTable(t *testing.T) {
	s := openStore(t)
	flush(t, s, testPart, chatSchema, msg(t, 1, 1, "c", "old table"))
	recreated := testPart
	recreated.Table++
	if out, _ := scan(t, s, recreated, ScanOptions{}); len(out) != 0 {
		t.Fatalf("recreated table sees %d old rows", len(out))
	}
	if names := listDir(t, partDir(s, testPart)); !slices.Equal(names, []string{manifestName}) {
		t.Fatalf("files after discard: %v", names)
	}
}

// Row groups are loaded lazily and skipped by their _key statistics.
func TestRowGroups(t *testing.T) {
	s := openStore(t)
	s.groupRows = 100
	var rows []row
	for i := int64(0); i < 1000; i++ {
		rows = append(rows, msg(t, i, i+1, "c", fmt.Sprint(i)))
	}
	flush(t, s, testPart, chatSchema, rows...)
	tests := []struct {
		name      string
		opts      ScanOptions
		rows      int
		rowGroups int
	}{
		{"all", ScanOptions{}, 1000, 10},
		{"range inside one group", ScanOptions{Start: intKey(t, 410), End: intKey(t, 420)}, 10, 1},
		{"range across groups", ScanOptions{Start: intKey(t, 450), End: intKey(t, 650)}, 200, 3},
		{"reverse range", ScanOptions{Start: intKey(t, 450), End: intKey(t, 650), Reverse: true}, 200, 3},
		{"start only", ScanOptions{Start: intKey(t, 950)}, 50, 1},
		{"end only reverse", ScanOptions{End: intKey(t, 50), Reverse: true}, 50, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, st := scan(t, s, testPart, tt.opts)
			if len(out) != tt.rows || st.RowGroups != tt.rowGroups {
				t.Fatalf("rows %d row groups %d; want %d %d", len(out), st.RowGroups, tt.rows, tt.rowGroups)
			}
			for i := 1; i < len(out); i++ {
				if (out[i-1].key < out[i].key) == tt.opts.Reverse {
					t.Fatalf("rows out of order at %d", i)
				}
			}
		})
	}
}

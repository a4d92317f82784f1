package sql

import (
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/coldstore"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/pgerr"
)

// newTieredEngine opens an engine with an on-disk hot store and a cold
// tier in one temporary data directory.
func newTieredEngine(t *testing.T) *Engine {
	t.Helper()
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	store, err := hotstore.Open(dir+"/hot", hotstore.Options{Durability: hotstore.Async, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	cold, err := coldstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cold.Close(); err != nil {
			t.Errorf("close cold: %v", err)
		}
		if err := store.Close(); err != nil {
			t.Errorf("close hot: %v", err)
		}
	})
	cat, err := catalog.Open(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	return NewEngine(Config{Store: store, Cold: cold, ExportDir: dir + "/exports", Catalog: cat, Logger: log, Version: "test"})
}

func TestFlushAndMergedReads(t *testing.T) {
	e := newTieredEngine(t)
	root := newTestSession(t, e, "root")
	runSteps(t, root, []step{
		{sql: "CREATE TABLE m (id bigint PRIMARY KEY, body text) WITH (type = 'user')"},
		{sql: "CREATE TABLE s (id bigint PRIMARY KEY, n int) WITH (type = 'stream', ttl = '1h')"},
		{sql: "CREATE USER user_a"},
		{sql: "CREATE USER user_b"},
		{sql: "SET ROLE user_a"},
		{sql: "INSERT INTO m VALUES (1, 'a1'), (2, 'a2'), (3, 'a3')"},
		{sql: "DELETE FROM m WHERE id = 3"},
		{sql: "SET ROLE user_b"},
		{sql: "INSERT INTO m VALUES (1, 'b1')"},
		{sql: "RESET ROLE"},
		// 3 live rows and 1 tombstone move to Parquet.
		{sql: "SELECT kalamdb_flush('public.m')", want: "SELECT 1: 4"},
		{sql: "SELECT kalamdb_flush('public.m')", want: "SELECT 1: 0"},
		{sql: "SELECT kalamdb_flush('s')", code: pgerr.WrongObjectType},
		{sql: "SET ROLE user_a"},
		{sql: "SELECT id, body FROM m ORDER BY id", want: "SELECT 2: 1,a1; 2,a2"},
		{sql: "SELECT id, body FROM m ORDER BY id DESC LIMIT 1", want: "SELECT 1: 2,a2"},
		{sql: "SELECT body FROM m WHERE id = 2", want: "SELECT 1: a2"},
		// Rows that live only in Parquet can change.
		{sql: "UPDATE m SET body = 'a2!' WHERE id = 2"},
		{sql: "DELETE FROM m WHERE id = 1"},
		{sql: "INSERT INTO m VALUES (4, 'a4')"},
		{sql: "SELECT id, body FROM m ORDER BY id", want: "SELECT 2: 2,a2!; 4,a4"},
		{sql: "RESET ROLE"},
		{sql: "SELECT kalamdb_flush_all()", want: "SELECT 1: 3"},
		{sql: "SET ROLE user_a"},
		{sql: "SELECT id, body FROM m ORDER BY id", want: "SELECT 2: 2,a2!; 4,a4"},
		{sql: "SELECT body FROM m WHERE id = 1", want: "SELECT 0: "},
		{sql: "SET ROLE user_b"},
		{sql: "SELECT id, body FROM m", want: "SELECT 1: 1,b1"},
		{sql: "SELECT kalamdb_flush_all()", code: pgerr.InsufficientPrivilege},
	})
}

func TestFlushKeepsRacingWrites(t *testing.T) {
	e := newTieredEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE m (id bigint PRIMARY KEY, v int)"},
		{sql: "INSERT INTO m VALUES (1, 1), (2, 1)"},
	})
	tbl, _ := e.cat.Table("public", "m")
	part := hotstore.Partition{Table: tbl.ID}
	ctx := context.Background()
	// Flush the snapshot, but let a write land between the segment and
	// the trim: the newer version must stay hot and win.
	src, _, err := e.flushSegment(ctx, tbl, part, coldstore.PartitionOf(tbl, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	runSteps(t, s, []step{{sql: "UPDATE m SET v = 2 WHERE id = 2"}})
	if err := e.trimFlushed(ctx, part, src.keys, src.seqs); err != nil {
		t.Fatal(err)
	}
	runSteps(t, s, []step{{sql: "SELECT id, v FROM m ORDER BY id", want: "SELECT 2: 1,1; 2,2"}})
}

func TestExportAndEraseUser(t *testing.T) {
	e := newTieredEngine(t)
	root := newTestSession(t, e, "root")
	runSteps(t, root, []step{
		{sql: "CREATE TABLE m (id bigint PRIMARY KEY, body text) WITH (type = 'user')"},
		{sql: "CREATE USER user_a"},
		{sql: "CREATE USER user_b"},
		{sql: "SET ROLE user_a"},
		{sql: "INSERT INTO m VALUES (1, 'a1')"},
		{sql: "SET ROLE user_b"},
		{sql: "INSERT INTO m VALUES (1, 'b1')"},
		{sql: "RESET ROLE"},
	})
	got, err := query(root, "SELECT kalamdb_export_user('user_a')")
	if err != nil || got == "SELECT 1: " {
		t.Fatalf("export: %q %v", got, err)
	}
	runSteps(t, root, []step{
		{sql: "SELECT kalamdb_erase_user('user_a')", want: "SELECT 1: 1"},
		{sql: "SELECT count(*) FROM user_a.m", want: "SELECT 1: 0"},
		{sql: "SELECT body FROM user_b.m", want: "SELECT 1: b1"},
	})
}

func TestFlusherAppliesPolicies(t *testing.T) {
	e := newTieredEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE byrows (id bigint PRIMARY KEY) WITH (type = 'user', flush_rows = 3)"},
		{sql: "CREATE TABLE bytime (id bigint PRIMARY KEY) WITH (flush_interval = '50ms')"},
		{sql: "CREATE TABLE never (id bigint PRIMARY KEY)"},
		{sql: "INSERT INTO byrows VALUES (1), (2), (3)"},
		{sql: "INSERT INTO bytime VALUES (1)"},
		{sql: "INSERT INTO never VALUES (1)"},
		{sql: "CREATE USER user_small"},
		{sql: "SET ROLE user_small"},
		{sql: "INSERT INTO byrows VALUES (1)"},
		{sql: "RESET ROLE"},
	})
	f := e.NewFlusher(time.Hour)
	ctx := context.Background()
	hot := func(table, user string) int64 {
		tbl, _ := e.cat.Table("public", table)
		return e.hotRows(tbl, user, 100)
	}
	f.check(ctx, time.Now()) // starts bytime's first interval
	f.check(ctx, time.Now().Add(time.Second))
	for _, c := range []struct {
		table, user string
		want        int64
	}{{"byrows", "root", 0}, {"byrows", "user_small", 1}, {"bytime", "", 0}, {"never", "", 1}} {
		if got := hot(c.table, c.user); got != c.want {
			t.Errorf("%s/%s: %d hot rows, want %d", c.table, c.user, got, c.want)
		}
	}
	runSteps(t, s, []step{{sql: "SELECT count(*) FROM byrows", want: "SELECT 1: 3"}})
}

// TestColdPruning: an equality on a non-key column reaches the cold scan,
// which opens only the segments whose min/max admit the value.
func TestColdPruning(t *testing.T) {
	e := newTieredEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{{sql: "CREATE TABLE p (id bigint PRIMARY KEY, conv text, n int)"}})
	for i, conv := range []string{"c1", "c2", "c3", "c4"} {
		base := strconv.Itoa(i * 10)
		runSteps(t, s, []step{
			{sql: "INSERT INTO p SELECT " + base + " + g, '" + conv + "', g FROM generate_series(1, 5) g"},
			{sql: "SELECT kalamdb_flush('p')", want: "SELECT 1: 5"},
		})
	}
	for _, c := range []struct {
		sql    string
		want   string
		opened int64
	}{
		{"SELECT count(*) FROM p WHERE conv = 'c3'", "SELECT 1: 5", 1},
		{"SELECT id FROM p WHERE n = 2 AND conv = 'c2'", "SELECT 1: 12", 1},
		{"SELECT count(*) FROM p WHERE conv = 'zz'", "SELECT 1: 0", 0},
		{"SELECT count(*) FROM p WHERE n = 3", "SELECT 1: 4", 4}, // every segment has n 1..5
		{"SELECT count(*) FROM p", "SELECT 1: 20", 4},
	} {
		_, _, before := e.ColdReadStats()
		runSteps(t, s, []step{{sql: c.sql, want: c.want}})
		if _, _, after := e.ColdReadStats(); after-before != c.opened {
			t.Fatalf("%s: opened %d segments, want %d", c.sql, after-before, c.opened)
		}
	}
	// A pruned segment still hides the versions it supersedes: c1 rows
	// moved to c9 live in a newer segment that the c1 lookup skips.
	runSteps(t, s, []step{
		{sql: "UPDATE p SET conv = 'c9' WHERE id <= 3"},
		{sql: "SELECT kalamdb_flush('p')", want: "SELECT 1: 3"},
		{sql: "SELECT id FROM p WHERE conv = 'c1' ORDER BY id", want: "SELECT 2: 4; 5"},
		{sql: "SELECT id FROM p WHERE conv = 'c9' ORDER BY id", want: "SELECT 3: 1; 2; 3"},
	})
}

// TestJobsView: flushes and compactions appear in kalamdb_jobs() with
// their results; empty flushes do not; users below service cannot read it.
func TestJobsView(t *testing.T) {
	e := newTieredEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE j (id bigint PRIMARY KEY) WITH (type = 'user')"},
		{sql: "CREATE USER user_a"},
		{sql: "SELECT count(*) FROM kalamdb_jobs()", want: "SELECT 1: 0"},
	})
	for i := 1; i <= compactAfter; i++ {
		runSteps(t, s, []step{
			{sql: "INSERT INTO j VALUES (" + strconv.Itoa(i) + ")"},
			{sql: "SELECT kalamdb_flush_all()", want: "SELECT 1: 1"},
		})
	}
	runSteps(t, s, []step{
		{sql: "SELECT kalamdb_flush_all()", want: "SELECT 1: 0"},
		{sql: "SELECT kind, table_name, user_id, state, count(*), sum(rows), sum(segments), bool_and(bytes > 0), bool_and(error IS NULL) FROM kalamdb_jobs() GROUP BY 1, 2, 3, 4 ORDER BY 1",
			want: "SELECT 2: compact,public.j,root,done,1,8,8,t,t; flush,public.j,root,done,8,8,8,t,t"},
		{sql: "SELECT job_id, kind FROM kalamdb_jobs() ORDER BY job_id DESC LIMIT 1", want: "SELECT 1: 9,compact"},
		{sql: "SELECT count(*) FROM kalamdb_jobs() WHERE duration_ms >= 0 AND started_at <= now()", want: "SELECT 1: 9"},
		{sql: "SET ROLE user_a"},
		{sql: "SELECT * FROM kalamdb_jobs()", code: pgerr.InsufficientPrivilege},
	})
}

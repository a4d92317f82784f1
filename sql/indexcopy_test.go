package sql

import (
	"context"
	"testing"

	"github.com/kalamdb/kalamdb/types"
)

// TestIndexCopiesStayCurrent checks that index scans, which read the row
// copy kept in each entry, see every kind of row change.
func TestIndexCopiesStayCurrent(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE m (id bigint PRIMARY KEY, conv text, body text)"},
		{sql: "INSERT INTO m VALUES (1, 'c1', 'a'), (2, 'c1', 'b'), (3, 'c2', 'c')"},
		{sql: "CREATE INDEX ON m (conv, id)"}, // built over existing rows
		{sql: "INSERT INTO m VALUES (4, 'c1', 'd')"},
		{sql: "SELECT id, body FROM m WHERE conv = 'c1' ORDER BY id DESC LIMIT 2", want: "SELECT 2: 4,d; 2,b"},
		{sql: "UPDATE m SET body = 'B' WHERE id = 2"}, // indexed values unchanged
		{sql: "SELECT id, body FROM m WHERE conv = 'c1' ORDER BY id DESC", want: "SELECT 3: 4,d; 2,B; 1,a"},
		{sql: "UPDATE m SET conv = 'c2' WHERE id = 1"},
		{sql: "SELECT id, body FROM m WHERE conv = 'c2' ORDER BY id", want: "SELECT 2: 1,a; 3,c"},
		{sql: "UPDATE m SET id = 10 WHERE id = 4"},
		{sql: "SELECT id, body FROM m WHERE conv = 'c1' ORDER BY id DESC", want: "SELECT 2: 10,d; 2,B"},
		{sql: "DELETE FROM m WHERE id = 2"},
		{sql: "SELECT id FROM m WHERE conv = 'c1'", want: "SELECT 1: 10"},
		{sql: "ALTER TABLE m ADD COLUMN tag text DEFAULT 'x'"},
		{sql: "SELECT id, tag FROM m WHERE conv = 'c2' ORDER BY id", want: "SELECT 2: 1,x; 3,x"},
		{sql: "ALTER TABLE m ADD COLUMN r float8 DEFAULT random()"}, // rewrites every row
		{sql: "SELECT count(*) FROM m WHERE conv = 'c2' AND r IS NOT NULL", want: "SELECT 1: 2"},
		{sql: "ALTER TABLE m DROP COLUMN body"},
		{sql: "SELECT id, conv, tag FROM m WHERE conv = 'c1'", want: "SELECT 1: 10,c1,x"},
		{sql: "INSERT INTO m VALUES (5, 'c1', 'y', 0.5) ON CONFLICT (id) DO UPDATE SET tag = 'z'"},
		{sql: "INSERT INTO m VALUES (5, 'c1', 'y', 0.5) ON CONFLICT (id) DO UPDATE SET tag = 'z'"},
		{sql: "SELECT id, tag FROM m WHERE conv = 'c1' ORDER BY id", want: "SELECT 2: 5,z; 10,x"},
	})
}

// TestUniqueIndexCopies covers ON CONFLICT on a unique index, which
// reads the conflicting row from the entry's copy.
func TestUniqueIndexCopies(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE u (id int PRIMARY KEY, email text, n int)"},
		{sql: "CREATE UNIQUE INDEX ON u (email)"},
		{sql: "INSERT INTO u VALUES (1, 'a@x', 1)"},
		{sql: "UPDATE u SET n = 2 WHERE id = 1"},
		{sql: "INSERT INTO u VALUES (2, 'a@x', 5) ON CONFLICT (email) DO UPDATE SET n = u.n + 10"},
		{sql: "SELECT id, n FROM u WHERE email = 'a@x'", want: "SELECT 1: 1,12"},
	})
}

// TestStreamIndexLooksRowsUp checks a TTL table's index, whose entries
// carry no copy.
func TestStreamIndexLooksRowsUp(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE s (id bigint PRIMARY KEY, k text, n int) WITH (type = 'stream', ttl = '1h')"},
		{sql: "CREATE INDEX ON s (k)"},
		{sql: "INSERT INTO s VALUES (1, 'a', 1), (2, 'a', 2)"},
		{sql: "UPDATE s SET n = 3 WHERE id = 2"},
		{sql: "SELECT id, n FROM s WHERE k = 'a' ORDER BY id", want: "SELECT 2: 1,1; 2,3"},
	})
}

// TestPipelineReadThenWrite runs an extended-protocol batch that reads
// (on a read-only snapshot), then writes: the writes stay atomic and the
// reads after them see them.
func TestPipelineReadThenWrite(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	other := newTestSession(t, e, "root")
	ctx := context.Background()
	runSteps(t, s, []step{{sql: "CREATE TABLE p (id bigint PRIMARY KEY, v text)"}})
	prep := func(q string, types ...types.OID) *Statement {
		st, err := s.Prepare(q, types)
		if err != nil {
			t.Fatalf("prepare %s: %v", q, err)
		}
		return st
	}
	count := prep("SELECT count(*) FROM p")
	insert := prep("INSERT INTO p VALUES ($1, 'x')", types.Int8)
	exec := func(st *Statement, params ...any) *Result {
		res, err := s.Execute(ctx, st, params)
		if err != nil {
			t.Fatalf("execute: %v", err)
		}
		return res
	}
	for _, failed := range []bool{true, false} {
		if got := exec(count).Rows[0][0]; got != int64(0) {
			t.Fatalf("count before = %v", got)
		}
		exec(insert, int64(1))
		exec(insert, int64(2))
		if got := exec(count).Rows[0][0]; got != int64(2) {
			t.Fatalf("count after the pipeline's inserts = %v, want 2", got)
		}
		if got, _ := query(other, "SELECT count(*) FROM p"); got != "SELECT 1: 0" {
			t.Fatalf("another session sees %q before Sync", got)
		}
		if err := s.Sync(ctx, failed); err != nil {
			t.Fatalf("sync: %v", err)
		}
		want := "SELECT 1: 2"
		if failed {
			want = "SELECT 1: 0"
		}
		if got, _ := query(other, "SELECT count(*) FROM p"); got != want {
			t.Fatalf("failed=%v: after Sync another session sees %q, want %q", failed, got, want)
		}
	}
	// BEGIN inside a multi-statement string keeps one read-write block.
	runSteps(t, s, []step{
		{sql: "SELECT 1; BEGIN; INSERT INTO p VALUES (3, 'y')"},
		{sql: "SELECT count(*) FROM p", want: "SELECT 1: 3"},
		{sql: "ROLLBACK"},
		{sql: "SELECT count(*) FROM p", want: "SELECT 1: 2"},
	})
}

package sql

import (
	"strings"
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
)

func TestSavepoints(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE t (id int PRIMARY KEY, v text)"},
		{sql: "CREATE UNIQUE INDEX t_v ON t (v)"},
		{sql: "SAVEPOINT a", code: pgerr.NoActiveSQLTransaction},
		{sql: "SELECT 1; SAVEPOINT a", code: pgerr.NoActiveSQLTransaction},
		{sql: "ROLLBACK TO a", code: pgerr.NoActiveSQLTransaction},
		{sql: "BEGIN"},
		{sql: "INSERT INTO t VALUES (1, 'one')"},
		{sql: "SAVEPOINT a", want: "SAVEPOINT: "},
		{sql: "INSERT INTO t VALUES (2, 'two')"},
		{sql: "UPDATE t SET v = 'uno' WHERE id = 1"},
		{sql: "SAVEPOINT b"},
		{sql: "DELETE FROM t WHERE id = 1"},
		{sql: "SET application_name = 'inner'"},
		{sql: "SELECT id FROM t", want: "SELECT 1: 2"},
		{sql: "ROLLBACK TO SAVEPOINT b", want: "ROLLBACK: "},
		{sql: "SHOW application_name", want: "SHOW: "},
		{sql: "SELECT id, v FROM t", want: "SELECT 2: 1,uno; 2,two"},
		{sql: "ROLLBACK TO a"},
		{sql: "SELECT id, v FROM t", want: "SELECT 1: 1,one"},
		// The index was rolled back with the rows: 'two' and 'uno' are free.
		{sql: "INSERT INTO t VALUES (3, 'two'), (4, 'uno')"},
		{sql: "ROLLBACK TO b", code: "3B001"}, // b went with the rollback to a
		{sql: "SELECT 1", code: pgerr.InFailedSQLTransaction},
		{sql: "ROLLBACK TO a"},
		// An error inside a savepoint fails the block until ROLLBACK TO.
		{sql: "INSERT INTO t VALUES (5, 'five')"},
		{sql: "INSERT INTO t VALUES (6, 'six'), (1, 'dup')", code: pgerr.UniqueViolation},
		{sql: "SELECT 1", code: pgerr.InFailedSQLTransaction},
		{sql: "SAVEPOINT c", code: pgerr.InFailedSQLTransaction},
		{sql: "RELEASE a", code: pgerr.InFailedSQLTransaction},
		{sql: "ROLLBACK TO a"},
		{sql: "SELECT id FROM t", want: "SELECT 1: 1"},
		// RELEASE keeps the work and forgets later savepoints.
		{sql: "INSERT INTO t VALUES (7, 'seven')"},
		{sql: "SAVEPOINT c"},
		{sql: "INSERT INTO t VALUES (8, 'eight')"},
		{sql: "RELEASE SAVEPOINT a", want: "RELEASE: "},
		{sql: "ROLLBACK TO c", code: "3B001"},
		{sql: "ROLLBACK"},
		{sql: "BEGIN"},
		{sql: "SAVEPOINT a"},
		{sql: "INSERT INTO t VALUES (7, 'seven')"},
		{sql: "SAVEPOINT a"}, // names may repeat: the newest is used
		{sql: "INSERT INTO t VALUES (8, 'eight')"},
		{sql: "ROLLBACK TO a"},
		{sql: "RELEASE a"},
		{sql: "RELEASE a"},
		{sql: "RELEASE a", code: "3B001"},
		{sql: "ROLLBACK"},
		{sql: "BEGIN"},
		{sql: "INSERT INTO t VALUES (7, 'seven')"},
		{sql: "SAVEPOINT a"},
		{sql: "INSERT INTO t VALUES (8, 'eight')"},
		{sql: "ROLLBACK TO a"},
		{sql: "COMMIT", want: "COMMIT: "},
		{sql: "SELECT id FROM t", want: "SELECT 1: 7"},
	})
}

// TestSavepointDropsChanges checks that row changes and NOTIFYs queued
// after a savepoint are not published when it is rolled back.
func TestSavepointDropsChanges(t *testing.T) {
	e := newTestEngine(t)
	root := newTestSession(t, e, "root")
	runSteps(t, root, []step{
		{sql: "CREATE TABLE m (id int PRIMARY KEY) WITH (type = 'user')"},
		{sql: "CREATE USER user_a"},
	})
	a := newTestSession(t, e, "user_a")
	runSteps(t, a, []step{
		{sql: "LISTEN user_a"},
		{sql: "LISTEN ch"},
		{sql: "BEGIN"},
		{sql: "INSERT INTO m VALUES (1)"},
		{sql: "NOTIFY ch, 'kept'"},
		{sql: "SAVEPOINT s"},
		{sql: "INSERT INTO m VALUES (2)"},
		{sql: "NOTIFY ch, 'dropped'"},
		{sql: "ROLLBACK TO s"},
		{sql: "NOTIFY ch, 'dropped'"}, // no longer a duplicate
		{sql: "COMMIT"},
	})
	ns, err := a.Listener().Drain(nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range ns {
		got = append(got, n.Channel+":"+n.Payload)
	}
	if len(got) != 3 {
		t.Fatalf("notifications: got %q, want 3", got)
	}
	if got[1] != "ch:kept" || got[2] != "ch:dropped" || !strings.Contains(got[0], `"op":"insert"`) {
		t.Fatalf("notifications %q", got)
	}
}

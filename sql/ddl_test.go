package sql

import (
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
)

func TestAlterTable(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE t (id int PRIMARY KEY, name text)"},
		{sql: "INSERT INTO t VALUES (1, 'a'), (2, NULL)"},
		// Old rows read a constant default; new rows get it too.
		{sql: "ALTER TABLE t ADD COLUMN score int DEFAULT 7", want: "ALTER TABLE: "},
		{sql: "INSERT INTO t (id) VALUES (3)"},
		{sql: "SELECT id, score FROM t", want: "SELECT 3: 1,7; 2,7; 3,7"},
		{sql: "ALTER TABLE t ADD COLUMN note text", want: "ALTER TABLE: "},
		{sql: "SELECT note FROM t WHERE id = 1", want: "SELECT 1: NULL"},
		{sql: "ALTER TABLE t ADD COLUMN must text NOT NULL", code: pgerr.NotNullViolation},
		{sql: "ALTER TABLE t ADD COLUMN note text", code: pgerr.DuplicateColumn},
		{sql: "ALTER TABLE t ADD COLUMN IF NOT EXISTS note text", want: "ALTER TABLE: "},
		{sql: "ALTER TABLE t ADD COLUMN flag bool NOT NULL DEFAULT true"},
		{sql: "SELECT count(*) FROM t WHERE flag", want: "SELECT 1: 3"},
		// A volatile default gives every old row a value of its own.
		{sql: "ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid()"},
		{sql: "SELECT count(*) FROM t WHERE u IS NOT NULL", want: "SELECT 1: 3"},
		// SET NOT NULL checks existing rows.
		{sql: "ALTER TABLE t ALTER COLUMN name SET NOT NULL", code: pgerr.NotNullViolation},
		{sql: "UPDATE t SET name = 'x' WHERE name IS NULL"},
		{sql: "ALTER TABLE t ALTER COLUMN name SET NOT NULL"},
		{sql: "INSERT INTO t (id) VALUES (4)", code: pgerr.NotNullViolation},
		{sql: "ALTER TABLE t ALTER COLUMN name DROP NOT NULL"},
		{sql: "ALTER TABLE t ALTER COLUMN id DROP NOT NULL", code: pgerr.InvalidTableDefinition},
		{sql: "ALTER TABLE t ALTER COLUMN name SET DEFAULT 'dflt'"},
		{sql: "INSERT INTO t (id) VALUES (4) RETURNING name, score", want: "INSERT 0 1: dflt,7"},
		{sql: "ALTER TABLE t ALTER COLUMN name DROP DEFAULT"},
		{sql: "INSERT INTO t (id) VALUES (5) RETURNING name", want: "INSERT 0 1: NULL"},
		{sql: "ALTER TABLE t ALTER COLUMN name SET DEFAULT 'x'::nosuchtype", code: "42704"},
		// DROP COLUMN: old rows keep decoding; ids are never reused.
		{sql: "ALTER TABLE t DROP COLUMN score"},
		{sql: "SELECT score FROM t", code: pgerr.UndefinedColumn},
		{sql: "ALTER TABLE t ADD COLUMN score text"},
		{sql: "SELECT id, score FROM t WHERE id = 1", want: "SELECT 1: 1,NULL"},
		{sql: "ALTER TABLE t DROP COLUMN nosuch", code: pgerr.UndefinedColumn},
		{sql: "ALTER TABLE t DROP COLUMN IF EXISTS nosuch"},
		{sql: "ALTER TABLE t DROP COLUMN id", code: pgerr.FeatureNotSupported},
		// Renames.
		{sql: "ALTER TABLE t RENAME COLUMN name TO title"},
		{sql: "SELECT title FROM t WHERE id = 1", want: "SELECT 1: a"},
		{sql: "ALTER TABLE t RENAME COLUMN title TO note", code: pgerr.DuplicateColumn},
		{sql: "ALTER TABLE t RENAME TO t2"},
		{sql: "SELECT count(*) FROM t2", want: "SELECT 1: 5"},
		{sql: "SELECT * FROM t", code: pgerr.UndefinedTable},
		{sql: "ALTER TABLE IF EXISTS t ADD COLUMN x int"},
		{sql: "ALTER TABLE t ADD COLUMN x int", code: pgerr.UndefinedTable},
		// Types: only changes that keep stored values valid.
		{sql: "ALTER TABLE t2 ADD COLUMN v varchar(5)"},
		{sql: "ALTER TABLE t2 ALTER COLUMN v TYPE varchar(10)"},
		{sql: "ALTER TABLE t2 ALTER COLUMN v TYPE text"},
		{sql: "ALTER TABLE t2 ALTER COLUMN id TYPE bigint"},
		{sql: "ALTER TABLE t2 ALTER COLUMN title TYPE int", code: pgerr.FeatureNotSupported},
		// Several commands apply together or not at all.
		{sql: "ALTER TABLE t2 ADD COLUMN a1 int, ADD COLUMN id int", code: pgerr.DuplicateColumn},
		{sql: "SELECT a1 FROM t2", code: pgerr.UndefinedColumn},
	})
	user := newTestSession(t, e, "root")
	runSteps(t, user, []step{{sql: "CREATE USER user_x"}})
	ux := newTestSession(t, e, "user_x")
	runSteps(t, ux, []step{
		{sql: "ALTER TABLE t2 ADD COLUMN z int", code: pgerr.InsufficientPrivilege},
		{sql: "TRUNCATE t2", code: pgerr.InsufficientPrivilege},
		{sql: "CREATE INDEX ON t2 (title)", code: pgerr.InsufficientPrivilege},
	})
}

// TestUpdateKeylessTable checks that tables without a primary key keep
// finding their rows across updates (the row moves to its new _seq).
func TestUpdateKeylessTable(t *testing.T) {
	s := newTestSession(t, newTestEngine(t), "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE k (a int, b text)"},
		{sql: "INSERT INTO k VALUES (1, 'x'), (2, 'y')"},
		{sql: "UPDATE k SET b = 'z' WHERE a = 1"},
		{sql: "UPDATE k SET b = 'w' WHERE a = 1"},
		{sql: "SELECT a, b FROM k ORDER BY a", want: "SELECT 2: 1,w; 2,y"},
		{sql: "DELETE FROM k WHERE a = 1"},
		{sql: "SELECT a, b FROM k", want: "SELECT 1: 2,y"},
	})
}

func TestTruncate(t *testing.T) {
	e := newTestEngine(t)
	root := newTestSession(t, e, "root")
	runSteps(t, root, []step{
		{sql: "CREATE TABLE m (id bigint PRIMARY KEY, conv text) WITH (type = 'user')"},
		{sql: "CREATE TABLE s (id int PRIMARY KEY)"},
		{sql: "CREATE INDEX m_conv ON m (conv)"},
		{sql: "CREATE USER user_a"},
		{sql: "INSERT INTO s VALUES (1), (2)"},
		{sql: "INSERT INTO m VALUES (1, 'c')"},
	})
	a := newTestSession(t, e, "user_a")
	runSteps(t, a, []step{{sql: "INSERT INTO m VALUES (1, 'c'), (2, 'c')"}})
	runSteps(t, root, []step{
		{sql: "TRUNCATE m, nosuch", code: pgerr.UndefinedTable},
		{sql: "SELECT count(*) FROM s", want: "SELECT 1: 2"},
		{sql: "TRUNCATE TABLE m, s", want: "TRUNCATE TABLE: "},
		{sql: "SELECT count(*) FROM s", want: "SELECT 1: 0"},
		{sql: "SELECT count(*) FROM user_a.m", want: "SELECT 1: 0"},
		{sql: "INSERT INTO s VALUES (1)"},
	})
	runSteps(t, a, []step{
		{sql: "SELECT count(*) FROM m WHERE conv = 'c'", want: "SELECT 1: 0"},
		{sql: "INSERT INTO m VALUES (1, 'c')"},
		{sql: "SELECT id FROM m WHERE conv = 'c'", want: "SELECT 1: 1"},
	})
}

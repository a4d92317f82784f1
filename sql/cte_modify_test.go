package sql

import "testing"

// TestModifyingWith covers data-modifying WITH queries; the wants are
// PostgreSQL 15's.
func TestModifyingWith(t *testing.T) {
	s := newTestSession(t, newTestEngine(t), "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE t (id int PRIMARY KEY, v int)"},
		{sql: "INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)"},
		{sql: "WITH d AS (DELETE FROM t WHERE id > 1 RETURNING id) SELECT count(*) FROM d", want: "SELECT 1: 2"},
		{sql: "SELECT id FROM t", want: "SELECT 1: 1"},
		// The query reads the tables as they were before the modification.
		{sql: "WITH u AS (UPDATE t SET v = v + 1 RETURNING v) SELECT u.v, t.v FROM u, t", want: "SELECT 1: 11,10"},
		{sql: "SELECT v FROM t", want: "SELECT 1: 11"},
		// Run once even when not read.
		{sql: "WITH i AS (INSERT INTO t VALUES (5, 50)) SELECT 1", want: "SELECT 1: 1"},
		{sql: "SELECT count(*) FROM t", want: "SELECT 1: 2"},
		{sql: "WITH i AS (INSERT INTO t VALUES (6, 60)) SELECT * FROM i", code: "0A000"},
		{sql: "SELECT * FROM (WITH d AS (DELETE FROM t RETURNING id) SELECT * FROM d) s", code: "0A000"},
		{sql: "SELECT count(*) FROM t", want: "SELECT 1: 2"},
	})
}

// TestSetReturningForms covers unnest over several arrays and a
// two-column function in the select list (a record).
func TestSetReturningForms(t *testing.T) {
	s := newTestSession(t, newTestEngine(t), "root")
	runSteps(t, s, []step{
		{sql: "SELECT * FROM unnest(ARRAY[1, 2], ARRAY['a', 'b', 'c'])", want: "SELECT 3: 1,a; 2,b; NULL,c"},
		{sql: "SELECT a, b FROM unnest(ARRAY[1], NULL::text[]) AS z(a, b)", want: "SELECT 1: 1,NULL"},
		{sql: "SELECT unnest(ARRAY[1], ARRAY[2])", code: "42883"},
		{sql: `SELECT jsonb_each('{"a": 1, "b c": "x"}')`, want: `SELECT 2: (a,1); ("b c","""x""")`},
		{sql: "SELECT jsonb_each('[1]')", code: "22023"},
		{sql: "SELECT e FROM jsonb_array_elements('[1, \"a\"]') e", want: `SELECT 2: 1; "a"`},
		{sql: "SELECT * FROM generate_series(1.5, 2.5, 0.5)", want: "SELECT 3: 1.5; 2.0; 2.5"},
		{sql: "SELECT * FROM generate_series(1.0, 2, 0)", code: "22023"},
	})
}

// TestMultiDimArraysStayQueryValues: a multidimensional array is a query
// value only; storing one fails instead of breaking a later flush.
func TestMultiDimArraysStayQueryValues(t *testing.T) {
	s := newTestSession(t, newTestEngine(t), "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE a (id int PRIMARY KEY, x int[])"},
		{sql: "INSERT INTO a VALUES (1, ARRAY[[1, 2], [3, 4]])", code: "0A000"},
		{sql: "INSERT INTO a VALUES (1, ARRAY[1, 2])"},
		{sql: "UPDATE a SET x = ARRAY[[5]]", code: "0A000"},
		{sql: "SELECT x, ARRAY[x, x] FROM a", want: "SELECT 1: {1,2},{{1,2},{1,2}}"},
	})
}

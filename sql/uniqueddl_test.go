package sql

import (
	"errors"
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
)

func TestUniqueConstraints(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE t (id int PRIMARY KEY, a int UNIQUE, b text, c text, UNIQUE (b, c), CONSTRAINT named UNIQUE (c) DEFERRABLE INITIALLY DEFERRED)"},
		{sql: "SELECT conname, contype, conkey FROM pg_constraint WHERE conrelid = 't'::regclass ORDER BY conname",
			want: "SELECT 4: named,u,{4}; t_a_key,u,{2}; t_b_c_key,u,{3,4}; t_pkey,p,{1}"},
		{sql: "SELECT c.relname, i.indisunique, i.indisprimary FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 't'::regclass ORDER BY 1",
			want: "SELECT 4: named,t,f; t_a_key,t,f; t_b_c_key,t,f; t_pkey,t,t"},
		{sql: "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 't_b_c_key'", want: "SELECT 1: UNIQUE (b, c)"},
		{sql: "INSERT INTO t VALUES (1, 1, 'x', 'y'), (2, NULL, 'x', NULL), (3, NULL, 'x', NULL)"},
		{sql: "INSERT INTO t VALUES (4, 1, 'z', 'z')", code: pgerr.UniqueViolation},
		{sql: "UPDATE t SET a = 1 WHERE id = 2", code: pgerr.UniqueViolation},
		{sql: "DROP INDEX t_a_key", code: pgerr.DependentObjectsStillExist},
		{sql: "CREATE TABLE t_a_key (x int)", code: pgerr.DuplicateTable},
		{sql: "CREATE TABLE u (a int UNIQUE, t_a int, CONSTRAINT t_a_key2 UNIQUE (t_a))"},
		{sql: "CREATE TABLE bad (a int, UNIQUE (nosuch))", code: pgerr.UndefinedColumn},
		{sql: "CREATE TABLE bad (a int, CONSTRAINT c1 UNIQUE (a), CONSTRAINT c1 UNIQUE (a))", code: pgerr.DuplicateTable},
		{sql: "CREATE TABLE bad (a numeric UNIQUE)", code: pgerr.FeatureNotSupported},
		{sql: "ALTER TABLE u ADD COLUMN z int UNIQUE", code: pgerr.FeatureNotSupported},
		{sql: "SELECT table_name, constraint_type FROM information_schema.table_constraints WHERE constraint_name = 'u_a_key'", want: "SELECT 1: u,UNIQUE"},
		{sql: "CREATE TEMP TABLE tmp (n int, unique (n))"},
		{sql: "INSERT INTO tmp VALUES (1), (1)", code: pgerr.UniqueViolation},
		{sql: "DROP TABLE t"},
		{sql: "CREATE TABLE t (a int UNIQUE)"}, // the constraint's index went with its table
	})
	tb, _ := e.cat.Table("public", "u")
	if got := []string{tb.Indexes[0].Name, tb.Indexes[1].Name}; got[0] != "u_a_key" || got[1] != "t_a_key2" {
		t.Fatalf("index names = %v", got)
	}
}

func TestUniqueViolationMessage(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{{sql: "CREATE TABLE m (id int, k text, UNIQUE (id, k))"}, {sql: "INSERT INTO m VALUES (1, 'a')"}})
	_, err := query(s, "INSERT INTO m VALUES (1, 'a')")
	var pe *pgerr.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a pgerr", err)
	}
	if want := `duplicate key value violates unique constraint "m_id_k_key"`; pe.Message != want {
		t.Fatalf("message = %q, want %q", pe.Message, want)
	}
	if want := "Key (id, k)=(1, a) already exists."; pe.Detail != want {
		t.Fatalf("detail = %q, want %q", pe.Detail, want)
	}
	// A prepared CREATE TABLE names its constraint afresh on each run.
	runSteps(t, s, []step{{sql: "DROP TABLE m"}, {sql: "CREATE TABLE m (id int UNIQUE)"}})
	tb, _ := e.cat.Table("public", "m")
	if tb.Indexes[0].Name != "m_id_key" {
		t.Fatalf("name = %q", tb.Indexes[0].Name)
	}
}

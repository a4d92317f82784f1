package sql

import (
	"testing"

	"github.com/kalamdb/kalamdb/sql/pgcatalog"
)

func TestTemporaryTables(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	other := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE t (id int PRIMARY KEY, v text)"},
		{sql: "INSERT INTO t VALUES (1, 'shared')"},
		{sql: "CREATE TEMP TABLE t (id int PRIMARY KEY, v text)"},
		{sql: "INSERT INTO t VALUES (2, 'temp')"},
		// pg_temp comes first in name resolution.
		{sql: "SELECT v FROM t", want: "SELECT 1: temp"},
		{sql: "SELECT v FROM public.t", want: "SELECT 1: shared"},
		{sql: "SELECT v FROM pg_temp.t", want: "SELECT 1: temp"},
		{sql: "SELECT relpersistence FROM pg_class WHERE relname = 't' ORDER BY 1", want: "SELECT 2: p; t"},
		{sql: "CREATE TEMPORARY TABLE t (id int)", code: "42P07"},
		{sql: "CREATE TEMP TABLE public.x (id int)", code: "42P16"},
		{sql: "CREATE TABLE pg_temp.y (id int)"},
		{sql: "SELECT count(*) FROM y", want: "SELECT 1: 0"},
		{sql: "SELECT 't'::regclass::oid = 'pg_temp.t'::regclass::oid", want: "SELECT 1: t"},
	})
	// Other sessions see their own names only.
	runSteps(t, other, []step{
		{sql: "SELECT v FROM t", want: "SELECT 1: shared"},
		{sql: "SELECT * FROM y", code: "42P01"},
		{sql: "SELECT * FROM " + s.tempSchema + ".t", code: "0A000"},
	})
	runSteps(t, s, []step{
		{sql: "DROP TABLE t"},
		{sql: "SELECT v FROM t", want: "SELECT 1: shared"},
	})
	schema := s.tempSchema
	s.Close()
	if _, ok := e.cat.Schema(schema); ok {
		t.Fatalf("temporary schema %s survives its session", schema)
	}
	if _, ok := e.cat.Table("public", "t"); !ok {
		t.Fatalf("shared table t dropped with the temporary schema")
	}
}

func TestTemporaryTablesOnCommit(t *testing.T) {
	s := newTestSession(t, newTestEngine(t), "root")
	runSteps(t, s, []step{
		{sql: "CREATE TEMP TABLE gone (id int) ON COMMIT DROP"},
		{sql: "SELECT * FROM gone", code: "42P01"},
		{sql: "BEGIN"},
		{sql: "CREATE TEMP TABLE gone (id int) ON COMMIT DROP"},
		{sql: "INSERT INTO gone VALUES (1)"},
		{sql: "SELECT count(*) FROM gone", want: "SELECT 1: 1"},
		{sql: "COMMIT"},
		{sql: "SELECT * FROM gone", code: "42P01"},
		{sql: "CREATE TEMP TABLE d (id int) ON COMMIT DELETE ROWS"},
		{sql: "INSERT INTO d VALUES (1)"},
		{sql: "SELECT count(*) FROM d", want: "SELECT 1: 0"},
		{sql: "BEGIN"},
		{sql: "INSERT INTO d VALUES (1)"},
		{sql: "SELECT count(*) FROM d", want: "SELECT 1: 1"},
		{sql: "COMMIT"},
		{sql: "SELECT count(*) FROM d", want: "SELECT 1: 0"},
	})
}

func TestOrphanTemporarySchemasDropped(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{{sql: "CREATE TEMP TABLE x (id int)"}, {sql: "INSERT INTO x VALUES (1)"}})
	schema := s.tempSchema
	// A new engine over the same catalog is a restart after a crash.
	e2 := NewEngine(Config{Store: e.store, Catalog: e.cat, Logger: e.log, Version: "test"})
	if _, ok := e2.cat.Schema(schema); ok {
		t.Fatalf("orphan temporary schema %s kept at start", schema)
	}
	for _, sc := range e2.cat.Schemas() {
		if pgcatalog.IsTempSchema(sc.Name) {
			t.Fatalf("temporary schema %s left", sc.Name)
		}
	}
}

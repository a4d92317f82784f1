package sql

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// newTestEngine opens an engine over an in-memory hot store.
func newTestEngine(t *testing.T) *Engine {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	store, err := hotstore.Open("", hotstore.Options{InMemory: true, Durability: hotstore.Async, Logger: log})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := store.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	cat, err := catalog.Open(context.Background(), store)
	if err != nil {
		t.Fatalf("open catalog: %v", err)
	}
	return NewEngine(Config{Store: store, Catalog: cat, Logger: log, Version: "test"})
}

func newTestSession(t *testing.T, e *Engine, user string) *Session {
	t.Helper()
	s, err := e.NewSession(user, 1, nil)
	if err != nil {
		t.Fatalf("session %s: %v", user, err)
	}
	t.Cleanup(s.Close)
	return s
}

// query runs text and renders every result as "tag: row; row".
func query(s *Session, text string) (string, error) {
	var out []string
	err := s.Query(context.Background(), text, func(r *Result) error {
		var rows []string
		for _, row := range r.Rows {
			var cells []string
			for i, v := range row {
				if v == nil {
					cells = append(cells, "NULL")
					continue
				}
				cells = append(cells, string(types.AppendText(nil, r.Columns[i].Type.OID, v, s.Location())))
			}
			rows = append(rows, strings.Join(cells, ","))
		}
		out = append(out, fmt.Sprintf("%s: %s", r.Tag, strings.Join(rows, "; ")))
		return nil
	})
	return strings.Join(out, " | "), err
}

// step is one statement of a script with its expected rendering or SQLSTATE.
type step struct {
	sql  string
	want string // rendering (ignored when code is set)
	code string
}

func runSteps(t *testing.T, s *Session, steps []step) {
	t.Helper()
	for _, st := range steps {
		got, err := query(s, st.sql)
		if st.code != "" {
			if err == nil || pgerr.Code(err) != st.code {
				t.Fatalf("%s: got %q, err %v; want SQLSTATE %s", st.sql, got, err, st.code)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", st.sql, err)
		}
		if st.want != "" && got != st.want {
			t.Fatalf("%s:\n got %q\nwant %q", st.sql, got, st.want)
		}
	}
}

func TestDMLAndQueries(t *testing.T) {
	s := newTestSession(t, newTestEngine(t), "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL, score numeric DEFAULT 1.5, note text)", want: "CREATE TABLE: "},
		{sql: "INSERT INTO t (id, name) VALUES (2, 'b'), (1, 'a'), (3, 'c') RETURNING id, score", want: "INSERT 0 3: 2,1.5; 1,1.5; 3,1.5"},
		{sql: "SELECT id, name FROM t", want: "SELECT 3: 1,a; 2,b; 3,c"},
		{sql: "SELECT id FROM t ORDER BY id DESC LIMIT 2", want: "SELECT 2: 3; 2"},
		{sql: "SELECT id FROM t ORDER BY name DESC OFFSET 1", want: "SELECT 2: 2; 1"},
		{sql: "SELECT name FROM t WHERE id = 2", want: "SELECT 1: b"},
		{sql: "SELECT count(*) FROM t WHERE id BETWEEN 2 AND 3 AND name LIKE '%'", want: "SELECT 1: 2"},
		{sql: "SELECT count(*), max(name) FROM t WHERE false", want: "SELECT 1: 0,NULL"},
		{sql: "SELECT id FROM t WHERE note IS NULL AND id IN (1, 3) ORDER BY 1", want: "SELECT 2: 1; 3"},
		{sql: "UPDATE t SET note = 'x', score = score * 2 WHERE id >= 2 RETURNING id, score", want: "UPDATE 2: 2,3.0; 3,3.0"},
		{sql: "DELETE FROM t WHERE id = 1 RETURNING name", want: "DELETE 1: a"},
		{sql: "SELECT id, note FROM t", want: "SELECT 2: 2,x; 3,x"},
		{sql: "UPDATE t SET id = 10 WHERE id = 2", want: "UPDATE 1: "},
		{sql: "SELECT id FROM t ORDER BY id", want: "SELECT 2: 3; 10"},
		{sql: "INSERT INTO t (id, name) VALUES (3, 'dup')", code: pgerr.UniqueViolation},
		{sql: "INSERT INTO t (id) VALUES (4)", code: pgerr.NotNullViolation},
		{sql: "INSERT INTO t (id, name) VALUES ('x', 'y')", code: pgerr.InvalidTextRepresentation},
		{sql: "SELECT nosuch FROM t", code: pgerr.UndefinedColumn},
		{sql: "SELECT * FROM nosuch", code: pgerr.UndefinedTable},
		{sql: "SELEC 1", code: pgerr.SyntaxError},
		{sql: "SELECT name, count(*) FROM t", code: pgerr.GroupingError},
	})
}

func TestTransactions(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE t (id bigint PRIMARY KEY)"},
		{sql: "BEGIN"},
		{sql: "INSERT INTO t VALUES (1)"},
		{sql: "SELECT count(*) FROM t", want: "SELECT 1: 1"},
		{sql: "ROLLBACK"},
		{sql: "SELECT count(*) FROM t", want: "SELECT 1: 0"},
		{sql: "BEGIN"},
		{sql: "INSERT INTO t VALUES (1)"},
		{sql: "SELECT 1/0", code: pgerr.DivisionByZero},
		{sql: "SELECT 1", code: pgerr.InFailedSQLTransaction},
		{sql: "COMMIT", want: "ROLLBACK: "},
		{sql: "SELECT count(*) FROM t", want: "SELECT 1: 0"},
		// A multi-statement string is one implicit transaction.
		{sql: "INSERT INTO t VALUES (5); INSERT INTO t VALUES (5)", code: pgerr.UniqueViolation},
		{sql: "SELECT count(*) FROM t", want: "SELECT 1: 0"},
		{sql: "INSERT INTO t VALUES (6); BEGIN; INSERT INTO t VALUES (7); COMMIT", want: "INSERT 0 1:  | BEGIN:  | INSERT 0 1:  | COMMIT: "},
		{sql: "SELECT id FROM t", want: "SELECT 2: 6; 7"},
	})
	if s.TxStatus() != 'I' {
		t.Fatalf("status %c after COMMIT", s.TxStatus())
	}
}

func TestPartitionIsolation(t *testing.T) {
	e := newTestEngine(t)
	root := newTestSession(t, e, "root")
	runSteps(t, root, []step{
		{sql: "CREATE TABLE messages (id bigserial PRIMARY KEY, body text) WITH (type = 'user')"},
		{sql: "CREATE USER user_alice WITH PASSWORD 'pw'"},
		{sql: "CREATE USER user_bob"},
		{sql: "CREATE USER bot IN ROLE service"},
		{sql: "CREATE TABLE bad (id int) WITH (type = 'user', colour = 'red')", code: pgerr.InvalidParameterValue},
		{sql: "CREATE SCHEMA user_alice", code: pgerr.DuplicateSchema},
	})
	alice := newTestSession(t, e, "user_alice")
	bob := newTestSession(t, e, "user_bob")
	bot := newTestSession(t, e, "bot")
	runSteps(t, alice, []step{
		{sql: "INSERT INTO messages (body) VALUES ('from alice')"},
		{sql: "SELECT body FROM messages", want: "SELECT 1: from alice"},
		{sql: "SELECT body FROM user_alice.messages", want: "SELECT 1: from alice"},
		{sql: "SELECT body FROM user_bob.messages", code: pgerr.InsufficientPrivilege},
		{sql: "SET ROLE user_bob", code: pgerr.InsufficientPrivilege},
		{sql: "CREATE TABLE x (id int)", code: pgerr.InsufficientPrivilege},
	})
	runSteps(t, bob, []step{
		{sql: "SELECT body FROM messages", want: "SELECT 0: "},
		{sql: "UPDATE messages SET body = 'hacked'", want: "UPDATE 0: "},
		{sql: "DELETE FROM messages", want: "DELETE 0: "},
		{sql: "DELETE FROM user_alice.messages", code: pgerr.InsufficientPrivilege},
	})
	runSteps(t, bot, []step{
		{sql: "SELECT body FROM user_alice.messages", want: "SELECT 1: from alice"},
		{sql: "SET ROLE user_alice"},
		{sql: "SELECT body, current_user FROM messages", want: "SELECT 1: from alice,user_alice"},
		{sql: "RESET ROLE"},
		{sql: "SELECT count(*) FROM messages", want: "SELECT 1: 0"},
		{sql: "SET ROLE root", code: pgerr.InsufficientPrivilege},
	})
}

func TestPreparedParameterTypes(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{{sql: "CREATE TABLE t (id bigint PRIMARY KEY, at timestamptz)"}})
	cases := []struct {
		sql  string
		want []types.OID
	}{
		{"SELECT $1", []types.OID{types.Text}},
		{"SELECT id FROM t WHERE id = $1", []types.OID{types.Int8}},
		{"INSERT INTO t (id, at) VALUES ($1, $2)", []types.OID{types.Int8, types.Timestamptz}},
		{"SELECT id FROM t LIMIT $1", []types.OID{types.Int8}},
		// Function resolution infers an untyped argument from the others.
		{"SELECT generate_series(1, $1)", []types.OID{types.Int4}},
		{"SELECT * FROM generate_series($1, 10::bigint)", []types.OID{types.Int8}},
		{"SELECT * FROM generate_series(1.5, $1)", []types.OID{types.Numeric}},
		{"SELECT * FROM generate_series(now(), $1, $2)", []types.OID{types.Timestamptz, types.IntervalOID}},
	}
	for _, c := range cases {
		st, err := s.Prepare(c.sql, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		if fmt.Sprint(st.ParamTypes()) != fmt.Sprint(c.want) {
			t.Fatalf("%s: param types %v, want %v", c.sql, st.ParamTypes(), c.want)
		}
	}
	st, err := s.Prepare("SELECT $1", nil)
	if err != nil || st.Columns()[0].Type.OID != types.Text {
		t.Fatalf("SELECT $1 column: %+v, %v", st.Columns(), err)
	}
	if _, err := s.Prepare("SELECT 1; SELECT 2", nil); pgerr.Code(err) != pgerr.SyntaxError {
		t.Fatalf("two statements prepared: %v", err)
	}
	// A prepared statement survives DDL by binding again.
	st, err = s.Prepare("SELECT count(*) FROM t", nil)
	if err != nil {
		t.Fatal(err)
	}
	runSteps(t, s, []step{{sql: "DROP TABLE t"}, {sql: "CREATE TABLE t (id bigint PRIMARY KEY)"}, {sql: "INSERT INTO t VALUES (1)"}})
	res, err := s.Execute(context.Background(), st, nil)
	if err != nil || res.Rows[0][0] != int64(1) {
		t.Fatalf("re-bound statement: %v, %v", res, err)
	}
}

func TestAccessPath(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{{sql: "CREATE TABLE m (conv text, id bigint, body text, PRIMARY KEY (conv, id))"}})
	bind := func(q string) *selectPlan {
		stmts, err := e.parse(q)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.bindSelect(stmts[0].Stmt.GetSelectStmt(), nil)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return p.(*selectPlan)
	}
	cases := []struct {
		q       string
		eq      int
		reverse bool
		ordered bool
	}{
		{"SELECT * FROM m WHERE conv = 'c' AND id = 3", 2, false, true},
		{"SELECT * FROM m WHERE conv = 'c' ORDER BY id DESC LIMIT 50", 1, true, true},
		{"SELECT * FROM m WHERE id = 3", 0, false, true},
		{"SELECT * FROM m ORDER BY body", 0, false, false},
	}
	for _, c := range cases {
		p := bind(c.q)
		if len(p.access.eq) != c.eq || p.access.reverse != c.reverse || p.ordered != c.ordered {
			t.Fatalf("%s: eq=%d reverse=%v ordered=%v", c.q, len(p.access.eq), p.access.reverse, p.ordered)
		}
	}
	runSteps(t, s, []step{
		{sql: "INSERT INTO m VALUES ('c', 1, 'a'), ('c', 2, 'b'), ('d', 1, 'x'), ('c', 3, 'c')"},
		{sql: "SELECT id FROM m WHERE conv = 'c' ORDER BY id DESC LIMIT 2", want: "SELECT 2: 3; 2"},
		{sql: "SELECT body FROM m WHERE conv = 'd' AND id = 1", want: "SELECT 1: x"},
	})
}

package sql

import (
	"fmt"
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
)

func TestIndexes(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE u (id int PRIMARY KEY, email text, team text, age int)"},
		{sql: "INSERT INTO u VALUES (1, 'a@x', 't1', 30), (2, 'b@x', 't1', 40), (3, NULL, 't2', NULL), (4, NULL, 't2', 20)"},
		{sql: "CREATE UNIQUE INDEX u_email ON u (email)", want: "CREATE INDEX: "},
		{sql: "CREATE INDEX ON u (team, age)"},
		{sql: "CREATE INDEX u_team_age_idx ON u (age)", code: pgerr.DuplicateTable},
		{sql: "CREATE INDEX IF NOT EXISTS u_email ON u (age)"},
		{sql: "CREATE INDEX bad ON u (nosuch)", code: pgerr.UndefinedColumn},
		{sql: "CREATE UNIQUE INDEX u_team ON u (team)", code: pgerr.UniqueViolation},
		{sql: "INSERT INTO u VALUES (5, 'a@x', 't3', 1)", code: pgerr.UniqueViolation},
		{sql: "INSERT INTO u VALUES (5, NULL, 't3', 1)"}, // NULLs never collide
		{sql: "UPDATE u SET email = 'b@x' WHERE id = 1", code: pgerr.UniqueViolation},
		{sql: "UPDATE u SET email = 'c@x' WHERE id = 1"},
		{sql: "INSERT INTO u VALUES (6, 'a@x', 't3', 2)"}, // freed by the update
		{sql: "SELECT id FROM u WHERE email = 'c@x'", want: "SELECT 1: 1"},
		{sql: "SELECT id FROM u WHERE team = 't1' ORDER BY age DESC", want: "SELECT 2: 2; 1"},
		{sql: "SELECT id FROM u WHERE team = 't2' ORDER BY age", want: "SELECT 2: 4; 3"},
		{sql: "SELECT id FROM u WHERE team = 't2' ORDER BY age DESC", want: "SELECT 2: 3; 4"},
		{sql: "SELECT id FROM u WHERE team = 't1' AND age > 30", want: "SELECT 1: 2"},
		{sql: "SELECT id FROM u WHERE team = 't1' AND age BETWEEN 30 AND 40 ORDER BY age DESC", want: "SELECT 2: 2; 1"},
		{sql: "SELECT id FROM u WHERE team = 't2' AND age <= 100", want: "SELECT 1: 4"},
		{sql: "SELECT id FROM u WHERE team = 't2' AND age < 20.5", want: "SELECT 1: 4"},
		{sql: "DELETE FROM u WHERE team = 't3'", want: "DELETE 2: "},
		{sql: "SELECT count(*) FROM u WHERE email = 'a@x'", want: "SELECT 1: 0"},
		{sql: "INSERT INTO u VALUES (7, 'a@x', 't4', 1)"},
		{sql: "UPDATE u SET id = 70 WHERE email = 'a@x'"},
		{sql: "SELECT id, team FROM u WHERE email = 'a@x'", want: "SELECT 1: 70,t4"},
		{sql: "DROP INDEX u_email", want: "DROP INDEX: "},
		{sql: "DROP INDEX u_email", code: pgerr.UndefinedObject},
		{sql: "DROP INDEX IF EXISTS u_email"},
		{sql: "INSERT INTO u VALUES (8, 'a@x', 't4', 1)"},
		{sql: "ALTER TABLE u DROP COLUMN age"},
		{sql: "SELECT id FROM u WHERE team = 't4' ORDER BY id", want: "SELECT 2: 8; 70"},
		{sql: "CREATE INDEX j ON u (id)", want: "CREATE INDEX: "},
		{sql: "DROP TABLE u"},
		{sql: "CREATE TABLE j (id int)"}, // the index went with its table
	})
	tb, _ := e.cat.Table("public", "j")
	if len(tb.Indexes) != 0 {
		t.Fatalf("new table has indexes %+v", tb.Indexes)
	}
}

// TestLatestMessagesTouchesOnlyTheLimit checks the chat query "latest 50
// messages of a conversation": with an index on the conversation it reads
// about 50 index entries, however many messages the user has.
func TestLatestMessagesTouchesOnlyTheLimit(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE msgs (id bigint PRIMARY KEY, conversation_id text, body text) WITH (type = 'user')"},
		{sql: "CREATE INDEX msgs_conv ON msgs (conversation_id, id)"},
		{sql: "CREATE INDEX msgs_conv_only ON msgs (conversation_id)"},
	})
	var b strings.Builder
	for i := 1; i <= 600; i++ {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, 'c%d', 'm%d')", i, i%3, i)
	}
	runSteps(t, s, []step{{sql: "INSERT INTO msgs VALUES " + b.String()}})
	for _, q := range []string{
		"SELECT id FROM msgs WHERE conversation_id = 'c1' ORDER BY id DESC LIMIT 50",
		"SELECT id FROM msgs WHERE conversation_id = 'c1' ORDER BY conversation_id, id DESC LIMIT 50",
	} {
		before := e.store.Stats().IndexEntries
		got, err := query(s, q)
		if err != nil {
			t.Fatal(err)
		}
		read := e.store.Stats().IndexEntries - before
		if !strings.HasPrefix(got, "SELECT 50: 598; 595; 592") || read > 51 || read < 50 {
			t.Fatalf("%s: read %d index entries, got %.40s", q, read, got)
		}
	}
	// Paging back with a range on the second index column.
	runSteps(t, s, []step{
		{sql: "SELECT id FROM msgs WHERE conversation_id = 'c1' AND id < 10 ORDER BY id DESC", want: "SELECT 3: 7; 4; 1"},
		{sql: "SELECT id FROM msgs WHERE conversation_id = 'c2' AND id > 590 ORDER BY id", want: "SELECT 3: 593; 596; 599"},
	})
}

func TestIndexChoice(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE m (conv text, id bigint, at timestamptz, body text, PRIMARY KEY (conv, id))"},
		{sql: "CREATE INDEX m_at ON m (at)"},
		{sql: "CREATE INDEX m_body ON m (body, at)"},
	})
	cases := []struct {
		q       string
		index   string // "" for the primary key
		reverse bool
		ordered bool
	}{
		{"SELECT * FROM m WHERE conv = 'c' AND id = 1", "", false, true},
		{"SELECT * FROM m WHERE conv = 'c' ORDER BY id DESC", "", true, true},
		{"SELECT * FROM m ORDER BY at DESC LIMIT 5", "m_at", true, true},
		{"SELECT * FROM m ORDER BY at DESC NULLS LAST LIMIT 5", "", false, false},
		{"SELECT * FROM m WHERE body = 'x' ORDER BY at", "m_body", false, true},
		{"SELECT * FROM m WHERE body = 'x' AND at > now()", "m_body", false, true},
		{"SELECT * FROM m WHERE at > now()", "m_at", false, true},
		{"SELECT * FROM m WHERE conv = 'c' AND body = 'x'", "", false, true}, // a tie keeps the key
		{"SELECT * FROM m WHERE body LIKE 'x%'", "", false, true},
	}
	for _, c := range cases {
		stmts, err := e.parse(c.q)
		if err != nil {
			t.Fatal(err)
		}
		sel := stmts[0].Stmt.GetSelectStmt()
		ref, err := s.resolveTable(sel.FromClause[0].GetRangeVar())
		if err != nil {
			t.Fatal(err)
		}
		layout, err := newRowLayout(ref.t)
		if err != nil {
			t.Fatal(err)
		}
		var order []*pg_query.SortBy
		for _, n := range sel.SortClause {
			order = append(order, n.GetSortBy())
		}
		a, ordered := planAccess(tableScope{ref: ref}, layout, sel.WhereClause, order, nil)
		name := ""
		if a.index != nil {
			name = a.index.il.ix.Name
		}
		if name != c.index || a.reverse != c.reverse || ordered != c.ordered {
			t.Fatalf("%s: index %q reverse=%v ordered=%v", c.q, name, a.reverse, ordered)
		}
	}
}

func TestExplainIndex(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE m (id bigint PRIMARY KEY, conv text)"},
		{sql: "CREATE INDEX m_conv ON m (conv, id)"},
	})
	stmts, err := e.parse("SELECT * FROM m WHERE conv = 'c' AND id <= 9 ORDER BY id DESC")
	if err != nil {
		t.Fatal(err)
	}
	sel := stmts[0].Stmt.GetSelectStmt()
	ref, err := s.resolveTable(sel.FromClause[0].GetRangeVar())
	if err != nil {
		t.Fatal(err)
	}
	layout, _ := newRowLayout(ref.t)
	a, _ := planAccess(tableScope{ref: ref}, layout, sel.WhereClause, []*pg_query.SortBy{sel.SortClause[0].GetSortBy()}, nil)
	if a.index == nil {
		t.Fatalf("no index chosen")
	}
	name, cond := a.explainIndex(s.env(nil))
	if name != "m_conv" || cond != "(conv = 'c' AND id <= '9')" {
		t.Fatalf("explain = %q %q", name, cond)
	}
}

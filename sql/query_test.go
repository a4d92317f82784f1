package sql

import (
	"context"
	"strings"
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
)

// chatSchema is a small chat schema for the query tests.
var chatSchema = []step{
	{sql: "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, team text)"},
	{sql: "CREATE TABLE convs (id int PRIMARY KEY, title text, owner int)"},
	{sql: "CREATE TABLE msgs (conv int, id int, author int, body text, score numeric, PRIMARY KEY (conv, id))"},
	{sql: "INSERT INTO users VALUES (1, 'ann', 'red'), (2, 'bob', 'blue'), (3, 'cy', 'red'), (4, 'dee', NULL)"},
	{sql: "INSERT INTO convs VALUES (10, 'general', 1), (20, 'random', 2), (30, 'empty', 9)"},
	{sql: `INSERT INTO msgs VALUES (10, 1, 1, 'hi', 1.5), (10, 2, 2, 'yo', 2), (10, 3, 1, 'sup', NULL),
		(10, 4, 3, 'ok', 4), (20, 1, 2, 'a', 1), (20, 2, 2, 'b', 2)`},
}

func TestQueries(t *testing.T) {
	s := newTestSession(t, newTestEngine(t), "root")
	runSteps(t, s, chatSchema)
	runSteps(t, s, []step{
		// Joins.
		{sql: "SELECT u.name, c.title FROM users u JOIN convs c ON c.owner = u.id ORDER BY 1", want: "SELECT 2: ann,general; bob,random"},
		{sql: "SELECT c.title, u.name FROM convs c LEFT JOIN users u ON u.id = c.owner ORDER BY c.id", want: "SELECT 3: general,ann; random,bob; empty,NULL"},
		{sql: "SELECT u.name, c.title FROM convs c RIGHT JOIN users u ON u.id = c.owner ORDER BY u.id", want: "SELECT 4: ann,general; bob,random; cy,NULL; dee,NULL"},
		{sql: "SELECT u.id, c.id FROM users u FULL JOIN convs c ON u.id = c.owner ORDER BY 1 NULLS LAST, 2", want: "SELECT 5: 1,10; 2,20; 3,NULL; 4,NULL; NULL,30"},
		{sql: "SELECT count(*) FROM users, convs", want: "SELECT 1: 12"},
		{sql: "SELECT count(*) FROM users CROSS JOIN convs WHERE users.id = convs.owner", want: "SELECT 1: 2"},
		{sql: "SELECT * FROM (VALUES (1, 'x'), (2, 'y')) AS a(id, v) JOIN (VALUES (2, 'z')) AS b(id, w) USING (id)", want: "SELECT 1: 2,y,z"},
		{sql: "SELECT id, a.id FROM (VALUES (1)) a(id) NATURAL JOIN (VALUES (1)) b(id)", want: "SELECT 1: 1,1"},
		{sql: "SELECT id FROM users, convs", code: pgerr.AmbiguousColumn},
		{sql: "SELECT * FROM users, users", code: "42712"},
		{sql: "SELECT x.id FROM users", code: pgerr.UndefinedTable},
		// LATERAL: latest two messages per conversation.
		{sql: `SELECT c.id, m.id FROM convs c CROSS JOIN LATERAL
			(SELECT id FROM msgs WHERE msgs.conv = c.id ORDER BY id DESC LIMIT 2) m ORDER BY 1, 2`, want: "SELECT 4: 10,3; 10,4; 20,1; 20,2"},
		{sql: `SELECT c.id, m.n FROM convs c LEFT JOIN LATERAL (SELECT count(*) AS n FROM msgs WHERE conv = c.id) m ON true ORDER BY 1`, want: "SELECT 3: 10,4; 20,2; 30,0"},
		// Subqueries.
		{sql: "SELECT name FROM users WHERE id IN (SELECT author FROM msgs) ORDER BY 1", want: "SELECT 3: ann; bob; cy"},
		{sql: "SELECT name FROM users WHERE id NOT IN (SELECT author FROM msgs) ORDER BY 1", want: "SELECT 1: dee"},
		{sql: "SELECT name FROM users WHERE id NOT IN (SELECT owner FROM convs UNION SELECT NULL)", want: "SELECT 0: "},
		{sql: "SELECT name FROM users u WHERE EXISTS (SELECT 1 FROM msgs m WHERE m.author = u.id AND m.conv = 20)", want: "SELECT 1: bob"},
		{sql: "SELECT name FROM users u WHERE NOT EXISTS (SELECT 1 FROM msgs m WHERE m.author = u.id) ", want: "SELECT 1: dee"},
		{sql: "SELECT (SELECT count(*) FROM msgs m WHERE m.conv = c.id) FROM convs c ORDER BY c.id", want: "SELECT 3: 4; 2; 0"},
		{sql: "SELECT (SELECT id FROM users)", code: pgerr.CardinalityViolation},
		{sql: "SELECT (SELECT id, name FROM users LIMIT 1)", code: pgerr.SyntaxError},
		{sql: "SELECT id FROM users WHERE id > ALL (SELECT owner FROM convs WHERE owner < 3)", want: "SELECT 2: 3; 4"},
		{sql: "SELECT id FROM users WHERE id = ANY (SELECT owner FROM convs) ORDER BY id", want: "SELECT 2: 1; 2"},
		{sql: "SELECT t.n FROM (SELECT count(*) AS n FROM msgs) t", want: "SELECT 1: 6"},
		{sql: "SELECT ARRAY(SELECT id FROM users ORDER BY id DESC)", want: "SELECT 1: {4,3,2,1}"},
		// WITH, set operations, VALUES.
		{sql: "WITH r AS (SELECT id FROM users WHERE team = 'red') SELECT count(*) FROM r", want: "SELECT 1: 2"},
		{sql: "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT sum(n) FROM t", want: "SELECT 1: 15"},
		{sql: "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT n FROM t LIMIT 3", want: "SELECT 3: 1; 2; 3"},
		{sql: "SELECT id FROM users UNION SELECT owner FROM convs ORDER BY 1", want: "SELECT 5: 1; 2; 3; 4; 9"},
		{sql: "SELECT author FROM msgs UNION ALL SELECT 7 ORDER BY 1 DESC LIMIT 2", want: "SELECT 2: 7; 3"},
		{sql: "SELECT author FROM msgs INTERSECT SELECT id FROM users ORDER BY 1", want: "SELECT 3: 1; 2; 3"},
		{sql: "SELECT author FROM msgs INTERSECT ALL SELECT 2 FROM users", want: "SELECT 3: 2; 2; 2"},
		{sql: "SELECT id FROM users EXCEPT SELECT author FROM msgs", want: "SELECT 1: 4"},
		{sql: "SELECT author FROM msgs EXCEPT ALL SELECT 2 ORDER BY 1", want: "SELECT 5: 1; 1; 2; 2; 3"},
		{sql: "SELECT 1 UNION SELECT 2.5 ORDER BY 1", want: "SELECT 2: 1; 2.5"},
		{sql: "SELECT 1, 2 UNION SELECT 3", code: pgerr.SyntaxError},
		{sql: "VALUES (1, 'a'), (2, 'b') ORDER BY 1 DESC", want: "SELECT 2: 2,b; 1,a"},
		// DISTINCT ON, FETCH FIRST, GROUP BY expressions.
		{sql: "SELECT DISTINCT ON (conv) conv, id FROM msgs ORDER BY conv, id DESC", want: "SELECT 2: 10,4; 20,2"},
		{sql: "SELECT DISTINCT ON (conv) conv, id FROM msgs ORDER BY id", code: pgerr.InvalidColumnReference},
		{sql: "SELECT id FROM users ORDER BY id FETCH FIRST 2 ROWS ONLY", want: "SELECT 2: 1; 2"},
		{sql: "SELECT upper(team), count(*) FROM users GROUP BY upper(team) ORDER BY 1 NULLS FIRST", want: "SELECT 3: NULL,1; BLUE,1; RED,2"},
		{sql: "SELECT conv % 20, count(*) FROM msgs GROUP BY 1 ORDER BY 1", want: "SELECT 2: 0,2; 10,4"},
		{sql: "SELECT team, count(*) FROM users GROUP BY team HAVING count(*) > 1", want: "SELECT 1: red,2"},
		{sql: "SELECT DISTINCT id FROM users ORDER BY name", code: pgerr.InvalidColumnReference},
		// Aggregates.
		{sql: "SELECT string_agg(body, ',' ORDER BY id DESC) FROM msgs WHERE conv = 10", want: "SELECT 1: ok,sup,yo,hi"},
		{sql: "SELECT array_agg(id ORDER BY id DESC) FROM users", want: "SELECT 1: {4,3,2,1}"},
		{sql: "SELECT jsonb_agg(name ORDER BY id) FROM users WHERE id < 3", want: `SELECT 1: ["ann", "bob"]`},
		{sql: "SELECT jsonb_object_agg(name, id) FROM users WHERE id < 3", want: `SELECT 1: {"ann": 1, "bob": 2}`},
		{sql: "SELECT count(DISTINCT author), count(*) FILTER (WHERE score > 1) FROM msgs", want: "SELECT 1: 3,4"},
		{sql: "SELECT avg(id) FROM users", want: "SELECT 1: 2.5000000000000000"},
		// Window functions.
		{sql: "SELECT id, row_number() OVER (PARTITION BY conv ORDER BY id DESC) FROM msgs WHERE conv = 20 ORDER BY id", want: "SELECT 2: 1,2; 2,1"},
		{sql: "SELECT author, rank() OVER (ORDER BY author), dense_rank() OVER (ORDER BY author) FROM msgs WHERE conv = 10 ORDER BY 1", want: "SELECT 4: 1,1,1; 1,1,1; 2,3,2; 3,4,3"},
		{sql: "SELECT id, lag(id) OVER w, lead(id, 1, 0) OVER w FROM msgs WHERE conv = 10 WINDOW w AS (ORDER BY id)", want: "SELECT 4: 1,NULL,2; 2,1,3; 3,2,4; 4,3,0"},
		{sql: "SELECT id, sum(id) OVER (ORDER BY id), sum(id) OVER (), count(*) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM msgs WHERE conv = 10", want: "SELECT 4: 1,1,10,1; 2,3,10,2; 3,6,10,2; 4,10,10,2"},
		{sql: "SELECT id, first_value(id) OVER w, last_value(id) OVER w FROM msgs WHERE conv = 20 WINDOW w AS (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)", want: "SELECT 2: 1,1,2; 2,1,2"},
		{sql: "SELECT conv, count(*), sum(count(*)) OVER () FROM msgs GROUP BY conv ORDER BY conv", want: "SELECT 2: 10,4,6; 20,2,6"},
		{sql: "SELECT id FROM msgs WHERE row_number() OVER () > 1", code: "42P20"},
		// Table functions.
		{sql: "SELECT * FROM generate_series(1, 3)", want: "SELECT 3: 1; 2; 3"},
		{sql: "SELECT g FROM generate_series(10, 1, -4) g", want: "SELECT 3: 10; 6; 2"},
		{sql: "SELECT x, ordinality FROM unnest(ARRAY['a','b']) WITH ORDINALITY AS t(x)", want: "SELECT 2: a,1; b,2"},
		{sql: "SELECT generate_series(1, 2), unnest(ARRAY[10, 20, 30])", want: "SELECT 3: 1,10; 2,20; NULL,30"},
		{sql: "SELECT * FROM generate_series('2024-01-01'::timestamp, '2024-01-03', '1 day')", want: "SELECT 3: 2024-01-01 00:00:00; 2024-01-02 00:00:00; 2024-01-03 00:00:00"},
		{sql: `SELECT value FROM jsonb_array_elements('[1, "a", null]')`, want: `SELECT 3: 1; "a"; null`},
		{sql: `SELECT * FROM jsonb_each_text('{"b": 2, "a": "x"}')`, want: "SELECT 2: a,x; b,2"},
		{sql: `SELECT jsonb_object_keys('{"b": 2, "a": 1}')`, want: "SELECT 2: a; b"},
		{sql: "SELECT u.name, t.n FROM users u, generate_series(1, u.id) t(n) WHERE u.id <= 2 ORDER BY 1, 2", want: "SELECT 3: ann,1; bob,1; bob,2"},
	})
}

func TestExplain(t *testing.T) {
	s := newTestSession(t, newTestEngine(t), "root")
	runSteps(t, s, chatSchema)
	cases := []struct {
		sql  string
		want []string
	}{
		{"EXPLAIN SELECT body FROM msgs WHERE conv = 10 ORDER BY id DESC LIMIT 2", []string{"Limit  (rows=2)", "Range Scan Backward on public.msgs", "Key Cond: (conv = '10')", "Partition: shared"}},
		{"EXPLAIN SELECT * FROM users WHERE id = 2", []string{"Point Get on public.users  (rows=1)"}},
		{"EXPLAIN SELECT * FROM users u JOIN convs c ON c.owner = u.id", []string{"Hash Join  (Inner)", "Seq Scan on public.users u"}},
		{"EXPLAIN SELECT team, count(*) FROM users GROUP BY team ORDER BY 2", []string{"Sort", "HashAggregate"}},
	}
	for _, c := range cases {
		got, err := query(s, c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Fatalf("%s:\n got %q\nwant it to contain %q", c.sql, got, w)
			}
		}
	}
}

func TestMemoryBudget(t *testing.T) {
	s := newTestSession(t, newTestEngine(t), "root")
	runSteps(t, s, []step{
		{sql: "SELECT count(*) FROM (SELECT g FROM generate_series(1, 200000) g ORDER BY g DESC) t", want: "SELECT 1: 200000"},
	})
	run := func(q string) error {
		stmts, err := s.eng.parse(q)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.bindSelect(stmts[0].Stmt.GetSelectStmt(), nil)
		if err != nil {
			t.Fatal(err)
		}
		x := &execCtx{ctx: context.Background(), s: s, env: s.env(nil)}
		r := newRun(x)
		r.budget = 1 << 20
		x.env.Exec = r
		_, err = collect(r, x.env, p.(relQuery))
		return err
	}
	if err := run("SELECT g FROM generate_series(1, 200000) g ORDER BY g DESC LIMIT 1"); pgerr.Code(err) != pgerr.OutOfMemory {
		t.Fatalf("sort over budget: %v, want 53200", err)
	}
	if err := run("SELECT g FROM generate_series(1, 200000) g LIMIT 1"); err != nil {
		t.Fatalf("streaming query under budget: %v", err)
	}
}

func TestWorkMemBoundsSorts(t *testing.T) {
	s := newTestSession(t, newTestEngine(t), "root")
	runSteps(t, s, []step{
		{sql: "SET work_mem = 'lots'", code: pgerr.InvalidParameterValue},
		{sql: "SET work_mem = '64kB'"},
		{sql: "SELECT count(*) FROM (SELECT g FROM generate_series(1, 100000) g ORDER BY g DESC) s", code: pgerr.OutOfMemory},
		{sql: "RESET work_mem"},
		{sql: "SELECT count(*) FROM (SELECT g FROM generate_series(1, 100000) g ORDER BY g DESC) s", want: "SELECT 1: 100000"},
	})
}

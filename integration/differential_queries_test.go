package integration

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kalamdb/kalamdb/integration/pgrun"
)

// The query corpus runs over a small chat schema loaded identically into
// PostgreSQL 15 and KalamDB. Results must match exactly: in order when
// the query's ORDER BY determines it, as multisets otherwise (bag), floats
// within a relative tolerance. Bad queries must fail with the same
// SQLSTATE.

// diffQuery is one corpus entry.
type diffQuery struct {
	sql string
	bag bool // row order is not determined: compare as multisets
}

func ordered(sql string) diffQuery { return diffQuery{sql: sql} }
func bag(sql string) diffQuery     { return diffQuery{sql: sql, bag: true} }

// querySchema creates and fills the schema; the data is generated
// deterministically.
func querySchema() []string {
	stmts := []string{
		`SET TimeZone = 'UTC'`,
		`CREATE SCHEMA qd`,
		`CREATE TABLE qd.users (id bigint PRIMARY KEY, name text NOT NULL, team text, age integer,
			created_at timestamptz, score double precision)`,
		`CREATE TABLE qd.conversations (id bigint PRIMARY KEY, title text, kind text, created_by bigint,
			created_at timestamptz)`,
		`CREATE TABLE qd.messages (conversation_id bigint, id bigint, author_id bigint, body text,
			tokens integer, meta jsonb, created_at timestamptz, PRIMARY KEY (conversation_id, id))`,
		`CREATE TABLE qd.members (conversation_id bigint, user_id bigint, role text,
			PRIMARY KEY (conversation_id, user_id))`,
	}
	teams := []string{"'red'", "'blue'", "'green'", "NULL"}
	var vals []string
	for i := 1; i <= 12; i++ {
		score := "NULL"
		if i%5 != 0 {
			score = strconv.FormatFloat(float64(i)*1.25, 'f', -1, 64)
		}
		vals = append(vals, fmt.Sprintf("(%d, 'user%02d', %s, %d, '2024-01-%02d 10:00:00+00', %s)",
			i, i, teams[i%4], 20+(i*3)%17, i, score))
	}
	stmts = append(stmts, "INSERT INTO qd.users VALUES "+strings.Join(vals, ", "))
	kinds := []string{"ai", "group", "direct"}
	vals = nil
	for c := 1; c <= 8; c++ {
		vals = append(vals, fmt.Sprintf("(%d, 'conv %d', '%s', %d, '2024-02-%02d 09:00:00+00')",
			c, c, kinds[c%3], (c*5)%12+1, c))
	}
	stmts = append(stmts, "INSERT INTO qd.conversations VALUES "+strings.Join(vals, ", "))
	vals = nil
	langs := []string{"en", "fr", "de"}
	for c := 1; c <= 7; c++ {
		n := (c*7)%9 + 2
		for id := 1; id <= n; id++ {
			tokens := strconv.Itoa((c * id * 13) % 50)
			if (c+id)%7 == 0 {
				tokens = "NULL"
			}
			vals = append(vals, fmt.Sprintf(`(%d, %d, %d, 'msg %d-%d', %s, '{"lang": "%s", "n": %d, "tags": ["t%d"]}', '2024-02-%02d %02d:%02d:00+00')`,
				c, id, (c*3+id*5)%12+1, c, id, tokens, langs[(c+id)%3], id, id%3, c+1, id%24, (c*id)%60))
		}
	}
	stmts = append(stmts, "INSERT INTO qd.messages VALUES "+strings.Join(vals, ", "))
	vals = nil
	for c := 1; c <= 8; c++ {
		creator := (c*5)%12 + 1
		for u := 1; u <= 12; u++ {
			switch {
			case u == creator:
				vals = append(vals, fmt.Sprintf("(%d, %d, 'owner')", c, u))
			case (u+c)%3 == 0:
				vals = append(vals, fmt.Sprintf("(%d, %d, 'member')", c, u))
			}
		}
	}
	stmts = append(stmts, "INSERT INTO qd.members VALUES "+strings.Join(vals, ", "))
	return append(stmts, `SET search_path = qd`)
}

var differentialQueries = []diffQuery{
	// Single table basics.
	ordered(`SELECT id, name, team FROM users ORDER BY id`),
	ordered(`SELECT name FROM users WHERE team = 'red' ORDER BY name DESC`),
	ordered(`SELECT id FROM users WHERE team IS NULL ORDER BY id`),
	ordered(`SELECT id, score FROM users ORDER BY score NULLS FIRST, id`),
	ordered(`SELECT id, score FROM users ORDER BY score DESC NULLS LAST, id LIMIT 5`),
	ordered(`SELECT id FROM users ORDER BY id OFFSET 10`),
	ordered(`SELECT id FROM users ORDER BY id DESC FETCH FIRST 3 ROWS ONLY`),
	ordered(`SELECT id FROM users ORDER BY id OFFSET 2 ROWS FETCH NEXT 2 ROWS ONLY`),
	ordered(`SELECT body FROM messages WHERE conversation_id = 3 ORDER BY id DESC LIMIT 3`),
	ordered(`SELECT id, body FROM messages WHERE conversation_id = 2 AND id = 4`),
	ordered(`SELECT id FROM messages WHERE conversation_id = 5 ORDER BY id`),
	ordered(`SELECT conversation_id, id FROM messages ORDER BY conversation_id DESC, id DESC LIMIT 4`),
	ordered(`SELECT name AS n FROM users ORDER BY n LIMIT 3`),
	ordered(`SELECT id, age * 2 AS double_age FROM users ORDER BY double_age DESC, id LIMIT 4`),
	ordered(`SELECT id FROM users ORDER BY age % 5, id`),
	ordered(`SELECT id, name FROM users ORDER BY lower(team) NULLS FIRST, id DESC`),
	bag(`SELECT DISTINCT team FROM users`),
	ordered(`SELECT DISTINCT team FROM users ORDER BY team`),
	ordered(`SELECT DISTINCT author_id FROM messages ORDER BY 1`),
	ordered(`SELECT DISTINCT ON (conversation_id) conversation_id, id, body FROM messages ORDER BY conversation_id, id DESC`),
	ordered(`SELECT DISTINCT ON (team) team, name FROM users ORDER BY team NULLS FIRST, age DESC, id`),
	ordered(`SELECT DISTINCT ON (kind) kind, title FROM conversations ORDER BY kind, created_at DESC`),
	// Aggregates and grouping.
	ordered(`SELECT count(*), count(team), count(DISTINCT team), min(age), max(age), sum(age), avg(age) FROM users`),
	ordered(`SELECT sum(score), avg(score), min(score), max(score) FROM users`),
	ordered(`SELECT team, count(*) FROM users GROUP BY team ORDER BY team NULLS LAST`),
	ordered(`SELECT team, count(*) AS n FROM users GROUP BY team ORDER BY n DESC, team`),
	ordered(`SELECT team, avg(age), sum(score) FROM users GROUP BY 1 ORDER BY 1`),
	ordered(`SELECT conversation_id, count(*), sum(tokens), max(created_at) FROM messages GROUP BY conversation_id ORDER BY conversation_id`),
	ordered(`SELECT conversation_id, count(*) FROM messages GROUP BY conversation_id HAVING count(*) > 5 ORDER BY 1`),
	ordered(`SELECT conversation_id FROM messages GROUP BY conversation_id HAVING sum(tokens) > 100 ORDER BY 1`),
	ordered(`SELECT author_id % 3 AS bucket, count(*) FROM messages GROUP BY author_id % 3 ORDER BY bucket`),
	ordered(`SELECT upper(team), count(*) FROM users GROUP BY upper(team) ORDER BY 1`),
	ordered(`SELECT date_trunc('day', created_at) AS day, count(*) FROM messages GROUP BY 1 ORDER BY 1`),
	ordered(`SELECT meta->>'lang' AS lang, count(*) FROM messages GROUP BY meta->>'lang' ORDER BY lang`),
	ordered(`SELECT kind, string_agg(title, ', ' ORDER BY id) FROM conversations GROUP BY kind ORDER BY kind`),
	ordered(`SELECT conversation_id, string_agg(body, '|' ORDER BY id DESC) FROM messages WHERE conversation_id < 3 GROUP BY 1 ORDER BY 1`),
	ordered(`SELECT team, array_agg(id ORDER BY id) FROM users GROUP BY team ORDER BY team`),
	ordered(`SELECT array_agg(name ORDER BY name DESC) FROM users WHERE age > 30`),
	ordered(`SELECT conversation_id, jsonb_agg(id ORDER BY id) FROM messages WHERE conversation_id IN (1, 2) GROUP BY 1 ORDER BY 1`),
	ordered(`SELECT jsonb_object_agg(name, age) FROM users WHERE id <= 3`),
	ordered(`SELECT count(*) FILTER (WHERE tokens > 20), count(*) FILTER (WHERE tokens IS NULL) FROM messages`),
	ordered(`SELECT conversation_id, sum(tokens) FILTER (WHERE author_id < 6) FROM messages GROUP BY 1 ORDER BY 1`),
	ordered(`SELECT bool_and(age > 20), bool_or(age > 35) FROM users`),
	ordered(`SELECT count(DISTINCT author_id), count(DISTINCT conversation_id) FROM messages`),
	ordered(`SELECT max(name), min(created_at) FROM users WHERE team = 'blue'`),
	ordered(`SELECT count(*), sum(age) FROM users WHERE false`),
	bag(`SELECT team, count(*) FROM users GROUP BY team`),
	ordered(`SELECT role, count(*) FROM members GROUP BY role ORDER BY role`),
	// Joins.
	ordered(`SELECT c.id, c.title, u.name FROM conversations c JOIN users u ON u.id = c.created_by ORDER BY c.id`),
	ordered(`SELECT c.id, count(m.id) FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id GROUP BY c.id ORDER BY c.id`),
	ordered(`SELECT m.conversation_id, m.id, u.name FROM messages m JOIN users u ON u.id = m.author_id WHERE m.conversation_id = 4 ORDER BY m.id`),
	ordered(`SELECT u.name, c.title FROM members mb JOIN users u ON u.id = mb.user_id JOIN conversations c ON c.id = mb.conversation_id WHERE mb.role = 'owner' ORDER BY c.id`),
	ordered(`SELECT u.id, mb.conversation_id FROM users u LEFT JOIN members mb ON mb.user_id = u.id AND mb.role = 'owner' ORDER BY u.id, 2`),
	ordered(`SELECT c.id, m.id FROM messages m RIGHT JOIN conversations c ON c.id = m.conversation_id AND m.id = 1 ORDER BY c.id`),
	ordered(`SELECT a.id, b.id FROM (SELECT id FROM users WHERE id < 4) a FULL JOIN (SELECT created_by AS id FROM conversations) b ON a.id = b.id ORDER BY 1 NULLS LAST, 2 NULLS LAST`),
	ordered(`SELECT count(*) FROM users CROSS JOIN conversations`),
	ordered(`SELECT count(*) FROM users, conversations WHERE users.id = conversations.created_by`),
	ordered(`SELECT u.name, c.title FROM users u, conversations c WHERE u.id = c.created_by AND c.kind = 'ai' ORDER BY 1`),
	ordered(`SELECT conversation_id, user_id, name FROM members JOIN users ON users.id = members.user_id WHERE conversation_id = 2 ORDER BY user_id`),
	ordered(`SELECT * FROM members JOIN (SELECT id AS user_id, name FROM users) u USING (user_id) WHERE conversation_id = 3 ORDER BY user_id`),
	ordered(`SELECT user_id, conversation_id FROM members NATURAL JOIN (SELECT id AS user_id, team FROM users) u WHERE team = 'red' ORDER BY 1, 2`),
	ordered(`SELECT m1.id, m2.id FROM messages m1 JOIN messages m2 ON m1.conversation_id = m2.conversation_id AND m2.id = m1.id + 1 WHERE m1.conversation_id = 1 ORDER BY 1`),
	ordered(`SELECT u1.id, u2.id FROM users u1 JOIN users u2 ON u1.age < u2.age AND u2.id = u1.id + 1 ORDER BY 1`),
	ordered(`SELECT c.kind, count(DISTINCT mb.user_id) FROM conversations c JOIN members mb ON mb.conversation_id = c.id GROUP BY c.kind ORDER BY 1`),
	ordered(`SELECT u.team, count(m.*) FROM users u LEFT JOIN messages m ON m.author_id = u.id GROUP BY u.team ORDER BY 1 NULLS FIRST`),
	ordered(`SELECT c.title, m.body FROM conversations c JOIN messages m ON m.conversation_id = c.id AND m.id = 2 ORDER BY c.id`),
	ordered(`SELECT x.a, y.b FROM (VALUES (1, 'one'), (2, 'two')) x(a, s) JOIN (VALUES (2, 'deux'), (3, 'trois')) y(a, b) ON x.a = y.a`),
	ordered(`SELECT u.id FROM users u LEFT JOIN members mb ON mb.user_id = u.id WHERE mb.user_id IS NULL ORDER BY 1`),
	bag(`SELECT u.name, mb.role FROM users u JOIN members mb ON mb.user_id = u.id WHERE mb.conversation_id = 1`),
	ordered(`SELECT t.* FROM users u JOIN conversations t ON t.created_by = u.id WHERE u.id = 6 ORDER BY t.id`),
	ordered(`SELECT u.*, c.id FROM users u JOIN conversations c ON c.created_by = u.id WHERE c.id = 1`),
	// LATERAL: latest N per group.
	ordered(`SELECT c.id, m.id, m.body FROM conversations c CROSS JOIN LATERAL (SELECT id, body FROM messages WHERE messages.conversation_id = c.id ORDER BY id DESC LIMIT 2) m ORDER BY c.id, m.id`),
	ordered(`SELECT c.id, m.cnt FROM conversations c LEFT JOIN LATERAL (SELECT count(*) AS cnt FROM messages WHERE conversation_id = c.id) m ON true ORDER BY c.id`),
	ordered(`SELECT c.id, last.body FROM conversations c LEFT JOIN LATERAL (SELECT body FROM messages m WHERE m.conversation_id = c.id ORDER BY m.created_at DESC, m.id DESC LIMIT 1) last ON true ORDER BY c.id`),
	ordered(`SELECT u.id, g.n FROM users u, LATERAL (SELECT u.age + 1 AS n) g WHERE u.id < 4 ORDER BY 1`),
	ordered(`SELECT u.id, s FROM users u, generate_series(1, u.id % 3) s WHERE u.id <= 5 ORDER BY 1, 2`),
	// Subqueries.
	ordered(`SELECT name FROM users WHERE id IN (SELECT created_by FROM conversations) ORDER BY name`),
	ordered(`SELECT name FROM users WHERE id NOT IN (SELECT author_id FROM messages) ORDER BY name`),
	ordered(`SELECT id FROM users WHERE id NOT IN (SELECT tokens FROM messages WHERE tokens < 10) ORDER BY 1`),
	ordered(`SELECT id FROM users WHERE team NOT IN (SELECT team FROM users WHERE id > 10) ORDER BY 1`),
	ordered(`SELECT c.id FROM conversations c WHERE EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.tokens > 40) ORDER BY 1`),
	ordered(`SELECT c.id FROM conversations c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id) ORDER BY 1`),
	ordered(`SELECT id, (SELECT count(*) FROM messages m WHERE m.author_id = u.id) FROM users u ORDER BY id`),
	ordered(`SELECT id, (SELECT max(id) FROM messages m WHERE m.conversation_id = c.id) AS last_id FROM conversations c ORDER BY id`),
	ordered(`SELECT (SELECT name FROM users WHERE id = 3), (SELECT count(*) FROM conversations)`),
	ordered(`SELECT id FROM users WHERE age > (SELECT avg(age) FROM users) ORDER BY id`),
	ordered(`SELECT id FROM users WHERE age = ANY (SELECT age FROM users WHERE team = 'red') ORDER BY id`),
	ordered(`SELECT id FROM users WHERE age > ALL (SELECT age FROM users WHERE team = 'blue') ORDER BY id`),
	ordered(`SELECT id FROM users WHERE age < ANY (SELECT age FROM users WHERE id > 100) ORDER BY id`),
	ordered(`SELECT id FROM users WHERE age <= ALL (SELECT age FROM users WHERE id > 100) ORDER BY id`),
	ordered(`SELECT t.team, t.n FROM (SELECT team, count(*) AS n FROM users GROUP BY team) t WHERE t.n > 2 ORDER BY 1`),
	ordered(`SELECT max(n) FROM (SELECT conversation_id, count(*) AS n FROM messages GROUP BY 1) s`),
	ordered(`SELECT s.x FROM (SELECT id * 10 AS x FROM users ORDER BY id DESC LIMIT 3) s ORDER BY s.x`),
	ordered(`SELECT ARRAY(SELECT id FROM users WHERE team = 'green' ORDER BY id)`),
	ordered(`SELECT u.id, EXISTS (SELECT 1 FROM members mb WHERE mb.user_id = u.id AND mb.role = 'owner') FROM users u ORDER BY 1`),
	ordered(`SELECT id FROM messages m WHERE conversation_id = 1 AND id = (SELECT max(id) FROM messages WHERE conversation_id = m.conversation_id)`),
	ordered(`SELECT c.id FROM conversations c WHERE c.created_by IN (SELECT mb.user_id FROM members mb WHERE mb.conversation_id = c.id) ORDER BY 1`),
	ordered(`SELECT u.id FROM users u WHERE (SELECT count(*) FROM members mb WHERE mb.user_id = u.id) >= 3 ORDER BY 1`),
	// WITH and WITH RECURSIVE.
	ordered(`WITH red AS (SELECT * FROM users WHERE team = 'red') SELECT id, name FROM red ORDER BY id`),
	ordered(`WITH counts AS (SELECT conversation_id, count(*) AS n FROM messages GROUP BY 1), top AS (SELECT * FROM counts WHERE n > 4) SELECT c.title, top.n FROM top JOIN conversations c ON c.id = top.conversation_id ORDER BY 1`),
	ordered(`WITH x(a, b) AS (VALUES (1, 2), (3, 4)) SELECT a + b FROM x ORDER BY 1`),
	ordered(`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT sum(n), count(*) FROM t`),
	ordered(`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n * 2 FROM t WHERE n < 100) SELECT n FROM t ORDER BY n`),
	ordered(`WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT (n % 5) + 1 FROM t) SELECT n FROM t ORDER BY n`),
	ordered(`WITH RECURSIVE fib(a, b) AS (SELECT 0::bigint, 1::bigint UNION ALL SELECT b, a + b FROM fib WHERE b < 100) SELECT a FROM fib ORDER BY a`),
	ordered(`WITH RECURSIVE chain(id, depth) AS (SELECT 1::bigint, 0 UNION ALL SELECT c.created_by, chain.depth + 1 FROM chain JOIN conversations c ON c.id = chain.id WHERE chain.depth < 5) SELECT id, depth FROM chain ORDER BY depth`),
	ordered(`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT n FROM t LIMIT 5`),
	ordered(`WITH m AS (SELECT * FROM messages WHERE tokens IS NOT NULL) SELECT conversation_id, min(tokens), max(tokens) FROM m GROUP BY 1 ORDER BY 1`),
	// Set operations and VALUES.
	ordered(`SELECT id FROM users WHERE team = 'red' UNION SELECT id FROM users WHERE age > 30 ORDER BY 1`),
	ordered(`SELECT team FROM users UNION ALL SELECT kind FROM conversations ORDER BY 1 NULLS FIRST`),
	bag(`SELECT author_id FROM messages UNION SELECT created_by FROM conversations`),
	bag(`SELECT author_id FROM messages INTERSECT SELECT created_by FROM conversations`),
	bag(`SELECT author_id FROM messages INTERSECT ALL SELECT user_id FROM members`),
	bag(`SELECT id FROM users EXCEPT SELECT author_id FROM messages`),
	bag(`SELECT author_id FROM messages EXCEPT ALL SELECT user_id FROM members`),
	ordered(`SELECT 1 AS x UNION SELECT 2 UNION SELECT 1 ORDER BY x DESC`),
	ordered(`SELECT 1 UNION ALL SELECT NULL ORDER BY 1`),
	ordered(`SELECT 1.5 UNION SELECT 2 ORDER BY 1`),
	ordered(`SELECT 'a' UNION SELECT 'b' ORDER BY 1 DESC`),
	ordered(`(SELECT id FROM users ORDER BY id LIMIT 2) UNION ALL (SELECT id FROM users ORDER BY id DESC LIMIT 2) ORDER BY 1`),
	ordered(`SELECT name FROM users WHERE id < 3 UNION ALL SELECT title FROM conversations WHERE id < 3 ORDER BY 1 LIMIT 3`),
	ordered(`VALUES (1, 'a'), (2, 'b'), (3, NULL)`),
	ordered(`VALUES (3), (1), (2) ORDER BY 1`),
	ordered(`SELECT * FROM (VALUES (1, 'x'), (2, 'y')) AS t(id, label) ORDER BY id DESC`),
	ordered(`SELECT column1, column2 FROM (VALUES (1, 2.5), (2, 3)) v ORDER BY 1`),
	ordered(`SELECT u.name FROM users u JOIN (VALUES (1), (5), (9)) AS pick(id) ON pick.id = u.id ORDER BY 1`),
	// Window functions.
	ordered(`SELECT id, row_number() OVER (ORDER BY age, id) FROM users ORDER BY id`),
	ordered(`SELECT id, team, row_number() OVER (PARTITION BY team ORDER BY id DESC) FROM users ORDER BY id`),
	ordered(`SELECT id, age, rank() OVER (ORDER BY age), dense_rank() OVER (ORDER BY age) FROM users ORDER BY age, id`),
	ordered(`SELECT conversation_id, id, lag(id) OVER (PARTITION BY conversation_id ORDER BY id), lead(id, 2, -1) OVER (PARTITION BY conversation_id ORDER BY id) FROM messages WHERE conversation_id < 3 ORDER BY 1, 2`),
	ordered(`SELECT id, sum(age) OVER (ORDER BY id) AS running FROM users ORDER BY id`),
	ordered(`SELECT id, team, sum(age) OVER (PARTITION BY team) FROM users ORDER BY id`),
	ordered(`SELECT id, count(*) OVER () FROM users ORDER BY id LIMIT 3`),
	ordered(`SELECT id, avg(age) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM users ORDER BY id`),
	ordered(`SELECT id, sum(tokens) OVER (PARTITION BY conversation_id ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM messages WHERE conversation_id = 3 ORDER BY id`),
	ordered(`SELECT id, first_value(name) OVER (PARTITION BY team ORDER BY id), last_value(name) OVER (PARTITION BY team ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM users ORDER BY id`),
	ordered(`SELECT id, last_value(id) OVER (ORDER BY age) FROM users ORDER BY id`),
	ordered(`SELECT id, max(age) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), min(age) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) FROM users ORDER BY id`),
	ordered(`SELECT age, count(*) OVER (ORDER BY age RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM users ORDER BY age, id`),
	ordered(`SELECT team, count(*), sum(count(*)) OVER (ORDER BY team) FROM users GROUP BY team ORDER BY team`),
	ordered(`SELECT conversation_id, id FROM (SELECT conversation_id, id, row_number() OVER (PARTITION BY conversation_id ORDER BY id DESC) AS rn FROM messages) t WHERE rn <= 2 ORDER BY 1, 2`),
	ordered(`SELECT id, row_number() OVER w, rank() OVER w FROM users WINDOW w AS (PARTITION BY team ORDER BY age) ORDER BY id`),
	ordered(`SELECT id, ntile(3) OVER (ORDER BY id), percent_rank() OVER (ORDER BY age), cume_dist() OVER (ORDER BY age) FROM users ORDER BY id`),
	ordered(`SELECT id, row_number() OVER (ORDER BY id DESC) FROM users ORDER BY row_number() OVER (ORDER BY id DESC) LIMIT 3`),
	// Table functions.
	ordered(`SELECT * FROM generate_series(1, 5)`),
	ordered(`SELECT g FROM generate_series(10, 0, -3) g`),
	ordered(`SELECT g * 2 FROM generate_series(1, 3) AS g(x), LATERAL (SELECT x AS g) s`),
	ordered(`SELECT * FROM generate_series('2024-01-01 00:00'::timestamp, '2024-01-02 00:00', '6 hours')`),
	ordered(`SELECT * FROM generate_series('2024-01-30'::timestamptz, '2024-04-30', '1 month')`),
	ordered(`SELECT generate_series(1, 3)`),
	ordered(`SELECT id, generate_series(1, 2) FROM users WHERE id < 3 ORDER BY 1, 2`),
	ordered(`SELECT generate_series(1, 3), generate_series(1, 2)`),
	ordered(`SELECT * FROM unnest(ARRAY[3, 1, 2])`),
	ordered(`SELECT x, ordinality FROM unnest(ARRAY['a', 'b', 'c']) WITH ORDINALITY AS t(x)`),
	ordered(`SELECT unnest(ARRAY['x', 'y'])`),
	ordered(`SELECT u FROM unnest(ARRAY(SELECT name FROM users WHERE id < 4)) AS u ORDER BY u DESC`),
	ordered(`SELECT value FROM jsonb_array_elements('[1, "two", {"three": 3}, null]')`),
	ordered(`SELECT value FROM jsonb_array_elements_text('[1, "two", null]')`),
	ordered(`SELECT key, value FROM jsonb_each('{"b": [1], "a": 1, "c": null}')`),
	ordered(`SELECT * FROM jsonb_each_text('{"b": 2, "a": "x"}')`),
	ordered(`SELECT jsonb_object_keys('{"z": 1, "a": 2}')`),
	ordered(`SELECT m.id, t.value FROM messages m, jsonb_array_elements_text(m.meta->'tags') t WHERE m.conversation_id = 2 ORDER BY m.id`),
	ordered(`SELECT k, count(*) FROM messages m, jsonb_object_keys(m.meta) k GROUP BY k ORDER BY k`),
	// Expressions over results.
	ordered(`SELECT id, CASE WHEN age > 30 THEN 'old' ELSE 'young' END FROM users ORDER BY id`),
	ordered(`SELECT coalesce(team, 'none'), count(*) FROM users GROUP BY coalesce(team, 'none') ORDER BY 1`),
	ordered(`SELECT conversation_id, sum(tokens) * 2, avg(tokens)::integer FROM messages GROUP BY 1 ORDER BY 1`),
	ordered(`SELECT count(*) FROM messages WHERE meta @> '{"lang": "fr"}'`),
	ordered(`SELECT id FROM messages WHERE conversation_id = 3 AND (meta->>'n')::int > 3 ORDER BY id`),
	ordered(`SELECT u.name, (SELECT string_agg(c.title, ',' ORDER BY c.id) FROM conversations c WHERE c.created_by = u.id) FROM users u ORDER BY u.id`),
	ordered(`SELECT kind, count(*) FROM conversations c WHERE EXISTS (SELECT 1 FROM members mb WHERE mb.conversation_id = c.id AND mb.user_id = 3) GROUP BY kind ORDER BY 1`),
}

// differentialBadQueries must fail with PostgreSQL's SQLSTATE.
var differentialBadQueries = []string{
	`SELECT id FROM users, conversations`,
	`SELECT * FROM users, users`,
	`SELECT nope.id FROM users`,
	`SELECT (SELECT id FROM users)`,
	`SELECT (SELECT id, name FROM users LIMIT 1)`,
	`SELECT id FROM users WHERE id IN (SELECT id, name FROM users)`,
	`SELECT 1 UNION SELECT 1, 2`,
	`SELECT 1 UNION SELECT 'x'::text`,
	`SELECT DISTINCT ON (team) team, id FROM users ORDER BY id`,
	`SELECT DISTINCT id FROM users ORDER BY name`,
	`SELECT name, count(*) FROM users`,
	`SELECT team FROM users GROUP BY team HAVING name = 'x'`,
	`SELECT id FROM users WHERE count(*) > 1`,
	`SELECT id FROM users WHERE row_number() OVER () > 1`,
	`SELECT id FROM users ORDER BY 5`,
	`SELECT id FROM users GROUP BY 3`,
	`SELECT * FROM (SELECT 1)`,
	`SELECT * FROM generate_series(1, 3, 0)`,
	`SELECT * FROM users u JOIN conversations c USING (nope)`,
	`WITH t AS (SELECT 1), t AS (SELECT 2) SELECT * FROM t`,
	`SELECT id FROM users LIMIT -1`,
	`SELECT * FROM jsonb_array_elements('{"a": 1}')`,
	`SELECT no_such_fn(1) FROM users`,
	`SELECT * FROM nosuch_table`,
}

func TestDifferentialQueries(t *testing.T) {
	if err := pgrun.Available(); err != nil {
		t.Fatalf("PostgreSQL 15 is required for this test: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	pg, err := pgrun.Start(ctx, pgrun.Options{Logf: t.Logf})
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			t.Errorf("stop PostgreSQL: %v", err)
		}
	})
	ks := startServer(t, "")
	pgConn, err := pgconn.Connect(ctx, pg.DSN("postgres"))
	if err != nil {
		t.Fatalf("connect PostgreSQL: %v", err)
	}
	defer pgConn.Close(context.Background())
	kConn, err := pgconn.Connect(ctx, ks.dsn("root", ""))
	if err != nil {
		t.Fatalf("connect KalamDB: %v", err)
	}
	defer kConn.Close(context.Background())
	for _, sql := range querySchema() {
		for name, c := range map[string]*pgconn.PgConn{"PostgreSQL": pgConn, "KalamDB": kConn} {
			if _, err := c.Exec(ctx, sql).ReadAll(); err != nil {
				t.Fatalf("%s: %s: %v", name, sql, err)
			}
		}
	}

	passed := 0
	for i, q := range differentialQueries {
		want, werr := queryResult(pgConn, q.sql)
		if werr != nil {
			t.Errorf("query %d fails on PostgreSQL (fix the corpus): %s: %v", i, q.sql, werr)
			continue
		}
		got, gerr := queryResult(kConn, q.sql)
		if gerr != nil {
			t.Errorf("query %d: %s\nKalamDB error: %v", i, q.sql, gerr)
			continue
		}
		if msg := want.diff(got, q.bag); msg != "" {
			t.Errorf("query %d: %s\n%s", i, q.sql, msg)
			continue
		}
		passed++
	}
	badPassed := 0
	for i, sql := range differentialBadQueries {
		_, werr := queryResult(pgConn, sql)
		_, gerr := queryResult(kConn, sql)
		want, got := sqlState(werr), sqlState(gerr)
		if want == "" {
			t.Errorf("bad query %d succeeds on PostgreSQL (fix the corpus): %s", i, sql)
			continue
		}
		if got != want {
			t.Errorf("bad query %d: %s\nPostgreSQL SQLSTATE %s, KalamDB %q (%v)", i, sql, want, got, gerr)
			continue
		}
		badPassed++
	}
	t.Logf("queries: %d/%d match PostgreSQL; bad queries: %d/%d SQLSTATEs match",
		passed, len(differentialQueries), badPassed, len(differentialBadQueries))
}

// queryOutcome is a query's columns and rows as text.
type queryOutcome struct {
	cols []string
	rows [][]string
}

func queryResult(pc *pgconn.PgConn, sql string) (*queryOutcome, error) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	results, err := pc.Exec(ctx, sql).ReadAll()
	if err != nil {
		return nil, err
	}
	out := &queryOutcome{}
	for _, r := range results {
		if r.Err != nil {
			return nil, r.Err
		}
		for _, fd := range r.FieldDescriptions {
			out.cols = append(out.cols, fmt.Sprintf("%s:%d", fd.Name, fd.DataTypeOID))
		}
		for _, row := range r.Rows {
			out.rows = append(out.rows, rowText(row))
		}
	}
	return out, nil
}

// diff describes how got differs from o ("" when they match).
func (o *queryOutcome) diff(got *queryOutcome, bag bool) string {
	if strings.Join(o.cols, ", ") != strings.Join(got.cols, ", ") {
		return fmt.Sprintf("columns: PostgreSQL %v, KalamDB %v", o.cols, got.cols)
	}
	want, have := joinRows(o.rows), joinRows(got.rows)
	if bag {
		want, have = sortedCopy(want), sortedCopy(have)
	}
	if len(want) != len(have) {
		return fmt.Sprintf("%d rows from PostgreSQL, %d from KalamDB:\nPostgreSQL: %q\nKalamDB:    %q", len(want), len(have), want, have)
	}
	for i := range want {
		if !sameRow(want[i], have[i]) {
			return fmt.Sprintf("row %d differs:\nPostgreSQL: %q\nKalamDB:    %q", i, want, have)
		}
	}
	return ""
}

func sortedCopy(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}

// sameRow compares rendered rows cell by cell, floats within 1e-9
// relative.
func sameRow(a, b string) bool {
	if a == b {
		return true
	}
	ac, bc := strings.Split(a, "|"), strings.Split(b, "|")
	if len(ac) != len(bc) {
		return false
	}
	for i := range ac {
		if ac[i] == bc[i] {
			continue
		}
		x, err1 := strconv.ParseFloat(ac[i], 64)
		y, err2 := strconv.ParseFloat(bc[i], 64)
		if err1 != nil || err2 != nil || math.Abs(x-y) > 1e-9*math.Max(1, math.Abs(x)) {
			return false
		}
	}
	return true
}

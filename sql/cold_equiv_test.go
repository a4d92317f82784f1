package sql

import (
	"strconv"
	"testing"

	"github.com/kalamdb/kalamdb/coldstore"
	"github.com/kalamdb/kalamdb/pgerr"
)

// coldStage is one stage of the tier-equivalence script: statements run
// on both engines (as the given role; "" is root), then the tiered engine
// flushes (every table, or only the given partitions), then every probe
// query must render identically on both.
type coldStage struct {
	name   string
	writes []coldWrite
	flush  []string // "all", or "user:<user>" for that user's messages only
}

type coldWrite struct {
	role string
	sql  string
}

// coldProbes are the queries compared after every stage: filters, ORDER BY
// ... LIMIT both ways, aggregates, joins of a user table with a shared
// one, index lookups and primary-key lookups, as each user.
var coldProbes = []string{
	"SELECT * FROM msgs ORDER BY id",
	"SELECT id, body FROM msgs WHERE conv = 'c1' ORDER BY id",
	"SELECT id FROM msgs WHERE n > 3 AND n <= 12 ORDER BY id DESC",
	"SELECT id, body FROM msgs ORDER BY id DESC LIMIT 3",
	"SELECT id, body FROM msgs ORDER BY id LIMIT 3",
	"SELECT id FROM msgs WHERE id > 4 ORDER BY id LIMIT 2",
	"SELECT body FROM msgs WHERE id = 5",
	"SELECT count(*), sum(n), min(body), max(id) FROM msgs",
	"SELECT conv, count(*), avg(n) FROM msgs GROUP BY conv ORDER BY conv",
	"SELECT m.id, c.title FROM msgs m JOIN convs c ON c.conv = m.conv ORDER BY m.id",
	"SELECT c.title, count(m.id) FROM convs c LEFT JOIN msgs m ON m.conv = c.conv GROUP BY c.title ORDER BY c.title",
	"SELECT * FROM convs ORDER BY conv",
	"SELECT conv FROM convs WHERE title = 'general'",
	"SELECT id FROM msgs WHERE conv = 'c2' ORDER BY conv, id DESC LIMIT 2",
	"SELECT count(*) FROM msgs WHERE body LIKE 'a%'",
}

var coldRoles = []string{"user_a", "user_b"}

func coldScript() []coldStage {
	var seedA, seedB []coldWrite
	for i := 1; i <= 12; i++ {
		conv := []string{"c1", "c2", "c3"}[i%3]
		seedA = append(seedA, coldWrite{"user_a", "INSERT INTO msgs (id, conv, body, n) VALUES (" + strconv.Itoa(i) + ", '" + conv + "', 'a" + strconv.Itoa(i) + "', " + strconv.Itoa(i) + ")"})
		if i <= 6 {
			seedB = append(seedB, coldWrite{"user_b", "INSERT INTO msgs (id, conv, body, n) VALUES (" + strconv.Itoa(i) + ", '" + conv + "', 'b" + strconv.Itoa(i) + "', " + strconv.Itoa(i*2) + ")"})
		}
	}
	setup := []coldWrite{
		{"", "CREATE TABLE msgs (id bigint PRIMARY KEY, conv text, body text, n int) WITH (type = 'user')"},
		{"", "CREATE INDEX msgs_conv ON msgs (conv)"},
		{"", "CREATE TABLE convs (conv text PRIMARY KEY, title text)"},
		{"", "CREATE USER user_a"},
		{"", "CREATE USER user_b"},
		{"", "INSERT INTO convs VALUES ('c1', 'general'), ('c2', 'random'), ('c3', 'ai')"},
	}
	return []coldStage{
		{name: "seed", writes: append(append(setup, seedA...), seedB...), flush: []string{"all"}},
		{name: "hot and cold mixed", writes: []coldWrite{
			{"user_a", "INSERT INTO msgs VALUES (13, 'c1', 'a13', 13), (14, 'c2', 'a14', 14)"},
			{"user_b", "INSERT INTO msgs VALUES (7, 'c1', 'b7', 14)"},
			{"", "INSERT INTO convs VALUES ('c4', 'late')"},
		}},
		{name: "updates and deletes of cold rows", writes: []coldWrite{
			{"user_a", "UPDATE msgs SET body = 'A2', n = 100 WHERE id = 2"},
			{"user_a", "UPDATE msgs SET conv = 'c3' WHERE conv = 'c1' AND id < 5"},
			{"user_a", "DELETE FROM msgs WHERE id IN (3, 6)"},
			{"user_a", "UPDATE msgs SET id = 50 WHERE id = 9"},
			{"user_b", "DELETE FROM msgs WHERE n > 8"},
			{"", "UPDATE convs SET title = 'general!' WHERE conv = 'c1'"},
			{"", "DELETE FROM convs WHERE conv = 'c3'"},
		}, flush: []string{"user:user_a"}},
		{name: "primary-key conflicts across tiers", writes: []coldWrite{
			{"user_a", "INSERT INTO msgs VALUES (1, 'c1', 'dup', 0)"}, // 23505: 1 is cold
			{"user_a", "INSERT INTO msgs VALUES (3, 'c2', 're3', 3)"}, // deleted in cold: free
			{"user_b", "INSERT INTO msgs VALUES (2, 'c1', 'dup', 0)"}, // 23505: 2 is cold
			{"user_a", "UPDATE msgs SET id = 4 WHERE id = 5"},         // 23505: 4 is cold
			{"user_a", "INSERT INTO msgs VALUES (7, 'c1', 'x', 0) ON CONFLICT DO NOTHING"},
			{"user_a", "INSERT INTO msgs VALUES (8, 'c1', 'x', 0) ON CONFLICT (id) DO UPDATE SET body = excluded.body || msgs.body"},
			{"user_a", "INSERT INTO msgs VALUES (6, 'c2', 'new6', 6) ON CONFLICT (id) DO UPDATE SET body = 'never'"},
			{"", "INSERT INTO convs VALUES ('c2', 'again')"}, // 23505
			{"", "INSERT INTO convs VALUES ('c2', 'again') ON CONFLICT (conv) DO UPDATE SET title = excluded.title"},
		}, flush: []string{"all"}},
		{name: "add column with default", writes: []coldWrite{
			{"", "ALTER TABLE msgs ADD COLUMN flag text DEFAULT 'none'"},
			{"user_a", "INSERT INTO msgs (id, conv, body, n, flag) VALUES (60, 'c2', 'a60', 60, 'set')"},
		}},
		{name: "drop and rename column", writes: []coldWrite{
			{"", "ALTER TABLE msgs DROP COLUMN n"},
			{"", "ALTER TABLE msgs RENAME COLUMN body TO text_body"},
			{"", "ALTER TABLE msgs RENAME COLUMN text_body TO body"},
			{"", "ALTER TABLE msgs ADD COLUMN n int DEFAULT 7"},
			{"user_b", "UPDATE msgs SET flag = 'b' WHERE id = 1"},
		}, flush: []string{"all"}},
		{name: "index built after flush", writes: []coldWrite{
			{"", "DROP INDEX msgs_conv"},
			{"", "CREATE INDEX msgs_conv2 ON msgs (conv)"},
			{"", "CREATE UNIQUE INDEX convs_title ON convs (title)"},
			{"", "INSERT INTO convs VALUES ('c9', 'random')"}, // 23505 through the unique index
			{"user_a", "INSERT INTO msgs (id, conv, body) VALUES (70, 'c1', 'a70')"},
		}},
	}
}

// TestColdEquivalence runs the same writes on a hot-only reference and on
// a tiered engine that flushes between stages: every query must return
// the same rows and every write the same outcome.
func TestColdEquivalence(t *testing.T) {
	ref, cold := newTieredEngine(t), newTieredEngine(t)
	refRoot, coldRoot := newTestSession(t, ref, "root"), newTestSession(t, cold, "root")
	run := func(s *Session, role, text string) (string, error) {
		if role != "" {
			if _, err := query(s, "SET ROLE "+role); err != nil {
				t.Fatalf("SET ROLE %s: %v", role, err)
			}
			defer query(s, "RESET ROLE")
		}
		return query(s, text)
	}
	for _, st := range coldScript() {
		for _, w := range st.writes {
			want, wantErr := run(refRoot, w.role, w.sql)
			got, gotErr := run(coldRoot, w.role, w.sql)
			if got != want || pgerr.Code(gotErr) != pgerr.Code(wantErr) {
				t.Fatalf("%s: %s as %q:\n got %q %v\nwant %q %v", st.name, w.sql, w.role, got, gotErr, want, wantErr)
			}
		}
		compare := func(when string) {
			t.Helper()
			for _, role := range coldRoles {
				for _, q := range coldProbes {
					want, wantErr := run(refRoot, role, q)
					got, gotErr := run(coldRoot, role, q)
					if wantErr != nil {
						t.Fatalf("%s (%s): reference %s: %v", st.name, when, q, wantErr)
					}
					if got != want || gotErr != nil {
						t.Fatalf("%s (%s): %s as %s:\n got %q %v\nwant %q", st.name, when, q, role, got, gotErr, want)
					}
				}
			}
		}
		compare("before flush")
		for _, f := range st.flush {
			var err error
			if f == "all" {
				_, err = cold.FlushAll(t.Context())
			} else {
				tbl, _ := cold.cat.Table("public", "msgs")
				_, err = cold.flushPartition(t.Context(), tbl, f[len("user:"):])
			}
			if err != nil {
				t.Fatalf("%s: flush %s: %v", st.name, f, err)
			}
		}
		compare("after flush")
	}
	// Everything ended up cold at least once, and the last stage left hot
	// rows too: the comparisons covered both tiers.
	tbl, _ := cold.cat.Table("public", "msgs")
	if n := cold.hotRows(tbl, "user_a", 1000); n == 0 {
		t.Fatalf("user_a has no hot rows left: the mixed case was not exercised")
	}
}

// TestColdVolatileDefault: ADD COLUMN with a volatile default rewrites
// cold rows in place (same _seq); the rewritten version must win over the
// flushed one before and after it is flushed and compacted in turn.
func TestColdVolatileDefault(t *testing.T) {
	e := newTieredEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE v (id int PRIMARY KEY)"},
		{sql: "INSERT INTO v SELECT g FROM generate_series(1, 5) g"},
		{sql: "SELECT kalamdb_flush('v')", want: "SELECT 1: 5"},
		{sql: "ALTER TABLE v ADD COLUMN u uuid DEFAULT gen_random_uuid()"},
		{sql: "SELECT count(u), count(DISTINCT u) FROM v", want: "SELECT 1: 5,5"},
	})
	before, err := query(s, "SELECT id, u FROM v ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"SELECT kalamdb_flush('v')", "VACUUM"} {
		if q == "VACUUM" {
			tbl, _ := e.cat.Table("public", "v")
			if _, err := e.cold.Compact(t.Context(), coldstore.PartitionOf(tbl, ""), tbl.Columns, int64(tbl.NextColumn)); err != nil {
				t.Fatal(err)
			}
		} else if _, err := query(s, q); err != nil {
			t.Fatal(err)
		}
		after, err := query(s, "SELECT id, u FROM v ORDER BY id")
		if err != nil || after != before {
			t.Fatalf("after %s:\n got %q %v\nwant %q", q, after, err, before)
		}
	}
}

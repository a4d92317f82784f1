package sql

import (
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
)

func TestOnConflict(t *testing.T) {
	s := newTestSession(t, newTestEngine(t), "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE kv (k text PRIMARY KEY, v int, email text, n int DEFAULT 0)"},
		{sql: "CREATE UNIQUE INDEX kv_email ON kv (email)"},
		{sql: "INSERT INTO kv (k, v, email) VALUES ('a', 1, 'a@x'), ('b', 2, 'b@x')"},
		{sql: "INSERT INTO kv (k, v) VALUES ('a', 10), ('c', 3) ON CONFLICT DO NOTHING RETURNING k", want: "INSERT 0 1: c"},
		{sql: "INSERT INTO kv (k, v) VALUES ('a', 10) ON CONFLICT (k) DO NOTHING", want: "INSERT 0 0: "},
		// Without a target every unique constraint is an arbiter.
		{sql: "INSERT INTO kv (k, email) VALUES ('z', 'a@x') ON CONFLICT DO NOTHING", want: "INSERT 0 0: "},
		// A conflict on a constraint that is not an arbiter is an error.
		{sql: "INSERT INTO kv (k, email) VALUES ('z', 'a@x') ON CONFLICT (k) DO NOTHING", code: pgerr.UniqueViolation},
		{sql: "INSERT INTO kv (k, v) VALUES ('a', 10), ('d', 4) ON CONFLICT (k) DO UPDATE SET v = kv.v + EXCLUDED.v RETURNING k, v",
			want: "INSERT 0 2: a,11; d,4"},
		{sql: "INSERT INTO kv AS t (k, v) VALUES ('a', 5) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v WHERE t.v > 100 RETURNING v",
			want: "INSERT 0 0: "},
		{sql: "INSERT INTO kv AS t (k, v) VALUES ('a', 5) ON CONFLICT ON CONSTRAINT kv_pkey DO UPDATE SET v = EXCLUDED.v, n = t.n + 1 RETURNING v, n",
			want: "INSERT 0 1: 5,1"},
		{sql: "INSERT INTO kv (k, email) VALUES ('q', 'b@x') ON CONFLICT (email) DO UPDATE SET v = 99 RETURNING k, v",
			want: "INSERT 0 1: b,99"},
		{sql: "INSERT INTO kv (k, v) VALUES ('a', 1), ('a', 2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v", code: pgerr.CardinalityViolation},
		{sql: "INSERT INTO kv (k, v) VALUES ('x', 1), ('x', 2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v", code: pgerr.CardinalityViolation},
		{sql: "INSERT INTO kv (k, v) VALUES ('x', 1), ('x', 2) ON CONFLICT (k) DO NOTHING RETURNING v", want: "INSERT 0 1: 1"},
		{sql: "INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT (v) DO NOTHING", code: pgerr.InvalidColumnReference},
		{sql: "INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT (k, v) DO NOTHING", code: pgerr.InvalidColumnReference},
		{sql: "INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT DO UPDATE SET v = 1", code: pgerr.SyntaxError},
		{sql: "INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT ON CONSTRAINT nope DO NOTHING", code: pgerr.UndefinedObject},
		{sql: "INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET v = v + 1", code: pgerr.AmbiguousColumn},
		{sql: "INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT (nosuch) DO NOTHING", code: pgerr.UndefinedColumn},
		{sql: "INSERT INTO kv (k) VALUES (NULL) ON CONFLICT DO NOTHING", code: pgerr.NotNullViolation},
		// The update may move the row to a new key.
		{sql: "INSERT INTO kv (k, v) VALUES ('d', 0) ON CONFLICT (k) DO UPDATE SET k = 'dd' RETURNING k, v", want: "INSERT 0 1: dd,4"},
		{sql: "SELECT k, v, email, n FROM kv ORDER BY k", want: "SELECT 5: a,5,a@x,1; b,99,b@x,0; c,3,NULL,0; dd,4,NULL,0; x,1,NULL,0"},
		{sql: "INSERT INTO kv (k, v) VALUES ($$b$$, 0) ON CONFLICT (k) DO UPDATE SET v = DEFAULT, n = DEFAULT RETURNING v, n", want: "INSERT 0 1: NULL,0"},
	})
}

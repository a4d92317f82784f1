package sql

import (
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
)

// TestDDLInMultiStatementQuery checks that DDL inside a multi-statement
// simple query sees the writes made before it in the same string, and
// the statements after it see the DDL, with PostgreSQL's results (the
// wants were taken from PostgreSQL 15).
func TestDDLInMultiStatementQuery(t *testing.T) {
	tests := []struct {
		name  string
		setup string
		sql   string
		want  string
		check string // a later query and its result
		after string
	}{
		{
			name:  "truncate after insert",
			setup: "CREATE TABLE t (id int PRIMARY KEY, c text)",
			sql:   "INSERT INTO t VALUES (1, 'a'), (2, 'b'); TRUNCATE t; SELECT count(*) FROM t",
			want:  "INSERT 0 2:  | TRUNCATE TABLE:  | SELECT 1: 0",
			check: "SELECT count(*) FROM t",
			after: "SELECT 1: 0",
		},
		{
			name:  "set not null after insert",
			setup: "CREATE TABLE t (id int PRIMARY KEY, c text); INSERT INTO t VALUES (1, 'a')",
			sql:   "INSERT INTO t VALUES (2, 'b'), (3, 'c'); ALTER TABLE t ALTER c SET NOT NULL; SELECT count(*) FROM t",
			want:  "INSERT 0 2:  | ALTER TABLE:  | SELECT 1: 3",
			check: "SELECT id, c FROM t ORDER BY id",
			after: "SELECT 3: 1,a; 2,b; 3,c",
		},
		{
			name:  "set not null sees a NULL inserted before it",
			setup: "CREATE TABLE t (id int PRIMARY KEY, c text)",
			sql:   "INSERT INTO t VALUES (1, NULL); ALTER TABLE t ALTER c SET NOT NULL",
			want:  "ERROR 23502",
			check: "SELECT count(*) FROM t",
			// PostgreSQL rolls the INSERT back with the failed ALTER; here
			// it was committed before the DDL ran (see Session.runDDL).
			after: "SELECT 1: 1",
		},
		{
			name:  "create index after update",
			setup: "CREATE TABLE t (id int PRIMARY KEY, c text); INSERT INTO t VALUES (1, 'a'), (2, 'b')",
			sql:   "UPDATE t SET c = 'z' WHERE id = 1; CREATE INDEX t_c ON t (c); SELECT id FROM t WHERE c = 'z'",
			want:  "UPDATE 1:  | CREATE INDEX:  | SELECT 1: 1",
			check: "SELECT id, c FROM t WHERE c = 'z' OR c = 'b' ORDER BY id",
			after: "SELECT 2: 1,z; 2,b",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession(t, newTestEngine(t), "root")
			if _, err := query(s, tc.setup); err != nil {
				t.Fatalf("setup: %v", err)
			}
			got, err := query(s, tc.sql)
			if err != nil {
				got = "ERROR " + pgerr.Code(err)
			}
			if got != tc.want {
				t.Fatalf("%s:\n got %q\nwant %q", tc.sql, got, tc.want)
			}
			if s.TxStatus() != 'I' {
				t.Fatalf("transaction status %c after the query, want I", s.TxStatus())
			}
			got, err = query(s, tc.check)
			if err != nil {
				t.Fatalf("%s: %v", tc.check, err)
			}
			if got != tc.after {
				t.Fatalf("%s:\n got %q\nwant %q", tc.check, got, tc.after)
			}
		})
	}
}

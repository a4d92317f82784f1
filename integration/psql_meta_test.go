package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPsqlMetaCommands runs psql's describe commands, whose catalog
// queries (joins, regex operators, pg_catalog functions) must work, and
// checks that each names the right objects.
func TestPsqlMetaCommands(t *testing.T) {
	ks := startServer(t, "")
	root := ks.root(t)
	mustExec(t, root,
		"CREATE SCHEMA chat",
		"CREATE TABLE chat.rooms (id bigint PRIMARY KEY, title varchar(40) NOT NULL DEFAULT 'untitled', tags text[])",
		"CREATE INDEX rooms_title ON chat.rooms (title)",
		"CREATE TABLE notes (id bigint PRIMARY KEY, body text) WITH (type = 'user')",
		"CREATE USER user_alice WITH PASSWORD 'pw'",
		"CREATE VIEW chat.titles AS SELECT title FROM chat.rooms",
	)
	cases := []struct {
		cmd  string
		want []string // substrings of the output, in order
		not  []string // substrings that must not appear
	}{
		{`\dt`, []string{"public", "notes", "table", "root"}, []string{"rooms", "pg_class"}},
		{`\dt chat.*`, []string{"chat", "rooms", "table"}, []string{"notes"}},
		{`\d`, []string{"List of relations", "notes"}, []string{"_seq"}},
		{`\d chat.rooms`, []string{`Table "chat.rooms"`, "id", "bigint", "not null", "title", "character varying(40)",
			"'untitled'", "tags", "text[]", "Indexes:", `"rooms_pkey" PRIMARY KEY, btree (id)`, `"rooms_title" btree (title)`},
			[]string{"_seq", "_deleted"}},
		{`\d+ notes`, []string{`Table "public.notes"`, "body", "text", "type=user"}, []string{"_seq"}},
		{`\dn`, []string{"List of schemas", "chat", "public"}, []string{"pg_catalog", "information_schema"}},
		{`\di chat.*`, []string{"rooms_pkey", "index", "rooms", "rooms_title"}, nil},
		{`\dv`, []string{"Did not find any relations"}, nil}, // chat is not on the search path
		{`\dv chat.*`, []string{"chat", "titles", "view"}, []string{"rooms"}},
		{`\du`, []string{"List of roles", "root", "Superuser", "user_alice", "{user}"}, nil},
		{`\l`, []string{"List of databases", "kalamdb", "UTF8"}, nil},
		{`\df`, []string{"List of functions", "(0 rows)"}, nil},
		{`\conninfo`, []string{`You are connected to database "kalamdb" as user "root"`}, nil},
		{"\\x on\nSELECT 1 AS one;", []string{"Expanded display is on.", "one | 1"}, nil},
		{"\\timing on\nSELECT 1;", []string{"Timing is on.", "Time:"}, nil},
	}
	dir := t.TempDir()
	for i, tc := range cases {
		script := filepath.Join(dir, "meta"+itoa(int64(i))+".sql")
		if err := os.WriteFile(script, []byte(tc.cmd+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, err := runPsql(t, ks.PGAddr(), "root", "kalamdb", script)
		if err != nil || strings.Contains(errOut, "ERROR") {
			t.Fatalf("%s: %v\nstderr: %s\nstdout: %s", tc.cmd, err, errOut, out)
		}
		out += errOut // "Did not find any relations." goes to stderr
		rest := out
		for _, w := range tc.want {
			j := strings.Index(rest, w)
			if j < 0 {
				t.Fatalf("%s: output lacks %q (in order)\n%s", tc.cmd, w, out)
			}
			rest = rest[j+len(w):]
		}
		for _, n := range tc.not {
			if strings.Contains(out, n) {
				t.Fatalf("%s: output names %q\n%s", tc.cmd, n, out)
			}
		}
	}
}

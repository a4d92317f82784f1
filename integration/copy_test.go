package integration

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestCopyFromText feeds text and CSV COPY data through pgconn's CopyFrom,
// which speaks CopyInResponse/CopyData/CopyDone like psql's \copy.
func TestCopyFromText(t *testing.T) {
	ks := startServer(t, "")
	conn := ks.root(t)
	mustExec(t, conn, `CREATE TABLE cp (id bigint PRIMARY KEY, name text, note varchar(5), at timestamptz DEFAULT now(), b bytea)`)
	ctx, cancel := ctxT()
	defer cancel()
	pc := conn.PgConn()

	tests := []struct {
		name, sql, data string
		want            int64
	}{
		{"text", `COPY cp (id, name, note, b) FROM STDIN`, "1\tone\tx\t\\\\x6869\n2\t\\N\ty\\tz\t\\N\n\\.\n", 2},
		{"csv header", `COPY cp (id, name, note) FROM STDIN WITH (FORMAT csv, HEADER true)`, "id,name,note\n3,\"a,b\",\n4,\"\",\"q\"\"\"\n", 2},
		{"csv options", `COPY cp (id, name) FROM STDIN WITH (FORMAT csv, DELIMITER '|', NULL 'nil', QUOTE '''')`, "5|'multi\nline'\n6|nil\n", 2},
		{"legacy csv", `COPY cp (id, name) FROM STDIN CSV HEADER`, "id,name\r\n7,seven\r\n", 1},
	}
	for _, tc := range tests {
		tag, err := pc.CopyFrom(ctx, strings.NewReader(tc.data), tc.sql)
		if err != nil {
			t.Fatalf("%s: CopyFrom: %v", tc.name, err)
		}
		if tag.RowsAffected() != tc.want {
			t.Fatalf("%s: tag %q, want %d rows", tc.name, tag, tc.want)
		}
	}
	wantRows(t, conn, `SELECT id, name, note, b FROM cp ORDER BY id`,
		`1|one|x|\x6869`, "2|NULL|y\tz|NULL", "3|a,b|NULL|NULL", `4||q"|NULL`, "5|multi\nline|NULL|NULL", "6|NULL|NULL|NULL", "7|seven|NULL|NULL")

	// Errors: bad input names the line and column, and nothing of the
	// failed COPY is kept.
	_, err := pc.CopyFrom(ctx, strings.NewReader("10\tten\n11x\televen\n"), `COPY cp (id, name) FROM STDIN`)
	wantCode(t, "bad bigint", err, "22P02")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || !strings.Contains(pe.Where, "COPY cp, line 2, column id") {
		t.Fatalf("where = %+v, want COPY cp, line 2, column id", err)
	}
	_, err = pc.CopyFrom(ctx, strings.NewReader("20\tx\n1\tdup\n"), `COPY cp (id, name) FROM STDIN`)
	wantCode(t, "duplicate key", err, "23505")
	_, err = pc.CopyFrom(ctx, strings.NewReader("21\n"), `COPY cp (id, name) FROM STDIN`)
	wantCode(t, "missing column", err, "22P04")
	_, err = pc.CopyFrom(ctx, strings.NewReader("22\ttoolong\n"), `COPY cp (id, note) FROM STDIN`)
	wantCode(t, "varchar(5)", err, "22001")
	wantRows(t, conn, `SELECT count(*) FROM cp WHERE id >= 10`, "0")
	_, err = pc.CopyFrom(ctx, strings.NewReader(""), `COPY cp FROM '/etc/passwd'`)
	wantCode(t, "server file", err, "42501")

	// The connection is still in step after the failures.
	wantRows(t, conn, `SELECT count(*) FROM cp`, "7")
}

// TestCopyFromBinary uses pgx's CopyFrom, which sends the binary format.
func TestCopyFromBinary(t *testing.T) {
	ks := startServer(t, "")
	conn := ks.root(t)
	mustExec(t, conn, `CREATE TABLE cb (id bigint PRIMARY KEY, i integer, s smallint, ok boolean, f double precision, r real,
		n numeric, t text, v varchar(10), b bytea, j json, jb jsonb, u uuid, ts timestamp, tz timestamptz, d date)`)
	ctx, cancel := ctxT()
	defer cancel()
	ts := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	var rows [][]any
	for i := range 3000 {
		rows = append(rows, []any{int64(i), int32(i), int16(i % 100), i%2 == 0, float64(i) / 4, float32(i) / 2,
			"12.50", "row", "v", []byte{1, 2}, `{"a":1}`, `{"b": 2}`, "6ba7b810-9dad-11d1-80b4-00c04fd430c8", ts, ts, ts})
	}
	rows = append(rows, []any{int64(-1), nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil})
	cols := []string{"id", "i", "s", "ok", "f", "r", "n", "t", "v", "b", "j", "jb", "u", "ts", "tz", "d"}
	n, err := conn.CopyFrom(ctx, pgx.Identifier{"cb"}, cols, pgx.CopyFromRows(rows))
	if err != nil {
		t.Fatalf("CopyFrom: %v", err)
	}
	if n != int64(len(rows)) {
		t.Fatalf("copied %d rows, want %d", n, len(rows))
	}
	wantRows(t, conn, `SELECT i, s, ok, f, r, n, t, v, b, j, jb, u, ts, tz, d FROM cb WHERE id = 3`,
		`3|3|f|0.75|1.5|12.50|row|v|\x0102|{"a":1}|{"b": 2}|6ba7b810-9dad-11d1-80b4-00c04fd430c8|2024-05-06 07:08:09|2024-05-06 07:08:09+00|2024-05-06`)
	wantRows(t, conn, `SELECT count(*) FROM cb WHERE i IS NULL AND d IS NULL`, "1")

	// A duplicate key fails the whole COPY.
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"cb"}, []string{"id"}, pgx.CopyFromRows([][]any{{int64(5000)}, {int64(1)}}))
	wantCode(t, "duplicate", err, "23505")
	wantRows(t, conn, `SELECT count(*) FROM cb`, "3001")
}

// TestCopyTo checks text, CSV and binary COPY TO STDOUT, of a table and of
// a query.
func TestCopyTo(t *testing.T) {
	ks := startServer(t, "")
	conn := ks.root(t)
	mustExec(t, conn, `CREATE TABLE ct (id bigint PRIMARY KEY, name text, f double precision)`,
		`INSERT INTO ct VALUES (1, E'a\tb', 1.5), (2, NULL, NULL), (3, 'x,"y"', 0.1)`)
	ctx, cancel := ctxT()
	defer cancel()
	tests := []struct{ sql, want string }{
		{`COPY ct TO STDOUT`, "1\ta\\tb\t1.5\n2\t\\N\t\\N\n3\tx,\"y\"\t0.1\n"},
		{`COPY ct (name, id) TO STDOUT WITH (FORMAT csv, HEADER)`, "name,id\na\tb,1\n,2\n\"x,\"\"y\"\"\",3\n"},
		{`COPY (SELECT id * 10 AS x FROM ct WHERE id > 1 ORDER BY id) TO STDOUT (FORMAT csv, DELIMITER ';')`, "20\n30\n"},
		{`COPY (SELECT 1::int AS one) TO STDOUT BINARY`, "PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00\x00\x01\xff\xff"},
	}
	for _, tc := range tests {
		var buf bytes.Buffer
		tag, err := conn.PgConn().CopyTo(ctx, &buf, tc.sql)
		if err != nil {
			t.Fatalf("%s: %v", tc.sql, err)
		}
		if buf.String() != tc.want {
			t.Fatalf("%s:\n got %q\nwant %q", tc.sql, buf.String(), tc.want)
		}
		if !strings.HasPrefix(tag.String(), "COPY ") {
			t.Fatalf("%s: tag %q", tc.sql, tag)
		}
	}
	// Round trip: what COPY TO wrote, COPY FROM reads back.
	var buf bytes.Buffer
	if _, err := conn.PgConn().CopyTo(ctx, &buf, `COPY ct TO STDOUT (FORMAT csv)`); err != nil {
		t.Fatal(err)
	}
	mustExec(t, conn, `CREATE TABLE ct2 (id bigint PRIMARY KEY, name text, f double precision)`)
	if _, err := conn.PgConn().CopyFrom(ctx, &buf, `COPY ct2 FROM STDIN (FORMAT csv)`); err != nil {
		t.Fatal(err)
	}
	wantRows(t, conn, `SELECT count(*) FROM ct2 c JOIN ct USING (id) WHERE c.name IS NOT DISTINCT FROM ct.name AND c.f IS NOT DISTINCT FROM ct.f`, "3")
}

// TestCursors runs DECLARE/FETCH/MOVE/CLOSE as psycopg2's named cursors do.
func TestCursors(t *testing.T) {
	ks := startServer(t, "")
	conn := connectMode(t, ks.dsn("root", ""), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, conn, `CREATE TABLE cur (id bigint PRIMARY KEY)`, `INSERT INTO cur SELECT generate_series(1, 10)`)
	execCode(t, conn, "25P01", `DECLARE c CURSOR FOR SELECT id FROM cur`)
	mustExec(t, conn, `BEGIN`, `DECLARE c NO SCROLL CURSOR WITHOUT HOLD FOR SELECT id FROM cur ORDER BY id`)
	wantRows(t, conn, `FETCH 3 FROM c`, "1", "2", "3")
	wantRows(t, conn, `FETCH NEXT FROM c`, "4")
	if tag := execTag(t, conn, `MOVE 2 IN c`); tag != "MOVE 2" {
		t.Fatalf("MOVE tag %q", tag)
	}
	wantRows(t, conn, `FETCH ALL FROM c`, "7", "8", "9", "10")
	wantRows(t, conn, `FETCH c`)
	execCode(t, conn, "55000", `FETCH PRIOR FROM c`)
	mustExec(t, conn, `ROLLBACK`)
	execCode(t, conn, "34000", `FETCH c`)

	mustExec(t, conn, `BEGIN`, `DECLARE s SCROLL CURSOR FOR SELECT id FROM cur ORDER BY id`,
		`DECLARE h CURSOR WITH HOLD FOR SELECT id FROM cur WHERE id <= 2 ORDER BY id`)
	wantRows(t, conn, `FETCH LAST FROM s`, "10")
	wantRows(t, conn, `FETCH BACKWARD 2 FROM s`, "9", "8")
	wantRows(t, conn, `FETCH ABSOLUTE 2 FROM s`, "2")
	wantRows(t, conn, `FETCH RELATIVE -1 FROM s`, "1")
	mustExec(t, conn, `COMMIT`)
	execCode(t, conn, "34000", `FETCH s`)
	wantRows(t, conn, `FETCH ALL FROM h`, "1", "2")
	if tag := execTag(t, conn, `CLOSE h`); tag != "CLOSE CURSOR" {
		t.Fatalf("CLOSE tag %q", tag)
	}
	execCode(t, conn, "34000", `CLOSE h`)
	mustExec(t, conn, `BEGIN`, `DECLARE a CURSOR FOR SELECT 1`, `CLOSE ALL`, `COMMIT`)
}

// TestPsqlCopy runs psql's \copy both ways, which drives COPY FROM STDIN
// and COPY TO STDOUT with psql's own framing.
func TestPsqlCopy(t *testing.T) {
	ks := startServer(t, "")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("id,name\n1,one\n2,\"t,wo\"\n3,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "copy.sql")
	body := `CREATE TABLE pc (id bigint PRIMARY KEY, name text);
\copy pc from 'in.csv' with (format csv, header)
\copy pc to 'out.txt'
\copy (select name from pc where id = 2) to 'q.csv' csv
SELECT count(*) AS n FROM pc;
`
	if err := os.WriteFile(script, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runPsql(t, ks.PGAddr(), "root", "kalamdb", script)
	if err != nil {
		t.Fatalf("psql: %v\n%s\n%s", err, out, stderr)
	}
	if !strings.Contains(out, "COPY 3") || !strings.Contains(out, " 3\n") {
		t.Fatalf("psql output:\n%s", out)
	}
	for file, want := range map[string]string{"out.txt": "1\tone\n2\tt,wo\n3\t\\N\n", "q.csv": "\"t,wo\"\n"} {
		got, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Fatalf("%s = %q, want %q", file, got, want)
		}
	}
}

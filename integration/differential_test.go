package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/kalamdb/kalamdb/integration/pgrun"
)

// differentialSQL runs, in order, against both KalamDB and PostgreSQL 15.
// Everything is inside the foundation's SQL surface; a shared table (the
// default type) is plain PostgreSQL DDL.
var differentialSQL = []string{
	`SET TimeZone = 'UTC'`,
	`CREATE SCHEMA diff`,
	`CREATE TABLE diff.items (id bigint PRIMARY KEY, name text NOT NULL, qty integer DEFAULT 0,
		price numeric, ratio double precision, small smallint, flag boolean, tag varchar(10),
		data bytea, doc jsonb, meta json, uid uuid, ts timestamp, tstz timestamptz, day date, r real)`,
	`CREATE TABLE IF NOT EXISTS diff.items (id bigint PRIMARY KEY)`,
	`CREATE TABLE diff.items (id bigint PRIMARY KEY)`,
	`INSERT INTO diff.items (id, name, qty, price, ratio, small, flag, tag, data, doc, meta, uid, ts, tstz, day, r) VALUES
		(1, 'apple', 10, 1.50, 0.5, 1, true, 'fruit', '\x0102', '{"b": 1, "a": [1, 2]}', '{"b": 1,  "a": 2}',
		 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-01-02 03:04:05.678', '2024-01-02 03:04:05.678+02', '2024-01-02', 1.25),
		(2, 'banana', 5, 0.25, 1e10, -2, false, 'fruit', '', '[]', 'null',
		 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12', '1999-12-31 23:59:59', '1999-12-31 23:59:59-05', '1999-12-31', -0.5),
		(3, 'cherry', DEFAULT, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
		(4, 'date', 0, 100, -3.5, 300, true, 'dried', '\xff', '{"k": "v"}', '{}',
		 '00000000-0000-0000-0000-000000000000', '2000-02-29 00:00:00', '2000-02-29 12:00:00+00', '2000-02-29', 3.125),
		(5, 'Elder', 7, 12.345, 2.5, 5, false, 'berry', '\x', '1', '"s"',
		 'ffffffff-ffff-ffff-ffff-ffffffffffff', '2024-06-30 12:00:00.5', '2024-06-30 12:00:00.5+00', '2024-06-30', 0)`,
	`SELECT * FROM diff.items ORDER BY id`,
	`SELECT id, name FROM diff.items WHERE qty > 5 ORDER BY id`,
	`SELECT id FROM diff.items WHERE qty >= 5 AND flag ORDER BY id`,
	`SELECT id FROM diff.items WHERE qty < 5 OR price IS NULL ORDER BY id`,
	`SELECT id FROM diff.items WHERE NOT flag ORDER BY id`,
	`SELECT id FROM diff.items WHERE price IS NOT NULL ORDER BY id DESC`,
	`SELECT id FROM diff.items WHERE id IN (1, 3, 5, 7) ORDER BY id`,
	`SELECT id FROM diff.items WHERE id NOT IN (1, 3) ORDER BY id`,
	`SELECT id FROM diff.items WHERE qty BETWEEN 5 AND 10 ORDER BY id`,
	`SELECT id FROM diff.items WHERE qty NOT BETWEEN 5 AND 10 ORDER BY id`,
	`SELECT id FROM diff.items WHERE name LIKE '%an%' ORDER BY id`,
	`SELECT id FROM diff.items WHERE name NOT LIKE '_p%' ORDER BY id`,
	`SELECT name FROM diff.items ORDER BY name`,
	`SELECT name FROM diff.items ORDER BY name DESC LIMIT 2`,
	`SELECT id FROM diff.items ORDER BY id LIMIT 2 OFFSET 1`,
	`SELECT id FROM diff.items ORDER BY id OFFSET 3`,
	`SELECT id, price FROM diff.items ORDER BY price, id`,
	`SELECT id, price FROM diff.items ORDER BY price DESC, id`,
	`SELECT count(*) FROM diff.items`,
	`SELECT count(*) FROM diff.items WHERE flag`,
	`SELECT count(*) FROM diff.items WHERE id > 100`,
	`SELECT id, qty * 2 + 1, -qty, qty / 3, qty % 3 FROM diff.items ORDER BY id`,
	`SELECT id, price * 2, price + 0.005, price - qty FROM diff.items ORDER BY id`,
	`SELECT id, ratio / 4, ratio * small, r + 1 FROM diff.items ORDER BY id`,
	`SELECT name || '-' || tag FROM diff.items ORDER BY id`,
	`SELECT id AS item_id, name AS "Label" FROM diff.items ORDER BY item_id LIMIT 1`,
	`SELECT i.id, i.name FROM diff.items i WHERE i.id = 2`,
	`SELECT id, ts, tstz, day FROM diff.items ORDER BY tstz, id`,
	`SELECT id FROM diff.items WHERE tstz > '2000-01-01' ORDER BY id`,
	`SELECT id FROM diff.items WHERE day = '2000-02-29'`,
	`SELECT id, doc, meta FROM diff.items ORDER BY id`,
	`SELECT id FROM diff.items WHERE uid = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12'`,
	`SELECT id, data FROM diff.items WHERE data IS NOT NULL ORDER BY data, id`,
	`SELECT 1 + 1, 7 / 2, 7.0 / 2, -5 % 3, 2 * 3.5`,
	`SELECT 'abc'::text, 42::text, '42'::integer, '3.50'::numeric, 1::boolean`,
	`SELECT CAST('2024-01-02' AS date), '2024-01-02 03:04:05'::timestamp, '2024-01-02 03:04:05+03'::timestamptz`,
	`SELECT 'true'::boolean, 'f'::boolean, 'yes'::boolean, 'off'::boolean`,
	`SELECT '1e3'::double precision, '0.1'::real, 1.0::double precision / 3, 1e-7::double precision`,
	`SELECT '\x41ff'::bytea, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid`,
	`SELECT '{"z": 1, "a": [2, {"y": null}]}'::jsonb, '{"z": 1,  "a": 2}'::json`,
	`SELECT NULL::text IS NULL, 1 = 1, 1 <> 1, 'a' < 'b', 'B' < 'a', NULL = 1`,
	`SELECT true AND NULL, false AND NULL, true OR NULL, NOT NULL::boolean`,
	`SELECT 9223372036854775807::bigint, -32768::smallint, 2147483647, 2147483648`,
	`SELECT 1 AS a; SELECT 'x' AS b`,
	`SELECT 9223372036854775807 + 1`,
	`SELECT 32767::smallint + 1::smallint`,
	`SELECT 1 / 0`,
	`SELECT 'abc'::integer`,
	`SELECT '2024-13-01'::date`,
	`SELECT 'x'::uuid`,
	`SELECT '{bad'::jsonb`,
	`SELECT nosuchcol FROM diff.items`,
	`SELECT * FROM diff.nosuch`,
	`SELEC 1`,
	`INSERT INTO diff.items (id, name) VALUES (1, 'dup')`,
	`INSERT INTO diff.items (id) VALUES (99)`,
	`INSERT INTO diff.items (id, name, small) VALUES (98, 'x', 70000)`,
	`INSERT INTO diff.items (id, name, tag) VALUES (97, 'x', 'waytoolongvalue')`,
	`INSERT INTO diff.items (id, name, qty) VALUES (96, 'x', 'many')`,
	`INSERT INTO diff.items (id, name) VALUES (6, 'fig'), (7, 'grape') RETURNING id, name, qty`,
	`UPDATE diff.items SET qty = qty + 1 WHERE id IN (6, 7) RETURNING id, qty`,
	`UPDATE diff.items SET price = 9.99 WHERE name = 'nothing'`,
	`DELETE FROM diff.items WHERE id = 7 RETURNING name`,
	`UPDATE diff.items SET name = NULL WHERE id = 6`,
	`SELECT id, qty FROM diff.items WHERE id >= 6 ORDER BY id`,
	`BEGIN`,
	`INSERT INTO diff.items (id, name) VALUES (50, 'tx')`,
	`SELECT count(*) FROM diff.items`,
	`ROLLBACK`,
	`SELECT count(*) FROM diff.items`,
	`BEGIN`,
	`SELECT 1 / 0`,
	`SELECT 1`,
	`COMMIT`,
	`SET extra_float_digits = 0`,
	`SELECT 1.0::double precision / 3, 0.1::real`,
	`RESET extra_float_digits`,
	`SET application_name = 'diff'`,
	`SHOW application_name`,
	`SHOW TimeZone`,
	`SET TimeZone = 'America/New_York'`,
	`SELECT tstz FROM diff.items WHERE id = 1`,
	`SHOW DateStyle`,
	`SHOW client_encoding`,
	`SHOW search_path`,
	`SHOW statement_timeout`,
	`SHOW no_such_setting`,
	`RESET TimeZone`,
	`DROP TABLE diff.items`,
	`DROP TABLE diff.items`,
	`DROP TABLE IF EXISTS diff.items`,
	`DROP SCHEMA diff`,
}

// outcome renders what a statement produced: its SQLSTATE on error, else
// every result's columns (name and type OID), rows as text and tag.
func outcome(pc *pgconn.PgConn, sql string) string {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	results, err := pc.Exec(ctx, sql).ReadAll()
	if err != nil {
		if code := sqlState(err); code != "" {
			return "ERROR " + code
		}
		return "ERROR " + err.Error()
	}
	var b strings.Builder
	for _, r := range results {
		if len(r.FieldDescriptions) > 0 {
			cols := make([]string, len(r.FieldDescriptions))
			for i, fd := range r.FieldDescriptions {
				cols[i] = fmt.Sprintf("%s:%d", fd.Name, fd.DataTypeOID)
			}
			fmt.Fprintf(&b, "columns %s\n", strings.Join(cols, ", "))
		}
		for _, row := range r.Rows {
			fmt.Fprintf(&b, "  %s\n", strings.Join(rowText(row), " | "))
		}
		fmt.Fprintf(&b, "%s\n", r.CommandTag.String())
	}
	return b.String()
}

// startBoth starts a throwaway PostgreSQL 15 and a KalamDB server and
// connects to each as its superuser; everything stops at cleanup.
func startBoth(ctx context.Context, t *testing.T) (pgConn, kConn *pgconn.PgConn) {
	t.Helper()
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
	if pgConn, err = pgconn.Connect(ctx, pg.DSN("postgres")); err != nil {
		t.Fatalf("connect PostgreSQL: %v", err)
	}
	t.Cleanup(func() { pgConn.Close(context.Background()) })
	if kConn, err = pgconn.Connect(ctx, ks.dsn("root", "")); err != nil {
		t.Fatalf("connect KalamDB: %v", err)
	}
	t.Cleanup(func() { kConn.Close(context.Background()) })
	return pgConn, kConn
}

// TestDifferentialPostgres runs differentialSQL against KalamDB and a
// throwaway PostgreSQL 15 and requires the same rows (as text), columns,
// command tags and SQLSTATEs. It fails when PostgreSQL is missing.
func TestDifferentialPostgres(t *testing.T) {
	if err := pgrun.Available(); err != nil {
		t.Fatalf("PostgreSQL 15 is required for this test: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	pgConn, kConn := startBoth(ctx, t)

	t.Run("simple", func(t *testing.T) {
		mismatches := 0
		for i, sql := range differentialSQL {
			want := outcome(pgConn, sql)
			got := outcome(kConn, sql)
			if got != want {
				mismatches++
				t.Errorf("statement %d: %s\nPostgreSQL:\n%s\nKalamDB:\n%s", i, sql, want, got)
			}
		}
		if mismatches > 0 {
			t.Logf("%d of %d statements differ", mismatches, len(differentialSQL))
		}
	})
	t.Run("binary", func(t *testing.T) {
		for i, sql := range differentialBinarySQL {
			want := binaryOutcome(pgConn, sql)
			got := binaryOutcome(kConn, sql)
			if got != want {
				t.Errorf("query %d: %s\nPostgreSQL:\n%s\nKalamDB:\n%s", i, sql, want, got)
			}
		}
	})
	t.Run("pipeline", func(t *testing.T) {
		for _, c := range []*pgconn.PgConn{pgConn, kConn} {
			if _, err := c.Exec(ctx, `CREATE TABLE pipe (id bigint PRIMARY KEY)`).ReadAll(); err != nil {
				t.Fatalf("create pipe: %v", err)
			}
		}
		// One Sync for three statements: an implicit transaction that the
		// failing third statement rolls back entirely.
		want := pipelineOutcome(pgConn)
		got := pipelineOutcome(kConn)
		if got != want {
			t.Errorf("pipeline with an error:\nPostgreSQL:\n%s\nKalamDB:\n%s", want, got)
		}
	})
}

// differentialBinarySQL is compared byte for byte with binary results.
var differentialBinarySQL = []string{
	`SELECT 1::bigint, 2::integer, 3::smallint, true, false`,
	`SELECT 1.5::double precision, 0.1::real, -0::double precision`,
	`SELECT 0::numeric, 1.50::numeric, -12345678901234567890.0012300::numeric, 0.000001::numeric, 10000::numeric`,
	`SELECT 'héllo'::text, 'abc'::varchar(5), '\x00ff'::bytea`,
	`SELECT '{"b": 1, "a": [true]}'::json, '{"b": 1, "a": [true]}'::jsonb`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid`,
	`SELECT '2024-02-29 13:14:15.123456'::timestamp, '2024-02-29 13:14:15.123456+02'::timestamptz, '2024-02-29'::date`,
	`SELECT '1999-12-31 23:59:59'::timestamp, '1970-01-01'::date, '0001-01-01'::date`,
	`SELECT NULL::text, NULL::bigint`,
}

// binaryOutcome runs sql with every result column in binary and renders
// the raw bytes.
func binaryOutcome(pc *pgconn.PgConn, sql string) string {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	res := pc.ExecParams(ctx, sql, nil, nil, nil, []int16{1}).Read()
	if res.Err != nil {
		return "ERROR " + sqlState(res.Err)
	}
	var b strings.Builder
	for _, fd := range res.FieldDescriptions {
		fmt.Fprintf(&b, "%s:%d:%d ", fd.Name, fd.DataTypeOID, fd.Format)
	}
	b.WriteString("\n")
	for _, row := range res.Rows {
		for _, v := range row {
			if v == nil {
				b.WriteString("NULL ")
			} else {
				fmt.Fprintf(&b, "%x ", v)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// pipelineOutcome sends three inserts in one batch (one Sync), the last a
// duplicate, and reports each result and what the table holds after.
func pipelineOutcome(pc *pgconn.PgConn) string {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	batch := &pgconn.Batch{}
	for _, id := range []string{"1", "2", "1"} {
		batch.ExecParams(`INSERT INTO pipe VALUES (`+id+`)`, nil, nil, nil, nil)
	}
	var b strings.Builder
	results, err := pc.ExecBatch(ctx, batch).ReadAll()
	for _, r := range results {
		fmt.Fprintf(&b, "%s %s\n", r.CommandTag, sqlState(r.Err))
	}
	fmt.Fprintf(&b, "batch error %s\n", sqlState(err))
	rows, err := textRows(pc, `SELECT count(*) FROM pipe`)
	fmt.Fprintf(&b, "after: %v %v\n", rows, err)
	return b.String()
}

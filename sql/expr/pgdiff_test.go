package expr

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kalamdb/kalamdb/integration/pgrun"
	"github.com/kalamdb/kalamdb/pgerr"
)

// diffExprs are constant expressions whose text output and SQLSTATE must
// match a real PostgreSQL 15.
var diffExprs = []string{
	"1", "3000000000", "99999999999999999999", "1.50", "'abc'", "NULL", "TRUE", "1e3",
	"1 + 2 * 3", "7 / 2", "-7 / 2", "7 % 3", "-7 % 3", "2 ^ 10", "2 ^ 0.5", "2.0 ^ 3", "2.0 ^ 0.5",
	"7 / 2.0", "1 / 3.0", "100000.0 / 3", "12.50 / 4", "12.50 * 2", "12.50 % 5", "1 / 7.000", "123456789.123 / 0.001",
	"0.000001 / 3", "1::numeric / 3", "10::numeric / 4", "2.5::float8 * 2", "1.5::float8 + 1.25",
	"1::int2 + 1::int2", "32767::int2 + 1::int2", "2147483647 + 1", "9223372036854775807 + 1",
	"1 / 0", "1.0 / 0", "1::float8 / 0", "5 % 0", "0 ^ -1", "(-8) ^ 0.5", "1e308::float8 * 10",
	"1 = 1", "1 < 2.5", "'a' < 'b'", "'B' < 'a'", "1 = '1'", "1 = 'x'", "1 = 'a'::text",
	"true AND NULL", "false AND NULL", "true OR NULL", "false OR NULL", "NOT NULL::boolean",
	"1 IN (1, 2)", "3 IN (1, NULL)", "1 IN (1, NULL)", "3 NOT IN (1, NULL)", "3 NOT IN (1, 2)",
	"5 BETWEEN 1 AND 10", "5 BETWEEN 10 AND 1", "5 BETWEEN SYMMETRIC 10 AND 1", "5 NOT BETWEEN 1 AND 3",
	"NULL IS DISTINCT FROM 1", "NULL IS NOT DISTINCT FROM NULL", "NULL IS NULL", "1 IS NOT NULL",
	"NULL::boolean IS UNKNOWN", "true IS NOT TRUE", "false IS FALSE",
	"'ab' || 'cd'", "'a' || 1", "1 || 'a'", "'a' || NULL", "1 || 2",
	"'hello' LIKE 'he%'", "'hello' LIKE 'h_llo'", "'hello' ILIKE 'H%'", "'hello' NOT LIKE '%x%'",
	"'50%' LIKE '50\\%'", "'a_b' LIKE 'a#_b' ESCAPE '#'", "'abc' LIKE 'a\\'",
	"'hello' ~ '^h.*o$'", "'hello' ~* '^H'", "'hello' !~ 'x'",
	"CASE WHEN 1 > 0 THEN 'yes' ELSE 'no' END", "CASE 2 WHEN 1 THEN 'a' WHEN 2 THEN 'b' END",
	"CASE WHEN false THEN 1 ELSE 2.5 END", "CASE WHEN true THEN 1 ELSE 'a' END",
	"COALESCE(NULL, 2, 3)", "COALESCE(NULL::int, NULL)", "NULLIF(1, 1)", "NULLIF(1, 2)",
	"GREATEST(1, 5, 3)", "LEAST(2, NULL, 1)", "GREATEST(1, 2.5)",
	"'42'::int8", "42::text", "'2024-01-01'::date + 1", "'t'::boolean", "12.5::int4", "13.5::int4", "'x'::int4",
	"lower('AbC')", "upper('abc')", "length('héllo')", "octet_length('héllo')", "substr('hello', 2, 3)",
	"substr('hello', 0, 3)", "substring('hello' from 2 for 2)", "position('l' in 'hello')", "strpos('hello', 'lo')",
	"replace('abcabc', 'b', 'X')", "trim('  x  ')", "trim(both 'x' from 'xxaxx')", "ltrim('  x ')", "rtrim('xyy', 'y')",
	"split_part('a,b,c', ',', 2)", "split_part('a,b,c', ',', -1)", "concat('a', NULL, 1, true)",
	"concat_ws('-', 'a', NULL, 'b')", "left('hello', -2)", "right('hello', 2)", "repeat('ab', 3)",
	"reverse('abc')", "md5('abc')", "starts_with('hello', 'he')", "substr('abc', 1, -1)",
	"abs(-5)", "abs(-2.5)", "round(2.5)", "round(-2.5)", "round(2.567, 2)", "round(1234.5, -2)", "round(2.5::float8)",
	"round(1)", "ceil(1.2)", "floor(-1.7)", "mod(7, 3)", "mod(7.5, 2)", "power(2, 3)", "sqrt(16)", "sqrt(2.0)", "sqrt(-1)",
	"foo(1)", "lower(1)",
	"timestamp '2024-01-31 00:00' + interval '1 month'", "date '2024-03-15' - date '2024-03-01'",
	"date '2024-03-15' + interval '1 hour'", "interval '1 day' * 2", "interval '1 hour' + interval '30 minutes'",
	"timestamptz '2024-03-15 10:30+00' - timestamptz '2024-03-14 09:00+00'",
	"date_trunc('hour', timestamptz '2024-03-15 10:30:00+00')", "extract(year from timestamp '2024-03-15')",
	"extract(epoch from timestamptz '2024-01-01 00:00:01+00')", "date_part('month', timestamp '2024-03-15')",
	"extract(second from timestamp '2024-03-15 10:30:05.5')", "to_timestamp(0)",
	`'{"a": 1, "b": [1, 2, {"c": "x"}]}'::jsonb -> 'b' -> 2 ->> 'c'`, `'{"a": 1}'::jsonb -> 'a'`,
	`'{"a": {"b": 1}}'::jsonb #> '{a,b}'`, `'{"a": 1, "b": 2}'::jsonb @> '{"a": 1}'`, `'{"a": 1}'::jsonb ? 'a'`,
	"jsonb_build_object('k', 1, 'v', 'x', 'n', NULL)", "jsonb_build_array(1, 'a', true)", "to_jsonb('hi'::text)",
	`jsonb_typeof('[1]'::jsonb)`, `jsonb_array_length('[1,2,3]'::jsonb)`, `'{"a":1}'::jsonb || '{"b":2}'`,
	"ARRAY[1, 2, 3]", "(ARRAY['a', 'b'])[2]", "1 = ANY(ARRAY[1, 2])", "3 > ALL(ARRAY[1, 2])",
	"initcap('hello world')", "initcap('hELLO wORLD-foo_bar 3rd x9y')", "initcap('éa bé')", "initcap('')",
	"5 & 3", "5 | 3", "5 # 3", "~5", "~0::int8", "1 << 4", "256 >> 2", "-256 >> 2", "1 << 31", "1 << 32",
	"1::int8 << 40", "1::int8 << 64", "1::int2 << 15", "1::int2 << 16", "5::int2 & 3::int2", "5 & 3::int8",
	"5 & '3'", "1.5 & 1", "'a' & 'b'", "~1.5", "NULL::int & 1",
	`'{"a": 1}'::jsonb - 'a'`, `'[1, 2, 3]'::jsonb - 0`, `'[1, 2, 3]'::jsonb - -1`, `'[1, 2, 3]'::jsonb - 9`,
	`'["a", "b", "a"]'::jsonb - 'a'`, `'{"a": 1, "b": 2, "c": 3}'::jsonb - '{a,c}'::text[]`,
	`'{"a": 1}'::jsonb - 1`, `'1'::jsonb - 'a'`, `'"a"'::jsonb - 0`, `'{"a": 1}'::json - 'a'`,
	"json_build_object('b', 1, 'a', 'x', 'n', NULL)", "json_build_array(1, 'a', true, NULL)", "json_build_object()",
	"json_build_array()", `json_build_object('a', ARRAY[1, 2], 'j', '{"z":  1}'::json, 'b', '{"z":  1}'::jsonb)`,
	"to_json('x'::text)", "to_json(ARRAY['a', 'b'])",
	"'abc'::char(5) || '|'", "length('ab '::char(4))", "'hello'::varchar(2)", "octet_length('ab'::char(4))",
	"'a  '::char(3) LIKE 'a'", "'ab'::char(4)", "'ab'::char(4) = 'ab'::text", "'abc'::char(2)",
	"ARRAY[1.5, 2]", "ARRAY[]::int[]", "ARRAY['1', '2']::numeric[]", "ARRAY[[1, 2], [3, 4]]", "ARRAY[[1, 2], [3]]",
	"array_length(ARRAY[[1, 2], [3, 4]], 2)", "cardinality(ARRAY[[1, 2], [3, 4]])", "(ARRAY[[1, 2], [3, 4]])[2][1]",
	"(ARRAY[[1, 2], [3, 4]])[2]", "array_dims(ARRAY[[1, 2, 3], [4, 5, 6]])", "ARRAY[[1.5, 2.5]]::int[]",
	"(1, 2) = (1, 2)", "(1, NULL) = (2, 2)", "(1, NULL) < (2, 0)", "(NULL, 1) < (2, 0)", "(1, 2) <= (1, 2)",
	"(1, 'a') IN ((1, 'b'), (1, 'a'))", "(1, 2) NOT IN ((1, 3), (2, 2))", "ROW(1, 'a b', NULL, '')", "(1, 2) = (1, 2, 3)",
}

// TestPostgresDifferential compares constant expressions with a real
// PostgreSQL 15 started for the test (it fails when PostgreSQL is
// missing: .ci/run installs it).
func TestPostgresDifferential(t *testing.T) {
	pg, err := pgrun.Start(context.Background(), pgrun.Options{})
	if err != nil {
		t.Fatalf("start PostgreSQL 15: %v", err)
	}
	t.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			t.Errorf("stop PostgreSQL: %v", err)
		}
	})
	dsn := pg.DSN("postgres")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET TimeZone = 'UTC'"); err != nil {
		t.Fatal(err)
	}
	for _, src := range diffExprs {
		want, wantCode := pgText(ctx, conn.PgConn(), src)
		got, _, err := evalSrc(t, src)
		gotCode := ""
		if err != nil {
			gotCode = pgerr.Code(err)
		}
		if gotCode != wantCode || (wantCode == "" && got != want) {
			t.Errorf("%s: got %q [%s] (%v), PostgreSQL %q [%s]", src, got, gotCode, err, want, wantCode)
		}
	}
}

// pgText runs SELECT src and returns its text output, or the SQLSTATE.
func pgText(ctx context.Context, c *pgconn.PgConn, src string) (string, string) {
	res := c.ExecParams(ctx, "SELECT "+src, nil, nil, nil, []int16{0}).Read()
	if res.Err != nil {
		if pe, ok := res.Err.(*pgconn.PgError); ok {
			return "", pe.Code
		}
		return "", "conn"
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		return "", "shape"
	}
	if res.Rows[0][0] == nil {
		return "NULL", ""
	}
	return string(res.Rows[0][0]), ""
}

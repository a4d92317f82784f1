package integration

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// typeCase is one column type with a value and PostgreSQL's text output
// for it (TimeZone UTC, DateStyle ISO, extra_float_digits 1).
type typeCase struct {
	col  string // column name
	ddl  string // column type in CREATE TABLE
	oid  uint32
	val  any    // Go value sent as a parameter
	text string // PostgreSQL's text output
	// dst returns a fresh scan target; show renders a scanned value in
	// PostgreSQL's text form so both formats compare against text.
	dst  func() any
	show func(any) string
}

func numeric(t testing.TB, s string) pgtype.Numeric {
	var n pgtype.Numeric
	if err := n.Scan(s); err != nil {
		t.Fatalf("numeric %q: %v", s, err)
	}
	return n
}

func uuidValue(t testing.TB, s string) pgtype.UUID {
	var u pgtype.UUID
	if err := u.Scan(s); err != nil {
		t.Fatalf("uuid %q: %v", s, err)
	}
	return u
}

func typeCases(t testing.TB) []typeCase {
	ts := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)
	str := func() any { return new(string) }
	showStr := func(v any) string { return *v.(*string) }
	return []typeCase{
		{"c_bigint", "bigint", pgtype.Int8OID, int64(-9007199254740993), "-9007199254740993",
			func() any { return new(int64) }, func(v any) string { return strconv.FormatInt(*v.(*int64), 10) }},
		{"c_integer", "integer", pgtype.Int4OID, int32(math.MinInt32), "-2147483648",
			func() any { return new(int32) }, func(v any) string { return strconv.FormatInt(int64(*v.(*int32)), 10) }},
		{"c_smallint", "smallint", pgtype.Int2OID, int16(32767), "32767",
			func() any { return new(int16) }, func(v any) string { return strconv.FormatInt(int64(*v.(*int16)), 10) }},
		{"c_boolean", "boolean", pgtype.BoolOID, true, "t",
			func() any { return new(bool) }, func(v any) string {
				if *v.(*bool) {
					return "t"
				}
				return "f"
			}},
		{"c_double", "double precision", pgtype.Float8OID, -1.25e-05, "-1.25e-05",
			func() any { return new(float64) }, func(v any) string { return strconv.FormatFloat(*v.(*float64), 'g', -1, 64) }},
		{"c_real", "real", pgtype.Float4OID, float32(3.25), "3.25",
			func() any { return new(float32) }, func(v any) string { return strconv.FormatFloat(float64(*v.(*float32)), 'g', -1, 32) }},
		{"c_numeric", "numeric", pgtype.NumericOID, numeric(t, "-12345678901234567890.0012300"), "-12345678901234567890.0012300",
			func() any { return new(pgtype.Numeric) }, func(v any) string {
				s, err := v.(*pgtype.Numeric).Value()
				if err != nil {
					return "error: " + err.Error()
				}
				return fmt.Sprint(s)
			}},
		{"c_text", "text", pgtype.TextOID, "héllo 'wörld' \\ \t ✓", "héllo 'wörld' \\ \t ✓", str, showStr},
		{"c_varchar", "varchar(12)", pgtype.VarcharOID, "twelve chars", "twelve chars", str, showStr},
		{"c_bytea", "bytea", pgtype.ByteaOID, []byte{0, 1, 0xfe, 0xff, '\\', '\''}, `\x0001feff5c27`,
			func() any { return new([]byte) }, func(v any) string { return `\x` + hex.EncodeToString(*v.(*[]byte)) }},
		{"c_json", "json", pgtype.JSONOID, `{"b": 2,  "a": [1, "x"]}`, `{"b": 2,  "a": [1, "x"]}`, str, showStr},
		{"c_jsonb", "jsonb", pgtype.JSONBOID, `{"a": [1, "x", null, true], "b": {"c": 2.5}}`, `{"a": [1, "x", null, true], "b": {"c": 2.5}}`, str, showStr},
		{"c_uuid", "uuid", pgtype.UUIDOID, uuidValue(t, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", str, showStr},
		{"c_timestamp", "timestamp", pgtype.TimestampOID, ts, "2024-02-29 13:14:15.123456",
			func() any { return new(time.Time) }, func(v any) string { return v.(*time.Time).Format("2006-01-02 15:04:05.999999") }},
		{"c_timestamptz", "timestamptz", pgtype.TimestamptzOID, ts, "2024-02-29 13:14:15.123456+00",
			func() any { return new(time.Time) }, func(v any) string { return v.(*time.Time).UTC().Format("2006-01-02 15:04:05.999999-07") }},
		{"c_date", "date", pgtype.DateOID, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), "2024-02-29",
			func() any { return new(time.Time) }, func(v any) string { return v.(*time.Time).Format("2006-01-02") }},
	}
}

func createTypesTable(t testing.TB, conn *pgx.Conn, cases []typeCase) {
	t.Helper()
	cols := []string{"id integer PRIMARY KEY"}
	for _, c := range cases {
		cols = append(cols, c.col+" "+c.ddl)
	}
	mustExec(t, conn, "CREATE TABLE types_rt ("+strings.Join(cols, ", ")+")")
}

// TestTypesWire sends and reads every column type with explicit parameter
// and result formats (binary and text), in every combination, checking the
// column OIDs and PostgreSQL's exact text output.
func TestTypesWire(t *testing.T) {
	ks := startServer(t, "")
	conn := ks.root(t)
	cases := typeCases(t)
	createTypesTable(t, conn, cases)
	pc := conn.PgConn()
	m := conn.TypeMap()
	ctx := context.Background()

	colList := make([]string, len(cases))
	placeholders := make([]string, len(cases))
	oids := make([]uint32, len(cases)+1)
	oids[0] = pgtype.Int4OID
	for i, c := range cases {
		colList[i] = c.col
		placeholders[i] = fmt.Sprintf("$%d", i+2)
		oids[i+1] = c.oid
	}
	insert := fmt.Sprintf("INSERT INTO types_rt (id, %s) VALUES ($1, %s)", strings.Join(colList, ", "), strings.Join(placeholders, ", "))
	selectSQL := fmt.Sprintf("SELECT %s FROM types_rt WHERE id = $1", strings.Join(colList, ", "))

	formats := []struct {
		name string
		code int16
	}{{"text", pgtype.TextFormatCode}, {"binary", pgtype.BinaryFormatCode}}
	id := int32(0)
	for _, in := range formats {
		// Insert one row with every parameter in format in.
		id++
		params := make([][]byte, len(cases)+1)
		var err error
		if params[0], err = m.Encode(pgtype.Int4OID, in.code, id, nil); err != nil {
			t.Fatalf("encode id: %v", err)
		}
		for i, c := range cases {
			if in.code == pgtype.TextFormatCode {
				params[i+1] = []byte(c.text)
				continue
			}
			if params[i+1], err = m.Encode(c.oid, in.code, c.val, nil); err != nil {
				t.Fatalf("encode %s binary: %v", c.col, err)
			}
		}
		paramFormats := make([]int16, len(params))
		for i := range paramFormats {
			paramFormats[i] = in.code
		}
		if _, err := pc.ExecParams(ctx, insert, params, oids, paramFormats, nil).Close(); err != nil {
			t.Fatalf("insert with %s parameters: %v", in.name, err)
		}
		// A row of NULLs in the same format.
		nulls := make([][]byte, len(params))
		nulls[0], _ = m.Encode(pgtype.Int4OID, in.code, id+100, nil)
		if _, err := pc.ExecParams(ctx, insert, nulls, oids, paramFormats, nil).Close(); err != nil {
			t.Fatalf("insert NULLs with %s parameters: %v", in.name, err)
		}

		for _, out := range formats {
			t.Run(in.name+"_in_"+out.name+"_out", func(t *testing.T) {
				idParam, _ := m.Encode(pgtype.Int4OID, pgtype.BinaryFormatCode, id, nil)
				res := pc.ExecParams(ctx, selectSQL, [][]byte{idParam}, []uint32{pgtype.Int4OID}, []int16{1}, []int16{out.code}).Read()
				if res.Err != nil {
					t.Fatalf("select with %s results: %v", out.name, res.Err)
				}
				if len(res.Rows) != 1 {
					t.Fatalf("select: %d rows, want 1", len(res.Rows))
				}
				for i, c := range cases {
					fd := res.FieldDescriptions[i]
					if fd.DataTypeOID != c.oid || fd.Format != out.code || fd.Name != c.col {
						t.Errorf("%s: field %q oid %d format %d, want %q %d %d", c.col, fd.Name, fd.DataTypeOID, fd.Format, c.col, c.oid, out.code)
					}
					raw := res.Rows[0][i]
					if out.code == pgtype.TextFormatCode {
						if string(raw) != c.text {
							t.Errorf("%s text output = %q, want %q", c.col, raw, c.text)
						}
						continue
					}
					dst := c.dst()
					if err := m.Scan(c.oid, pgtype.BinaryFormatCode, raw, dst); err != nil {
						t.Errorf("%s: decode binary %x: %v", c.col, raw, err)
						continue
					}
					if got := c.show(dst); got != c.text {
						t.Errorf("%s binary value = %q, want %q (raw %x)", c.col, got, c.text, raw)
					}
				}
				nullParam, _ := m.Encode(pgtype.Int4OID, pgtype.BinaryFormatCode, id+100, nil)
				res = pc.ExecParams(ctx, selectSQL, [][]byte{nullParam}, []uint32{pgtype.Int4OID}, []int16{1}, []int16{out.code}).Read()
				if res.Err != nil || len(res.Rows) != 1 {
					t.Fatalf("select NULL row: %v, %d rows", res.Err, len(res.Rows))
				}
				for i, v := range res.Rows[0] {
					if v != nil {
						t.Errorf("%s: NULL came back as %q", cases[i].col, v)
					}
				}
			})
		}
	}
}

// TestTypesPgx round-trips every type through pgx's query modes: the
// default (prepared statements, binary where pgx prefers it), exec (text
// parameters and results) and the simple protocol (literals in the SQL).
func TestTypesPgx(t *testing.T) {
	ks := startServer(t, "")
	cases := typeCases(t)
	createTypesTable(t, ks.root(t), cases)

	modes := []struct {
		name string
		mode pgx.QueryExecMode
	}{
		{"cache_statement", pgx.QueryExecModeCacheStatement},
		{"exec", pgx.QueryExecModeExec},
		{"simple", pgx.QueryExecModeSimpleProtocol},
	}
	for mi, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			conn := connectMode(t, ks.dsn("root", ""), md.mode)
			ctx := context.Background()
			for ci, c := range cases {
				id := int32(1000*(mi+1) + ci)
				sql := fmt.Sprintf("INSERT INTO types_rt (id, %s) VALUES ($1, $2)", c.col)
				if _, err := conn.Exec(ctx, sql, id, c.val); err != nil {
					t.Errorf("%s: insert %v: %v", c.col, c.val, err)
					continue
				}
				dst := c.dst()
				if err := conn.QueryRow(ctx, fmt.Sprintf("SELECT %s FROM types_rt WHERE id = $1", c.col), id).Scan(dst); err != nil {
					t.Errorf("%s: select: %v", c.col, err)
					continue
				}
				if got := c.show(dst); got != c.text {
					t.Errorf("%s round trip = %q, want %q", c.col, got, c.text)
				}
				// The same value as a parameter in WHERE finds the row.
				var n int64
				if err := conn.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM types_rt WHERE %s = $1", c.col), c.val).Scan(&n); err != nil && c.ddl != "json" {
					t.Errorf("%s: select by value: %v", c.col, err)
				} else if c.ddl != "json" && n < 1 {
					t.Errorf("%s: WHERE col = $1 found %d rows", c.col, n)
				}
			}
		})
	}
}

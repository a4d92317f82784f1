package sql

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kalamdb/kalamdb/hotstore"
)

// The read path of the chat workload cuts rows from slabs, decodes a
// streaming scan into one reused row and sizes results by LIMIT; these
// tests check that no row sees another's values because of it.

func TestRowArenaSlabsGrow(t *testing.T) {
	var a rowArena
	const width = 3
	var rows [][]any
	for range 100 {
		r := a.row(width)
		if len(r) != width || cap(r) != width {
			t.Fatalf("row len %d cap %d, want %d: a row must not grow into the next", len(r), cap(r), width)
		}
		rows = append(rows, r)
	}
	// Slabs of 2, 4, 8, 16, 32, 32, ... rows: a one-row result pays for
	// two rows, a long scan for 32 at a time.
	if a.slab != rowsPerSlab {
		t.Fatalf("slab = %d rows after 100 rows, want %d", a.slab, rowsPerSlab)
	}
	for i, r := range rows {
		r[0] = i
	}
	for i, r := range rows {
		if r[0] != i {
			t.Fatalf("row %d holds %v: rows overlap", i, r[0])
		}
	}
	var b rowArena
	b.row(width)
	if b.slab != rowsFirstSlab {
		t.Fatalf("first slab = %d rows, want %d", b.slab, rowsFirstSlab)
	}
	if r := b.row(0); r == nil || len(r) != 0 {
		t.Fatalf("row(0) = %#v, want an empty row", r)
	}
}

func TestScanRowsReuse(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{{sql: "CREATE TABLE r (id bigint PRIMARY KEY, v text)"}})
	tab, ok := e.cat.Table("public", "r")
	if !ok {
		t.Fatal("table r not found")
	}
	l, err := newRowLayout(tab)
	if err != nil {
		t.Fatal(err)
	}
	rec := func(id int64, v string) hotstore.Record {
		data, err := l.encode([]any{id, v})
		if err != nil {
			t.Fatal(err)
		}
		return hotstore.Record{Seq: 1000 + id, Data: data}
	}
	for _, reuse := range []bool{false, true} {
		rows := scanRows{reuse: reuse}
		first, err := rows.decode(l, rec(1, "one"))
		if err != nil {
			t.Fatal(err)
		}
		v1 := first[1]
		second, err := rows.decode(l, rec(2, "two"))
		if err != nil {
			t.Fatal(err)
		}
		if same := &first[0] == &second[0]; same != reuse {
			t.Fatalf("reuse %v: rows share a buffer: %v", reuse, same)
		}
		if second[0] != int64(2) || second[1] != "two" || second[2] != int64(1002) {
			t.Fatalf("reuse %v: second row %v", reuse, second)
		}
		if v1 != "one" {
			t.Fatalf("reuse %v: a value of the first row changed to %v", reuse, v1)
		}
	}
}

// TestStreamingScansKeepRowsApart reads many rows through each access
// path that streams (key range, index range, point lookup), with LIMITs
// below, at and above the row count and a correlated subquery that sees
// each input row, and checks every row.
func TestStreamingScansKeepRowsApart(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE m (id bigint PRIMARY KEY, conv text, body text, at timestamptz)"},
		{sql: "CREATE INDEX ON m (conv, id)"},
	})
	var ins strings.Builder
	ins.WriteString("INSERT INTO m VALUES ")
	for i := 1; i <= 200; i++ {
		if i > 1 {
			ins.WriteString(", ")
		}
		fmt.Fprintf(&ins, "(%d, 'c%d', 'body %d', '2025-01-01 00:00:00+00'::timestamptz + interval '%d seconds')", i, i%2, i, i)
	}
	runSteps(t, s, []step{{sql: ins.String()}})

	check := func(q string, args []any, want []int64) {
		t.Helper()
		st, err := s.Prepare(q, nil)
		if err != nil {
			t.Fatalf("%s: prepare: %v", q, err)
		}
		res, err := s.Execute(context.Background(), st, args)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if err := s.Sync(context.Background(), false); err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != len(want) {
			t.Fatalf("%s %v: %d rows, want %d", q, args, len(res.Rows), len(want))
		}
		base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		for i, row := range res.Rows {
			id := want[i]
			wantRow := []any{id, fmt.Sprintf("c%d", id%2), fmt.Sprintf("body %d", id), base.Add(time.Duration(id) * time.Second)}
			for j, w := range wantRow {
				got := row[j]
				if tm, ok := got.(time.Time); ok {
					got = tm.UTC()
				}
				if got != w {
					t.Fatalf("%s %v: row %d column %d = %v, want %v", q, args, i, j, got, w)
				}
			}
		}
	}
	ids := func(from, to, step int64) []int64 {
		var out []int64
		for id := from; (step > 0 && id <= to) || (step < 0 && id >= to); id += step {
			out = append(out, id)
		}
		return out
	}
	const cols = "SELECT id, conv, body, at FROM m"
	check(cols+" WHERE conv = $1 ORDER BY id DESC LIMIT 50", []any{"c1"}, ids(199, 101, -2))
	check(cols+" WHERE conv = $1 ORDER BY id DESC LIMIT 50", []any{"c1"}, ids(199, 101, -2)) // from the index cache
	check(cols+" WHERE conv = $1 ORDER BY id LIMIT 500", []any{"c0"}, ids(2, 200, 2))
	check(cols+" WHERE conv = $1 ORDER BY id DESC LIMIT $2 OFFSET 3", []any{"c0", int64(40)}, ids(194, 116, -2))
	check(cols+" WHERE conv = $1 ORDER BY id LIMIT 0", []any{"c0"}, nil)
	check(cols+" WHERE id > $1 ORDER BY id DESC", []any{int64(120)}, ids(200, 121, -1))
	check(cols+" WHERE id BETWEEN $1 AND 70 AND body <> 'body 65'", []any{int64(61)}, []int64{61, 62, 63, 64, 66, 67, 68, 69, 70})
	check(cols+" WHERE id = $1", []any{int64(77)}, []int64{77})

	// A correlated subquery sees each input row while it is current.
	got, err := query(s, "SELECT id, (SELECT count(*) FROM m i WHERE i.id < o.id AND i.conv = o.conv) FROM m o WHERE id <= 6 ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if want := "SELECT 6: 1,0; 2,0; 3,1; 4,1; 5,2; 6,2"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestPointLookupValuesOutliveTheStatement checks that a point lookup's
// values, which point into the record read for it, stay intact after the
// statement, its transaction and later statements.
func TestPointLookupValuesOutliveTheStatement(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "CREATE TABLE p (id bigint PRIMARY KEY, a text, b text)"},
		{sql: "INSERT INTO p VALUES (1, 'first a', 'first b'), (2, 'second a', 'second b')"},
	})
	st, err := s.Prepare("SELECT a, b FROM p WHERE id = $1", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var kept [][]any
	for _, id := range []int64{1, 2, 1} {
		res, err := s.Execute(ctx, st, []any{id})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Sync(ctx, false); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, res.Rows...)
	}
	runSteps(t, s, []step{{sql: "UPDATE p SET a = 'changed', b = 'changed'"}})
	want := [][]any{{"first a", "first b"}, {"second a", "second b"}, {"first a", "first b"}}
	for i, row := range kept {
		if row[0] != want[i][0] || row[1] != want[i][1] {
			t.Fatalf("row %d = %v, want %v", i, row, want[i])
		}
	}
}

func TestParseMillisUnits(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "0", want: 0},
		{in: "250", want: 250 * time.Millisecond},
		{in: "250ms", want: 250 * time.Millisecond},
		{in: " 3 s ", want: 3 * time.Second},
		{in: "2min", want: 2 * time.Minute},
		{in: "1h", want: time.Hour},
		{in: "1d", want: 24 * time.Hour},
		{in: "5 weeks", bad: true},
		{in: "ms", bad: true},
	} {
		got, err := parseMillis(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Fatalf("parseMillis(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

// TestStatementContext checks that a statement runs in its caller's
// context unless statement_timeout gives it a deadline.
func TestStatementContext(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	parent := context.Background()
	ctx, cancel := s.statementContext(parent)
	cancel()
	if ctx != parent || ctx.Err() != nil {
		t.Fatalf("without a timeout: got %v (err %v), want the caller's context", ctx, ctx.Err())
	}
	runSteps(t, s, []step{
		{sql: "SET statement_timeout = '50ms'"},
		{sql: "SELECT pg_sleep(1)", code: "57014"},
	})
	ctx, cancel = s.statementContext(parent)
	defer cancel()
	if _, ok := ctx.Deadline(); !ok {
		t.Fatal("with statement_timeout: no deadline")
	}
}

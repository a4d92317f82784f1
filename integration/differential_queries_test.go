package integration

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kalamdb/kalamdb/integration/pgrun"
)

// The query corpus (testdata/sqlcorpus/*.sql, format in
// sqlcorpus_test.go) runs over a small chat schema loaded identically into
// PostgreSQL 15 and KalamDB. Results must match exactly: columns (name and
// type OID), command tags, rows in order when the query's ORDER BY
// determines it and as multisets otherwise (bag), floats within a relative
// tolerance. Bad queries must fail with the SQLSTATE the corpus names,
// which PostgreSQL must give too.

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

// Minimums the corpus must keep (the proof).
const (
	minCorpusQueries = 400
	minCorpusBad     = 40
)

// TestDifferentialQueries runs testdata/sqlcorpus against KalamDB and a
// throwaway PostgreSQL 15 loaded with querySchema. It fails when
// PostgreSQL is missing.
func TestDifferentialQueries(t *testing.T) {
	if err := pgrun.Available(); err != nil {
		t.Fatalf("PostgreSQL 15 is required for this test: %v", err)
	}
	corpus, err := loadCorpus(filepath.Join("testdata", "sqlcorpus"))
	if err != nil {
		t.Fatal(err)
	}
	nBad := 0
	for _, e := range corpus {
		if e.wantErr != "" {
			nBad++
		}
	}
	if len(corpus)-nBad < minCorpusQueries || nBad < minCorpusBad {
		t.Fatalf("corpus too small: %d queries (want %d), %d bad (want %d)", len(corpus)-nBad, minCorpusQueries, nBad, minCorpusBad)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	pgConn, kConn := startBoth(ctx, t)
	for _, sql := range querySchema() {
		for name, c := range map[string]*pgconn.PgConn{"PostgreSQL": pgConn, "KalamDB": kConn} {
			if _, err := c.Exec(ctx, sql).ReadAll(); err != nil {
				t.Fatalf("%s: %s: %v", name, sql, err)
			}
		}
	}

	passed, badPassed, known := 0, 0, 0
	for _, e := range corpus {
		msg, corpusErr := compareEntry(pgConn, kConn, e)
		switch {
		case corpusErr:
			t.Errorf("%s: fix the corpus: %s\n%s", e.pos, e.sql, msg)
		case e.known != "" && msg != "":
			known++
			t.Logf("%s: known difference (%s): %s", e.pos, e.known, e.sql)
		case msg != "":
			t.Errorf("%s: %s\n%s", e.pos, e.sql, msg)
		case e.known != "":
			t.Logf("%s: matches PostgreSQL now; drop its known directive: %s", e.pos, e.sql)
			fallthrough
		case e.wantErr != "":
			if e.wantErr != "" {
				badPassed++
			} else {
				passed++
			}
		default:
			passed++
		}
	}
	t.Logf("queries: %d/%d match PostgreSQL; bad queries: %d/%d SQLSTATEs match; %d known differences",
		passed, len(corpus)-nBad, badPassed, nBad, known)
}

// compareEntry runs e on both systems and describes how KalamDB differs
// ("" when it matches); corpusErr reports an entry PostgreSQL disagrees
// with, which is the corpus's fault.
func compareEntry(pgConn, kConn *pgconn.PgConn, e corpusEntry) (msg string, corpusErr bool) {
	want, werr := runEntry(pgConn, e)
	got, gerr := runEntry(kConn, e)
	if e.wantErr != "" {
		if code := sqlState(werr); code != e.wantErr {
			return fmt.Sprintf("PostgreSQL gives SQLSTATE %q, the corpus says %s", code, e.wantErr), true
		}
		if code := sqlState(gerr); code != e.wantErr {
			return fmt.Sprintf("PostgreSQL SQLSTATE %s, KalamDB %q (%v)", e.wantErr, code, gerr), false
		}
		return "", false
	}
	if werr != nil {
		return fmt.Sprintf("fails on PostgreSQL: %v", werr), true
	}
	if gerr != nil {
		return fmt.Sprintf("KalamDB error: %v", gerr), false
	}
	return want.diff(got, e.bag), false
}

// runEntry runs one corpus entry: inside BEGIN ... ROLLBACK when asked,
// then its cleanup statements, whose errors do not matter.
func runEntry(pc *pgconn.PgConn, e corpusEntry) (*queryOutcome, error) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if e.rollback {
		if _, err := pc.Exec(ctx, "BEGIN").ReadAll(); err != nil {
			return nil, fmt.Errorf("begin: %w", err)
		}
	}
	out, err := queryResult(pc, e.sql)
	if e.rollback {
		if _, rerr := pc.Exec(ctx, "ROLLBACK").ReadAll(); rerr != nil && err == nil {
			err = fmt.Errorf("rollback: %w", rerr)
		}
	}
	for _, c := range e.cleanup {
		_, _ = pc.Exec(ctx, c).ReadAll()
	}
	return out, err
}

// queryOutcome is a query's columns and rows as text.
type queryOutcome struct {
	cols []string
	rows [][]string
	tags []string // command tags, one per statement
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
		out.tags = append(out.tags, r.CommandTag.String())
	}
	return out, nil
}

// diff describes how got differs from o ("" when they match).
func (o *queryOutcome) diff(got *queryOutcome, bag bool) string {
	if strings.Join(o.cols, ", ") != strings.Join(got.cols, ", ") {
		return fmt.Sprintf("columns: PostgreSQL %v, KalamDB %v (tags %v, %v)", o.cols, got.cols, o.tags, got.tags)
	}
	if strings.Join(o.tags, ", ") != strings.Join(got.tags, ", ") {
		return fmt.Sprintf("command tags: PostgreSQL %v, KalamDB %v", o.tags, got.tags)
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

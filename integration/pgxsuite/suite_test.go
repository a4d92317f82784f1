package pgxsuite

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// expectedPath is the expected-failure list, kept with the integration
// fixtures.
const expectedPath = "../testdata/pgx-expected-failures.txt"

// TestPgxSuite runs pgx's own pgconn and pgx test suites against
// PostgreSQL 15 and KalamDB and fails when KalamDB's failures differ from
// the expected-failure list (see doc.go for what counts).
func TestPgxSuite(t *testing.T) {
	start := time.Now()
	f, err := os.Open(expectedPath)
	if err != nil {
		t.Fatal(err)
	}
	list, err := ParseExpected(f)
	f.Close()
	if err != nil {
		t.Fatalf("%s: %v", expectedPath, err)
	}

	dir, version := copyModule(t)
	bin := buildKalamDB(t)
	pgDSN := startPostgres(t)
	addr, _ := startKalamDB(t, bin)
	kDSN := kalamDSN(addr)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	for _, s := range setupSQL {
		if err := execAll(ctx, kDSN, s); err != nil {
			t.Logf("KalamDB setup (tests that need it are listed): %v", err)
		}
	}
	cancel()
	t.Logf("pgx %s copied to %s; servers up after %v", version, dir, time.Since(start).Round(time.Second))

	// One server at a time: the suites have timing-sensitive tests and the
	// machine may be small.
	out := t.TempDir()
	t0 := time.Now()
	pg := runSuites(t, dir, pgDSN, filepath.Join(out, "postgres.json"))
	t.Logf("PostgreSQL run: %v", time.Since(t0).Round(time.Second))
	t0 = time.Now()
	k := runSuites(t, dir, kDSN, filepath.Join(out, "kalamdb.json"))
	t.Logf("KalamDB run: %v", time.Since(t0).Round(time.Second))

	r := Compare(pg, k, list)
	pc, kc := Counts(pg.Subtests), Counts(k.Subtests)
	t.Logf("subtests (information only): PostgreSQL passes %d of %d, KalamDB passes %d of %d",
		pc[Pass], len(pg.Subtests), kc[Pass], len(k.Subtests))
	t.Logf("%s", r.Summary())
	for _, pkg := range []string{"pgconn", "pgx"} {
		if s := pg.PackageOutput(pkg); strings.Contains(s, "panic:") {
			t.Errorf("PostgreSQL run, package %s crashed or timed out:\n%s", pkg, tail(s, 3000))
		}
		if s := k.PackageOutput(pkg); strings.Contains(s, "panic:") {
			t.Errorf("KalamDB run, package %s crashed or timed out (its unfinished tests count as failures):\n%s", pkg, tail(s, 3000))
		}
	}
	for _, p := range r.Problems() {
		t.Errorf("%s", p)
	}
	if len(r.Unexpected) > 0 {
		var b strings.Builder
		for _, n := range r.Unexpected {
			b.WriteString(n + "\t" + firstError(k.Output(n)) + "\n")
			t.Logf("KalamDB output of %s:\n%s", n, tail(k.Output(n), 2000))
		}
		t.Errorf("to accept these failures, add lines like these to %s (with a real reason):\n%s", expectedPath, b.String())
	}
	if testing.Verbose() {
		// What each listed test fails on now, to keep the reasons honest.
		for _, n := range r.ExpectedFailures {
			t.Logf("still failing: %s\t%s", n, firstError(k.Output(n)))
		}
	}
	t.Logf("total %v", time.Since(start).Round(time.Second))
}

var (
	pgErrorLine = regexp.MustCompile(`(ERROR|FATAL): [^\n]*`)
	// testify prints "Error:" with the detail on the next line.
	assertLine = regexp.MustCompile(`Error:\s+[^\n]*(\n\s+[^\n]*)?`)
	logLine    = regexp.MustCompile(`[a-z_]+_test\.go:\d+: [^\n]+`)
)

// firstError is a one-line hint of why a test failed, for the list: the
// server's first error message, else the first failed assertion.
func firstError(output string) string {
	for _, re := range []*regexp.Regexp{pgErrorLine, assertLine, logLine} {
		if m := re.FindString(output); m != "" {
			m = strings.Join(strings.Fields(m), " ")
			if len(m) > 200 {
				m = m[:200]
			}
			return m
		}
	}
	return "no output"
}

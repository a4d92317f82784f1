package pgxsuite

import (
	"strings"
	"testing"
)

func runOf(tests map[string]Outcome) *Run {
	return &Run{Tests: tests, Subtests: map[string]Outcome{}}
}

func TestCompare(t *testing.T) {
	pg := runOf(map[string]Outcome{
		"pgx.Pass":       Pass, // passes on both
		"pgx.Listed":     Pass, // fails on KalamDB, listed
		"pgx.Unlisted":   Pass, // fails on KalamDB, not listed
		"pgx.Fixed":      Pass, // listed, passes now
		"pgx.Flaky":      Pass, // listed as flaky, passes
		"pgx.Hung":       Pass, // missing on KalamDB, not listed
		"pgx.SkippedK":   Pass, // skipped on KalamDB, not listed
		"pgx.PGFails":    Fail, // excluded
		"pgx.PGSkips":    Skip, // excluded
		"pgx.ListedPGNo": Fail, // excluded although listed
	})
	k := runOf(map[string]Outcome{
		"pgx.Pass":       Pass,
		"pgx.Listed":     Fail,
		"pgx.Unlisted":   Fail,
		"pgx.Fixed":      Pass,
		"pgx.Flaky":      Pass,
		"pgx.Hung":       Missing,
		"pgx.SkippedK":   Skip,
		"pgx.PGFails":    Pass,
		"pgx.PGSkips":    Skip,
		"pgx.ListedPGNo": Fail,
	})
	list := map[string]Entry{
		"pgx.Listed":     {Test: "pgx.Listed", Reason: "engine"},
		"pgx.Fixed":      {Test: "pgx.Fixed", Reason: "engine"},
		"pgx.Flaky":      {Test: "pgx.Flaky", Reason: "flaky: timing"},
		"pgx.ListedPGNo": {Test: "pgx.ListedPGNo", Reason: "engine"},
		"pgx.Gone":       {Test: "pgx.Gone", Reason: "renamed upstream"},
	}
	r := Compare(pg, k, list)
	check := func(what string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
	}
	if r.PGPass != 7 || r.KPass != 4 {
		t.Fatalf("PGPass, KPass = %d, %d; want 7, 4", r.PGPass, r.KPass)
	}
	check("Excluded", r.Excluded, "pgx.ListedPGNo", "pgx.PGFails", "pgx.PGSkips")
	check("ExpectedFailures", r.ExpectedFailures, "pgx.Listed")
	check("Unexpected", r.Unexpected, "pgx.Hung", "pgx.SkippedK", "pgx.Unlisted")
	check("NowPassing", r.NowPassing, "pgx.Fixed")
	check("Unknown", r.Unknown, "pgx.Gone")
	check("NotCompared", r.NotCompared, "pgx.ListedPGNo")
	if n := len(r.Problems()); n != 5 {
		t.Fatalf("Problems() = %q, want 5 (3 unexpected, 1 now passing, 1 unknown)", r.Problems())
	}
	if s := r.Summary(); !strings.Contains(s, "PostgreSQL 15 passes 7, KalamDB passes 4 (57.1%)") {
		t.Fatalf("Summary() = %q", s)
	}
}

func TestCompareAllMatch(t *testing.T) {
	run := runOf(map[string]Outcome{"pgconn.TestA": Pass, "pgconn.TestB": Pass})
	r := Compare(run, run, nil)
	if len(r.Problems()) != 0 || r.Ratio() != 1 {
		t.Fatalf("identical runs: problems %q, ratio %v", r.Problems(), r.Ratio())
	}
	if (Report{}).Ratio() != 0 {
		t.Fatalf("empty report ratio != 0")
	}
}

func TestFirstError(t *testing.T) {
	tests := []struct{ in, want string }{
		{"x_test.go:3: conn.Query failed: ERROR: no (SQLSTATE 42883)\n", "ERROR: no (SQLSTATE 42883)"},
		{"  x_test.go:9:\n   Error Trace: ...\n   Error:      \tShould be true\n   Test: T\n", "Error: Should be true Test: T"},
		{"    x_test.go:70: Expected 9 rows, got 0\n", "x_test.go:70: Expected 9 rows, got 0"},
		{"", "no output"},
	}
	for _, tc := range tests {
		if got := firstError(tc.in); got != tc.want {
			t.Fatalf("firstError(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestListenAddr(t *testing.T) {
	tests := []struct {
		line, want string
		ok         bool
	}{
		{`time=x level=INFO msg=listening proto=pg addr=127.0.0.1:41234`, "127.0.0.1:41234", true},
		{`time=x level=INFO msg=listening proto=http addr=127.0.0.1:8080`, "", false},
		{`time=x level=INFO msg=started`, "", false},
	}
	for _, tc := range tests {
		got, ok := listenAddr(tc.line)
		if got != tc.want || ok != tc.ok {
			t.Fatalf("listenAddr(%q) = %q, %v; want %q, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
}

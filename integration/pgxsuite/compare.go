package pgxsuite

import (
	"fmt"
	"strings"
)

// Report compares a run against PostgreSQL with a run against KalamDB.
// Counts are of top-level tests.
type Report struct {
	PGPass, KPass int
	// Excluded are the tests that did not pass on PostgreSQL (failed,
	// skipped or missing there): they say nothing about KalamDB.
	Excluded []string
	// ExpectedFailures are listed tests that pass on PostgreSQL but not on
	// KalamDB, as the list says.
	ExpectedFailures []string
	// Unexpected pass on PostgreSQL, not on KalamDB, and are not listed.
	Unexpected []string
	// NowPassing are listed (not as flaky) yet pass on KalamDB.
	NowPassing []string
	// Unknown are listed but ran on neither server.
	Unknown []string
	// NotCompared are listed but excluded, as PostgreSQL did not pass them.
	NotCompared []string
}

// Compare puts the two runs and the expected-failure list together.
func Compare(pg, k *Run, list map[string]Entry) Report {
	var r Report
	for _, name := range sortedKeys(pg.Tests) {
		if pg.Tests[name] != Pass {
			r.Excluded = append(r.Excluded, name)
			continue
		}
		r.PGPass++
		_, listed := list[name]
		switch {
		case k.Tests[name] == Pass:
			if listed && !list[name].Flaky() {
				r.NowPassing = append(r.NowPassing, name)
			}
		case listed:
			r.ExpectedFailures = append(r.ExpectedFailures, name)
		default:
			r.Unexpected = append(r.Unexpected, name)
		}
	}
	for _, name := range sortedKeys(k.Tests) {
		if k.Tests[name] == Pass {
			r.KPass++
		}
	}
	for _, name := range sortedKeys(list) {
		_, inPG := pg.Tests[name]
		_, inK := k.Tests[name]
		switch {
		case !inPG && !inK:
			r.Unknown = append(r.Unknown, name)
		case pg.Tests[name] != Pass:
			r.NotCompared = append(r.NotCompared, name)
		}
	}
	return r
}

// Ratio is KalamDB's pass count over PostgreSQL's.
func (r Report) Ratio() float64 {
	if r.PGPass == 0 {
		return 0
	}
	return float64(r.KPass) / float64(r.PGPass)
}

// Problems are what makes the suite fail, one message each.
func (r Report) Problems() []string {
	var out []string
	for _, n := range r.Unexpected {
		out = append(out, fmt.Sprintf("%s passes on PostgreSQL but not on KalamDB and is not in the expected-failure list", n))
	}
	for _, n := range r.NowPassing {
		out = append(out, fmt.Sprintf("%s now passes on KalamDB: remove it from the expected-failure list", n))
	}
	for _, n := range r.Unknown {
		out = append(out, fmt.Sprintf("%s is in the expected-failure list but ran on neither server: remove or rename it", n))
	}
	return out
}

// Summary is the closing note: both pass counts, the ratio and the rest.
func (r Report) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pgx v5 suites (pgconn + pgx, top-level tests): PostgreSQL 15 passes %d, KalamDB passes %d (%.1f%%)\n",
		r.PGPass, r.KPass, 100*r.Ratio())
	fmt.Fprintf(&b, "excluded (not passing on PostgreSQL): %d; expected failures on KalamDB: %d; unexpected: %d; listed but now passing: %d\n",
		len(r.Excluded), len(r.ExpectedFailures), len(r.Unexpected), len(r.NowPassing))
	if len(r.NotCompared) > 0 {
		fmt.Fprintf(&b, "listed but not compared (PostgreSQL did not pass them): %s\n", strings.Join(r.NotCompared, ", "))
	}
	return b.String()
}

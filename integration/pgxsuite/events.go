package pgxsuite

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// Outcome is how one test ended.
type Outcome int

const (
	// Missing means the test started but never ended: its package timed
	// out or crashed. It counts as a failure.
	Missing Outcome = iota
	Pass
	Fail
	Skip
)

func (o Outcome) String() string {
	switch o {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case Skip:
		return "skip"
	}
	return "missing"
}

// outputCap bounds the output kept per test, so a chatty failure cannot
// blow up the report.
const outputCap = 8 << 10

// Run is one `go test -json` run: the outcome of every test by name
// ("pgconn.TestConnect", "pgx.TestConnect/sub").
type Run struct {
	Tests    map[string]Outcome // top-level tests and examples
	Subtests map[string]Outcome
	// output holds each top-level test's output (its subtests' included),
	// capped at outputCap; packageOutput the lines outside any test, such
	// as a timeout's panic.
	output        map[string]*strings.Builder
	packageOutput map[string]*strings.Builder
	// Skipped counts input lines that were not test events.
	Skipped int
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// PackageName is the short name tests are reported under: "pgx" for the
// module root (github.com/jackc/pgx/v5), else the last path element.
func PackageName(importPath string) string {
	if strings.HasSuffix(importPath, "/v5") {
		return "pgx"
	}
	return path.Base(importPath)
}

// ParseEvents reads a `go test -json` stream. Lines that are not JSON
// events (a build error, a stray print) are counted in Skipped.
func ParseEvents(r io.Reader) (*Run, error) {
	run := &Run{
		Tests:         map[string]Outcome{},
		Subtests:      map[string]Outcome{},
		output:        map[string]*strings.Builder{},
		packageOutput: map[string]*strings.Builder{},
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil || e.Package == "" {
			run.Skipped++
			continue
		}
		run.add(e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read test events: %w", err)
	}
	return run, nil
}

func (r *Run) add(e event) {
	pkg := PackageName(e.Package)
	if e.Test == "" {
		if e.Action == "output" {
			appendCapped(r.packageOutput, pkg, e.Output)
		}
		return
	}
	name := pkg + "." + e.Test
	top, _, isSub := strings.Cut(name, "/")
	m := r.Tests
	if isSub {
		m = r.Subtests
	}
	switch e.Action {
	case "run":
		if _, seen := m[name]; !seen {
			m[name] = Missing
		}
	case "pass":
		m[name] = Pass
	case "fail":
		m[name] = Fail
	case "skip":
		m[name] = Skip
	case "output":
		appendCapped(r.output, top, e.Output)
	}
}

func appendCapped(m map[string]*strings.Builder, key, s string) {
	b := m[key]
	if b == nil {
		b = &strings.Builder{}
		m[key] = b
	}
	if room := outputCap - b.Len(); room > 0 {
		if len(s) > room {
			s = s[:room] + "...\n"
		}
		b.WriteString(s)
	}
}

// Output returns what a top-level test printed, its subtests included.
func (r *Run) Output(test string) string {
	if b := r.output[test]; b != nil {
		return b.String()
	}
	return ""
}

// PackageOutput returns what a package printed outside its tests.
func (r *Run) PackageOutput(pkg string) string {
	if b := r.packageOutput[pkg]; b != nil {
		return b.String()
	}
	return ""
}

// Counts returns how many tests of m ended each way.
func Counts(m map[string]Outcome) map[Outcome]int {
	c := map[Outcome]int{}
	for _, o := range m {
		c[o]++
	}
	return c
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

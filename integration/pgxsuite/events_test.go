package pgxsuite

import (
	"strings"
	"testing"
)

const sampleEvents = `{"Action":"start","Package":"github.com/jackc/pgx/v5/pgconn"}
{"Action":"run","Package":"github.com/jackc/pgx/v5/pgconn","Test":"TestA"}
{"Action":"output","Package":"github.com/jackc/pgx/v5/pgconn","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"run","Package":"github.com/jackc/pgx/v5/pgconn","Test":"TestA/sub"}
{"Action":"output","Package":"github.com/jackc/pgx/v5/pgconn","Test":"TestA/sub","Output":"    a_test.go:3: ERROR: boom (SQLSTATE 42883)\n"}
{"Action":"fail","Package":"github.com/jackc/pgx/v5/pgconn","Test":"TestA/sub","Elapsed":0}
{"Action":"fail","Package":"github.com/jackc/pgx/v5/pgconn","Test":"TestA","Elapsed":0}
{"Action":"run","Package":"github.com/jackc/pgx/v5","Test":"TestA"}
{"Action":"pass","Package":"github.com/jackc/pgx/v5","Test":"TestA","Elapsed":0}
{"Action":"run","Package":"github.com/jackc/pgx/v5","Test":"TestSkip"}
{"Action":"skip","Package":"github.com/jackc/pgx/v5","Test":"TestSkip","Elapsed":0}
{"Action":"run","Package":"github.com/jackc/pgx/v5","Test":"TestHang"}
not json at all
{"Action":"output","Package":"github.com/jackc/pgx/v5","Output":"panic: test timed out after 2m30s\n"}
{"Action":"fail","Package":"github.com/jackc/pgx/v5","Elapsed":150}
`

func TestParseEvents(t *testing.T) {
	run, err := ParseEvents(strings.NewReader(sampleEvents))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Outcome{
		"pgconn.TestA": Fail,
		"pgx.TestA":    Pass,
		"pgx.TestSkip": Skip,
		"pgx.TestHang": Missing,
	}
	if len(run.Tests) != len(want) {
		t.Fatalf("Tests = %v, want %v", run.Tests, want)
	}
	for name, o := range want {
		if got := run.Tests[name]; got != o {
			t.Fatalf("%s = %v, want %v", name, got, o)
		}
	}
	if got := run.Subtests["pgconn.TestA/sub"]; got != Fail || len(run.Subtests) != 1 {
		t.Fatalf("Subtests = %v, want pgconn.TestA/sub failed", run.Subtests)
	}
	if got := run.Output("pgconn.TestA"); !strings.Contains(got, "ERROR: boom") || !strings.Contains(got, "=== RUN") {
		t.Fatalf("Output(pgconn.TestA) = %q, want its own and its subtest's lines", got)
	}
	if got := run.PackageOutput("pgx"); !strings.Contains(got, "panic: test timed out") {
		t.Fatalf("PackageOutput(pgx) = %q", got)
	}
	if run.Skipped != 1 {
		t.Fatalf("Skipped = %d, want 1", run.Skipped)
	}
	if c := Counts(run.Tests); c[Pass] != 1 || c[Fail] != 1 || c[Skip] != 1 || c[Missing] != 1 {
		t.Fatalf("Counts = %v", c)
	}
}

func TestPackageName(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/jackc/pgx/v5":        "pgx",
		"github.com/jackc/pgx/v5/pgconn": "pgconn",
		"github.com/jackc/pgx/v5/pgtype": "pgtype",
	} {
		if got := PackageName(in); got != want {
			t.Fatalf("PackageName(%q) = %q, want %q", in, got, want)
		}
	}
}

// A test's output is capped so one chatty failure cannot fill memory.
func TestOutputCapped(t *testing.T) {
	line := `{"Action":"output","Package":"p/pgconn","Test":"TestX","Output":"` + strings.Repeat("x", 1000) + `\n"}` + "\n"
	run, err := ParseEvents(strings.NewReader(strings.Repeat(line, 100)))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(run.Output("pgconn.TestX")); n > outputCap+10 {
		t.Fatalf("output kept %d bytes, want at most about %d", n, outputCap)
	}
}

func FuzzParseEvents(f *testing.F) {
	f.Add(sampleEvents)
	f.Add(`{"Action":"pass","Package":"x","Test":"a/b/c"}`)
	f.Add("{\n}\n{")
	f.Fuzz(func(t *testing.T, s string) {
		run, err := ParseEvents(strings.NewReader(s))
		if err != nil {
			return // only a line over the scanner's limit
		}
		for name := range run.Tests {
			if strings.Contains(name, "/") {
				t.Fatalf("top-level test %q has a '/'", name)
			}
		}
		for name := range run.Subtests {
			if !strings.Contains(name, "/") {
				t.Fatalf("subtest %q has no '/'", name)
			}
		}
		for name := range run.output {
			if len(run.Output(name)) > outputCap+len("...\n") {
				t.Fatalf("output of %q exceeds the cap", name)
			}
		}
	})
}

package pgxsuite

import (
	"strings"
	"testing"
)

func TestParseExpected(t *testing.T) {
	in := "# comment\n\npgconn.TestA\tengine: no temp tables\npgx.TestB # flaky: timing\n  pgx.TestC\t  spaced reason  \n"
	list, err := ParseExpected(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Entry{
		"pgconn.TestA": {Test: "pgconn.TestA", Reason: "engine: no temp tables", Line: 3},
		"pgx.TestB":    {Test: "pgx.TestB", Reason: "flaky: timing", Line: 4},
		"pgx.TestC":    {Test: "pgx.TestC", Reason: "spaced reason", Line: 5},
	}
	if len(list) != len(want) {
		t.Fatalf("got %v, want %v", list, want)
	}
	for k, w := range want {
		if got := list[k]; got != w {
			t.Fatalf("%s = %+v, want %+v", k, got, w)
		}
	}
	if !list["pgx.TestB"].Flaky() || list["pgconn.TestA"].Flaky() {
		t.Fatalf("Flaky: TestB %v TestA %v, want true false", list["pgx.TestB"].Flaky(), list["pgconn.TestA"].Flaky())
	}
}

func TestParseExpectedErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"no reason", "pgx.TestA\n"},
		{"empty reason", "pgx.TestA\t  \n"},
		{"no package", "TestA\treason\n"},
		{"space in name", "pgx.Test A # reason\n"},
		{"duplicate", "pgx.TestA\tone\npgx.TestA\ttwo\n"},
	}
	for _, tc := range tests {
		if _, err := ParseExpected(strings.NewReader(tc.in)); err == nil {
			t.Fatalf("%s: %q parsed, want an error", tc.name, tc.in)
		}
	}
}

func FuzzParseExpected(f *testing.F) {
	f.Add("pgconn.TestA\treason\npgx.TestB # other\n# c\n")
	f.Add("pgx.TestA # \t#\n")
	f.Fuzz(func(t *testing.T, s string) {
		list, err := ParseExpected(strings.NewReader(s))
		if err != nil {
			return
		}
		for name, e := range list {
			if name != e.Test || e.Reason == "" || strings.ContainsAny(name, " \t") || e.Line < 1 {
				t.Fatalf("bad entry %q: %+v", name, e)
			}
		}
	})
}

package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPsqlScripts runs testdata/<case>/script.sql with psql and checks
// that its output holds expected.out's lines in order (and expected.err's
// line prefixes in stderr, for scripts that provoke errors on purpose).
func TestPsqlScripts(t *testing.T) {
	findPsql(t)
	cases, err := filepath.Glob(filepath.Join("testdata", "*", "script.sql"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no testdata/*/script.sql: %v", err)
	}
	ks := startServer(t, "")
	for _, script := range cases {
		dir := filepath.Dir(script)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			abs, err := filepath.Abs(script)
			if err != nil {
				t.Fatal(err)
			}
			stdout, stderr, err := runPsql(t, ks.PGAddr(), "root", "kalamdb", abs)
			if err != nil {
				t.Fatalf("psql -f %s: %v\nstdout:\n%s\nstderr:\n%s", script, err, stdout, stderr)
			}
			checkPsqlOutput(t, dir, stdout, stderr)
		})
	}
}

// checkPsqlOutput compares psql's output with the case's expectations.
func checkPsqlOutput(t *testing.T, dir, stdout, stderr string) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join(dir, "expected.out"))
	if err != nil {
		t.Fatalf("read expected.out: %v", err)
	}
	if line, ok := containsInOrder(stdout, string(want), false); !ok {
		t.Errorf("stdout lacks (in order) %q\nstdout:\n%s\nstderr:\n%s", line, stdout, stderr)
	}
	wantErr, err := os.ReadFile(filepath.Join(dir, "expected.err"))
	switch {
	case os.IsNotExist(err):
		// NOTICEs (IF [NOT] EXISTS skipping) are PostgreSQL's and allowed.
		for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
			if line != "" && !strings.Contains(line, "NOTICE:") {
				t.Errorf("unexpected stderr:\n%s", stderr)
				break
			}
		}
	case err != nil:
		t.Fatalf("read expected.err: %v", err)
	default:
		if line, ok := containsInOrder(stderr, string(wantErr), true); !ok {
			t.Errorf("stderr lacks (in order) a line starting %q\nstderr:\n%s", line, stderr)
		}
	}
}

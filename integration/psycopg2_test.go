package integration

import (
	"path/filepath"
	"testing"
)

// TestPsycopg2 runs testdata/psycopg2/scenario.py with Debian's
// python3-psycopg2, including a named (server-side) cursor.
func TestPsycopg2(t *testing.T) {
	e := startClientServer(t)
	py := requireTool(t, "/usr/bin/python3")
	dir, err := filepath.Abs("testdata/psycopg2")
	if err != nil {
		t.Fatal(err)
	}
	e.runClient(t, dir, py, "scenario.py")
}

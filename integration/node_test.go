package integration

import (
	"os"
	"path/filepath"
	"testing"
)

// TestNodePostgres runs testdata/node/scenario.js with node-postgres (`pg`
// from npm, installed into testdata/node by .ci/run).
func TestNodePostgres(t *testing.T) {
	e := startClientServer(t)
	node := requireTool(t, "node")
	dir, err := filepath.Abs("testdata/node")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "pg")); err != nil {
		t.Fatalf("node-postgres is required (npm ci in %s, done by .ci/run): %v", dir, err)
	}
	e.runClient(t, dir, node, "scenario.js")
}

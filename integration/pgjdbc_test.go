package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// pgjdbcJar is where Debian's libpostgresql-jdbc-java puts the driver.
const pgjdbcJar = "/usr/share/java/postgresql.jar"

// TestPgJDBC compiles and runs testdata/pgjdbc/Scenario.java with the
// installed Java 17 and pgjdbc, including setFetchSize (portal
// suspension) and DatabaseMetaData.getTables/getColumns.
func TestPgJDBC(t *testing.T) {
	e := startClientServer(t)
	javac := requireTool(t, "javac")
	java := requireTool(t, "java")
	if _, err := os.Stat(pgjdbcJar); err != nil {
		t.Fatalf("pgjdbc is required (libpostgresql-jdbc-java, installed by .ci/run): %v", err)
	}
	src, err := filepath.Abs("testdata/pgjdbc/Scenario.java")
	if err != nil {
		t.Fatal(err)
	}
	classes := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, javac, "-cp", pgjdbcJar, "-d", classes, src).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	e.runClient(t, classes, java, "-cp", classes+":"+pgjdbcJar, "Scenario")
}

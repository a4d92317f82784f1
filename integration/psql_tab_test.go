package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestPsqlTabCompletion types into an interactive psql (through a
// pseudo-terminal, driven by testdata/psqltab/drive.py) and checks that
// TAB completes table and column names from KalamDB's catalog.
func TestPsqlTabCompletion(t *testing.T) {
	psql := findPsql(t)
	py := requireTool(t, "/usr/bin/python3")
	ks := startServer(t, "")
	mustExec(t, ks.root(t),
		"CREATE TABLE messages (id bigint PRIMARY KEY, conversation_id text, content text)",
		"CREATE TABLE members (id bigint PRIMARY KEY, display_name text)",
		"CREATE VIEW recent_messages AS SELECT id, content FROM messages")

	// psql echoes what a TAB adds to the line: want is that completion.
	tests := []struct{ input, want string }{
		{"SELECT * FROM mes", "sages "},
		{"INSERT INTO mem", "bers "},
		{"SELECT * FROM rec", "ent_messages "},
		{"SELECT * FROM messages WHERE conv", "ersation_id "},
		{"UPDATE members SET disp", "lay_name = "},
		{`\d mess`, "ages"},
		// Two tables start with "me": the second TAB lists both.
		{"SELECT * FROM me", "members"},
		{"SELECT * FROM me", "messages"},
	}
	args := []string{"testdata/psqltab/drive.py", psql}
	for _, tt := range tests {
		args = append(args, tt.input)
	}
	host, port, _ := net.SplitHostPort(ks.PGAddr())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Env = append(os.Environ(), "PGHOST="+host, "PGPORT="+port, "PGUSER=root", "PGDATABASE=kalamdb",
		"PGGSSENCMODE=disable", "PSQLRC=/dev/null", "LC_ALL=C.UTF-8")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("drive.py: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(tests) {
		t.Fatalf("drive.py printed %d transcripts, want %d:\n%s", len(lines), len(tests), out)
	}
	for i, tt := range tests {
		var echo string
		if err := json.Unmarshal([]byte(lines[i]), &echo); err != nil {
			t.Fatalf("transcript %d: %v", i, err)
		}
		if !strings.Contains(echo, tt.want) {
			t.Errorf("typing %q then TAB: psql showed %q, want it to contain %q", tt.input, echo, tt.want)
		}
	}
}

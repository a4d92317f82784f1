package gateway

import "testing"

func TestCommandTags(t *testing.T) {
	tests := []struct{ tag, want string }{
		{"SELECT 1", "SELECT"},
		{"INSERT 0 1", "INSERT"},
		{"CREATE TABLE", "CREATE TABLE"},
		{"DROP USER", "DROP USER"},
		{"SET ROLE", "SET ROLE"},
		{"CREATE INDEX", "CREATE"},
		{"SET", "SET"},
		{"BEGIN", "BEGIN"},
		{"", "UNKNOWN"},
	}
	for _, tt := range tests {
		if got := command(tt.tag); got != tt.want {
			t.Fatalf("command(%q) = %q, want %q", tt.tag, got, tt.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { command("CREATE TABLE") }); n != 0 {
		t.Fatalf("command allocates %v times", n)
	}
}

func TestContainsFold(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"SELECT set_config('a', $1, false)", true},
		{"select SET_CONFIG('a', $1, false)", true},
		{"SELECT Set_Config", true},
		{"set_config", true},
		{"SELECT set-config", false},
		{"SELECT set_confi", false},
		{"SELECT current_setting($1)", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := containsFold(tt.s, "set_config"); got != tt.want {
			t.Fatalf("containsFold(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

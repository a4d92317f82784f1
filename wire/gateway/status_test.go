package gateway

import "testing"

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		code string
		want int
	}{
		{"42501", 403}, {"28000", 401}, {"28P01", 401}, {"42P01", 404}, {"42601", 400},
		{"22P02", 400}, {"23505", 400}, {"42703", 400}, {"57014", 408}, {"57P01", 503},
		{"53300", 429}, {"54000", 413}, {"40001", 409}, {"XX000", 500}, {"58030", 500},
	}
	for _, tt := range tests {
		if got := httpStatus(tt.code); got != tt.want {
			t.Fatalf("httpStatus(%s) = %d, want %d", tt.code, got, tt.want)
		}
	}
}

func TestCommand(t *testing.T) {
	tests := map[string]string{
		"INSERT 0 1": "INSERT", "SELECT 3": "SELECT", "CREATE TABLE": "CREATE TABLE", "BEGIN": "BEGIN", "": "UNKNOWN",
	}
	for tag, want := range tests {
		if got := command(tag); got != want {
			t.Fatalf("command(%q) = %q, want %q", tag, got, want)
		}
	}
}

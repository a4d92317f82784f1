package auth

import (
	"errors"
	"testing"
)

func TestParseRole(t *testing.T) {
	tests := []struct {
		in      string
		want    Role
		wantErr bool
	}{
		{"user", RoleUser, false},
		{"service", RoleService, false},
		{"dba", RoleDBA, false},
		{"system", RoleSystem, false},
		{"DBA", RoleDBA, false},
		{"System", RoleSystem, false},
		{"", 0, true},
		{"root", 0, true},
		{"users", 0, true},
		{" user", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseRole(tt.in)
		if tt.wantErr {
			if !errors.Is(err, ErrUnknownRole) {
				t.Fatalf("ParseRole(%q) err = %v, want ErrUnknownRole", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Fatalf("ParseRole(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestRoleStringRoundTripAndOrder(t *testing.T) {
	want := []string{"user", "service", "dba", "system"}
	for i, name := range want {
		r := Role(i)
		if got := r.String(); got != name {
			t.Fatalf("Role(%d).String() = %q, want %q", i, got, name)
		}
		if back, err := ParseRole(r.String()); err != nil || back != r {
			t.Fatalf("ParseRole(%q) = %v, %v", r.String(), back, err)
		}
	}
	if !(RoleUser < RoleService && RoleService < RoleDBA && RoleDBA < RoleSystem) {
		t.Fatalf("roles out of order")
	}
	if got := Role(9).String(); got != "Role(9)" {
		t.Fatalf("Role(9).String() = %q", got)
	}
	if Role(-1).Valid() || Role(4).Valid() || !RoleSystem.Valid() {
		t.Fatalf("Valid wrong")
	}
}

package auth

import (
	"fmt"
	"strconv"
	"strings"
)

// Role is a user's role, weakest first: a stronger role may do everything a
// weaker one may, so comparisons (r >= RoleService) express permissions.
type Role int

// The roles, in order of strength.
const (
	RoleUser Role = iota
	RoleService
	RoleDBA
	RoleSystem
)

// ParseRole reads "user", "service", "dba" or "system" (case-insensitive).
func ParseRole(s string) (Role, error) {
	for r := RoleUser; r <= RoleSystem; r++ {
		if strings.EqualFold(s, r.String()) {
			return r, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownRole, s)
}

// String returns the role's name, or "Role(n)" for a value out of range.
func (r Role) String() string {
	switch r {
	case RoleUser:
		return "user"
	case RoleService:
		return "service"
	case RoleDBA:
		return "dba"
	case RoleSystem:
		return "system"
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { return r >= RoleUser && r <= RoleSystem }

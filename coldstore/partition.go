package coldstore

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kalamdb/kalamdb/catalog"
)

// Partition names one table partition in the cold store.
type Partition struct {
	Table  uint32 // catalog table id: a dropped and recreated table never sees old files
	Schema string
	Name   string
	User   string // "" for shared tables
}

// PartitionOf returns the partition of t for user ("" for shared tables).
func PartitionOf(t *catalog.Table, user string) Partition {
	if !t.Type.PerUser() {
		user = ""
	}
	return Partition{Table: t.ID, Schema: t.Schema, Name: t.Name, User: user}
}

// QualifiedName is schema.name.
func (p Partition) QualifiedName() string { return p.Schema + "." + p.Name }

// Directory layout under the store root.
const (
	usersDir  = "users"
	sharedDir = "shared/tables"
	trashDir  = "trash" // whole trees being removed; emptied by Open
)

// dir is the partition directory relative to the root.
func (p Partition) dir() string {
	leaf := escapeName(p.Schema) + "." + escapeName(p.Name)
	if p.User == "" {
		return filepath.Join(sharedDir, leaf)
	}
	return filepath.Join(usersDir, escapeName(p.User), leaf)
}

// userDir is a user's directory relative to the root.
func userDir(user string) string { return filepath.Join(usersDir, escapeName(user)) }

// escapeName makes an identifier a safe, unambiguous path element: bytes
// other than [A-Za-z0-9_-] become %XX. Dots are escaped so that
// "schema.table" splits one way only, and "", "." and ".." cannot occur.
// Typical names (user_alice, public.messages) are unchanged.
func escapeName(s string) string {
	const hex = "0123456789ABCDEF"
	if s == "" {
		return "%"
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// unescapeName inverts escapeName.
func unescapeName(s string) (string, bool) {
	if s == "%" {
		return "", true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), escapeName(b.String()) == s
}

// Users returns the users that have a directory for table schema.name,
// sorted. It lists users/, one entry per user, so it is for DDL and
// maintenance, not for queries. A directory may be a dropped table's
// leftover: Segments of its partition then reports none.
func (s *Store) Users(schema, name string) ([]string, error) {
	leaf := escapeName(schema) + "." + escapeName(name)
	entries, err := os.ReadDir(filepath.Join(s.root, usersDir))
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("users of %s.%s: %w", schema, name, err)
	}
	var users []string
	for _, e := range entries {
		u, ok := unescapeName(e.Name())
		if !e.IsDir() || !ok {
			continue
		}
		if _, err := os.Stat(filepath.Join(s.root, usersDir, e.Name(), leaf)); err == nil {
			users = append(users, u)
		}
	}
	return users, nil // ReadDir sorts by escaped name; callers re-sort if they merge
}

package catalog

import (
	"strings"
	"time"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/types"
)

// TableType says how a table is partitioned.
type TableType string

const (
	// Shared tables have one partition for everyone.
	Shared TableType = "shared"
	// User tables have one isolated partition per user.
	User TableType = "user"
	// Stream tables are per-user and ephemeral: rows expire after TTL.
	Stream TableType = "stream"
)

// PerUser reports whether the table is partitioned by user.
func (t TableType) PerUser() bool { return t == User || t == Stream }

// Column is one table column. IDs are never reused within a table, so rows
// written before an ADD or DROP COLUMN keep decoding.
type Column struct {
	ID      uint32     `json:"id"`
	Name    string     `json:"name"`
	Type    types.Type `json:"type"`
	NotNull bool       `json:"not_null,omitempty"`
	// Default is the SQL text of the default expression, "" for none.
	Default string `json:"default,omitempty"`
	// Missing is the text form of the value rows written before this column
	// was added read as (ADD COLUMN ... DEFAULT constant); "" means NULL.
	Missing    string `json:"missing,omitempty"`
	HasMissing bool   `json:"has_missing,omitempty"`
	// Identity is IdentityAlways or IdentityByDefault for a GENERATED ...
	// AS IDENTITY column, whose values come from ReserveIdentity.
	Identity string `json:"identity,omitempty"`
}

// Options are a table's WITH (...) options.
type Options struct {
	FlushRows     int64         `json:"flush_rows,omitempty"`
	FlushInterval time.Duration `json:"flush_interval,omitempty"`
	TTL           time.Duration `json:"ttl,omitempty"`
}

// Table is an immutable snapshot of a table's definition.
type Table struct {
	ID         uint32    `json:"id"`
	Schema     string    `json:"schema"`
	Name       string    `json:"name"`
	Type       TableType `json:"type"`
	Options    Options   `json:"options"`
	Columns    []Column  `json:"columns"`
	PrimaryKey []int     `json:"primary_key,omitempty"` // indexes into Columns
	NextColumn uint32    `json:"next_column"`
	Indexes    []Index   `json:"indexes,omitempty"`
}

// Index is a secondary index on a table, kept inside each partition. Its
// id comes from the same counter as table ids, so it names its own
// keyspace in the hot store.
type Index struct {
	ID      uint32   `json:"id"`
	Name    string   `json:"name"`
	Columns []uint32 `json:"columns"` // column ids, so DROP COLUMN elsewhere keeps it valid
	Unique  bool     `json:"unique,omitempty"`
	// Constraint marks the index of a UNIQUE constraint of CREATE TABLE,
	// which pg_constraint lists and DROP INDEX refuses to drop alone.
	Constraint bool `json:"constraint,omitempty"`
}

// ColumnByID returns the index into Columns of the column with id, or -1.
func (t *Table) ColumnByID(id uint32) int {
	for i := range t.Columns {
		if t.Columns[i].ID == id {
			return i
		}
	}
	return -1
}

// IndexNamed returns the named index of t.
func (t *Table) IndexNamed(name string) (*Index, bool) {
	for i := range t.Indexes {
		if t.Indexes[i].Name == name {
			return &t.Indexes[i], true
		}
	}
	return nil, false
}

// QualifiedName is schema.name.
func (t *Table) QualifiedName() string { return t.Schema + "." + t.Name }

// ColumnIndex returns the index of the named column, or -1.
func (t *Table) ColumnIndex(name string) int {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return i
		}
	}
	return -1
}

// clone returns a deep copy for copy-on-write changes.
func (t *Table) clone() *Table {
	c := *t
	c.Columns = append([]Column(nil), t.Columns...)
	c.PrimaryKey = append([]int(nil), t.PrimaryKey...)
	c.Indexes = make([]Index, len(t.Indexes))
	for i, ix := range t.Indexes {
		ix.Columns = append([]uint32(nil), ix.Columns...)
		c.Indexes[i] = ix
	}
	if len(c.Indexes) == 0 {
		c.Indexes = nil
	}
	return &c
}

// Schema is a namespace.
type Schema struct {
	Name string `json:"name"`
	OID  uint32 `json:"oid"`
}

// UserInfo is a login user.
type UserInfo struct {
	Name string    `json:"name"`
	Role auth.Role `json:"role"`
	// Verifier is the SCRAM-SHA-256 verifier text, "" when the user has no
	// password (JWT login only).
	Verifier string `json:"verifier,omitempty"`
}

// RootUser is the superuser created on first start.
const RootUser = "root"

// isReserved reports names that cannot be created, dropped or used as user
// ids: PostgreSQL's system schemas.
func isReserved(name string) bool {
	return name == "information_schema" || strings.HasPrefix(name, "pg_")
}

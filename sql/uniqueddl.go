package sql

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// UNIQUE constraints of CREATE TABLE become unique secondary indexes
// marked as constraints, as PostgreSQL backs them with an index of the
// constraint's name. DEFERRABLE and INITIALLY DEFERRED are accepted but
// checked at once: writes check unique indexes as they go.

// uniqueConstraint is a UNIQUE constraint read from CREATE TABLE before
// the columns are all known.
type uniqueConstraint struct {
	name string   // CONSTRAINT name, or "" for PostgreSQL's default
	cols []string // column names, in key order
}

// readUnique checks a UNIQUE constraint node; column is the column a
// column constraint is attached to ("" for a table constraint).
func readUnique(c *pg_query.Constraint, column string) (uniqueConstraint, error) {
	switch {
	case c.NullsNotDistinct:
		return uniqueConstraint{}, pgerr.New(pgerr.FeatureNotSupported, "NULLS NOT DISTINCT is not supported")
	case len(c.Including) > 0:
		return uniqueConstraint{}, pgerr.New(pgerr.FeatureNotSupported, "INCLUDE columns are not supported")
	case c.Indexname != "":
		return uniqueConstraint{}, pgerr.New(pgerr.FeatureNotSupported, "UNIQUE USING INDEX is not supported")
	}
	u := uniqueConstraint{name: c.Conname}
	if column != "" {
		u.cols = []string{column}
	} else {
		u.cols = nameList(c.Keys)
	}
	return u, nil
}

// addUniqueIndexes turns the UNIQUE constraints into t's indexes, with
// column ids as CreateTable assigns them (position+1). Unnamed ones get
// their names at creation, when the schema is known.
func addUniqueIndexes(t *catalog.Table, us []uniqueConstraint) error {
	for _, u := range us {
		ix := catalog.Index{Name: u.name, Unique: true, Constraint: true}
		seen := map[string]bool{}
		for _, name := range u.cols {
			i := t.ColumnIndex(name)
			if i < 0 {
				return pgerr.New(pgerr.UndefinedColumn, "column %q named in key does not exist", name)
			}
			if seen[name] {
				return pgerr.New(pgerr.DuplicateColumn, "column %q appears twice in unique constraint", name)
			}
			seen[name] = true
			if !indexableType(t.Columns[i].Type.OID) {
				return pgerr.New(pgerr.FeatureNotSupported, "UNIQUE on columns of type %s is not supported", types.NameOf(t.Columns[i].Type))
			}
			ix.Columns = append(ix.Columns, uint32(i+1))
		}
		t.Indexes = append(t.Indexes, ix)
	}
	return nil
}

// nameUniqueIndexes gives unnamed UNIQUE constraints PostgreSQL's name,
// table_col1_col2_key, then key1, key2 ... until free in t's schema.
func (s *Session) nameUniqueIndexes(t *catalog.Table) {
	taken := func(name string) bool {
		if name == t.Name {
			return true
		}
		for _, ix := range t.Indexes {
			if ix.Name == name {
				return true
			}
		}
		_, isTable := s.eng.cat.Table(t.Schema, name)
		_, _, isIndex := s.eng.cat.FindIndex(t.Schema, name)
		return isTable || isIndex
	}
	for i := range t.Indexes {
		if t.Indexes[i].Name != "" {
			continue
		}
		var cols []string
		for _, id := range t.Indexes[i].Columns {
			cols = append(cols, t.Columns[id-1].Name)
		}
		t.Indexes[i].Name = chooseRelationName(t.Name, cols, "key", taken)
	}
}

// chooseRelationName is PostgreSQL's ChooseRelationName: table_cols_label
// cut to 63 bytes, with a number after label until taken says it is free.
func chooseRelationName(table string, cols []string, label string, taken func(string) bool) string {
	base := table + "_" + strings.Join(cols, "_")
	for n := 0; ; n++ {
		suffix := "_" + label
		if n > 0 {
			suffix += strconv.Itoa(n)
		}
		name := base
		if len(name)+len(suffix) > 63 {
			name = name[:63-len(suffix)]
		}
		name += suffix
		if !taken(name) {
			return name
		}
	}
}

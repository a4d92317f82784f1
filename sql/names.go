package sql

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/pgerr"
)

// tableRef is a table named in a statement.
type tableRef struct {
	t     *catalog.Table
	alias string
	// addressed is the partition named as a schema (user_alice.messages);
	// "" means the session's effective user.
	addressed string
}

// searchPath returns the schemas to look in, in order.
func (s *Session) searchPath() []string {
	v, _ := s.settings.get("search_path")
	var out []string
	for _, part := range strings.Split(v, ",") {
		name := strings.Trim(strings.TrimSpace(part), `"`)
		if name == "$user" {
			name = s.effUser
		}
		if _, ok := s.eng.cat.Schema(name); ok {
			out = append(out, name)
		}
	}
	return out
}

// creationSchema is where an unqualified CREATE puts an object.
func (s *Session) creationSchema() (string, error) {
	path := s.searchPath()
	if len(path) == 0 {
		return "", pgerr.New(pgerr.UndefinedSchema, "no schema has been selected to create in")
	}
	return path[0], nil
}

// resolveTable finds the table a RangeVar names. A schema part that is a
// user id rather than a schema addresses that user's partition of a
// per-user table found through the search path.
func (s *Session) resolveTable(rv *pg_query.RangeVar) (*tableRef, error) {
	if rv.Catalogname != "" && rv.Catalogname != "kalamdb" {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "cross-database references are not implemented: %s.%s.%s", rv.Catalogname, rv.Schemaname, rv.Relname)
	}
	ref := &tableRef{alias: rv.Relname}
	if rv.Alias != nil {
		ref.alias = rv.Alias.Aliasname
	}
	if rv.Schemaname != "" {
		schema, err := s.ownTempSchema(rv.Schemaname)
		if err != nil {
			return nil, err
		}
		if _, ok := s.eng.cat.Schema(schema); ok {
			t, ok := s.eng.cat.Table(schema, rv.Relname)
			if !ok {
				return nil, pgerr.New(pgerr.UndefinedTable, "relation \"%s.%s\" does not exist", rv.Schemaname, rv.Relname)
			}
			ref.t = t
			return ref, nil
		}
		if _, ok := s.eng.cat.User(rv.Schemaname); !ok {
			return nil, pgerr.New(pgerr.UndefinedTable, "relation \"%s.%s\" does not exist", rv.Schemaname, rv.Relname)
		}
		t, err := s.findInPath(rv.Relname)
		if err != nil {
			return nil, err
		}
		if !t.Type.PerUser() {
			return nil, pgerr.New(pgerr.WrongObjectType, "%q is a shared table: only per-user tables can be addressed by user id", rv.Relname)
		}
		ref.t, ref.addressed = t, rv.Schemaname
		return ref, nil
	}
	t, err := s.findInPath(rv.Relname)
	if err != nil {
		return nil, err
	}
	ref.t = t
	return ref, nil
}

// lookupPath is the search path for finding relations: the session's
// temporary schema first, as PostgreSQL's implicit pg_temp.
func (s *Session) lookupPath() []string {
	if s.tempSchema == "" {
		return s.searchPath()
	}
	return append([]string{s.tempSchema}, s.searchPath()...)
}

func (s *Session) findInPath(name string) (*catalog.Table, error) {
	for _, schema := range s.lookupPath() {
		if t, ok := s.eng.cat.Table(schema, name); ok {
			return t, nil
		}
	}
	return nil, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", name)
}

// partition returns the keyspace a statement touches in ref's table, and is
// the one place that decides whose rows a session reaches.
func (s *Session) partition(ref *tableRef) (hotstore.Partition, error) {
	if !ref.t.Type.PerUser() {
		return hotstore.Partition{Table: ref.t.ID}, nil
	}
	user := s.effUser
	if ref.addressed != "" && ref.addressed != user {
		if s.effRole < auth.RoleService {
			return hotstore.Partition{}, pgerr.New(pgerr.InsufficientPrivilege, "permission denied for partition %s of table %s", ref.addressed, ref.t.Name)
		}
		user = ref.addressed
	}
	return hotstore.Partition{Table: ref.t.ID, User: user}, nil
}

// requireRole fails with 42501 unless the effective role is at least min.
func (s *Session) requireRole(min auth.Role, what string) error {
	if s.effRole < min {
		return pgerr.New(pgerr.InsufficientPrivilege, "permission denied to %s: requires role %s or above", what, min)
	}
	return nil
}

package sql

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/sql/pgcatalog"
)

// catalogNode scans a pg_catalog or information_schema relation, computed
// from the live catalog when the query runs.
type catalogNode struct {
	rel *pgcatalog.Relation
}

func (n *catalogNode) run(r *qrun, _ *expr.Env, fn rowFunc) error {
	for _, row := range n.rel.Rows(r.x.s.catalogView()) {
		if err := r.tick(); err != nil {
			return err
		}
		if ok, err := fn(row); err != nil || !ok {
			return err
		}
	}
	return nil
}

func (n *catalogNode) explain(e *explainer) {
	e.line("Function Scan on "+n.rel.Name, "")
}

// bindCatalogRel binds a FROM item naming a catalog relation: qualified
// with pg_catalog or information_schema, or an unqualified name found in
// pg_catalog, which PostgreSQL searches before the search path. ok is
// false when rv names no catalog relation.
func (b *binder) bindCatalogRel(rv *pg_query.RangeVar) (*fromItem, bool, error) {
	if rv.Catalogname != "" && rv.Catalogname != "kalamdb" {
		return nil, false, nil
	}
	schema := rv.Schemaname
	if schema != "" && !pgcatalog.IsSystemSchema(schema) {
		return nil, false, nil
	}
	rel, ok := pgcatalog.Lookup(schema, rv.Relname)
	if !ok {
		if schema != "" {
			return nil, true, pgerr.New(pgerr.UndefinedTable, "relation \"%s.%s\" does not exist", schema, rv.Relname)
		}
		return nil, false, nil
	}
	alias := rv.Relname
	cols := make([]relCol, len(rel.Columns))
	for i, c := range rel.Columns {
		cols[i] = relCol{qual: alias, schema: rel.Schema, name: c.Name, t: c.Type, tableOID: rel.OID, attr: int16(i + 1)}
	}
	cols, err := aliasColumns(cols, rv.Alias)
	if err != nil {
		return nil, true, err
	}
	name := alias
	if rv.Alias != nil {
		name = rv.Alias.Aliasname
	}
	return &fromItem{src: &catalogNode{rel: rel}, cols: cols, names: []string{name}}, true, nil
}

// catalogView is what the catalog relations see of the engine and session.
func (s *Session) catalogView() *pgcatalog.View {
	return &pgcatalog.View{
		Catalog:    s.eng.cat,
		User:       s.effUser,
		Database:   "kalamdb",
		SearchPath: s.searchPath(),
		TempSchema: s.tempSchema,
		PID:        s.pid,
		Started:    s.eng.started,
		Activity:   s.eng.sessions.snapshot,
		Prepared:   s.preparedStatements,
		Settings: func() []pgcatalog.Setting {
			out := make([]pgcatalog.Setting, len(s.settings.defs.list))
			for i, d := range s.settings.defs.list {
				out[i] = pgcatalog.Setting{Name: d.name, Value: s.settings.values[i]}
			}
			return out
		},
	}
}

// catalogCall answers expr.Env.Catalog: set_config changes a setting,
// everything else is a question to the catalog view.
func (s *Session) catalogCall(name string, args []any) (any, error) {
	if name == "set_config" {
		if args[0] == nil {
			return nil, pgerr.New(codeNullValueNotAllowed, "SET requires parameter name")
		}
		v, _ := args[1].(string)
		local, _ := args[2].(bool)
		if err := s.setConfig(args[0].(string), v, local); err != nil {
			return nil, err
		}
		cur, _ := s.settings.get(args[0].(string))
		return cur, nil
	}
	if v, ok, err := s.backendCall(name, args); ok {
		return v, err
	}
	return s.catalogView().Call(name, args)
}

// setConfig is set_config(): SET or SET LOCAL from a function.
func (s *Session) setConfig(name, value string, local bool) error {
	d, err := s.settings.lookup(name)
	if err != nil {
		return err
	}
	old, _ := s.settings.get(name)
	oldLoc := s.loc
	if err := s.set(name, value, false); err != nil {
		return err
	}
	s.remember(local, func() {
		s.settings.put(d.name, old)
		s.loc = oldLoc
	})
	return nil
}

// codeNullValueNotAllowed is SQLSTATE null_value_not_allowed.
const codeNullValueNotAllowed = "22004"

package sql

import (
	"context"
	"strings"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/pgerr"
)

// admin runs KalamDB's administrative functions for the session: flushes
// for service and above, export and erasure of a user for dba and above.
func (s *Session) admin(name string, args []any) (any, error) {
	ctx := s.stmtCtx
	if ctx == nil {
		ctx = context.Background()
	}
	switch name {
	case "kalamdb_flush":
		if err := s.requireRole(auth.RoleService, "flush"); err != nil {
			return nil, err
		}
		ref, err := s.tableByName(args[0].(string))
		if err != nil {
			return nil, err
		}
		return s.eng.FlushTable(ctx, ref.t)
	case "kalamdb_flush_all":
		if err := s.requireRole(auth.RoleService, "flush"); err != nil {
			return nil, err
		}
		return s.eng.FlushAll(ctx)
	case "kalamdb_export_user":
		if err := s.requireRole(auth.RoleDBA, "export a user"); err != nil {
			return nil, err
		}
		return s.eng.ExportUser(ctx, args[0].(string))
	case "kalamdb_erase_user":
		if err := s.requireRole(auth.RoleDBA, "erase a user"); err != nil {
			return nil, err
		}
		return s.eng.EraseUser(ctx, args[0].(string))
	}
	return nil, pgerr.New(pgerr.UndefinedFunction, "function %s does not exist", name)
}

// tableByName resolves 'schema.table' or 'table' (through the search path).
func (s *Session) tableByName(name string) (*tableRef, error) {
	schema, table, ok := strings.Cut(name, ".")
	if !ok {
		t, err := s.findInPath(name)
		if err != nil {
			return nil, err
		}
		return &tableRef{t: t, alias: t.Name}, nil
	}
	t, found := s.eng.cat.Table(schema, table)
	if !found {
		return nil, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", name)
	}
	return &tableRef{t: t, alias: t.Name}, nil
}

package expr

import (
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/types"
)

// resolveAdmin resolves KalamDB's administrative functions, which the
// session carries out through Env.Admin: kalamdb_flush(table) and
// kalamdb_flush_all() return the rows flushed, kalamdb_export_user(user)
// the export's path, kalamdb_erase_user(user) the number of partitions
// erased.
func (c *compiler) resolveAdmin(name string, args []Expr) (*builtin, []Expr, error) {
	var ret types.OID
	var conv []Expr
	switch name {
	case "kalamdb_flush", "kalamdb_export_user", "kalamdb_erase_user":
		var ok bool
		var err error
		if conv, ok, err = c.sig(args, tText); err != nil || !ok {
			return nil, nil, err
		}
		ret = types.Int8
		if name == "kalamdb_export_user" {
			ret = types.Text
		}
	case "kalamdb_flush_all":
		if len(args) != 0 {
			return nil, nil, nil
		}
		ret = types.Int8
	default:
		return nil, nil, nil
	}
	return &builtin{ret: ret, volatile: true, fn: func(env *Env, vals []any) (any, error) {
		if env == nil || env.Admin == nil {
			return nil, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "%s() is not available here", name)
		}
		return env.Admin(name, vals)
	}}, conv, nil
}

package sql

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
)

// bind resolves one statement against the catalog into a plan.
func (s *Session) bind(n *pg_query.Node, params *expr.Params) (plan, error) {
	p, err := s.bindNode(n, params)
	if err != nil {
		return nil, err
	}
	if fp, ok := p.(*funcPlan); ok && changesTables(n) {
		fp.ddl = true
	}
	return p, nil
}

// changesTables reports whether n is DDL that changes tables or their
// rows outside the session's transaction (see Session.runDDL).
func changesTables(n *pg_query.Node) bool {
	switch n.GetNode().(type) {
	case *pg_query.Node_CreateSchemaStmt, *pg_query.Node_CreateStmt, *pg_query.Node_ViewStmt,
		*pg_query.Node_DropStmt, *pg_query.Node_IndexStmt, *pg_query.Node_AlterTableStmt,
		*pg_query.Node_RenameStmt, *pg_query.Node_TruncateStmt:
		return true
	}
	return false
}

func (s *Session) bindNode(n *pg_query.Node, params *expr.Params) (plan, error) {
	switch {
	case n.GetSelectStmt() != nil:
		return s.bindSelect(n.GetSelectStmt(), params)
	case n.GetExplainStmt() != nil:
		return s.bindExplain(n.GetExplainStmt(), params)
	case n.GetInsertStmt() != nil:
		return s.bindInsert(n.GetInsertStmt(), params)
	case n.GetUpdateStmt() != nil:
		return s.bindUpdate(n.GetUpdateStmt(), params)
	case n.GetDeleteStmt() != nil:
		return s.bindDelete(n.GetDeleteStmt(), params)
	case n.GetTransactionStmt() != nil:
		return s.bindTransaction(n.GetTransactionStmt())
	case n.GetVariableSetStmt() != nil:
		return s.bindSet(n.GetVariableSetStmt())
	case n.GetVariableShowStmt() != nil:
		return s.bindShow(n.GetVariableShowStmt())
	case n.GetCreateSchemaStmt() != nil:
		return s.bindCreateSchema(n.GetCreateSchemaStmt())
	case n.GetCreateStmt() != nil:
		return s.bindCreateTable(n.GetCreateStmt())
	case n.GetViewStmt() != nil:
		return s.bindCreateView(n.GetViewStmt())
	case n.GetDropStmt() != nil:
		return s.bindDrop(n.GetDropStmt())
	case n.GetIndexStmt() != nil:
		return s.bindCreateIndex(n.GetIndexStmt())
	case n.GetAlterTableStmt() != nil:
		return s.bindAlterTable(n.GetAlterTableStmt())
	case n.GetRenameStmt() != nil:
		return s.bindRename(n.GetRenameStmt())
	case n.GetTruncateStmt() != nil:
		return s.bindTruncate(n.GetTruncateStmt())
	case n.GetCreateRoleStmt() != nil:
		return s.bindCreateUser(n.GetCreateRoleStmt())
	case n.GetAlterRoleStmt() != nil:
		return s.bindAlterUser(n.GetAlterRoleStmt())
	case n.GetDropRoleStmt() != nil:
		return s.bindDropUser(n.GetDropRoleStmt())
	case n.GetGrantRoleStmt() != nil:
		return s.bindGrantRole(n.GetGrantRoleStmt())
	case n.GetListenStmt() != nil:
		return s.bindListen(n.GetListenStmt())
	case n.GetUnlistenStmt() != nil:
		return s.bindUnlisten(n.GetUnlistenStmt())
	case n.GetNotifyStmt() != nil:
		return s.bindNotify(n.GetNotifyStmt())
	case n.GetCopyStmt() != nil:
		return s.bindCopy(n.GetCopyStmt(), params)
	case n.GetDeclareCursorStmt() != nil:
		return s.bindDeclare(n.GetDeclareCursorStmt(), params)
	case n.GetFetchStmt() != nil:
		return s.bindFetch(n.GetFetchStmt())
	case n.GetClosePortalStmt() != nil:
		return s.bindClose(n.GetClosePortalStmt())
	case n.GetDeallocateStmt() != nil:
		return s.bindDeallocate(n.GetDeallocateStmt())
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "statement not supported: %s", nodeName(n))
}

// nodeName names a parse node's kind for error messages ("CopyStmt").
func nodeName(n *pg_query.Node) string {
	name := fmt.Sprintf("%T", n.GetNode())
	name = strings.TrimPrefix(name, "*pg_query.Node_")
	return name
}

// strVal returns the string of a String node.
func strVal(n *pg_query.Node) string {
	if s := n.GetString_(); s != nil {
		return s.Sval
	}
	return ""
}

// nameList joins a list of String nodes.
func nameList(nodes []*pg_query.Node) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, strVal(n))
	}
	return out
}

package sql

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
)

// READ ONLY transactions: BEGIN READ ONLY (or default_transaction_read_only)
// makes the transaction refuse writes and DDL with 25006, and
// transaction_read_only shows it for the transaction's length.

// beginOptions applies BEGIN's transaction modes to the transaction just
// opened.
func (s *Session) beginOptions(opts []*pg_query.Node) {
	readOnly := s.settingOn("default_transaction_read_only")
	iso, _ := s.settings.get("default_transaction_isolation")
	for _, o := range opts {
		d := o.GetDefElem()
		if d == nil {
			continue
		}
		c := d.Arg.GetAConst()
		switch {
		case c == nil:
		case d.Defname == "transaction_read_only" && c.GetIval() != nil:
			readOnly = c.GetIval().Ival != 0
		case d.Defname == "transaction_isolation" && c.GetSval() != nil:
			iso = c.GetSval().Sval
		}
	}
	s.setTxReadOnly(readOnly)
	s.setTxIsolation(iso)
}

// setTxIsolation shows the isolation level a transaction asked for in
// transaction_isolation until it ends. Every level runs as snapshot
// isolation here (stronger than read committed); the setting is what
// clients check that their request was taken.
func (s *Session) setTxIsolation(level string) {
	if s.tx == nil {
		return
	}
	old, _ := s.settings.get("transaction_isolation")
	s.settings.put("transaction_isolation", level)
	s.remember(true, func() { s.settings.put("transaction_isolation", old) })
}

// setTxReadOnly records the transaction's access mode and shows it in
// transaction_read_only until the transaction ends.
func (s *Session) setTxReadOnly(on bool) {
	if s.tx == nil {
		return
	}
	s.tx.accessReadOnly = on
	old, _ := s.settings.get("transaction_read_only")
	v := "off"
	if on {
		v = "on"
	}
	s.settings.put("transaction_read_only", v)
	s.remember(true, func() { s.settings.put("transaction_read_only", old) })
}

// followDefaultReadOnly shows default_transaction_read_only in
// transaction_read_only outside a transaction block, as PostgreSQL does
// (each statement there runs in a transaction of the default mode).
func (s *Session) followDefaultReadOnly() {
	if s.tx != nil && s.tx.explicit {
		return
	}
	v := "off"
	if s.settingOn("default_transaction_read_only") {
		v = "on"
	}
	s.settings.put("transaction_read_only", v)
}

func (s *Session) settingOn(name string) bool {
	v, _ := s.settings.get(name)
	return v == "on" || v == "true" || v == "1"
}

// checkReadOnly refuses a statement that writes, inside a READ ONLY
// transaction or, outside a block, under default_transaction_read_only.
func (s *Session) checkReadOnly(n *pg_query.Node, p plan) error {
	ro := s.settingOn("default_transaction_read_only")
	if s.tx != nil && s.tx.explicit {
		ro = s.tx.accessReadOnly
	}
	if !ro {
		return nil
	}
	what, writes := writeCommand(n)
	if fp, ok := p.(*funcPlan); ok && fp.ddl {
		writes = true
	}
	if !writes && p.kind() != kindWrite {
		return nil
	}
	return pgerr.New(pgerr.ReadOnlySQLTransaction, "cannot execute %s in a read-only transaction", what)
}

// writeCommand names n's command for the 25006 message and reports
// whether it writes.
func writeCommand(n *pg_query.Node) (string, bool) {
	switch x := n.GetNode().(type) {
	case *pg_query.Node_InsertStmt:
		return "INSERT", true
	case *pg_query.Node_UpdateStmt:
		return "UPDATE", true
	case *pg_query.Node_DeleteStmt:
		return "DELETE", true
	case *pg_query.Node_CreateStmt:
		return "CREATE TABLE", true
	case *pg_query.Node_TruncateStmt:
		return "TRUNCATE TABLE", true
	case *pg_query.Node_CopyStmt:
		return "COPY FROM", x.CopyStmt.IsFrom
	case *pg_query.Node_CreateRoleStmt, *pg_query.Node_AlterRoleStmt, *pg_query.Node_DropRoleStmt, *pg_query.Node_GrantRoleStmt:
		return strings.ToUpper(strings.TrimSuffix(nodeName(n), "Stmt")), true
	}
	return strings.ToUpper(strings.TrimSuffix(nodeName(n), "Stmt")), false
}

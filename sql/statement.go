package sql

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/types"
)

// Statement is a parsed and bound statement, ready to execute with
// parameters. It is owned by the session that prepared it.
type Statement struct {
	node       *pg_query.Node // shared parse tree: never modified
	empty      bool
	plan       plan
	version    uint64 // catalog version plan was bound against
	paramTypes []types.OID
	columns    []Column
}

// ParamTypes are the statement's parameter types, inferred where the
// client sent 0.
func (s *Statement) ParamTypes() []types.OID { return s.paramTypes }

// Columns describe the rows the statement returns (nil when none).
func (s *Statement) Columns() []Column { return s.columns }

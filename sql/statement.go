package sql

import (
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/types"
)

// Statement is a parsed and bound statement, ready to execute with
// parameters. It is owned by the session that prepared it.
type Statement struct {
	node       *pg_query.Node // shared parse tree: never modified
	query      string         // its text, for pg_stat_activity
	prepared   time.Time      // for pg_prepared_statements
	empty      bool
	plan       plan
	version    uint64 // catalog version plan was bound against
	paramTypes []types.OID
	columns    []Column
	// liveCols, when set, finds the columns when asked: a FETCH prepared
	// before its cursor was declared.
	liveCols func() []Column
}

// ParamTypes are the statement's parameter types, inferred where the
// client sent 0.
func (s *Statement) ParamTypes() []types.OID { return s.paramTypes }

// Columns describe the rows the statement returns (nil when none).
func (s *Statement) Columns() []Column {
	if s.liveCols != nil {
		return s.liveCols()
	}
	return s.columns
}

// sameColumns reports whether two result shapes are the same to a client
// that described one: same number of columns, same types and typmods.
func sameColumns(a, b []Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type != b[i].Type {
			return false
		}
	}
	return true
}

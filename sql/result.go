package sql

import "github.com/kalamdb/kalamdb/types"

// Column describes one result column, as RowDescription does.
type Column struct {
	Name     string
	Type     types.Type
	TableOID uint32 // 0 when the column is not a table column
	Attr     int16  // attribute number in that table, 0 otherwise
}

// Result is the outcome of one statement.
type Result struct {
	Columns []Column // nil when the statement returns no rows
	Rows    [][]any  // values as described in package types
	Tag     string   // PostgreSQL's command tag: "INSERT 0 1", "SELECT 3", ...
	Empty   bool     // the statement was empty (EmptyQueryResponse)
	// Binary asks for the rows in binary format in the simple protocol
	// (FETCH from a BINARY cursor).
	Binary bool
}

// Param is a reported run-time parameter (sent as ParameterStatus).
type Param struct {
	Name, Value string
}

package sql

import (
	"testing"

	"github.com/kalamdb/kalamdb/pgerr"
)

// TestTransactionModes covers the isolation level a block reports, AND
// CHAIN and log_statement.
func TestTransactionModes(t *testing.T) {
	e := newTestEngine(t)
	s := newTestSession(t, e, "root")
	runSteps(t, s, []step{
		{sql: "SHOW transaction_isolation", want: "SHOW: read committed"},
		{sql: "BEGIN ISOLATION LEVEL SERIALIZABLE"},
		{sql: "SELECT current_setting('transaction_isolation')", want: "SELECT 1: serializable"},
		{sql: "COMMIT"},
		{sql: "SHOW transaction_isolation", want: "SHOW: read committed"},
		{sql: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"},
		{sql: "COMMIT AND CHAIN", want: "COMMIT: "},
		{sql: "SHOW transaction_isolation", want: "SHOW: repeatable read"},
		{sql: "SHOW transaction_read_only", want: "SHOW: on"},
		{sql: "ROLLBACK AND CHAIN", want: "ROLLBACK: "},
		{sql: "SHOW transaction_read_only", want: "SHOW: on"},
		{sql: "ROLLBACK"},
		{sql: "COMMIT AND CHAIN", code: pgerr.NoActiveSQLTransaction},
		{sql: "BEGIN"},
		{sql: "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED"},
		{sql: "SHOW transaction_isolation", want: "SHOW: read uncommitted"},
		{sql: "ROLLBACK"},
		{sql: "SET default_transaction_isolation = 'serializable'"},
		{sql: "BEGIN"},
		{sql: "SHOW transaction_isolation", want: "SHOW: serializable"},
		{sql: "ROLLBACK"},
		{sql: "SET log_statement = 'all'"},
		{sql: "SHOW log_statement", want: "SHOW: all"},
		{sql: "SET log_statement = 'loud'", code: pgerr.InvalidParameterValue},
	})
	if st := s.TxStatus(); st != 'I' {
		t.Fatalf("tx status %c, want I", st)
	}
	runSteps(t, s, []step{{sql: "BEGIN"}, {sql: "COMMIT AND CHAIN"}})
	if st := s.TxStatus(); st != 'T' {
		t.Fatalf("after COMMIT AND CHAIN: tx status %c, want T", st)
	}
}

package wire

import (
	"context"
	"time"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/sql"
	"github.com/kalamdb/kalamdb/types"
)

// Backend is what the protocol server needs from the database.
type Backend interface {
	// LookupUser returns a login user's stored password verifier (nil when
	// the user has none) and whether the user exists.
	LookupUser(name string) (v *auth.Verifier, exists bool)
	// VerifyToken checks a JWT given as a password and returns its subject.
	VerifyToken(token string) (subject string, err error)
	// RootPasswordSet reports whether root must log in with a password.
	RootPasswordSet() bool
	// NewSession opens a session for an authenticated user. params are the
	// startup parameters (options=-c name=value already split into entries).
	NewSession(ctx context.Context, user string, pid uint32, params map[string]string) (Session, error)
}

// Session is one client's SQL session.
type Session interface {
	// Prepare parses and binds one statement (extended protocol). An empty
	// query gives a statement whose result is Empty.
	Prepare(query string, paramTypes []types.OID) (*sql.Statement, error)
	// Execute runs a prepared statement with decoded parameter values.
	Execute(ctx context.Context, st *sql.Statement, params []any) (*sql.Result, error)
	// Query runs a simple-protocol query string (one or more statements as
	// one implicit transaction), calling emit after each statement.
	Query(ctx context.Context, query string, emit func(*sql.Result) error) error
	// Sync ends an extended-protocol batch: the statements since the last
	// Sync ran in one implicit transaction, committed here, or rolled back
	// when failed reports an error anywhere in the batch.
	Sync(ctx context.Context, failed bool) error
	// TxStatus is ReadyForQuery's status: 'I', 'T' or 'E'.
	TxStatus() byte
	// Location is the session's TimeZone, for timestamptz text output.
	Location() *time.Location
	// ExtraFloatDigits is the session's extra_float_digits, for float text
	// output.
	ExtraFloatDigits() int
	// ReportedChanges returns the reported parameters changed since the last
	// call; the first call returns all of them.
	ReportedChanges() []sql.Param
	// Close releases the session (rolling back an open transaction).
	Close()
}

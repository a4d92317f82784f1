package expr

import (
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/types"
)

// Scope resolves names for Compile: the columns of the row an expression
// is evaluated against.
type Scope interface {
	// Column resolves a (possibly qualified) column reference to its index
	// in the evaluated row and its type (42703 / 42702 when it cannot).
	Column(names []string) (index int, t types.Type, err error)
	// Aggregate is asked about every function call before it is treated as
	// a scalar function. A scope that computes aggregates returns ok with
	// the row index of the aggregate's value; others return ok=false (and
	// Compile then rejects aggregate names with 42803).
	Aggregate(call *pg_query.FuncCall) (index int, t types.Type, ok bool, err error)
}

// Params collects the types of $n parameters across a statement. Types[i]
// is $i+1's type; 0 means not yet known. Compile fills unknown entries from
// context ($1 compared with a bigint column is bigint) and grows Types
// when it meets a higher $n.
type Params struct {
	Types []types.OID
}

// Env is what evaluation needs from the session and transaction.
type Env struct {
	Params      []any          // parameter values, already decoded to Params.Types
	Now         time.Time      // transaction start: now(), current_timestamp
	Loc         *time.Location // session TimeZone
	User        string         // current_user (the effective user)
	SessionUser string         // session_user
	Database    string         // current_database()
	Version     string         // version()
	NextSeq     func() int64   // kalamdb_id()
	// Setting returns a run-time parameter for current_setting().
	Setting func(name string) (string, bool)
	// Notify queues a notification for commit (pg_notify); it checks the
	// channel and payload and returns their SQLSTATE errors.
	Notify func(channel, payload string) error
	// ListeningChannels returns the session's channels
	// (pg_listening_channels).
	ListeningChannels func() []string
	// NotificationQueueUsage is pg_notification_queue_usage().
	NotificationQueueUsage func() float64
	// Admin runs KalamDB's administrative functions (kalamdb_flush, ...)
	// with their evaluated arguments.
	Admin func(name string, args []any) (any, error)
	// Catalog answers the pg_catalog functions and reg* conversions
	// (funcs_catalog.go) from the live catalog and the session.
	Catalog func(name string, args []any) (any, error)
	// Outer holds the rows of enclosing queries, innermost last, while a
	// correlated subquery or a LATERAL item runs (see OuterColumn).
	Outer [][]any
	// Exec is the running statement's state, opaque to expr: the planner
	// finds it there when a subquery runs.
	Exec any
}

// Expr is a compiled, typed expression. Expressions are immutable after
// compilation and safe for concurrent use. Read Type after Params.Finish
// when the expression may be an untyped parameter.
type Expr interface {
	Type() types.Type
	Eval(env *Env, row []any) (any, error)
}

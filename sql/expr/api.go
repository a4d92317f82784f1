package expr

import (
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/types"
)

// This file fixes the package's API for the rest of the tree; bodies are
// filled in by the expr work item.

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

// Finish gives every still unknown parameter type text, as PostgreSQL does
// for SELECT $1.
func (p *Params) Finish() { panic("expr: unimplemented") }

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
}

// Expr is a compiled, typed expression.
type Expr interface {
	Type() types.Type
	Eval(env *Env, row []any) (any, error)
}

// Compile compiles an expression node against scope.
func Compile(node *pg_query.Node, scope Scope, params *Params) (Expr, error) {
	panic("expr: unimplemented")
}

// CompileAs compiles node for a slot of type want (an INSERT value, an
// UPDATE SET, a column default): untyped literals and parameters take
// want, other types are converted with PostgreSQL's assignment casts
// (42804 when none exists).
func CompileAs(node *pg_query.Node, scope Scope, params *Params, want types.Type) (Expr, error) {
	panic("expr: unimplemented")
}

// Const returns an expression that always yields v of type t.
func Const(v any, t types.Type) Expr { panic("expr: unimplemented") }

// IsAggregate reports whether name (lower case, unqualified) is an
// aggregate function: count, sum, avg, min, max, bool_and, bool_or,
// string_agg, array_agg, jsonb_agg.
func IsAggregate(name string) bool { panic("expr: unimplemented") }

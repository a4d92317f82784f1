package sql

import (
	"context"

	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/sql/expr"
)

// planKind says how a plan runs relative to transactions.
type planKind int

const (
	kindRead      planKind = iota // inside the transaction
	kindWrite                     // inside the transaction; retried on conflict when autocommit
	kindUtility                   // outside any hot-store transaction (DDL, SET, users)
	kindTxControl                 // BEGIN, COMMIT, ROLLBACK: changes the transaction itself
)

// plan is a bound statement.
type plan interface {
	kind() planKind
	columns() []Column
	exec(ctx context.Context, x *execCtx) (*Result, error)
}

// execCtx is what a running plan sees.
type execCtx struct {
	ctx context.Context
	s   *Session
	txn *hotstore.Txn // nil for utility and transaction-control plans
	env *expr.Env
	// fresh: txn holds no writes of earlier statements, so a snapshot
	// taken now shows what the statement started from (cte_modify.go).
	fresh bool
}

// funcPlan is a plan made of a function: utility statements and
// transaction control.
type funcPlan struct {
	k    planKind
	cols []Column
	fn   func(ctx context.Context, x *execCtx) (*Result, error)
	ddl  bool // changes tables outside the transaction (Session.runDDL)
}

func (p *funcPlan) kind() planKind    { return p.k }
func (p *funcPlan) columns() []Column { return p.cols }
func (p *funcPlan) exec(ctx context.Context, x *execCtx) (*Result, error) {
	return p.fn(ctx, x)
}

func utility(fn func(ctx context.Context, x *execCtx) (*Result, error)) plan {
	return &funcPlan{k: kindUtility, fn: fn}
}

// tagOnly returns a result with just a command tag.
func tagOnly(tag string) *Result { return &Result{Tag: tag} }

// ctxErr reports cancellation; long loops call it now and then.
func (x *execCtx) ctxErr() error { return x.ctx.Err() }

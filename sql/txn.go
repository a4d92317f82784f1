package sql

import (
	"context"
	"errors"
	"time"

	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/pgerr"
)

// transaction is an open transaction block.
type transaction struct {
	hot      *hotstore.Txn
	start    time.Time
	explicit bool // opened by BEGIN (else: a multi-statement query string)
	failed   bool // an error happened: only ROLLBACK/COMMIT are accepted
	// savepoints are the open SAVEPOINTs, oldest first (savepoint.go).
	savepoints []savepoint

	// An implicit transaction (a pipeline up to Sync, a multi-statement
	// string) starts on a read-only hot-store transaction, which is
	// cheaper, and moves to a read-write one at its first statement that
	// may write (upgrade). Until then it wrote nothing, so the writes stay
	// atomic; the earlier reads saw an older snapshot, as under
	// PostgreSQL's READ COMMITTED, where every statement takes its own.
	readOnly bool
	retired  *hotstore.Txn // the read-only transaction, kept for open iterators
	// wrote: a statement that may write has run in hot (execCtx.fresh).
	wrote bool
	// accessReadOnly: BEGIN READ ONLY, so writes fail (readonly.go).
	accessReadOnly bool
}

// maxRetries bounds how often an autocommit write is retried after a
// serialization conflict with a concurrent writer.
const maxRetries = 8

func (s *Session) begin(explicit bool) {
	if explicit {
		s.tx = &transaction{hot: s.eng.store.Begin(), start: time.Now(), explicit: true}
		return
	}
	s.tx = &transaction{hot: s.eng.store.BeginRead(), start: time.Now(), readOnly: true}
}

// beginImplicit starts the implicit transaction of a pipeline whose first
// statement is p: read-write at once when p may write, as prepare would
// make it, without first taking a read-only snapshot to throw away.
func (s *Session) beginImplicit(p plan) {
	if mayWrite(p) {
		s.tx = &transaction{hot: s.eng.store.Begin(), start: time.Now()}
		return
	}
	s.begin(false)
}

// mayWrite reports whether an implicit transaction must be read-write to
// run p.
func mayWrite(p plan) bool {
	return !readOnlyPlan(p) && p.kind() != kindUtility && p.kind() != kindTxControl
}

// readOnlyPlan reports whether p only reads the hot store: a query. Other
// plans of kindRead may write (COPY FROM) or keep an iterator (DECLARE).
func readOnlyPlan(p plan) bool {
	switch p.(type) {
	case *selectPlan, *queryPlan:
		return true
	}
	return false
}

// prepare moves a read-only implicit transaction to a read-write one
// before a statement that may write, and before anything once BEGIN made
// the block explicit (a block keeps one snapshot).
func (tx *transaction) prepare(s *Session, p plan) {
	if !tx.readOnly || (!tx.explicit && !mayWrite(p)) {
		return
	}
	tx.readOnly = false
	tx.retired = tx.hot
	tx.hot = s.eng.store.Begin()
}

// discard releases the transaction's hot-store transactions.
func (tx *transaction) discard() {
	tx.hot.Discard()
	if tx.retired != nil {
		tx.retired.Discard()
	}
}

// commit ends the transaction; a failed one is rolled back.
func (s *Session) commit(ctx context.Context) error {
	tx := s.tx
	s.tx = nil
	if tx == nil {
		return nil
	}
	defer tx.discard()
	if tx.failed {
		s.tempTablesAtEnd(ctx, false)
		s.cursorsAtEnd(tx, false)
		s.settingsAtEnd(false)
		s.endNotify(false)
		return nil
	}
	err := tx.hot.Commit(ctx)
	s.tempTablesAtEnd(ctx, err == nil)
	s.cursorsAtEnd(tx, err == nil)
	s.settingsAtEnd(err == nil)
	s.endNotify(err == nil) // publish after the commit, before the reply
	return err
}

func (s *Session) rollback() {
	s.tempTablesAtEnd(context.Background(), false)
	s.cursorsAtEnd(s.tx, false)
	if s.tx != nil {
		s.tx.discard()
		s.tx = nil
	}
	s.settingsAtEnd(false)
	s.endNotify(false)
}

// noteError records a statement error in the transaction state: an
// explicit block becomes failed, an implicit one is rolled back.
func (s *Session) noteError(err error) error {
	if s.tx != nil {
		if s.tx.explicit {
			s.tx.failed = true
		} else {
			s.rollback()
		}
	}
	return err
}

// run executes a bound plan in the session's transaction, or in its own
// autocommit transaction when none is open.
func (s *Session) run(ctx context.Context, p plan, params []any) (*Result, error) {
	if s.tx != nil && s.tx.failed && p.kind() != kindTxControl {
		return nil, pgerr.New(pgerr.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	ctx, cancel := s.statementContext(ctx)
	defer cancel()
	s.stmtCtx = ctx // for the administrative functions (admin.go)
	x := &execCtx{ctx: ctx, s: s, env: s.env(params)}
	if s.tx != nil {
		s.tx.prepare(s, p)
	}
	switch {
	case p.kind() == kindTxControl:
		return p.exec(ctx, x)
	case p.kind() == kindUtility:
		if fp, ok := p.(*funcPlan); ok && fp.ddl && s.tx != nil && !s.tx.explicit {
			return s.runDDL(ctx, x, fp)
		}
		res, err := p.exec(ctx, x)
		if err != nil {
			return nil, s.noteError(statementError(ctx, err))
		}
		return res, nil
	case s.tx != nil:
		x.txn, x.fresh = s.tx.hot, !s.tx.wrote
		if !readOnlyPlan(p) {
			s.tx.wrote = true
		}
		res, err := p.exec(ctx, x)
		if err != nil {
			return nil, s.noteError(statementError(ctx, err))
		}
		return res, nil
	}
	for attempt := 0; ; attempt++ {
		if readOnlyPlan(p) {
			x.txn = s.eng.store.BeginRead()
		} else {
			x.txn, x.fresh = s.eng.store.Begin(), true
		}
		res, err := p.exec(ctx, x)
		if err == nil {
			err = x.txn.Commit(ctx)
		}
		x.txn.Discard()
		s.endNotify(err == nil) // a retry starts over; a failure notifies nothing
		s.tempTablesAtEnd(ctx, err == nil)
		if err != nil && p.kind() == kindWrite && attempt < maxRetries && pgerr.Code(err) == pgerr.SerializationFailure {
			continue
		}
		if err != nil {
			return nil, statementError(ctx, err)
		}
		return res, nil
	}
}

// statementError turns a context error into the SQLSTATE PostgreSQL uses.
func statementError(ctx context.Context, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if cause, ok := pgerr.As(context.Cause(ctx)); ok {
			return cause
		}
		return pgerr.Wrap(err, pgerr.QueryCanceled, "canceling statement due to user request")
	}
	return err
}

// runDDL runs a schema change inside an implicit transaction (a
// multi-statement query string or a pipeline). PostgreSQL runs the whole
// string as one transaction, DDL included; here DDL commits on its own,
// so the statements before it would otherwise stay invisible to it (a
// TRUNCATE keeping rows inserted just before, an ALTER or CREATE INDEX
// missing them or conflicting with them). The writes so far are
// committed first and the DDL then runs on its own; the later statements
// read a fresh snapshot that includes its effect. Every statement thus
// sees what it would in PostgreSQL; what is lost is atomicity: a failure
// after the DDL no longer undoes the statements before it.
func (s *Session) runDDL(ctx context.Context, x *execCtx, p *funcPlan) (*Result, error) {
	tx := s.tx
	if !tx.readOnly {
		if err := tx.hot.Commit(ctx); err != nil {
			return nil, s.noteError(statementError(ctx, err))
		}
		s.endNotify(true) // the committed changes are announced now
	}
	tx.hot.Discard()
	tx.hot = s.eng.store.BeginRead()
	tx.readOnly, tx.wrote = true, false
	res, err := p.exec(ctx, x)
	// A new snapshot, taken after the DDL, for the statements after it.
	tx.hot.Discard()
	tx.hot = s.eng.store.BeginRead()
	if err != nil {
		return nil, s.noteError(statementError(ctx, err))
	}
	return res, nil
}

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
}

// maxRetries bounds how often an autocommit write is retried after a
// serialization conflict with a concurrent writer.
const maxRetries = 8

func (s *Session) begin(explicit bool) {
	s.tx = &transaction{hot: s.eng.store.Begin(), start: time.Now(), explicit: explicit}
}

// commit ends the transaction; a failed one is rolled back.
func (s *Session) commit(ctx context.Context) error {
	tx := s.tx
	s.tx = nil
	if tx == nil {
		return nil
	}
	defer tx.hot.Discard()
	if tx.failed {
		s.settingsAtEnd(false)
		s.endNotify(false)
		return nil
	}
	err := tx.hot.Commit(ctx)
	s.settingsAtEnd(err == nil)
	s.endNotify(err == nil) // publish after the commit, before the reply
	return err
}

func (s *Session) rollback() {
	if s.tx != nil {
		s.tx.hot.Discard()
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
	switch {
	case p.kind() == kindTxControl:
		return p.exec(ctx, x)
	case p.kind() == kindUtility:
		res, err := p.exec(ctx, x)
		if err != nil {
			return nil, s.noteError(statementError(ctx, err))
		}
		return res, nil
	case s.tx != nil:
		x.txn = s.tx.hot
		res, err := p.exec(ctx, x)
		if err != nil {
			return nil, s.noteError(statementError(ctx, err))
		}
		return res, nil
	}
	for attempt := 0; ; attempt++ {
		x.txn = s.eng.store.Begin()
		res, err := p.exec(ctx, x)
		if err == nil {
			err = x.txn.Commit(ctx)
		}
		x.txn.Discard()
		s.endNotify(err == nil) // a retry starts over; a failure notifies nothing
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

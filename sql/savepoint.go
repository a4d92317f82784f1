package sql

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/pgerr"
)

// invalidSavepoint is SQLSTATE 3B001 (invalid_savepoint_specification).
const invalidSavepoint = "3B001"

// savepoint is one SAVEPOINT of the open transaction block: the hot-store
// savepoint and how far the session's other per-transaction logs went
// (settings undo, pending LISTEN/NOTIFY and row changes), so ROLLBACK TO
// can cut all of them back to that point.
type savepoint struct {
	name    string
	id      int // hotstore.Txn savepoint id
	undo    int // len(s.undo)
	listens int // len(s.pend.listens)
	entries int // len(s.pend.entries)
}

// bindSavepoint binds SAVEPOINT, RELEASE [SAVEPOINT] and ROLLBACK TO
// [SAVEPOINT], with PostgreSQL's semantics: names may repeat (the newest
// wins), RELEASE also releases the savepoints opened after the named one,
// ROLLBACK TO keeps the named one and ends a failed state.
func (s *Session) bindSavepoint(t *pg_query.TransactionStmt) (plan, error) {
	name := t.SavepointName
	var fn func(ctx context.Context, x *execCtx) (*Result, error)
	switch t.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		fn = func(context.Context, *execCtx) (*Result, error) {
			if err := s.savepointAllowed("SAVEPOINT", true); err != nil {
				return nil, err
			}
			s.tx.savepoints = append(s.tx.savepoints, savepoint{
				name: name, id: s.tx.hot.Savepoint(), undo: len(s.undo),
				listens: len(s.pend.listens), entries: len(s.pend.entries),
			})
			return tagOnly("SAVEPOINT"), nil
		}
	case pg_query.TransactionStmtKind_TRANS_STMT_RELEASE:
		fn = func(context.Context, *execCtx) (*Result, error) {
			if err := s.savepointAllowed("RELEASE SAVEPOINT", true); err != nil {
				return nil, err
			}
			i, err := s.findSavepoint(name)
			if err != nil {
				return nil, err
			}
			if err := s.tx.hot.Release(s.tx.savepoints[i].id); err != nil {
				return nil, err
			}
			s.tx.savepoints = s.tx.savepoints[:i]
			return tagOnly("RELEASE"), nil
		}
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		fn = func(context.Context, *execCtx) (*Result, error) {
			if err := s.savepointAllowed("ROLLBACK TO SAVEPOINT", false); err != nil {
				return nil, err
			}
			i, err := s.findSavepoint(name)
			if err != nil {
				return nil, err
			}
			if err := s.rollbackTo(s.tx.savepoints[i]); err != nil {
				s.tx.failed = true
				return nil, err
			}
			s.tx.savepoints = s.tx.savepoints[:i+1]
			s.tx.failed = false
			return tagOnly("ROLLBACK"), nil
		}
	default:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "two-phase commit is not supported")
	}
	return &funcPlan{k: kindTxControl, fn: fn}, nil
}

// savepointAllowed checks that a savepoint statement runs inside a
// transaction block (an implicit one does not count, as in PostgreSQL)
// and, unless it is ROLLBACK TO, in one that has not failed.
func (s *Session) savepointAllowed(what string, needHealthy bool) error {
	if s.tx == nil || !s.tx.explicit {
		return pgerr.New(pgerr.NoActiveSQLTransaction, "%s can only be used in transaction blocks", what)
	}
	if needHealthy && s.tx.failed {
		return pgerr.New(pgerr.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	return nil
}

// findSavepoint returns the newest savepoint named name; not finding it
// fails the transaction block, as any error in it does.
func (s *Session) findSavepoint(name string) (int, error) {
	for i := len(s.tx.savepoints) - 1; i >= 0; i-- {
		if s.tx.savepoints[i].name == name {
			return i, nil
		}
	}
	s.tx.failed = true
	return 0, pgerr.New(invalidSavepoint, "savepoint %q does not exist", name)
}

// rollbackTo undoes everything the transaction did after sp: hot-store
// writes, SET, and queued LISTEN/NOTIFY and row changes.
func (s *Session) rollbackTo(sp savepoint) error {
	if err := s.tx.hot.RollbackTo(sp.id); err != nil {
		return err
	}
	for i := len(s.undo) - 1; i >= sp.undo; i-- {
		s.undo[i].restore()
	}
	s.undo = s.undo[:sp.undo]
	if len(s.pend.listens) > sp.listens {
		s.pend.listens = s.pend.listens[:sp.listens]
	}
	if len(s.pend.entries) > sp.entries {
		for _, e := range s.pend.entries[sp.entries:] {
			if e.Change == nil {
				// A dropped NOTIFY no longer suppresses a later duplicate.
				delete(s.pend.seen, notifyKey{e.Channel, e.Payload})
			}
		}
		clear(s.pend.entries[sp.entries:])
		s.pend.entries = s.pend.entries[:sp.entries]
	}
	return nil
}

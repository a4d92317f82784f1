package sql

import "context"

// Sync ends an extended-protocol batch. The batch's statements ran in one
// implicit transaction (see Execute): commit it, or roll it back when any
// message of the batch failed — including failures the protocol layer
// found itself, such as a parameter that did not decode. An explicit
// transaction block stays open, failed if the batch failed.
func (s *Session) Sync(ctx context.Context, failed bool) error {
	defer s.noteIdle() // pg_stat_activity: waiting for the client again
	switch {
	case s.tx == nil:
		return nil
	case s.tx.explicit:
		if failed {
			s.tx.failed = true
		}
		return nil
	case failed:
		s.rollback()
		return nil
	}
	if err := s.commit(ctx); err != nil {
		return statementError(ctx, err)
	}
	return nil
}

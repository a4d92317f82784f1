package sql

import (
	"context"
	"math"
	"sort"
	"sync"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/pgcatalog"
)

// ConnControl is the front door's handle on a session's connection, for
// the functions and statements that act on connections rather than data:
// pg_cancel_backend, pg_terminate_backend and SQL DEALLOCATE. The wire
// server registers one per connection (SetConnControl); sessions without
// one (HTTP) can be neither canceled nor terminated this way.
type ConnControl interface {
	// CancelStatement cancels the running statement, if any. It may be
	// called from any goroutine.
	CancelStatement()
	// Terminate ends the connection with FATAL 57P01 as soon as it is
	// idle or its running statement is canceled. Any goroutine.
	Terminate()
	// Deallocate drops a protocol-level prepared statement, or all of
	// them when all is set; false when name does not exist. It is called
	// on the session's own goroutine.
	Deallocate(name string, all bool) bool
}

// PreparedLister is a ConnControl that can list its protocol-level
// prepared statements for pg_prepared_statements (optional, so other
// front doors need not). Called on the session's own goroutine.
type PreparedLister interface {
	// PreparedStatements returns the named prepared statements.
	PreparedStatements() map[string]*Statement
}

// preparedStatements lists the session's prepared statements, by name.
func (s *Session) preparedStatements() []pgcatalog.PreparedStatement {
	pl, ok := s.ctl.get().(PreparedLister)
	if !ok {
		return nil
	}
	var out []pgcatalog.PreparedStatement
	for name, st := range pl.PreparedStatements() {
		ps := pgcatalog.PreparedStatement{Name: name, Statement: st.query, PrepareTime: st.prepared}
		for _, t := range st.paramTypes {
			ps.ParamTypes = append(ps.ParamTypes, uint32(t))
		}
		out = append(out, ps)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// connControl holds a session's ConnControl; other sessions read it.
type connControl struct {
	mu sync.Mutex // guards c
	c  ConnControl
}

func (cc *connControl) get() ConnControl {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.c
}

// SetConnControl gives the session its connection's controls.
func (s *Session) SetConnControl(c ConnControl) {
	s.ctl.mu.Lock()
	defer s.ctl.mu.Unlock()
	s.ctl.c = c
}

// byPID finds an open session by its process id.
func (r *sessionRegistry) byPID(pid uint32) *Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	for s := range r.sessions {
		if s.pid == pid {
			return s
		}
	}
	return nil
}

// backendCall answers pg_sleep, pg_cancel_backend and
// pg_terminate_backend; ok is false for other names.
func (s *Session) backendCall(name string, args []any) (v any, ok bool, err error) {
	switch name {
	case "pg_sleep":
		return "", true, s.sleep(args[0].(float64))
	case "pg_cancel_backend", "pg_terminate_backend":
		v, err := s.signalBackend(name == "pg_terminate_backend", args[0].(int64))
		return v, true, err
	}
	return nil, false, nil
}

// sleep is pg_sleep: it waits on the statement's context, so a cancel
// request or statement_timeout interrupts it.
func (s *Session) sleep(seconds float64) error {
	ctx := s.stmtCtx
	if ctx == nil {
		ctx = context.Background()
	}
	if math.IsNaN(seconds) || seconds <= 0 {
		return ctx.Err()
	}
	d := time.Duration(math.MaxInt64)
	if seconds < d.Seconds() {
		d = time.Duration(seconds * float64(time.Second))
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err() // the caller turns it into 57014
	}
}

// signalBackend cancels the statement of, or terminates, the session with
// process id pid. As in PostgreSQL, a missing pid gives false with a
// warning, and only the same user or a dba may signal a session.
func (s *Session) signalBackend(terminate bool, pid int64) (any, error) {
	if pid == int64(s.pid) && terminate {
		e := pgerr.New(pgerr.AdminShutdown, "terminating connection due to administrator command")
		e.Severity = "FATAL"
		if c := s.ctl.get(); c != nil {
			c.Terminate()
		}
		return nil, e
	}
	var target *Session
	if pid > 0 && pid <= math.MaxUint32 {
		target = s.eng.sessions.byPID(uint32(pid))
	}
	if target == nil {
		return false, nil // PostgreSQL warns "PID %d is not a PostgreSQL backend process"
	}
	if target.sessionUser != s.sessionUser && s.effRole < auth.RoleDBA {
		what := "cancel query"
		if terminate {
			what = "terminate process"
		}
		return nil, pgerr.New(pgerr.InsufficientPrivilege, "permission denied to %s", what)
	}
	c := target.ctl.get()
	if c == nil {
		return false, nil
	}
	if terminate {
		c.Terminate()
	} else {
		c.CancelStatement()
	}
	return true, nil
}

// bindDeallocate binds DEALLOCATE [PREPARE] name | ALL. Prepared
// statements are the front door's (the extended protocol's), so the
// session asks its ConnControl to drop them.
func (s *Session) bindDeallocate(d *pg_query.DeallocateStmt) (plan, error) {
	return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
		c := s.ctl.get()
		all := d.Isall || d.Name == ""
		if c == nil || !c.Deallocate(d.Name, all) {
			if all {
				return tagOnly("DEALLOCATE ALL"), nil
			}
			return nil, pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", d.Name)
		}
		if all {
			return tagOnly("DEALLOCATE ALL"), nil
		}
		return tagOnly("DEALLOCATE"), nil
	}), nil
}

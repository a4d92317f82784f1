package wire

import (
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql"
)

// controlSession is implemented by sessions whose SQL can act on their
// connection (pg_cancel_backend, pg_terminate_backend, DEALLOCATE).
type controlSession interface {
	SetConnControl(sql.ConnControl)
}

// initControl gives the session this connection's controls.
func (c *conn) initControl() {
	if cs, ok := c.sess.(controlSession); ok {
		cs.SetConnControl(connControl{c})
	}
}

// connControl implements sql.ConnControl over a connection.
type connControl struct{ c *conn }

func (cc connControl) CancelStatement() { cc.c.cancelStatement() }

// Terminate ends the connection's context with a FATAL cause: a running
// statement fails with it, and an idle connection's read fails, which
// readFailed answers with FATAL 57P01.
func (cc connControl) Terminate() {
	e := pgerr.New(pgerr.AdminShutdown, "terminating connection due to administrator command")
	e.Severity = "FATAL"
	cc.c.terminate(e)
}

// Deallocate runs on the connection goroutine, inside the statement.
func (cc connControl) Deallocate(name string, all bool) bool {
	if all {
		clear(cc.c.ext.stmts)
		return true
	}
	if _, ok := cc.c.ext.stmts[name]; !ok {
		return false
	}
	delete(cc.c.ext.stmts, name)
	return true
}

// PreparedStatements implements sql.PreparedLister: the named statements
// (PostgreSQL leaves the unnamed one out of pg_prepared_statements).
func (cc connControl) PreparedStatements() map[string]*sql.Statement {
	out := make(map[string]*sql.Statement, len(cc.c.ext.stmts))
	for name, st := range cc.c.ext.stmts {
		if name != "" {
			out[name] = st
		}
	}
	return out
}

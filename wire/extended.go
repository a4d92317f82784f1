package wire

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql"
	"github.com/kalamdb/kalamdb/types"
)

// extendedState is a connection's extended-protocol state. The unnamed
// statement and portal ("") are replaced by each Parse and Bind.
type extendedState struct {
	stmts   map[string]*sql.Statement
	portals map[string]*portal
	// failed is set by an error and cleared by Sync: messages in between
	// are skipped.
	failed bool
	// since is when the statement now being sent began: its first
	// extended-protocol message after a Sync or a finished Execute (zero
	// when none). statement_timeout runs from there, as PostgreSQL's
	// timer does, so a client stalling between Parse and Describe
	// times out too.
	since time.Time
}

// statementTimeouter is a Session that reports statement_timeout
// (*sql.Session does); optional, so other Sessions need not.
type statementTimeouter interface {
	StatementTimeout() time.Duration
}

// statementTimer starts the running statement's timer or, when it has
// already run longer than statement_timeout, returns 57014.
func (c *conn) statementTimer() error {
	now := time.Now()
	if c.ext.since.IsZero() {
		c.ext.since = now
		return nil
	}
	st, ok := c.sess.(statementTimeouter)
	if !ok {
		return nil
	}
	if d := st.StatementTimeout(); d > 0 && now.Sub(c.ext.since) > d {
		c.ext.since = time.Time{}
		return pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout")
	}
	return nil
}

// portal is a bound statement. It runs once, at its first Execute; the
// materialized result is then handed out over as many Executes as the
// client's row limits ask for.
type portal struct {
	st      *sql.Statement
	params  []any
	formats []int16 // result format codes as sent in Bind
	res     *sql.Result
	pos     int // rows of res already sent
}

// extError reports an error in the extended protocol and skips to Sync.
// It returns false when the error is FATAL. The error is written at once,
// as PostgreSQL does: a pipelining client may be waiting for it after a
// Flush, and the Flush that follows is skipped with everything else.
func (c *conn) extError(err error) bool {
	c.ext.failed = true
	if !c.sendError(err) {
		return false
	}
	return c.flush() == nil
}

func (c *conn) parse(m *pgproto3.Parse) bool {
	if c.ext.stmts == nil {
		c.ext.stmts = make(map[string]*sql.Statement)
	}
	if m.Name == "" {
		delete(c.ext.stmts, "")
	} else if _, dup := c.ext.stmts[m.Name]; dup {
		return c.extError(pgerr.New(codeDuplicatePreparedStatement, "prepared statement %q already exists", m.Name))
	}
	if e := checkUTF8(m.Query); e != nil {
		return c.extError(e)
	}
	oids := make([]types.OID, len(m.ParameterOIDs))
	for i, o := range m.ParameterOIDs {
		oids[i] = types.OID(o)
	}
	st, err := c.sess.Prepare(m.Query, oids)
	if err != nil {
		return c.extError(err)
	}
	c.ext.stmts[m.Name] = st
	c.send(&pgproto3.ParseComplete{})
	return true
}

func (c *conn) bind(m *pgproto3.Bind) bool {
	st, err := c.statement(m.PreparedStatement)
	if err != nil {
		return c.extError(err)
	}
	if c.ext.portals == nil {
		c.ext.portals = make(map[string]*portal)
	}
	if m.DestinationPortal == "" {
		delete(c.ext.portals, "")
	} else if _, dup := c.ext.portals[m.DestinationPortal]; dup {
		return c.extError(pgerr.New(codeDuplicateCursor, "cursor %q already exists", m.DestinationPortal))
	}
	params, err := decodeParams(m, st.ParamTypes(), c.sess.Location())
	if err != nil {
		return c.extError(err)
	}
	ncols := len(st.Columns())
	if n := len(m.ResultFormatCodes); n > 1 && n != ncols {
		return c.extError(pgerr.New(pgerr.ProtocolViolation,
			"bind message has %d result formats but query has %d columns", n, ncols))
	}
	if err := checkFormatCodes(m.ResultFormatCodes); err != nil {
		return c.extError(err)
	}
	c.ext.portals[m.DestinationPortal] = &portal{
		st:      st,
		params:  params,
		formats: slices.Clone(m.ResultFormatCodes),
	}
	c.send(&pgproto3.BindComplete{})
	return true
}

func (c *conn) describe(m *pgproto3.Describe) bool {
	switch m.ObjectType {
	case 'S':
		st, err := c.statement(m.Name)
		if err != nil {
			return c.extError(err)
		}
		pt := st.ParamTypes()
		oids := make([]uint32, len(pt))
		for i, o := range pt {
			oids[i] = uint32(o)
		}
		c.send(&paramDescription{oids: oids})
		c.sendDescription(st.Columns(), nil)
	case 'P':
		p, err := c.portal(m.Name)
		if err != nil {
			return c.extError(err)
		}
		c.sendDescription(p.st.Columns(), p.formats)
	default:
		return c.extError(pgerr.New(pgerr.ProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType))
	}
	return true
}

func (c *conn) sendDescription(cols []sql.Column, formats []int16) {
	if cols == nil {
		c.send(&pgproto3.NoData{})
		return
	}
	c.send(rowDescription(cols, formats))
}

// execute runs a portal (the first time) and sends up to MaxRows of its
// rows. It returns false when the connection must end.
func (c *conn) execute(m *pgproto3.Execute) bool {
	defer func() { c.ext.since = time.Time{} }() // the statement is done
	p, err := c.portal(m.Portal)
	if err != nil {
		return c.extError(err)
	}
	if p.res == nil {
		ctx, done := c.statementContext()
		res, err := c.sess.Execute(ctx, p.st, p.params)
		done()
		if c.shuttingDown() {
			return false
		}
		if err != nil {
			delete(c.ext.portals, m.Portal)
			return c.extError(err)
		}
		p.res = res
		p.params = nil
	}
	res := p.res
	if res.Empty {
		c.send(&pgproto3.EmptyQueryResponse{})
		return true
	}
	rows := res.Rows[min(p.pos, len(res.Rows)):]
	limit := int(m.MaxRows)
	suspend := limit > 0 && len(rows) > limit
	if suspend {
		rows = rows[:limit]
	}
	if err := c.sendRows(res.Columns, rows, p.formats); err != nil {
		delete(c.ext.portals, m.Portal)
		return c.extError(err)
	}
	p.pos += len(rows)
	if suspend {
		c.send(&pgproto3.PortalSuspended{})
		return true
	}
	tag := res.Tag
	if res.Columns != nil && strings.HasPrefix(tag, "SELECT ") {
		// As in PostgreSQL, a SELECT fetched in parts reports the rows of
		// the last fetch.
		tag = "SELECT " + strconv.Itoa(len(rows))
	}
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	return true
}

func (c *conn) closeObject(m *pgproto3.Close) bool {
	switch m.ObjectType {
	case 'S':
		delete(c.ext.stmts, m.Name)
	case 'P':
		delete(c.ext.portals, m.Name)
	default:
		return c.extError(pgerr.New(pgerr.ProtocolViolation, "invalid CLOSE message subtype %d", m.ObjectType))
	}
	c.send(&pgproto3.CloseComplete{})
	return true
}

// sync ends an extended-protocol batch.
func (c *conn) sync() bool {
	failed := c.ext.failed
	c.ext.failed = false
	c.ext.since = time.Time{}
	if err := c.sess.Sync(c.ctx, failed); err != nil {
		if !c.sendError(err) {
			return false
		}
	}
	c.endOfTransaction()
	return c.readyForQuery()
}

// endOfTransaction drops the portals once no transaction block is open:
// portals live only as long as their transaction, as in PostgreSQL.
func (c *conn) endOfTransaction() {
	if c.sess.TxStatus() == 'I' {
		clear(c.ext.portals)
	}
}

func (c *conn) statement(name string) (*sql.Statement, error) {
	st, ok := c.ext.stmts[name]
	if !ok {
		if name == "" {
			return nil, pgerr.New(pgerr.InvalidSQLStatementName, "unnamed prepared statement does not exist")
		}
		return nil, pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", name)
	}
	return st, nil
}

func (c *conn) portal(name string) (*portal, error) {
	p, ok := c.ext.portals[name]
	if !ok {
		if name == "" {
			return nil, pgerr.New(pgerr.InvalidCursorName, "unnamed portal does not exist")
		}
		return nil, pgerr.New(pgerr.InvalidCursorName, "portal %q does not exist", name)
	}
	return p, nil
}

package wire

import (
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/sql"
)

// simpleQuery answers a Query message: every statement's rows and command
// tag, or the first error, then ReadyForQuery. It returns false when the
// connection must end.
func (c *conn) simpleQuery(query string) bool {
	if e := checkUTF8(query); e != nil {
		c.sendError(e)
		return c.readyForQuery()
	}
	// As in PostgreSQL, a simple query ends the unnamed statement.
	delete(c.ext.stmts, "")
	ctx, done := c.statementContext()
	emitted := false
	err := c.sess.Query(ctx, query, func(res *sql.Result) error {
		emitted = true
		var formats []int16
		if res.Binary {
			formats = []int16{formatBinary} // FETCH from a BINARY cursor
		}
		return c.sendResult(res, res.Rows, formats, res.Tag)
	})
	done()
	if c.shuttingDown() {
		return false
	}
	if err != nil {
		if !c.sendError(err) {
			return false
		}
	} else if !emitted {
		// A query string with no statements, such as "" or ";".
		c.send(&pgproto3.EmptyQueryResponse{})
	}
	c.endOfTransaction()
	return c.readyForQuery()
}

// sendResult sends one statement's outcome: RowDescription when it
// returns rows (formats nil: text) and rows; then the tag, or
// EmptyQueryResponse.
func (c *conn) sendResult(res *sql.Result, rows [][]any, formats []int16, tag string) error {
	if res.Empty {
		return c.send(&pgproto3.EmptyQueryResponse{})
	}
	if res.Columns != nil {
		if err := c.send(rowDescription(res.Columns, formats)); err != nil {
			return err
		}
	}
	if err := c.sendRows(res.Columns, rows, formats); err != nil {
		return err
	}
	return c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
}

func (c *conn) sendRows(cols []sql.Column, rows [][]any, formats []int16) error {
	dr := dataRow{cols: cols, formats: formats, loc: c.sess.Location(), floatDigits: c.sess.ExtraFloatDigits()}
	for _, row := range rows {
		dr.row = row
		if err := c.send(&dr); err != nil {
			return err
		}
	}
	return nil
}

// readyForQuery ends a response: the changed reported parameters, then
// ReadyForQuery with the transaction status, flushed in one write.
func (c *conn) readyForQuery() bool {
	if !c.deliverAtReady() {
		return false
	}
	msgs := []pgproto3.BackendMessage{}
	for _, p := range c.sess.ReportedChanges() {
		msgs = append(msgs, &pgproto3.ParameterStatus{Name: p.Name, Value: p.Value})
	}
	msgs = append(msgs, &pgproto3.ReadyForQuery{TxStatus: c.sess.TxStatus()})
	c.send(msgs...)
	c.ready = true
	return c.flush() == nil
}

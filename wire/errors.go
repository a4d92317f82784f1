package wire

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/kalamdb/kalamdb/pgerr"
)

// SQLSTATE codes of the protocol layer that package pgerr does not name.
const (
	codeDuplicatePreparedStatement = "42P05"
	codeDuplicateCursor            = "42P03"
)

// errCanceledByUser is the cause of a statement context canceled by a
// CancelRequest.
var errCanceledByUser = errors.New("canceled by CancelRequest")

// toPGError gives err its SQLSTATE: its own when it carries one, 57014 for
// a canceled statement, XX000 otherwise.
func toPGError(err error) *pgerr.Error {
	if e, ok := pgerr.As(err); ok {
		if e.Code == "" {
			withCode := *e
			withCode.Code = pgerr.InternalError
			return &withCode
		}
		return e
	}
	switch {
	case errors.Is(err, errCanceledByUser), errors.Is(err, context.Canceled):
		return pgerr.Wrap(err, pgerr.QueryCanceled, "canceling statement due to user request")
	case errors.Is(err, context.DeadlineExceeded):
		return pgerr.Wrap(err, pgerr.QueryCanceled, "canceling statement due to statement timeout")
	}
	return pgerr.Wrap(err, pgerr.InternalError, "%s", err.Error())
}

// errorResponse is the one place an error becomes an ErrorResponse.
// Errors without a SQLSTATE are logged: they are bugs or failures the
// client cannot act on.
func (c *conn) errorResponse(err error) *pgproto3.ErrorResponse {
	e := toPGError(err)
	if _, ok := pgerr.As(err); !ok && e.Code == pgerr.InternalError {
		c.log.Error("internal error", "err", err)
	}
	sev := e.Severity
	if sev == "" {
		sev = "ERROR"
	}
	return &pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                e.Code,
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
		Position:            e.Position,
		Where:               e.Where,
	}
}

// sendError sends err to the client. It returns false when the error is
// FATAL, which ends the connection.
func (c *conn) sendError(err error) bool {
	resp := c.errorResponse(err)
	c.send(resp)
	if resp.Severity == "FATAL" || resp.Severity == "PANIC" {
		c.flush()
		return false
	}
	return true
}

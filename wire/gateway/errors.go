package gateway

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/kalamdb/kalamdb/pgerr"
)

// Errors of the gateway itself, with the SQLSTATEs clients see.
var (
	errNoToken     = pgerr.New(pgerr.InvalidAuthorization, "missing bearer token: send Authorization: Bearer <JWT>")
	errBadToken    = pgerr.New(pgerr.InvalidAuthorization, "invalid token")
	errTimeout     = pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout")
	errShutdown    = pgerr.New(pgerr.AdminShutdown, "terminating connection due to administrator command")
	errTooManyConn = pgerr.New(pgerr.TooManyConnections, "too many WebSocket connections for this user")
	errTooManySubs = pgerr.New(pgerr.ProgramLimitExceeded, "too many subscriptions on this connection")
	errSlowClient  = pgerr.New(pgerr.ProgramLimitExceeded, "closing connection: the client does not read its messages fast enough")
	errNotFound    = pgerr.New(pgerr.UndefinedObject, "no such endpoint")
)

// httpStatus is the one place a SQLSTATE becomes an HTTP status.
func httpStatus(code string) int {
	switch {
	case code == pgerr.InsufficientPrivilege:
		return http.StatusForbidden
	case strings.HasPrefix(code, "28"):
		return http.StatusUnauthorized
	case code == pgerr.UndefinedTable, code == pgerr.UndefinedObject:
		return http.StatusNotFound
	case code == pgerr.QueryCanceled:
		return http.StatusRequestTimeout
	case code == pgerr.AdminShutdown:
		return http.StatusServiceUnavailable
	case code == pgerr.TooManyConnections:
		return http.StatusTooManyRequests
	case code == pgerr.ProgramLimitExceeded:
		return http.StatusRequestEntityTooLarge
	case code == pgerr.SerializationFailure:
		return http.StatusConflict
	case code == pgerr.FeatureNotSupported:
		return http.StatusNotImplemented
	case strings.HasPrefix(code, "22"), strings.HasPrefix(code, "23"), strings.HasPrefix(code, "42"),
		strings.HasPrefix(code, "0A"), strings.HasPrefix(code, "25"), strings.HasPrefix(code, "3F"),
		code == pgerr.ProtocolViolation:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// toError gives err a SQLSTATE: its own when it carries one, 57014 for a
// deadline, 57P01 when the gateway is closing, XX000 otherwise.
func toError(ctx context.Context, err error) *pgerr.Error {
	if e, ok := pgerr.As(err); ok && e.Code != "" {
		return e
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return errTimeout
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return errShutdown
	}
	return pgerr.Wrap(err, pgerr.InternalError, "%s", err.Error())
}

// appendErrorJSON appends {"code":..,"message":..[,"detail"][,"hint"][,"position"]}.
func appendErrorJSON(buf []byte, e *pgerr.Error) []byte {
	buf = append(buf, '{')
	buf = appendErrorFields(buf, e)
	return append(buf, '}')
}

// appendErrorFields appends the fields of appendErrorJSON without braces.
func appendErrorFields(buf []byte, e *pgerr.Error) []byte {
	buf = append(buf, `"code":`...)
	buf = appendString(buf, e.Code)
	buf = append(buf, `,"message":`...)
	buf = appendString(buf, e.Message)
	if e.Detail != "" {
		buf = append(buf, `,"detail":`...)
		buf = appendString(buf, e.Detail)
	}
	if e.Hint != "" {
		buf = append(buf, `,"hint":`...)
		buf = appendString(buf, e.Hint)
	}
	if e.Position > 0 {
		buf = append(buf, `,"position":`...)
		buf = appendInt(buf, int64(e.Position))
	}
	return buf
}

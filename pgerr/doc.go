// Package pgerr carries PostgreSQL SQLSTATE codes with errors.
//
// The layer that knows why something failed attaches the code once, with
// New or Wrap; each front door turns an error into a PostgreSQL
// ErrorResponse (or HTTP JSON) in one function, reading it back with Code
// and As. Errors without a code are reported as internal_error (XX000).
package pgerr

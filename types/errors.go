package types

import (
	"strconv"

	"github.com/kalamdb/kalamdb/pgerr"
)

// SQLSTATEs that package pgerr does not name.
const (
	codeCannotCoerce     = "42846"
	codeStackDepth       = "54001"
	codeUntranslatable   = "22P05"
	codeInvalidParameter = "22023"
	codeIntervalOverflow = "22015"
)

// errSyntax is PostgreSQL's "invalid input syntax for type x" (22P02).
func errSyntax(typ, s string) error {
	return &pgerr.Error{Code: pgerr.InvalidTextRepresentation,
		Message: "invalid input syntax for type " + typ + ": " + quote(s)}
}

// errDatetimeSyntax is the date/time flavour of errSyntax (22007).
func errDatetimeSyntax(typ, s string) error {
	return &pgerr.Error{Code: pgerr.InvalidDatetimeFormat,
		Message: "invalid input syntax for type " + typ + ": " + quote(s)}
}

// errRange is "value "x" is out of range for type integer" (22003).
func errRange(typ, s string) error {
	return &pgerr.Error{Code: pgerr.NumericValueOutOfRange,
		Message: "value " + quote(s) + " is out of range for type " + typ}
}

// errOutOfRange is a plain 22003 such as "integer out of range".
func errOutOfRange(msg string) error {
	return &pgerr.Error{Code: pgerr.NumericValueOutOfRange, Message: msg}
}

// errBinary is a malformed binary value (22P03).
func errBinary(msg string) error {
	return &pgerr.Error{Code: pgerr.InvalidBinaryRepresentation, Message: msg}
}

// quote wraps s in double quotes verbatim, as PostgreSQL's "%s" messages do
// (strconv.Quote would escape non-ASCII text).
func quote(s string) string { return "\"" + s + "\"" }

// isCode reports whether err carries SQLSTATE code.
func isCode(err error, code string) bool {
	e, ok := pgerr.As(err)
	return ok && e.Code == code
}

func itoa(v int64) string { return string(appendInt(nil, v)) }

func appendInt(buf []byte, v int64) []byte { return strconv.AppendInt(buf, v, 10) }

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

package pgerr

import (
	"context"
	"errors"
	"fmt"
)

// SQLSTATE codes used across KalamDB, named as in PostgreSQL's errcodes.txt.
const (
	SuccessfulCompletion         = "00000"
	ConnectionException          = "08000"
	ProtocolViolation            = "08P01"
	FeatureNotSupported          = "0A000"
	InvalidParameterValue        = "22023"
	CardinalityViolation         = "21000"
	StringDataRightTruncation    = "22001"
	NumericValueOutOfRange       = "22003"
	InvalidDatetimeFormat        = "22007"
	DatetimeFieldOverflow        = "22008"
	DivisionByZero               = "22012"
	InvalidTextRepresentation    = "22P02"
	InvalidBinaryRepresentation  = "22P03"
	CharacterNotInRepertoire     = "22021"
	InvalidEscapeSequence        = "22025"
	UntranslatableCharacter      = "22P05"
	NullValueNotAllowed          = "22004"
	NotNullViolation             = "23502"
	UniqueViolation              = "23505"
	InvalidTransactionState      = "25000"
	ActiveSQLTransaction         = "25001"
	NoActiveSQLTransaction       = "25P01"
	InFailedSQLTransaction       = "25P02"
	ReadOnlySQLTransaction       = "25006"
	InvalidAuthorization         = "28000"
	InvalidPassword              = "28P01"
	InvalidCursorName            = "34000"
	InvalidSQLStatementName      = "26000"
	SerializationFailure         = "40001"
	SyntaxError                  = "42601"
	InsufficientPrivilege        = "42501"
	UndefinedColumn              = "42703"
	UndefinedFunction            = "42883"
	UndefinedTable               = "42P01"
	UndefinedObject              = "42704"
	UndefinedSchema              = "3F000"
	DuplicateTable               = "42P07"
	DuplicateSchema              = "42P06"
	DuplicateObject              = "42710"
	DuplicateColumn              = "42701"
	AmbiguousColumn              = "42702"
	DatatypeMismatch             = "42804"
	WrongObjectType              = "42809"
	GroupingError                = "42803"
	InvalidColumnReference       = "42P10"
	InvalidTableDefinition       = "42P16"
	IndeterminateDatatype        = "42P18"
	InvalidSchemaDefinition      = "42P15"
	DependentObjectsStillExist   = "2BP01"
	ProgramLimitExceeded         = "54000"
	TooManyConnections           = "53300"
	OutOfMemory                  = "53200"
	QueryCanceled                = "57014"
	AdminShutdown                = "57P01"
	InternalError                = "XX000"
	IOError                      = "58030"
	ReservedName                 = "42939"
	ObjectInUse                  = "55006"
	UndefinedParameter           = "42704"
	CantChangeRuntimeParam       = "55P02"
	ObjectNotInPrerequisiteState = "55000"
)

// Error is an error with a SQLSTATE, shaped like PostgreSQL's ErrorResponse.
type Error struct {
	Code     string
	Message  string
	Detail   string
	Hint     string
	Severity string // "ERROR" when empty; "FATAL" for connection-ending errors
	Position int32  // 1-based character position in the query, 0 if unknown
	Where    string // context, as PostgreSQL's CONTEXT line ("COPY t, line 3")
	Err      error  // the cause, if any
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a SQLSTATE and a formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches a SQLSTATE and message to a cause.
func Wrap(err error, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Code returns err's SQLSTATE: its own if it carries one, 57014 for a
// canceled context, XX000 otherwise.
func Code(err error) string {
	if e, ok := As(err); ok {
		return e.Code
	}
	if errors.Is(err, context.Canceled) {
		return QueryCanceled
	}
	return InternalError
}

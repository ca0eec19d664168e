package query

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of these, so
// callers test them with errors.Is.
var (
	ErrNoDatasets         = errors.New("query: no datasets")
	ErrOptions            = errors.New("query: invalid options")
	ErrEmpty              = errors.New("query: empty statement")
	ErrMultipleStatements = errors.New("query: one statement at a time")
	ErrRefused            = errors.New("query: statement refused")
	ErrSQL                = errors.New("query: SQL error")
	ErrAccessLog          = errors.New("query: cannot write the access log")
	ErrLockdown           = errors.New("query: cannot lock the engine down")
	ErrUnknownTable       = errors.New("query: unknown table")
)

// RefusedError says why a statement was refused before it ran: only
// statements that read the datasets are allowed.
type RefusedError struct {
	Statement string // statement type, e.g. COPY; or the function called
	Reason    string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrRefused, e.Statement, e.Reason)
}

// Unwrap returns ErrRefused.
func (e *RefusedError) Unwrap() error { return ErrRefused }

// SQLError is an error DuckDB reported for a statement. Type is DuckDB's
// error class (e.g. "Parser", "Catalog", "Permission"); the message may
// quote the statement and so is shown to the analyst but never logged.
type SQLError struct {
	Type string
	Err  error
}

func (e *SQLError) Error() string { return e.Err.Error() }

// Is reports ErrSQL.
func (e *SQLError) Is(target error) bool { return target == ErrSQL }

// Unwrap returns DuckDB's error.
func (e *SQLError) Unwrap() error { return e.Err }

// ScriptError is a failed statement of a script: where it starts and why it
// failed.
type ScriptError struct {
	Name string // the script's name, e.g. stdin
	Line int    // 1-based line the statement starts on
	Err  error
}

func (e *ScriptError) Error() string { return fmt.Sprintf("%s:%d: %v", e.Name, e.Line, e.Err) }

// Unwrap returns the statement's error.
func (e *ScriptError) Unwrap() error { return e.Err }

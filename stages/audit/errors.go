package audit

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Sentinel errors; the typed errors below match them with errors.Is.
var (
	// ErrEngine is a failure of the DuckDB engine itself.
	ErrEngine = errors.New("audit: engine")
	// ErrOptions is an invalid Options value.
	ErrOptions = errors.New("audit: invalid options")
	// ErrMapping is an invalid log mapping.
	ErrMapping = errors.New("audit: invalid mapping")
	// ErrSource is a log source that cannot be read.
	ErrSource = errors.New("audit: log source")
	// ErrReference is a reference table (staff, ownership) that cannot be read.
	ErrReference = errors.New("audit: reference table")
	// ErrRule is a detection rule that does not work on the canonical schema.
	ErrRule = errors.New("audit: detection rule")
	// ErrExample is a detection rule whose own examples fail.
	ErrExample = errors.New("audit: rule example")
	// ErrSuppressions is an invalid suppressions file.
	ErrSuppressions = errors.New("audit: invalid suppressions")
)

// MappingError is a problem with one field of a mapping.
type MappingError struct {
	Mapping string // mapping name
	Field   string // canonical field or mapping key
	Err     error
}

func (e *MappingError) Error() string {
	return fmt.Sprintf("audit: mapping %q: %s: %v", e.Mapping, e.Field, e.Err)
}

// Unwrap matches ErrMapping and the cause.
func (e *MappingError) Unwrap() []error { return []error{ErrMapping, e.Err} }

// SourceError is a log source that could not be ingested.
type SourceError struct {
	Source string
	Path   string // file or pattern, when known
	Err    error
}

func (e *SourceError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "audit: source %q", e.Source)
	if e.Path != "" {
		fmt.Fprintf(&b, " (%s)", e.Path)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

// Unwrap matches ErrSource and the cause.
func (e *SourceError) Unwrap() []error { return []error{ErrSource, e.Err} }

// ExampleError is a rule example whose outcome differs from what it expects.
type ExampleError struct {
	File    string
	Line    int
	Rule    string
	Example string
	Err     error
}

func (e *ExampleError) Error() string {
	return fmt.Sprintf("%s:%d: rule %s: example %q: %v", e.File, e.Line, e.Rule, e.Example, e.Err)
}

// Unwrap matches ErrExample and the cause.
func (e *ExampleError) Unwrap() []error { return []error{ErrExample, e.Err} }

// SuppressionError is a problem in the suppressions file.
type SuppressionError struct {
	File string
	Line int
	Err  error
}

func (e *SuppressionError) Error() string {
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap matches ErrSuppressions and the cause.
func (e *SuppressionError) Unwrap() []error { return []error{ErrSuppressions, e.Err} }

var quotedRe = regexp.MustCompile(`'(?:[^']|'')*'`)

// redact blanks the single-quoted literals of a DuckDB error message: a
// conversion error may quote a value from the logs, which must not reach
// logs or reports. Identifiers, file names and positions are kept.
func redact(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	red := quotedRe.ReplaceAllString(msg, "'…'")
	if red == msg {
		return err
	}
	return errors.New(red)
}

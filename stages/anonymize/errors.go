package anonymize

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vigil-dg/vigil/rules"
)

// Sentinel errors. Typed errors below wrap them, so errors.Is works on
// every error this package returns.
var (
	// ErrUnprotected: a column classified as personal data has no protection.
	ErrUnprotected = errors.New("anonymize: personal data column without protection")
	// ErrPolicy: the policy is inconsistent (unknown column, bad parameter).
	ErrPolicy = errors.New("anonymize: invalid policy")
	// ErrHierarchy: a generalization hierarchy is malformed or misses a value.
	ErrHierarchy = errors.New("anonymize: invalid hierarchy")
	// ErrInput: the input data cannot be read or is not what the options say.
	ErrInput = errors.New("anonymize: invalid input")
	// ErrNoSolution: no transformation satisfies the privacy model within
	// the suppression limit.
	ErrNoSolution = errors.New("anonymize: no transformation satisfies the privacy model")
	// ErrLatticeTooLarge: the generalization lattice is too large for the
	// optimal search; use Mondrian instead.
	ErrLatticeTooLarge = errors.New("anonymize: generalization lattice too large for the optimal search")
	// ErrTokenizer: the tokenizer failed or is missing.
	ErrTokenizer = errors.New("anonymize: tokenizer")
)

// UnprotectedColumnError names a column that holds personal data but has no
// protection configured (fail closed).
type UnprotectedColumnError struct {
	Table    string
	Column   string
	Class    string
	Category rules.Category
}

func (e *UnprotectedColumnError) Error() string {
	return fmt.Sprintf("anonymize: table %q column %q is classified as %s (%s) but has no protection configured",
		e.Table, e.Column, e.Class, e.Category)
}

// Unwrap makes errors.Is(err, ErrUnprotected) true.
func (e *UnprotectedColumnError) Unwrap() error { return ErrUnprotected }

// PolicyError names the table and column of a policy problem.
type PolicyError struct {
	Table  string
	Column string // empty for table-level problems
	Reason string
}

func (e *PolicyError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("anonymize: table %q: %s", e.Table, e.Reason)
	}
	return fmt.Sprintf("anonymize: table %q column %q: %s", e.Table, e.Column, e.Reason)
}

// Unwrap makes errors.Is(err, ErrPolicy) true.
func (e *PolicyError) Unwrap() error { return ErrPolicy }

// HierarchyError names the hierarchy (file or column), and where known the
// line, of a hierarchy problem. It never contains data values.
type HierarchyError struct {
	Source string // file name or column name
	Line   int    // 1-based; 0 when not tied to a line
	Reason string
}

func (e *HierarchyError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("anonymize: hierarchy %s line %d: %s", e.Source, e.Line, e.Reason)
	}
	return fmt.Sprintf("anonymize: hierarchy %s: %s", e.Source, e.Reason)
}

// Unwrap makes errors.Is(err, ErrHierarchy) true.
func (e *HierarchyError) Unwrap() error { return ErrHierarchy }

// ValueError names the row (1-based record number, not counting a header)
// and column of a value that cannot be processed. The value itself is not
// included: it may be personal data.
type ValueError struct {
	Source string // file or table
	Row    int64
	Column string
	Reason string
	Err    error // the sentinel or underlying error
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("anonymize: %s row %d column %q: %s", e.Source, e.Row, e.Column, e.Reason)
}

// Unwrap returns the wrapped sentinel.
func (e *ValueError) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	return ErrInput
}

// joinProblems returns nil for no problems, the problem for one and a
// joined error (reporting every problem) for several.
func joinProblems(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

// problemList is a small helper to format lists in error messages.
func problemList(items []string) string { return strings.Join(items, ", ") }

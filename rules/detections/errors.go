package detections

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidRule marks every problem found in a detection rule file.
var ErrInvalidRule = errors.New("detections: invalid rule")

// ErrUnknownParameter is returned when an override names a parameter the
// rule does not declare.
var ErrUnknownParameter = errors.New("detections: unknown parameter")

// RuleError is one problem in a rule file, located by file, line and rule id.
// It matches ErrInvalidRule with errors.Is.
type RuleError struct {
	File  string // file name inside the rule pack
	Line  int    // 1-based line, 0 when unknown
	Rule  string // rule id, empty when the id itself is missing
	Field string // offending field, e.g. "parameters.window.default"
	Err   error
}

func (e *RuleError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Rule != "" {
		fmt.Fprintf(&b, "rule %s: ", e.Rule)
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap lets errors.Is match ErrInvalidRule and the cause.
func (e *RuleError) Unwrap() []error { return []error{ErrInvalidRule, e.Err} }

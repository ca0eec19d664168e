package reports

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; the typed errors below match them with errors.Is.
var (
	// ErrInput is an Input that cannot be rendered.
	ErrInput = errors.New("reports: invalid input")
	// ErrFormat is a report.json that is not a report of a known format.
	ErrFormat = errors.New("reports: unsupported report format")
	// ErrWrite is a failure to write the report folder.
	ErrWrite = errors.New("reports: write")
)

// InputError lists every problem found in an Input.
type InputError struct {
	Problems []string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("reports: invalid input: %s", strings.Join(e.Problems, "; "))
}

// Unwrap matches ErrInput.
func (e *InputError) Unwrap() error { return ErrInput }

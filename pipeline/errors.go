package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Sentinel errors. Every error the runner returns matches exactly one of
// ErrLocked, ErrInterrupted, ErrTimeout or ErrFailed with errors.Is; config
// problems match ErrConfig.
var (
	// ErrConfig marks an invalid or unreadable configuration (*ConfigError).
	ErrConfig = errors.New("pipeline: invalid configuration")
	// ErrLocked means another run holds the job's (or the store's) lock; the
	// run was recorded as skipped.
	ErrLocked = errors.New("pipeline: locked by another run")
	// ErrInterrupted means the run's context was cancelled (SIGINT/SIGTERM).
	ErrInterrupted = errors.New("pipeline: run interrupted")
	// ErrTimeout means the job's timeout or a stage's stage_timeout elapsed.
	ErrTimeout = errors.New("pipeline: timed out")
	// ErrFailed means a stage returned a permanent error, or a transient one
	// after its retries were used up.
	ErrFailed = errors.New("pipeline: stage failed")
	// ErrTransient may be wrapped by a stage error to ask for a retry.
	// An error whose chain has a Temporary() bool method returning true is
	// transient too.
	ErrTransient = errors.New("pipeline: transient failure")
	// ErrLedgerDamaged is returned, together with every readable record, when
	// some ledger lines could not be decoded (typically a torn last line).
	ErrLedgerDamaged = errors.New("pipeline: ledger has undecodable lines")
)

// RunStatus is the outcome of a run or a stage, as written to the ledger.
type RunStatus string

// Statuses.
const (
	StatusOK          RunStatus = "ok"
	StatusFailed      RunStatus = "failed"
	StatusSkipped     RunStatus = "skipped"
	StatusInterrupted RunStatus = "interrupted"
	StatusTimeout     RunStatus = "timeout"
)

// Statuses lists every status in a stable order.
func Statuses() []RunStatus {
	return []RunStatus{StatusOK, StatusFailed, StatusSkipped, StatusInterrupted, StatusTimeout}
}

// StatusOf maps an error returned by Runner.Run to the status the run was
// recorded with: nil → ok, ErrLocked → skipped, ErrInterrupted → interrupted,
// ErrTimeout → timeout, anything else → failed.
func StatusOf(err error) RunStatus {
	switch {
	case err == nil:
		return StatusOK
	case errors.Is(err, ErrLocked):
		return StatusSkipped
	case errors.Is(err, ErrInterrupted):
		return StatusInterrupted
	case errors.Is(err, ErrTimeout):
		return StatusTimeout
	default:
		return StatusFailed
	}
}

// IsTransient reports whether a stage error should be retried: it wraps
// ErrTransient or has a Temporary() bool method (anywhere in its chain)
// returning true. Context errors are never transient.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, ErrTransient) {
		return true
	}
	var t interface{ Temporary() bool }
	if errors.As(err, &t) {
		return t.Temporary()
	}
	return false
}

// RunError is returned by Runner.Run for every run that did not end ok.
// It matches the sentinel of its status (ErrLocked, ErrInterrupted,
// ErrTimeout or ErrFailed) and unwraps to the cause.
type RunError struct {
	Job    string
	RunID  string
	Stage  string // empty when no stage was involved (locks, cancellation before start)
	Status RunStatus
	Err    error // cause; may be nil
}

func (e *RunError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pipeline: job %s run %s", e.Job, e.RunID)
	if e.Stage != "" {
		fmt.Fprintf(&b, " stage %s", e.Stage)
	}
	fmt.Fprintf(&b, ": %s", e.Status)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *RunError) Unwrap() error { return e.Err }

// Is matches the sentinel belonging to the error's status.
func (e *RunError) Is(target error) bool {
	switch e.Status {
	case StatusSkipped:
		return target == ErrLocked
	case StatusInterrupted:
		return target == ErrInterrupted
	case StatusTimeout:
		return target == ErrTimeout
	case StatusFailed:
		return target == ErrFailed
	}
	return false
}

// Problem is one thing wrong with a configuration file. Line and Column are
// 1-based; 0 when unknown.
type Problem struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Field  string `json:"field,omitempty"` // dotted path, e.g. sources.crm.tables.customers.file
	Msg    string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ConfigError holds every problem found in a configuration file, in file
// order. It matches ErrConfig.
type ConfigError struct {
	Problems []Problem
}

// Error prints one problem per line as file:line:column: field: message.
func (e *ConfigError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Is reports whether target is ErrConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrConfig }

func (e *ConfigError) sort() {
	sort.SliceStable(e.Problems, func(i, j int) bool {
		a, b := e.Problems[i], e.Problems[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// LedgerError reports ledger lines that could not be decoded. ReadLedger
// returns it together with every record it could read.
type LedgerError struct {
	Path  string
	Lines []int // 1-based line numbers that were skipped
	Torn  bool  // the last line was incomplete (no trailing newline): an interrupted write
}

func (e *LedgerError) Error() string {
	nums := make([]string, len(e.Lines))
	for i, n := range e.Lines {
		nums[i] = fmt.Sprint(n)
	}
	msg := fmt.Sprintf("pipeline: ledger %s: skipped undecodable line(s) %s", e.Path, strings.Join(nums, ", "))
	if e.Torn {
		msg += " (torn last line from an interrupted write)"
	}
	return msg
}

// Is reports whether target is ErrLedgerDamaged.
func (e *LedgerError) Is(target error) bool { return target == ErrLedgerDamaged }

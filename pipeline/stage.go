package pipeline

import (
	"context"
	"log/slog"
	"maps"
	"time"
)

// Stage is one step of a job. Run must honour ctx: when it is done, return
// promptly (the runner waits Runner.Grace, then records the stage and moves
// on without it). Errors must not contain personal data or key material:
// they are written to the ledger and sent to notification hooks.
//
// Return an error wrapping ErrTransient (or one with Temporary() true) to ask
// for a retry; every other error fails the run at once. Counts returned with
// an error are still recorded.
type Stage interface {
	Name() string
	Run(ctx context.Context, env *Env) (Result, error)
}

// StoreWriter is implemented by stages that write the encrypted store. The
// runner holds the store lock for the whole run of a job that has one, so that
// two such runs never overlap.
type StoreWriter interface {
	WritesStore() bool
}

// Env is what a stage gets from its run.
type Env struct {
	RunID   string
	Job     string
	Stage   string
	Attempt int     // 1 for the first attempt
	Trigger Trigger // why the run started
	Config  *Config
	Paths   Paths
	// Logger carries run_id, job and stage attributes.
	Logger *slog.Logger
	// Now is the runner's clock.
	Now func() time.Time
	// Started is when the run started; use it to stamp artefacts of one run
	// consistently.
	Started time.Time
	// Previous holds the results of the stages that already ran ok in this
	// run, by stage name.
	Previous map[string]Result
}

// Result is what a stage reports. Counts feed the ledger and the metrics;
// by convention:
//
//	rows_<kind>          rows read, written, rejected, ... → vigil_rows_total{job,kind}
//	findings_<severity>  audit findings by severity      → vigil_findings{severity}
//	verify_ok.<table>    1 if the table restored and matched, else 0 → vigil_verify_ok{table}
//
// Detail holds short, non-personal facts (snapshot ids, report paths).
type Result struct {
	Counts map[string]int64  `json:"counts,omitempty"`
	Detail map[string]string `json:"detail,omitempty"`
}

// Count-name prefixes understood by the metrics writer.
const (
	CountRowsPrefix     = "rows_"
	CountFindingsPrefix = "findings_"
	CountVerifyOKPrefix = "verify_ok."
)

// Add adds n to a count, allocating Counts if needed.
func (r *Result) Add(name string, n int64) {
	if r.Counts == nil {
		r.Counts = map[string]int64{}
	}
	r.Counts[name] += n
}

// SetDetail sets a detail, allocating Detail if needed.
func (r *Result) SetDetail(key, value string) {
	if r.Detail == nil {
		r.Detail = map[string]string{}
	}
	r.Detail[key] = value
}

func (r Result) clone() Result {
	return Result{Counts: maps.Clone(r.Counts), Detail: maps.Clone(r.Detail)}
}

// Trigger says why a run started.
type Trigger string

// Triggers.
const (
	TriggerManual   Trigger = "manual"
	TriggerSchedule Trigger = "schedule"
	TriggerCatchUp  Trigger = "catch_up"
)

// Clock is the time source of the runner and the scheduler; tests inject a
// fake one.
type Clock interface {
	Now() time.Time
	// After sends the time on the returned channel once d has elapsed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

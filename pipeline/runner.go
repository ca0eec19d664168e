package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	mrand "math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"time"
)

// DefaultGrace is how long the runner waits for a stage to return after its
// context ended.
const DefaultGrace = 30 * time.Second

// Runner runs jobs: it takes the locks, runs the stages in order with
// timeouts and retries, and records everything in the ledger, the metrics
// file and the notification hooks. The zero value needs only Config.
type Runner struct {
	Config *Config
	Logger *slog.Logger // nil discards
	Clock  Clock        // nil is the system clock
	// Grace is how long to wait for a stage that ignores its cancelled
	// context before recording it and moving on; 0 means DefaultGrace.
	Grace time.Duration
	// Jitter turns a backoff delay into the delay actually waited; nil picks
	// uniformly in [d/2, d].
	Jitter func(d time.Duration) time.Duration
	// Notify is called for runs whose status is in notify.on; nil uses
	// Notify with the config's notify section.
	Notify func(ctx context.Context, ev Event) error
}

// Fire is one request to run a job.
type Fire struct {
	Job       string
	Trigger   Trigger
	Scheduled time.Time // the schedule slot (zero for manual runs)
	Fired     time.Time // when the scheduler dispatched it (zero for manual runs)
}

// RunResult is what a run recorded in the ledger.
type RunResult struct {
	Run    Record   `json:"run"`
	Stages []Record `json:"stages"`
}

// NewRunID returns a run id that sorts by time: UTC time to the microsecond
// and 6 random hex digits, e.g. 20260522T020000.000123Z-3fa2c1.
func NewRunID(t time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return t.UTC().Format("20060102T150405.000000Z") + "-" + hex.EncodeToString(b[:])
}

func (r *Runner) clock() Clock {
	if r.Clock == nil {
		return SystemClock{}
	}
	return r.Clock
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

// Run runs a job by hand. See RunFire.
func (r *Runner) Run(ctx context.Context, job string, stages []Stage) (*RunResult, error) {
	return r.RunFire(ctx, Fire{Job: job, Trigger: TriggerManual}, stages)
}

// RunFire runs the stages of fire.Job in order and records the run. The error
// is nil if every stage ended ok; otherwise it is a *RunError matching
// ErrLocked (skipped: another run holds the job or store lock), ErrInterrupted
// (ctx cancelled), ErrTimeout (job timeout or stage_timeout) or ErrFailed.
// An unknown job is an error matching ErrConfig, and nothing is recorded.
func (r *Runner) RunFire(ctx context.Context, fire Fire, stages []Stage) (*RunResult, error) {
	cfg := r.Config
	if cfg == nil {
		return nil, fmt.Errorf("%w: runner has no config", ErrConfig)
	}
	job := cfg.Jobs[fire.Job]
	if job == nil {
		return nil, fmt.Errorf("%w: unknown job %q; jobs: %v", ErrConfig, fire.Job, cfg.JobNames())
	}
	if fire.Trigger == "" {
		fire.Trigger = TriggerManual
	}
	clock := r.clock()
	start := clock.Now()
	host, _ := os.Hostname()
	pid := os.Getpid()
	runID := NewRunID(start)
	log := r.logger().With("job", job.Name, "run_id", runID)
	paths := cfg.Paths()

	res := &RunResult{Run: Record{Kind: KindRun, RunID: runID, Job: job.Name, Trigger: fire.Trigger,
		Start: start, Host: host, PID: pid}}
	if !fire.Scheduled.IsZero() {
		s := fire.Scheduled
		res.Run.Scheduled = &s
	}
	log.Info("run starting", "trigger", fire.Trigger, "stages", len(stages))

	info := LockInfo{PID: pid, Host: host, Start: start, RunID: runID, Job: job.Name}
	locks := []string{JobLockName(job.Name)}
	if slices.ContainsFunc(stages, writesStore) {
		locks = append(locks, StoreLockName)
	}
	for _, name := range locks {
		l, err := AcquireLock(paths.Locks, name, info, log)
		if err != nil {
			status := StatusFailed
			if errors.Is(err, ErrLocked) {
				status = StatusSkipped
				log.Warn("run skipped: lock held", "lock", name, "error", err)
			}
			return r.finish(ctx, log, res, status, "", err)
		}
		defer func() {
			if err := l.Release(); err != nil {
				log.Warn("releasing lock", "lock", l.Name, "error", err)
			}
		}()
		r.recordStale(l, runID, log)
	}

	runCtx := ctx
	if job.Timeout > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeoutCause(ctx, job.Timeout,
			fmt.Errorf("%w: job timeout %s elapsed", ErrTimeout, job.Timeout))
		defer cancel()
	}

	previous := map[string]Result{}
	status, failStage := StatusOK, ""
	var cause error
	for _, st := range stages {
		name := st.Name()
		if status != StatusOK {
			rec := Record{Kind: KindStage, RunID: runID, Job: job.Name, Stage: name, Status: StatusSkipped,
				Start: clock.Now(), End: clock.Now(), Host: host, PID: pid, Error: "not run: the run stopped before this stage"}
			r.appendStage(res, rec, log)
			continue
		}
		if runCtx.Err() != nil {
			status, cause = ctxStatus(runCtx), context.Cause(runCtx)
			rec := Record{Kind: KindStage, RunID: runID, Job: job.Name, Stage: name, Status: StatusSkipped,
				Start: clock.Now(), End: clock.Now(), Host: host, PID: pid, Error: "not run: " + cause.Error()}
			r.appendStage(res, rec, log)
			continue
		}
		env := &Env{RunID: runID, Job: job.Name, Stage: name, Trigger: fire.Trigger, Config: cfg, Paths: paths,
			Logger: log.With("stage", name), Now: clock.Now, Started: start, Previous: maps.Clone(previous)}
		rec, result, err := r.runStage(runCtx, job, st, env)
		rec.Host, rec.PID = host, pid
		r.appendStage(res, rec, log)
		if rec.Status != StatusOK {
			status, failStage, cause = rec.Status, name, err
			continue
		}
		previous[name] = result
	}
	return r.finish(ctx, log, res, status, failStage, cause)
}

func writesStore(s Stage) bool {
	w, ok := s.(StoreWriter)
	return ok && w.WritesStore()
}

// ctxStatus maps a done context to timeout or interrupted.
func ctxStatus(ctx context.Context) RunStatus {
	cause := context.Cause(ctx)
	if errors.Is(cause, ErrTimeout) || errors.Is(cause, context.DeadlineExceeded) {
		return StatusTimeout
	}
	return StatusInterrupted
}

// runStage runs one stage with retries and returns its ledger record.
func (r *Runner) runStage(ctx context.Context, job *Job, st Stage, env *Env) (Record, Result, error) {
	clock := r.clock()
	rec := Record{Kind: KindStage, RunID: env.RunID, Job: env.Job, Stage: env.Stage, Start: clock.Now()}
	done := func(status RunStatus, res Result, err error) (Record, Result, error) {
		rec.End = clock.Now()
		rec.Status = status
		c := res.clone()
		rec.Counts, rec.Detail = c.Counts, c.Detail
		if err != nil {
			rec.Error = err.Error()
		}
		return rec, res, err
	}
	for attempt := 1; ; attempt++ {
		rec.Attempt = attempt
		env.Attempt = attempt
		stageCtx, cancel := ctx, context.CancelFunc(func() {})
		if job.StageTimeout > 0 {
			stageCtx, cancel = context.WithTimeoutCause(ctx, job.StageTimeout,
				fmt.Errorf("%w: stage_timeout %s elapsed", ErrTimeout, job.StageTimeout))
		}
		env.Logger.Debug("stage starting", "attempt", attempt)
		res, err := r.call(stageCtx, st, env)
		ctxDone := stageCtx.Err() != nil
		var status RunStatus
		if ctxDone {
			status = ctxStatus(stageCtx)
		}
		stageCause := context.Cause(stageCtx)
		cancel()
		if err == nil {
			env.Logger.Info("stage finished", "attempt", attempt, "counts", res.Counts)
			return done(StatusOK, res, nil)
		}
		if ctxDone {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				err = stageCause
			} else {
				err = fmt.Errorf("%v: %w", stageCause, err)
			}
			env.Logger.Warn("stage stopped", "status", status, "error", err)
			return done(status, res, err)
		}
		if !IsTransient(err) || attempt > job.Retries.Max {
			env.Logger.Error("stage failed", "attempt", attempt, "error", err)
			return done(StatusFailed, res, err)
		}
		delay := r.backoff(job.Retries, attempt)
		env.Logger.Warn("transient failure; retrying", "attempt", attempt, "retry_in", delay, "error", err)
		select {
		case <-clock.After(delay):
		case <-ctx.Done():
			status := ctxStatus(ctx)
			err = fmt.Errorf("%v while waiting to retry: %w", context.Cause(ctx), err)
			return done(status, res, err)
		}
	}
}

// backoff returns the jittered delay before retry number attempt (1-based):
// backoff·2^(attempt-1), at most max_backoff.
func (r *Runner) backoff(rt Retries, attempt int) time.Duration {
	d := rt.Backoff
	for i := 1; i < attempt && d < rt.MaxBackoff; i++ {
		d *= 2
	}
	if rt.MaxBackoff > 0 && d > rt.MaxBackoff {
		d = rt.MaxBackoff
	}
	if r.Jitter != nil {
		return r.Jitter(d)
	}
	if d <= 1 {
		return d
	}
	return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
}

// call runs the stage in a goroutine so that a stage ignoring its context
// cannot hold the run beyond the grace period. Panics become errors.
func (r *Runner) call(ctx context.Context, st Stage, env *Env) (Result, error) {
	type outcome struct {
		res Result
		err error
	}
	ch := make(chan outcome, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				kind := fmt.Sprintf("%T", p)
				if re, ok := p.(runtime.Error); ok {
					kind = re.Error()
				}
				env.Logger.Error("stage panicked", "panic", kind, "stack", string(debug.Stack()))
				ch <- outcome{err: fmt.Errorf("pipeline: stage %s panicked (%s)", env.Stage, kind)}
			}
		}()
		res, err := st.Run(ctx, env)
		ch <- outcome{res, err}
	}()
	select {
	case o := <-ch:
		return o.res, o.err
	case <-ctx.Done():
	}
	grace := r.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case o := <-ch:
		if o.err == nil {
			return o.res, nil
		}
		return o.res, o.err
	case <-t.C:
		env.Logger.Error("stage ignored cancellation; abandoning it", "grace", grace)
		return Result{}, fmt.Errorf("pipeline: stage %s did not stop within %s", env.Stage, grace)
	}
}

func (r *Runner) appendStage(res *RunResult, rec Record, log *slog.Logger) {
	rec.Format = LedgerFormat
	rec.Duration = rec.End.Sub(rec.Start).Seconds()
	rec.Error = truncateError(rec.Error)
	if err := AppendRecord(r.Config.Home, rec); err != nil {
		log.Error("cannot record stage in the ledger", "stage", rec.Stage, "error", err)
	}
	res.Stages = append(res.Stages, rec)
}

// recordStale writes an interrupted run record for the run that died holding
// a lock, unless the ledger already has one.
func (r *Runner) recordStale(l *Lock, runID string, log *slog.Logger) {
	if l.Stale == nil || l.Stale.RunID == "" || l.Stale.RunID == runID {
		return
	}
	recs, err := readLedgerTolerant(r.Config.Home)
	if err != nil {
		log.Warn("reading ledger", "error", err)
	}
	for _, rec := range recs {
		if rec.Kind == KindRun && rec.RunID == l.Stale.RunID {
			return
		}
	}
	now := r.clock().Now()
	rec := Record{Kind: KindRun, RunID: l.Stale.RunID, Job: l.Stale.Job, Status: StatusInterrupted,
		Start: l.Stale.Start, End: now, Host: l.Stale.Host, PID: l.Stale.PID,
		Error: fmt.Sprintf("process %d on %s ended without finishing the run; lock %s taken over by run %s",
			l.Stale.PID, l.Stale.Host, l.Name, runID)}
	if rec.Job == "" {
		rec.Job = "unknown"
	}
	rec.Duration = rec.End.Sub(rec.Start).Seconds()
	if err := AppendRecord(r.Config.Home, rec); err != nil {
		log.Error("cannot record the interrupted run", "error", err)
	}
}

// finish records the run, refreshes the metrics and notifies.
func (r *Runner) finish(ctx context.Context, log *slog.Logger, res *RunResult, status RunStatus, stage string, cause error) (*RunResult, error) {
	run := &res.Run
	run.End = r.clock().Now()
	run.Duration = run.End.Sub(run.Start).Seconds()
	run.Status = status
	for _, s := range res.Stages {
		for k, n := range s.Counts {
			if run.Counts == nil {
				run.Counts = map[string]int64{}
			}
			run.Counts[k] += n
		}
	}
	if cause != nil {
		msg := cause.Error()
		if stage != "" {
			msg = "stage " + stage + ": " + msg
		}
		run.Error = truncateError(msg)
	}
	run.Format = LedgerFormat
	var ledgerErr error
	if err := AppendRecord(r.Config.Home, *run); err != nil {
		log.Error("cannot record run in the ledger", "error", err)
		ledgerErr = err
	}
	if err := WriteMetrics(r.Config); err != nil {
		log.Warn("cannot write metrics", "error", err)
	}
	if slices.Contains(r.Config.Notify.On, status) {
		ev := Event{Format: LedgerFormat, Job: run.Job, RunID: run.RunID, Stage: stage, Status: status,
			Error: run.Error, Trigger: run.Trigger, Start: run.Start, End: run.End, Host: run.Host}
		nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.Config.Notify.Timeout+time.Second)
		notify := r.Notify
		if notify == nil {
			notify = func(ctx context.Context, ev Event) error { return Notify(ctx, r.Config.Notify, ev, log) }
		}
		if err := notify(nctx, ev); err != nil {
			log.Warn("notification failed", "error", err)
		}
		cancel()
	}
	lvl := slog.LevelInfo
	if status != StatusOK {
		lvl = slog.LevelWarn
	}
	log.Log(ctx, lvl, "run finished", "status", status, "duration", time.Duration(run.Duration*float64(time.Second)).Round(time.Millisecond))
	var err error
	if status != StatusOK {
		err = &RunError{Job: run.Job, RunID: run.RunID, Stage: stage, Status: status, Err: cause}
	}
	if ledgerErr != nil {
		err = errors.Join(err, ledgerErr)
	}
	return res, err
}

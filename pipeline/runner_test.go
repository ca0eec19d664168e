package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// testConfig writes a config with the given jobs section into a temp dir and
// loads it.
func testConfig(t *testing.T, jobs string) *Config {
	t.Helper()
	dir := t.TempDir()
	data := "format: 1\nhome: home\ntimezone: Asia/Shanghai\nkeys: {passphrase_env: VIGIL_PASSPHRASE}\njobs:\n" + jobs
	path := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

type fnStage struct {
	name  string
	store bool
	fn    func(ctx context.Context, env *Env) (Result, error)
}

func (s *fnStage) Name() string      { return s.name }
func (s *fnStage) WritesStore() bool { return s.store }
func (s *fnStage) Run(ctx context.Context, env *Env) (Result, error) {
	return s.fn(ctx, env)
}

func okStage(name string, counts map[string]int64) *fnStage {
	return &fnStage{name: name, fn: func(context.Context, *Env) (Result, error) {
		return Result{Counts: counts}, nil
	}}
}

func mustLedger(t *testing.T, home string) []Record {
	t.Helper()
	recs, err := ReadLedger(home)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func statuses(recs []Record) string {
	var parts []string
	for _, r := range recs {
		name := r.Stage
		if r.Kind == KindRun {
			name = "run"
		}
		parts = append(parts, name+"="+string(r.Status))
	}
	return strings.Join(parts, " ")
}

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRunOK(t *testing.T) {
	cfg := testConfig(t, "  nightly: {stages: [extract, classify]}\n")
	var seen *Env
	second := &fnStage{name: "classify", fn: func(ctx context.Context, env *Env) (Result, error) {
		seen = env
		var r Result
		r.Add("rows_read", 10)
		r.Add("findings_high", 2)
		r.SetDetail("report", "r.html")
		return r, nil
	}}
	r := &Runner{Config: cfg}
	res, err := r.Run(context.Background(), "nightly", []Stage{okStage("extract", map[string]int64{"rows_read": 5, "rows_written": 5}), second})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{6}$`).MatchString(res.Run.RunID) {
		t.Errorf("run id %q", res.Run.RunID)
	}
	if seen.RunID != res.Run.RunID || seen.Job != "nightly" || seen.Stage != "classify" || seen.Attempt != 1 ||
		seen.Config != cfg || seen.Trigger != TriggerManual || seen.Paths.Store != filepath.Join(cfg.Home, "store") {
		t.Errorf("env: %+v", seen)
	}
	if got := seen.Previous["extract"].Counts["rows_read"]; got != 5 {
		t.Errorf("Previous: %v", seen.Previous)
	}
	recs := mustLedger(t, cfg.Home)
	if got := statuses(recs); got != "extract=ok classify=ok run=ok" {
		t.Fatalf("ledger: %s", got)
	}
	run := recs[2]
	if run.Counts["rows_read"] != 15 || run.Counts["rows_written"] != 5 || run.Trigger != TriggerManual || run.Format != 1 || run.PID != os.Getpid() {
		t.Errorf("run record: %+v", run)
	}
	if recs[1].Detail["report"] != "r.html" || recs[1].Attempt != 1 {
		t.Errorf("stage record: %+v", recs[1])
	}
	prom, err := os.ReadFile(filepath.Join(cfg.Home, "metrics", MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`vigil_rows_total{job="nightly",kind="read"} 15`, `vigil_findings{severity="high"} 2`, `vigil_last_success_timestamp_seconds{job="nightly"}`} {
		if !strings.Contains(string(prom), want) {
			t.Errorf("metrics lack %q:\n%s", want, prom)
		}
	}
	// Locks are released: another run goes through.
	if _, err := r.Run(context.Background(), "nightly", []Stage{okStage("extract", nil)}); err != nil {
		t.Fatal(err)
	}
	if info, _ := ReadLock(cfg.Paths().Locks, JobLockName("nightly")); info != nil {
		t.Errorf("lock file not emptied: %+v", info)
	}
}

func TestRunUnknownJob(t *testing.T) {
	cfg := testConfig(t, "  nightly: {stages: [a]}\n")
	_, err := (&Runner{Config: cfg}).Run(context.Background(), "weekly", nil)
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("got %v", err)
	}
	if recs := mustLedger(t, cfg.Home); len(recs) != 0 {
		t.Errorf("recorded %d records", len(recs))
	}
}

func TestRunPermanentFailure(t *testing.T) {
	cfg := testConfig(t, "  nightly: {stages: [a, b, c], retries: {max: 3, backoff: 1ms}}\n")
	boom := errors.New("extract: customers.csv:7:3: bad date")
	calls := 0
	failing := &fnStage{name: "b", fn: func(context.Context, *Env) (Result, error) {
		calls++
		return Result{Counts: map[string]int64{"rows_read": 6}}, fmt.Errorf("wrapped: %w", boom)
	}}
	var notified []Event
	r := &Runner{Config: cfg, Notify: func(_ context.Context, ev Event) error { notified = append(notified, ev); return nil }}
	res, err := r.Run(context.Background(), "nightly", []Stage{okStage("a", nil), failing, okStage("c", nil)})
	if !errors.Is(err, ErrFailed) || !errors.Is(err, boom) || StatusOf(err) != StatusFailed {
		t.Fatalf("got %v", err)
	}
	var re *RunError
	if !errors.As(err, &re) || re.Stage != "b" || re.RunID != res.Run.RunID {
		t.Errorf("RunError: %+v", re)
	}
	if calls != 1 {
		t.Errorf("permanent error retried: %d calls", calls)
	}
	recs := mustLedger(t, cfg.Home)
	if got := statuses(recs); got != "a=ok b=failed c=skipped run=failed" {
		t.Fatalf("ledger: %s", got)
	}
	if recs[1].Counts["rows_read"] != 6 || !strings.Contains(recs[1].Error, "bad date") || !strings.Contains(recs[3].Error, "stage b: ") {
		t.Errorf("records: %+v", recs)
	}
	if len(notified) != 1 || notified[0].Status != StatusFailed || notified[0].Stage != "b" || notified[0].RunID != res.Run.RunID {
		t.Errorf("notified: %+v", notified)
	}
}

type tempErr struct{}

func (tempErr) Error() string   { return "connection reset" }
func (tempErr) Temporary() bool { return true }

func TestRunTransientRetries(t *testing.T) {
	cfg := testConfig(t, "  nightly: {stages: [a], retries: {max: 3, backoff: 1ms, max_backoff: 3ms}}\n")
	var delays []time.Duration
	jitter := func(d time.Duration) time.Duration { delays = append(delays, d); return d }

	attempts := 0
	flaky := &fnStage{name: "a", fn: func(_ context.Context, env *Env) (Result, error) {
		attempts++
		if env.Attempt != attempts {
			t.Errorf("env.Attempt = %d, want %d", env.Attempt, attempts)
		}
		if attempts < 3 {
			return Result{}, fmt.Errorf("upload: %w", ErrTransient)
		}
		return Result{}, nil
	}}
	r := &Runner{Config: cfg, Jitter: jitter}
	res, err := r.Run(context.Background(), "nightly", []Stage{flaky})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stages[0].Attempt != 3 || res.Stages[0].Status != StatusOK {
		t.Errorf("stage: %+v", res.Stages[0])
	}
	if fmt.Sprint(delays) != "[1ms 2ms]" {
		t.Errorf("delays %v", delays)
	}

	// A Temporary() error is transient too; retries run out.
	delays = nil
	attempts = 0
	always := &fnStage{name: "a", fn: func(context.Context, *Env) (Result, error) {
		attempts++
		return Result{}, fmt.Errorf("s3: %w", tempErr{})
	}}
	res, err = r.Run(context.Background(), "nightly", []Stage{always})
	if !errors.Is(err, ErrFailed) || attempts != 4 || res.Stages[0].Attempt != 4 {
		t.Fatalf("err %v, attempts %d", err, attempts)
	}
	if fmt.Sprint(delays) != "[1ms 2ms 3ms]" {
		t.Errorf("delays %v", delays)
	}
}

func TestBackoffJitterBounds(t *testing.T) {
	r := &Runner{}
	rt := Retries{Max: 10, Backoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	for attempt := 1; attempt <= 8; attempt++ {
		want := min(rt.Backoff<<(attempt-1), rt.MaxBackoff)
		for i := 0; i < 50; i++ {
			if d := r.backoff(rt, attempt); d < want/2 || d > want {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, d, want/2, want)
			}
		}
	}
}

func TestIsTransient(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("x"), false},
		{ErrTransient, true},
		{fmt.Errorf("a: %w", ErrTransient), true},
		{tempErr{}, true},
		{fmt.Errorf("a: %w", tempErr{}), true},
		{context.Canceled, false},
		{fmt.Errorf("%w: %w", context.DeadlineExceeded, ErrTransient), false},
	}
	for _, tt := range tests {
		if got := IsTransient(tt.err); got != tt.want {
			t.Errorf("IsTransient(%v) = %v", tt.err, got)
		}
	}
}

func blockUntilDone(name string) *fnStage {
	return &fnStage{name: name, fn: func(ctx context.Context, _ *Env) (Result, error) {
		<-ctx.Done()
		return Result{}, ctx.Err()
	}}
}

func TestRunStageTimeout(t *testing.T) {
	cfg := testConfig(t, "  nightly: {stages: [a, b], stage_timeout: 20ms, retries: {max: 3, backoff: 1ms}}\n")
	res, err := (&Runner{Config: cfg}).Run(context.Background(), "nightly", []Stage{blockUntilDone("a"), okStage("b", nil)})
	if !errors.Is(err, ErrTimeout) || StatusOf(err) != StatusTimeout {
		t.Fatalf("got %v", err)
	}
	if res.Stages[0].Attempt != 1 || !strings.Contains(res.Stages[0].Error, "stage_timeout 20ms elapsed") {
		t.Errorf("stage: %+v", res.Stages[0])
	}
	if got := statuses(mustLedger(t, cfg.Home)); got != "a=timeout b=skipped run=timeout" {
		t.Errorf("ledger: %s", got)
	}
}

func TestRunJobTimeout(t *testing.T) {
	cfg := testConfig(t, "  nightly: {stages: [a, b], timeout: 30ms}\n")
	res, err := (&Runner{Config: cfg}).Run(context.Background(), "nightly", []Stage{okStage("a", nil), blockUntilDone("b")})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(res.Run.Error, "job timeout 30ms elapsed") {
		t.Errorf("run error %q", res.Run.Error)
	}
}

func TestRunInterrupted(t *testing.T) {
	cfg := testConfig(t, "  nightly: {stages: [a, b]}\n")
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	stage := &fnStage{name: "a", fn: func(ctx context.Context, _ *Env) (Result, error) {
		close(started)
		<-ctx.Done()
		return Result{Counts: map[string]int64{"rows_read": 3}}, ctx.Err()
	}}
	go func() { <-started; cancel() }()
	_, err := (&Runner{Config: cfg}).Run(ctx, "nightly", []Stage{stage, okStage("b", nil)})
	if !errors.Is(err, ErrInterrupted) || StatusOf(err) != StatusInterrupted {
		t.Fatalf("got %v", err)
	}
	recs := mustLedger(t, cfg.Home)
	if got := statuses(recs); got != "a=interrupted b=skipped run=interrupted" {
		t.Errorf("ledger: %s", got)
	}
	if recs[0].Counts["rows_read"] != 3 {
		t.Errorf("partial counts lost: %+v", recs[0])
	}

	// Cancelled before the first stage.
	_, err = (&Runner{Config: cfg}).Run(ctx, "nightly", []Stage{okStage("a", nil)})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("got %v", err)
	}
}

func TestRunAbandonsStageIgnoringCancellation(t *testing.T) {
	cfg := testConfig(t, "  nightly: {stages: [a], stage_timeout: 10ms}\n")
	release := make(chan struct{})
	defer close(release)
	stubborn := &fnStage{name: "a", fn: func(context.Context, *Env) (Result, error) {
		<-release
		return Result{}, nil
	}}
	res, err := (&Runner{Config: cfg, Grace: 20 * time.Millisecond}).Run(context.Background(), "nightly", []Stage{stubborn})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(res.Stages[0].Error, "did not stop within 20ms") {
		t.Errorf("stage error %q", res.Stages[0].Error)
	}
}

func TestRunPanic(t *testing.T) {
	cfg := testConfig(t, "  nightly: {stages: [a]}\n")
	var logs logBuffer
	bad := &fnStage{name: "a", fn: func(context.Context, *Env) (Result, error) {
		var m map[string]int
		m["secret-value-13800138000"] = 1
		return Result{}, nil
	}}
	r := &Runner{Config: cfg, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	res, err := r.Run(context.Background(), "nightly", []Stage{bad})
	if !errors.Is(err, ErrFailed) || !strings.Contains(res.Stages[0].Error, "panicked") {
		t.Fatalf("got %v / %+v", err, res.Stages[0])
	}
	if strings.Contains(logs.String(), "13800138000") {
		t.Error("panic value leaked into the log")
	}
}

func TestRunLockedIsSkipped(t *testing.T) {
	cfg := testConfig(t, "  nightly: {stages: [a]}\n  other: {stages: [a]}\n")
	held, err := AcquireLock(cfg.Paths().Locks, JobLockName("nightly"), LockInfo{PID: 4242, Host: "elsewhere", RunID: "r0", Start: time.Now()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	called := false
	stage := &fnStage{name: "a", fn: func(context.Context, *Env) (Result, error) { called = true; return Result{}, nil }}
	var notified int
	r := &Runner{Config: cfg, Notify: func(context.Context, Event) error { notified++; return nil }}
	res, err := r.Run(context.Background(), "nightly", []Stage{stage})
	if !errors.Is(err, ErrLocked) || StatusOf(err) != StatusSkipped {
		t.Fatalf("got %v", err)
	}
	var le *LockedError
	if !errors.As(err, &le) || le.Holder == nil || le.Holder.PID != 4242 {
		t.Errorf("LockedError: %+v", le)
	}
	if called || res.Run.Status != StatusSkipped || !strings.Contains(res.Run.Error, "pid 4242") {
		t.Errorf("run: %+v called=%v", res.Run, called)
	}
	if notified != 0 {
		t.Error("skipped run notified")
	}
	// Another job is not blocked.
	if _, err := r.Run(context.Background(), "other", []Stage{stage}); err != nil {
		t.Fatal(err)
	}
}

func TestRunStoreLock(t *testing.T) {
	cfg := testConfig(t, "  nightly: {stages: [snapshot]}\n  audit: {stages: [audit]}\n")
	inside := make(chan struct{})
	release := make(chan struct{})
	writer := &fnStage{name: "snapshot", store: true, fn: func(context.Context, *Env) (Result, error) {
		close(inside)
		<-release
		return Result{}, nil
	}}
	r := &Runner{Config: cfg}
	done := make(chan error)
	go func() { _, err := r.Run(context.Background(), "nightly", []Stage{writer}); done <- err }()
	<-inside
	// A second store writer in another job is skipped; a reader is not.
	_, err := r.Run(context.Background(), "audit", []Stage{&fnStage{name: "audit", store: true, fn: writer.fn}})
	var le *LockedError
	if !errors.As(err, &le) || le.Name != StoreLockName {
		t.Errorf("got %v", err)
	}
	if _, err := r.Run(context.Background(), "audit", []Stage{okStage("audit", nil)}); err != nil {
		t.Errorf("reader: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRunRecordsStaleRun(t *testing.T) {
	cfg := testConfig(t, "  nightly: {stages: [a]}\n")
	locks := cfg.Paths().Locks
	if err := os.MkdirAll(locks, 0o755); err != nil {
		t.Fatal(err)
	}
	stale := `{"pid": 999999, "host": "db1", "start": "2026-05-01T02:00:00Z", "run_id": "20260501T020000.000000Z-dead00", "job": "nightly"}`
	if err := os.WriteFile(filepath.Join(locks, "job-nightly.lock"), []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs logBuffer
	r := &Runner{Config: cfg, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	if _, err := r.Run(context.Background(), "nightly", []Stage{okStage("a", nil)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "taking over stale lock from pid 999999") {
		t.Errorf("no takeover logged:\n%s", logs.String())
	}
	runs, err := LastRuns(cfg.Home, "nightly", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[1].RunID != "20260501T020000.000000Z-dead00" || runs[1].Status != StatusInterrupted {
		t.Fatalf("runs: %+v", runs)
	}
	// A second takeover of the same dead run is not recorded twice.
	if err := os.WriteFile(filepath.Join(locks, "job-nightly.lock"), []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background(), "nightly", []Stage{okStage("a", nil)}); err != nil {
		t.Fatal(err)
	}
	if runs, _ := LastRuns(cfg.Home, "nightly", 0); len(runs) != 3 {
		t.Errorf("got %d runs", len(runs))
	}
}

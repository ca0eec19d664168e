//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-dg/vigil/pipeline"
)

// End-to-end tests of unattended operation: overlapping runs, signals, the
// scheduler. They freeze a run with SIGSTOP at the moment that matters (lock
// taken, snapshot being written) instead of relying on timing, so they hold
// on a slow, loaded machine.

// unattendedConfig has a catch-up job whose last slot (1 January) is always
// in the past, a scheduled job without catch-up, and a job run by hand.
const unattendedConfig = `format: 1
home: home
timezone: Asia/Shanghai
keys:
  key_file: master.key
sources:
  crm:
    type: csv
    dir: data
    tables:
      customers: {file: customers.csv}
      staff: {file: staff.csv}
      ownership: {file: ownership.csv}
      orders: {file: orders.csv}
      enrollments: {file: enrollments.csv}
jobs:
  nightly:
    schedule: "0 0 1 1 *"
    stages: [snapshot]
    catch_up: true
  weekly:
    schedule: "0 3 * * 0"
    stages: [snapshot]
`

// unattendedRows keeps each run a few seconds long under -race.
const unattendedRows = "5000"

// setupUnattended makes a demo directory: data, vigil.yaml, key file,
// keyset (built once, copied for each test).
func setupUnattended(t *testing.T) string {
	t.Helper()
	b := buildOnce("unattended", func(dir string) (result, error) {
		if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(unattendedConfig), 0o600); err != nil {
			return result{}, err
		}
		return runSteps(dir, []string{"demo", "generate", "--rows", unattendedRows, "--out", "data"}, []string{"keys", "keyfile", "master.key"}, []string{"keys", "init"})
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	dir := filepath.Join(t.TempDir(), "d")
	if err := copyTree(b.dir, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func mustOK(t *testing.T, r result) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("want exit 0, got %s", r)
	}
}

// proc is a vigil process started in the background.
type proc struct {
	cmd      *exec.Cmd
	out, err bytes.Buffer
	done     chan struct{}
	res      result
}

func startVigil(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	p := &proc{done: make(chan struct{})}
	p.cmd = exec.Command(vigilBin, args...)
	p.cmd.Dir = dir
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + os.TempDir()}
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.err
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting vigil %v: %v", args, err)
	}
	go func() {
		err := p.cmd.Wait()
		p.res = result{stdout: p.out.String(), stderr: p.err.String(), code: p.cmd.ProcessState.ExitCode()}
		if err != nil && p.res.code == 0 {
			p.res.code = -1
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Signal(syscall.SIGCONT)
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v to pid %d: %v", sig, p.pid(), err)
	}
}

// wait waits for the process to exit; after d it calls onSlow once (if not
// nil) and keeps waiting up to two minutes more.
func (p *proc) wait(t *testing.T, d time.Duration, onSlow func()) result {
	t.Helper()
	select {
	case <-p.done:
		return p.res
	case <-time.After(d):
	}
	if onSlow != nil {
		onSlow()
	}
	select {
	case <-p.done:
		return p.res
	case <-time.After(2 * time.Minute):
		t.Fatalf("vigil pid %d did not exit\nstderr:\n%s", p.pid(), p.err.String())
		return result{}
	}
}

// poll calls cond every few milliseconds until it returns true; it fails the
// test if one of procs exits first or after two minutes.
func poll(t *testing.T, what string, cond func() bool, procs ...*proc) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		for _, p := range procs {
			if p.exited() {
				t.Fatalf("waiting for %s: pid %d exited first: %s", what, p.pid(), p.res)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(3 * time.Millisecond)
	}
}

// lockHolder returns the pid written in a lock file of dir's home, or 0.
func lockHolder(dir, name string) int {
	info, err := pipeline.ReadLock(filepath.Join(dir, "home", "locks"), name)
	if err != nil || info == nil {
		return 0
	}
	return info.PID
}

// tmpDirs returns the uncommitted snapshot directories (.tmp-*) of every table.
func tmpDirs(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "home", "store", "snapshots", "*", ".tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// committedDirs returns "<table>/<id>" of every snapshot directory whose name
// does not start with a dot, read straight from the file system.
func committedDirs(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "home", "store", "snapshots", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range m {
		if !strings.HasPrefix(filepath.Base(p), ".") {
			out = append(out, filepath.Base(filepath.Dir(p))+"/"+filepath.Base(p))
		}
	}
	slices.Sort(out)
	return out
}

// listedSnapshots returns what "vigil snapshots list --json" shows, as
// "<table>/<id>" → run id of the run that wrote it.
func listedSnapshots(t *testing.T, dir string) map[string]string {
	t.Helper()
	r := vigil(t, dir, nil, "snapshots", "list", "--json")
	mustOK(t, r)
	var ms []struct {
		Table string            `json:"table"`
		ID    string            `json:"id"`
		Rows  int64             `json:"rows"`
		Extra map[string]string `json:"extra"`
	}
	if err := unmarshalSnapshots(r.stdout, &ms); err != nil {
		t.Fatalf("snapshots list --json: %v\n%s", err, r.stdout)
	}
	out := map[string]string{}
	for _, m := range ms {
		out[m.Table+"/"+m.ID] = m.Extra["run_id"]
	}
	return out
}

// runRecords returns the run records of the ledger, in order.
func runRecords(t *testing.T, dir string) []pipeline.Record {
	t.Helper()
	recs, err := pipeline.ReadLedger(filepath.Join(dir, "home"))
	if err != nil {
		t.Fatalf("reading the ledger: %v", err)
	}
	var out []pipeline.Record
	for _, r := range recs {
		if r.Kind == pipeline.KindRun {
			out = append(out, r)
		}
	}
	return out
}

func stageRecord(t *testing.T, dir, runID, stage string) pipeline.Record {
	t.Helper()
	recs, err := pipeline.ReadLedger(filepath.Join(dir, "home"))
	if err != nil {
		t.Fatalf("reading the ledger: %v", err)
	}
	for _, r := range recs {
		if r.Kind == pipeline.KindStage && r.RunID == runID && r.Stage == stage {
			return r
		}
	}
	t.Fatalf("no %s stage record for run %s", stage, runID)
	return pipeline.Record{}
}

func metricsText(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "home", "metrics", pipeline.MetricsFile))
	if err != nil {
		t.Fatalf("metrics file after a run: %v", err)
	}
	return string(b)
}

// TestConcurrentRunsOneSkipped starts two "vigil run nightly" at once: the one
// that takes the job lock runs, the other exits 5 and is recorded as skipped.
func TestConcurrentRunsOneSkipped(t *testing.T) {
	t.Parallel()
	dir := setupUnattended(t)
	a := startVigil(t, dir, "run", "nightly")
	b := startVigil(t, dir, "run", "nightly")
	var winner, loser *proc
	poll(t, "a run to take the job lock", func() bool {
		switch lockHolder(dir, pipeline.JobLockName("nightly")) {
		case a.pid():
			winner, loser = a, b
		case b.pid():
			winner, loser = b, a
		}
		return winner != nil
	})
	// Freeze the winner while it holds the lock: whenever the loser gets to
	// the lock, it is held.
	winner.signal(t, syscall.SIGSTOP)
	lr := loser.wait(t, 90*time.Second, func() { winner.signal(t, syscall.SIGCONT) })
	winner.signal(t, syscall.SIGCONT)
	wr := winner.wait(t, 2*time.Minute, nil)

	if wr.code != exitOK {
		t.Errorf("the run holding the lock: want exit 0, got %s", wr)
	}
	if lr.code != exitLocked {
		t.Fatalf("the second run: want exit %d (locked), got %s", exitLocked, lr)
	}
	// The holder is named unless the loser came between the winner's flock
	// and the write of its lock file ("held by another process").
	if !strings.Contains(lr.stderr, "lock job-nightly is held by pid "+strconv.Itoa(winner.pid())) &&
		!strings.Contains(lr.stderr, "lock job-nightly is held by another process") {
		t.Errorf("the skipped run should name the lock and its holder:\n%s", lr.stderr)
	}

	runs := runRecords(t, dir)
	if len(runs) != 2 {
		t.Fatalf("want 2 run records, got %d: %+v", len(runs), runs)
	}
	byPID := map[int]pipeline.Record{}
	for _, r := range runs {
		byPID[r.PID] = r
	}
	if r := byPID[winner.pid()]; r.Status != pipeline.StatusOK {
		t.Errorf("winner's run recorded as %q, want ok", r.Status)
	}
	sk := byPID[loser.pid()]
	if sk.Status != pipeline.StatusSkipped || sk.Trigger != pipeline.TriggerManual {
		t.Errorf("loser's run recorded as %q (trigger %q), want skipped (manual)", sk.Status, sk.Trigger)
	}
	if !strings.Contains(sk.Error, "lock") {
		t.Errorf("skipped record should say why: %q", sk.Error)
	}
	prom := metricsText(t, dir)
	for _, want := range []string{`vigil_runs_total{job="nightly",status="ok"} 1`, `vigil_runs_total{job="nightly",status="skipped"} 1`} {
		if !strings.Contains(prom, want) {
			t.Errorf("metrics lack %s:\n%s", want, prom)
		}
	}
	if n := len(listedSnapshots(t, dir)); n != 5 {
		t.Errorf("want one snapshot per table (5), got %d", n)
	}
}

// TestSIGTERMInterruptsRun sends SIGTERM while a snapshot is being written:
// the run is recorded as interrupted, vigil exits 130, nothing of the run
// becomes visible, and the next run cleans up and succeeds.
func TestSIGTERMInterruptsRun(t *testing.T) {
	t.Parallel()
	dir := setupUnattended(t)
	p := startVigil(t, dir, "run", "nightly")
	poll(t, "a snapshot to be in progress", func() bool { return len(tmpDirs(t, dir)) > 0 }, p)
	p.signal(t, syscall.SIGSTOP)
	// Whatever was committed before the signal may stay; nothing after it.
	before := committedDirs(t, dir)
	inProgress := tmpDirs(t, dir)
	p.signal(t, syscall.SIGTERM)
	p.signal(t, syscall.SIGCONT)
	start := time.Now()
	r := p.wait(t, 2*time.Minute, nil)
	t.Logf("stopped %s after SIGTERM; committed before the signal: %d, in progress: %d",
		time.Since(start).Round(time.Millisecond), len(before), len(inProgress))

	if r.code != exitInterrupted {
		t.Fatalf("want exit %d, got %s", exitInterrupted, r)
	}
	if !strings.Contains(r.stdout, "interrupted") {
		t.Errorf("the run summary should say interrupted:\n%s", r.stdout)
	}
	runs := runRecords(t, dir)
	if len(runs) != 1 {
		t.Fatalf("want 1 run record, got %+v", runs)
	}
	run := runs[0]
	if run.Status != pipeline.StatusInterrupted || run.PID != p.pid() {
		t.Errorf("run recorded as %q by pid %d, want interrupted by %d", run.Status, run.PID, p.pid())
	}
	if st := stageRecord(t, dir, run.RunID, "snapshot"); st.Status != pipeline.StatusInterrupted {
		t.Errorf("snapshot stage recorded as %q, want interrupted", st.Status)
	}
	if !strings.Contains(metricsText(t, dir), `vigil_runs_total{job="nightly",status="interrupted"} 1`) {
		t.Errorf("metrics should count the interrupted run")
	}

	listed := listedSnapshots(t, dir)
	var got []string
	for ref := range listed {
		got = append(got, ref)
	}
	slices.Sort(got)
	if !slices.Equal(got, before) {
		t.Errorf("snapshots visible after the interruption %v, want exactly those committed before the signal %v", got, before)
	}
	if left := tmpDirs(t, dir); len(left) > 0 {
		t.Logf("left by the interrupted run (removed by the next): %v", left)
	}

	next := vigil(t, dir, nil, "run", "nightly")
	mustOK(t, next)
	if left := tmpDirs(t, dir); len(left) > 0 {
		t.Errorf("uncommitted directories left after the next run: %v", left)
	}
	after := listedSnapshots(t, dir)
	if len(after) != len(before)+5 {
		t.Errorf("after the next run: want %d snapshots, got %d", len(before)+5, len(after))
	}
	for ref, id := range after {
		if id == run.RunID && !slices.Contains(before, ref) {
			t.Errorf("snapshot %s of the interrupted run is visible", ref)
		}
	}
}

// TestScheduleCatchUpOnce: "vigil schedule --once" runs the missed slot of a
// catch-up job once, leaves jobs without catch_up alone, and finds nothing
// due the second time.
func TestScheduleCatchUpOnce(t *testing.T) {
	t.Parallel()
	dir := setupUnattended(t)
	r := vigil(t, dir, nil, "schedule", "--once")
	mustOK(t, r)
	if !strings.Contains(r.stderr, "trigger=catch_up") {
		t.Errorf("the fire should be logged with its trigger:\n%s", r.stderr)
	}
	runs := runRecords(t, dir)
	if len(runs) != 1 {
		t.Fatalf("want 1 run, got %+v", runs)
	}
	run := runs[0]
	if run.Job != "nightly" || run.Trigger != pipeline.TriggerCatchUp || run.Status != pipeline.StatusOK {
		t.Errorf("got run %s/%s/%s, want nightly/catch_up/ok", run.Job, run.Trigger, run.Status)
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	if run.Scheduled == nil {
		t.Fatal("catch-up run without its slot")
	}
	if s := run.Scheduled.In(shanghai); s.Month() != time.January || s.Day() != 1 || s.Hour() != 0 || s.Minute() != 0 || !s.Before(run.Start) {
		t.Errorf("slot %s, want the last 1 January 00:00 in Asia/Shanghai", s)
	}

	again := vigil(t, dir, nil, "schedule", "--once")
	mustOK(t, again)
	if !strings.Contains(again.stderr, "nothing to catch up") {
		t.Errorf("second --once should have nothing to do:\n%s", again.stderr)
	}
	if n := len(runRecords(t, dir)); n != 1 {
		t.Errorf("second --once ran something: %d runs", n)
	}
}

// TestScheduleSIGTERM runs the scheduler: its catch-up run starts at once; a
// second scheduler and a manual run are turned away while it runs; SIGTERM
// interrupts the run, which is recorded as interrupted, and vigil exits 130.
func TestScheduleSIGTERM(t *testing.T) {
	t.Parallel()
	dir := setupUnattended(t)
	s := startVigil(t, dir, "schedule")
	poll(t, "the catch-up run to write a snapshot", func() bool { return len(tmpDirs(t, dir)) > 0 }, s)
	s.signal(t, syscall.SIGSTOP)
	stopped := true
	resume := func() {
		if stopped {
			s.signal(t, syscall.SIGCONT)
			stopped = false
		}
	}
	defer resume()

	second := vigil(t, dir, nil, "schedule", "--once")
	if second.code != exitLocked || !strings.Contains(second.stderr, "lock scheduler is held by pid "+strconv.Itoa(s.pid())) {
		t.Errorf("a second scheduler: want exit %d naming the holder, got %s", exitLocked, second)
	}
	manual := vigil(t, dir, nil, "run", "nightly")
	if manual.code != exitLocked {
		t.Errorf("a manual run during the scheduled one: want exit %d, got %s", exitLocked, manual)
	}

	s.signal(t, syscall.SIGTERM)
	resume()
	r := s.wait(t, 2*time.Minute, nil)
	if r.code != exitInterrupted {
		t.Fatalf("want exit %d, got %s", exitInterrupted, r)
	}
	for _, want := range []string{`msg="starting job" job=nightly trigger=catch_up`, "scheduler stopped", `msg="fire ended" job=nightly trigger=catch_up`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("scheduler log lacks %q:\n%s", want, r.stderr)
		}
	}
	var catchUp, skipped []pipeline.Record
	for _, rec := range runRecords(t, dir) {
		switch rec.Trigger {
		case pipeline.TriggerCatchUp:
			catchUp = append(catchUp, rec)
		case pipeline.TriggerManual:
			skipped = append(skipped, rec)
		}
	}
	if len(catchUp) != 1 || catchUp[0].Status != pipeline.StatusInterrupted || catchUp[0].PID != s.pid() {
		t.Errorf("want one interrupted catch-up run by the scheduler, got %+v", catchUp)
	}
	if len(skipped) != 1 || skipped[0].Status != pipeline.StatusSkipped {
		t.Errorf("want the manual run recorded as skipped, got %+v", skipped)
	}
	if info, _ := pipeline.ReadLock(filepath.Join(dir, "home", "locks"), pipeline.SchedulerLockName); info != nil {
		t.Errorf("scheduler lock not released: %+v", info)
	}
}

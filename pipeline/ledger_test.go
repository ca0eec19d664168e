package pipeline

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func rec(kind, job, stage string, status RunStatus, start time.Time, d time.Duration) Record {
	r := Record{Kind: kind, RunID: NewRunID(start), Job: job, Stage: stage, Status: status, Start: start, End: start.Add(d), Duration: d.Seconds()}
	if kind == KindRun {
		r.Trigger = TriggerSchedule
	}
	return r
}

func TestLedgerRoundTrip(t *testing.T) {
	home := t.TempDir()
	t0 := time.Date(2026, 5, 22, 2, 0, 0, 123456789, time.UTC)
	in := rec(KindStage, "nightly", "snapshot", StatusOK, t0, 90*time.Second)
	in.Counts = map[string]int64{"rows_read": 10}
	in.Detail = map[string]string{"snapshot": "s1"}
	in.Attempt = 2
	if err := AppendRecord(home, in); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(LedgerPath(home))
	if err != nil {
		t.Fatal(err)
	}
	line := string(raw)
	for _, want := range []string{`"format":1`, `"kind":"stage"`, `"start":"2026-05-22T02:00:00.123456Z"`, `"end":"2026-05-22T02:01:30.123456Z"`, `"duration_seconds":90`} {
		if !strings.Contains(line, want) {
			t.Errorf("line lacks %s: %s", want, line)
		}
	}
	if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
		t.Errorf("not one line: %q", line)
	}
	out := mustLedger(t, home)
	if len(out) != 1 {
		t.Fatalf("%d records", len(out))
	}
	got := out[0]
	if !got.Start.Equal(t0.Truncate(time.Microsecond)) || got.Attempt != 2 || got.Counts["rows_read"] != 10 || got.Detail["snapshot"] != "s1" || got.Format != 1 {
		t.Errorf("round trip: %+v", got)
	}
	if st, _ := os.Stat(LedgerPath(home)); st.Mode().Perm()&0o007 != 0 {
		t.Errorf("ledger is world-accessible: %v", st.Mode())
	}
}

func TestLedgerMissingIsEmpty(t *testing.T) {
	recs, err := ReadLedger(t.TempDir())
	if err != nil || len(recs) != 0 {
		t.Fatalf("%v %v", recs, err)
	}
}

func TestLedgerTornLine(t *testing.T) {
	home := t.TempDir()
	t0 := time.Date(2026, 5, 22, 2, 0, 0, 0, time.UTC)
	if err := AppendRecord(home, rec(KindRun, "nightly", "", StatusOK, t0, time.Minute)); err != nil {
		t.Fatal(err)
	}
	// A crash in the middle of a write leaves half a line.
	f, err := os.OpenFile(LedgerPath(home), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"format":1,"kind":"run","run_id":"x","jo`); err != nil {
		t.Fatal(err)
	}
	f.Close()

	recs, err := ReadLedger(home)
	var le *LedgerError
	if !errors.As(err, &le) || !errors.Is(err, ErrLedgerDamaged) || !le.Torn || fmt.Sprint(le.Lines) != "[2]" {
		t.Fatalf("got %v", err)
	}
	if len(recs) != 1 {
		t.Fatalf("good records lost: %d", len(recs))
	}
	// The next append starts on a fresh line and stays readable.
	if err := AppendRecord(home, rec(KindRun, "nightly", "", StatusFailed, t0.Add(time.Hour), time.Minute)); err != nil {
		t.Fatal(err)
	}
	recs, err = ReadLedger(home)
	if !errors.As(err, &le) || le.Torn || fmt.Sprint(le.Lines) != "[2]" {
		t.Fatalf("got %v", err)
	}
	if len(recs) != 2 || recs[1].Status != StatusFailed {
		t.Fatalf("records: %+v", recs)
	}
	runs, err := LastRuns(home, "nightly", 1)
	if !errors.Is(err, ErrLedgerDamaged) || len(runs) != 1 || runs[0].Status != StatusFailed {
		t.Fatalf("LastRuns: %v %v", runs, err)
	}
}

func TestLedgerConcurrentAppends(t *testing.T) {
	home := t.TempDir()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				r := rec(KindStage, fmt.Sprintf("job%d", g), "s", StatusOK, time.Now(), time.Second)
				r.Error = strings.Repeat("x", 3000) // longer than one small write
				if err := AppendRecord(home, r); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	recs := mustLedger(t, home)
	if len(recs) != 100 {
		t.Fatalf("%d records", len(recs))
	}
	if len(recs[0].Error) > maxErrorLen+len("…") {
		t.Errorf("error not truncated: %d bytes", len(recs[0].Error))
	}
}

func TestLastRuns(t *testing.T) {
	home := t.TempDir()
	t0 := time.Date(2026, 5, 22, 2, 0, 0, 0, time.UTC)
	for i, r := range []Record{
		rec(KindRun, "nightly", "", StatusOK, t0, time.Minute),
		rec(KindStage, "nightly", "a", StatusOK, t0.Add(time.Hour), time.Minute),
		rec(KindRun, "audit", "", StatusOK, t0.Add(2*time.Hour), time.Minute),
		rec(KindRun, "nightly", "", StatusFailed, t0.Add(24*time.Hour), time.Minute),
		rec(KindRun, "nightly", "", StatusSkipped, t0.Add(12*time.Hour), 0),
	} {
		r.RunID = fmt.Sprintf("r%d", i)
		if err := AppendRecord(home, r); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := LastRuns(home, "nightly", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].RunID != "r3" || runs[1].RunID != "r4" {
		t.Errorf("got %+v", runs)
	}
	all, _ := LastRuns(home, "", 0)
	if len(all) != 4 {
		t.Errorf("all runs: %d", len(all))
	}
}

// DuckDB reads the ledger with read_json_auto: the no-lock-in promise for
// the run history.
func TestLedgerReadableByDuckDB(t *testing.T) {
	home := t.TempDir()
	t0 := time.Date(2026, 5, 22, 2, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		start := t0.Add(time.Duration(i) * 24 * time.Hour)
		s := rec(KindStage, "nightly", "snapshot", StatusOK, start, 30*time.Second)
		s.Counts = map[string]int64{"rows_read": 100, "rows_written": 99, "rows_rejected": 1}
		run := rec(KindRun, "nightly", "", StatusOK, start, 40*time.Second)
		run.Counts = s.Counts
		sched := start
		run.Scheduled = &sched
		if i == 2 {
			s.Status, run.Status, s.Error, run.Error = StatusFailed, StatusFailed, "boom", "stage snapshot: boom"
		}
		for _, r := range []Record{s, run} {
			if err := AppendRecord(home, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range []string{"SET autoinstall_known_extensions=false", "SET autoload_known_extensions=false"} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	path := strings.ReplaceAll(LedgerPath(home), "'", "''")
	q := fmt.Sprintf(`SELECT count(*), sum(duration_seconds), sum(counts.rows_read), max("end"), typeof(max(start))
		FROM read_json_auto('%s') WHERE kind = 'run' AND status = 'ok'`, path)
	var (
		n       int64
		dur     float64
		rows    int64
		maxEnd  time.Time
		typName string
	)
	if err := conn.QueryRowContext(ctx, q).Scan(&n, &dur, &rows, &maxEnd, &typName); err != nil {
		t.Fatal(err)
	}
	if n != 2 || dur != 80 || rows != 200 {
		t.Errorf("n=%d dur=%v rows=%d", n, dur, rows)
	}
	if !strings.HasPrefix(typName, "TIMESTAMP") {
		t.Errorf("start is %s, not a timestamp", typName)
	}
	if want := t0.Add(24*time.Hour + 40*time.Second); !maxEnd.Equal(want) {
		t.Errorf("max(end) = %v, want %v", maxEnd, want)
	}

	// A torn last line is skipped with ignore_errors, as doc.go says.
	f, err := os.OpenFile(LedgerPath(home), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"format":1,"kind":"ru`)
	f.Close()
	q = fmt.Sprintf(`SELECT count(*) FROM read_json_auto('%s', format='newline_delimited', ignore_errors=true) WHERE kind = 'run'`, path)
	if err := conn.QueryRowContext(ctx, q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("runs with a torn line: %d", n)
	}
}

func TestLockContention(t *testing.T) {
	dir := t.TempDir()
	info := LockInfo{PID: os.Getpid(), Host: hostname(), Start: time.Now(), RunID: "r1", Job: "nightly"}
	l, err := AcquireLock(dir, "job-nightly", info, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.Stale != nil {
		t.Errorf("fresh lock reported stale: %+v", l.Stale)
	}
	_, err = AcquireLock(dir, "job-nightly", LockInfo{RunID: "r2"}, nil)
	var le *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &le) || le.Holder.RunID != "r1" {
		t.Fatalf("got %v", err)
	}
	st, err := InspectLock(dir, "job-nightly")
	if err != nil || st == nil || !st.Alive || st.Holder.RunID != "r1" {
		t.Errorf("InspectLock: %+v %v", st, err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Errorf("second release: %v", err)
	}
	if st, _ := InspectLock(dir, "job-nightly"); st != nil {
		t.Errorf("released lock still shows %+v", st)
	}
	l2, err := AcquireLock(dir, "job-nightly", info, nil)
	if err != nil || l2.Stale != nil {
		t.Fatalf("reacquire: %v %+v", err, l2)
	}
	l2.Release()
}

// A process killed while holding a lock loses it: the kernel drops the
// flock, and the next taker sees the dead holder's info as stale.
func TestLockOfKilledProcess(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$", dir, "job-nightly")
	cmd.Env = append(os.Environ(), "VIGIL_NOTIFY_TEST_HELPER=hold-lock")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper: %q %v", line, err)
	}
	_, err = AcquireLock(dir, "job-nightly", LockInfo{}, nil)
	var le *LockedError
	if !errors.As(err, &le) || le.Holder == nil || le.Holder.PID != cmd.Process.Pid {
		t.Fatalf("while held: %v", err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	st, err := InspectLock(dir, "job-nightly")
	if err != nil || st == nil || st.Alive {
		t.Errorf("dead holder reported alive: %+v %v", st, err)
	}
	l, err := AcquireLock(dir, "job-nightly", LockInfo{PID: os.Getpid()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if l.Stale == nil || l.Stale.PID != cmd.Process.Pid || l.Stale.RunID != "run-of-dead-process" {
		t.Errorf("stale: %+v", l.Stale)
	}
	if info, _ := ReadLock(dir, "job-nightly"); info == nil || info.PID != os.Getpid() {
		t.Errorf("lock file holds %+v", info)
	}
	if _, err := os.Stat(filepath.Join(dir, "job-nightly.lock")); err != nil {
		t.Error(err)
	}
}

package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock whose time moves only when the test says so.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
	changed chan struct{}
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, changed: make(chan struct{}, 1)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{at: c.now.Add(d), ch: ch})
	select {
	case c.changed <- struct{}{}:
	default:
	}
	return ch
}

// waitForWaiter blocks until someone sleeps on the clock.
func (c *fakeClock) waitForWaiter(t *testing.T) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		n := len(c.waiters)
		c.mu.Unlock()
		if n > 0 {
			return
		}
		select {
		case <-c.changed:
		case <-deadline:
			t.Fatal("nobody waits on the fake clock")
		}
	}
}

// advanceToNext jumps to the earliest wake-up and fires every waiter due.
func (c *fakeClock) advanceToNext() {
	c.mu.Lock()
	defer c.mu.Unlock()
	sort.Slice(c.waiters, func(i, j int) bool { return c.waiters[i].at.Before(c.waiters[j].at) })
	c.now = c.waiters[0].at
	rest := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			rest = append(rest, w)
			continue
		}
		w.ch <- c.now
	}
	c.waiters = rest
}

const weekJobs = `  nightly: {schedule: "0 2 * * *", stages: [snapshot], catch_up: true}
  audit: {schedule: "0 6 * * *", stages: [audit]}
  verify: {schedule: "@weekly", stages: [verify], catch_up: true}
  utc-report: {schedule: "CRON_TZ=UTC 30 12 * * 1", stages: [audit]}
  manual: {stages: [backup]}
`

type fireLog struct {
	mu    sync.Mutex
	fires []Fire
}

func (l *fireLog) add(f Fire) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fires = append(l.fires, f)
}

func (l *fireLog) lines(loc *time.Location) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, f := range l.fires {
		out = append(out, fmt.Sprintf("%s %s %s fired %s", f.Scheduled.In(loc).Format("Mon 01-02 15:04"), f.Job, f.Trigger, f.Fired.In(loc).Format("Mon 01-02 15:04")))
	}
	sort.Strings(out)
	return out
}

// A simulated week in Asia/Shanghai: every job fires at its slot, the
// missed nightly run is caught up once on start, and CRON_TZ is honoured.
func TestSchedulerWeek(t *testing.T) {
	cfg := testConfig(t, weekJobs)
	loc := cfg.Location
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 6, day, hour, minute, 0, 0, loc) }

	// The ledger: nightly last ran Monday 06-01 (so Tuesday's and
	// Wednesday's slots were missed), verify ran at its Sunday slot.
	for _, r := range []Record{
		rec(KindRun, "nightly", "", StatusOK, at(1, 2, 0).Add(5*time.Second), time.Minute),
		rec(KindRun, "verify", "", StatusOK, time.Date(2026, 5, 31, 0, 0, 1, 0, loc), time.Minute),
	} {
		if err := AppendRecord(cfg.Home, r); err != nil {
			t.Fatal(err)
		}
	}

	start := at(3, 10, 15) // Wednesday 10:15
	clock := newFakeClock(start)
	var log fireLog
	s := &Scheduler{Config: cfg, Clock: clock, RunJob: func(_ context.Context, f Fire) error {
		log.add(f)
		r := rec(KindRun, f.Job, "", StatusOK, f.Fired, time.Minute)
		r.Trigger = f.Trigger
		return AppendRecord(cfg.Home, r)
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	end := start.AddDate(0, 0, 7)
	steps := 0
	for clock.Now().Before(end) {
		clock.waitForWaiter(t)
		clock.advanceToNext()
		steps++
	}
	clock.waitForWaiter(t)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if steps < 7*24*60 {
		t.Errorf("only %d wake-ups: sleeps are not capped at a minute", steps)
	}

	want := []string{
		"Wed 06-03 02:00 nightly catch_up fired Wed 06-03 10:15",
		"Thu 06-04 02:00 nightly schedule fired Thu 06-04 02:00",
		"Thu 06-04 06:00 audit schedule fired Thu 06-04 06:00",
		"Fri 06-05 02:00 nightly schedule fired Fri 06-05 02:00",
		"Fri 06-05 06:00 audit schedule fired Fri 06-05 06:00",
		"Mon 06-08 02:00 nightly schedule fired Mon 06-08 02:00",
		"Mon 06-08 06:00 audit schedule fired Mon 06-08 06:00",
		"Mon 06-08 20:30 utc-report schedule fired Mon 06-08 20:30",
		"Sat 06-06 02:00 nightly schedule fired Sat 06-06 02:00",
		"Sat 06-06 06:00 audit schedule fired Sat 06-06 06:00",
		"Sun 06-07 00:00 verify schedule fired Sun 06-07 00:00",
		"Sun 06-07 02:00 nightly schedule fired Sun 06-07 02:00",
		"Sun 06-07 06:00 audit schedule fired Sun 06-07 06:00",
		"Tue 06-09 02:00 nightly schedule fired Tue 06-09 02:00",
		"Tue 06-09 06:00 audit schedule fired Tue 06-09 06:00",
		"Wed 06-10 02:00 nightly schedule fired Wed 06-10 02:00",
		"Wed 06-10 06:00 audit schedule fired Wed 06-10 06:00",
	}
	sort.Strings(want)
	got := log.lines(loc)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("fires:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Restarted an hour later: every slot has a run, nothing to catch up.
	if due, err := CatchUpDue(cfg, end.Add(time.Hour)); err != nil || len(due) != 0 {
		t.Errorf("catch-up after the week: %+v %v", due, err)
	}
	// Restarted after two missed nights: one catch-up for nightly, at its
	// last slot; verify ran on Sunday.
	due, err := CatchUpDue(cfg, at(12, 9, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].Job != "nightly" || !due[0].Scheduled.Equal(at(12, 2, 0)) || due[0].Trigger != TriggerCatchUp {
		t.Errorf("catch-up: %+v", due)
	}
}

func TestSchedulerSingleInstance(t *testing.T) {
	cfg := testConfig(t, weekJobs)
	clock := newFakeClock(time.Date(2026, 6, 3, 10, 0, 0, 0, cfg.Location))
	s := &Scheduler{Config: cfg, Clock: clock, RunJob: func(context.Context, Fire) error { return nil }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	clock.waitForWaiter(t)
	second := &Scheduler{Config: cfg, Clock: clock, RunJob: s.RunJob}
	if err := second.Run(context.Background()); !errors.Is(err, ErrLocked) {
		t.Errorf("second scheduler: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSchedulerNoSchedules(t *testing.T) {
	cfg := testConfig(t, "  manual: {stages: [a]}\n")
	if err := (&Scheduler{Config: cfg}).Run(context.Background()); !errors.Is(err, ErrConfig) {
		t.Errorf("got %v", err)
	}
}

func TestPrevTime(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 3, 10, 15, 30, 0, loc)
	tests := []struct {
		spec string
		want time.Time
	}{
		{"0 2 * * *", time.Date(2026, 6, 3, 2, 0, 0, 0, loc)},
		{"15 10 * * *", time.Date(2026, 6, 3, 10, 15, 0, 0, loc)},
		{"@weekly", time.Date(2026, 5, 31, 0, 0, 0, 0, loc)},
		{"@monthly", time.Date(2026, 6, 1, 0, 0, 0, 0, loc)},
		{"@yearly", time.Date(2026, 1, 1, 0, 0, 0, 0, loc)},
		{"CRON_TZ=UTC 0 0 * * *", time.Date(2026, 6, 3, 0, 0, 0, 0, time.UTC)},
		{"0 0 29 2 *", time.Date(2024, 2, 29, 0, 0, 0, 0, loc)},
		{"0 0 30 2 *", time.Time{}},
	}
	for _, tt := range tests {
		s, err := ParseSchedule(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := PrevTime(s, now); !got.Equal(tt.want) {
			t.Errorf("PrevTime(%q) = %v, want %v", tt.spec, got, tt.want)
		}
	}
	every, _ := ParseSchedule("@every 6h")
	if got := PrevTime(every, now); got.IsZero() || got.After(now) || now.Sub(got) > 6*time.Hour {
		t.Errorf("@every: %v", got)
	}
}

func TestStatus(t *testing.T) {
	cfg := testConfig(t, weekJobs)
	loc := cfg.Location
	now := time.Date(2026, 6, 3, 10, 15, 0, 0, loc)
	for i, r := range []Record{
		rec(KindRun, "nightly", "", StatusOK, time.Date(2026, 6, 1, 2, 0, 0, 0, loc), time.Minute),
		rec(KindRun, "nightly", "", StatusFailed, time.Date(2026, 6, 2, 2, 0, 0, 0, loc), time.Minute),
		rec(KindRun, "audit", "", StatusOK, time.Date(2026, 6, 3, 6, 0, 0, 0, loc), time.Minute),
	} {
		if i == 1 {
			r.Error = "stage snapshot: disk full"
		}
		if err := AppendRecord(cfg.Home, r); err != nil {
			t.Fatal(err)
		}
	}
	held, err := AcquireLock(cfg.Paths().Locks, JobLockName("audit"), LockInfo{PID: 12345678, Host: hostname(), RunID: "r-live"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	rep, err := Status(cfg, now)
	if err != nil {
		t.Fatal(err)
	}
	jobs := map[string]JobStatus{}
	for _, j := range rep.Jobs {
		jobs[j.Name] = j
	}
	n := jobs["nightly"]
	if len(n.Next) != StatusNext || !n.Next[0].Equal(time.Date(2026, 6, 4, 2, 0, 0, 0, loc)) || n.Next[0].Location().String() != "Asia/Shanghai" {
		t.Errorf("nightly next: %v", n.Next)
	}
	if len(n.LastRuns) != 2 || n.LastRuns[0].Status != StatusFailed || n.LastRuns[0].Error != "stage snapshot: disk full" {
		t.Errorf("nightly runs: %+v", n.LastRuns)
	}
	if n.LastSuccess == nil || !n.LastSuccess.Equal(time.Date(2026, 6, 1, 2, 1, 0, 0, loc)) {
		t.Errorf("last success: %v", n.LastSuccess)
	}
	if n.Missed == nil || !n.Missed.Equal(time.Date(2026, 6, 3, 2, 0, 0, 0, loc)) {
		t.Errorf("missed: %v", n.Missed)
	}
	a := jobs["audit"]
	if a.Missed != nil || a.Lock == nil || a.Lock.Holder.RunID != "r-live" {
		t.Errorf("audit: %+v", a)
	}
	if u := jobs["utc-report"]; len(u.Next) == 0 || !u.Next[0].Equal(time.Date(2026, 6, 8, 20, 30, 0, 0, loc)) {
		t.Errorf("utc-report next: %v", u.Next)
	}
	if m := jobs["manual"]; len(m.Next) != 0 || m.Missed != nil || m.LastRuns == nil {
		t.Errorf("manual: %+v", m)
	}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"next":["2026-06-04T02:00:00+08:00"`) {
		t.Errorf("JSON: %s", data)
	}
}

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// DefaultMaxWait bounds each sleep of the scheduler, so that it notices wall
// clock jumps (suspend, NTP steps) within a minute.
const DefaultMaxWait = time.Minute

// Scheduler fires the scheduled jobs of a config at their cron times, in the
// config's time zone (or each schedule's CRON_TZ), and catches up missed runs
// on start. It computes fire times itself with cron.Schedule.Next and sleeps
// on its Clock, so a test can drive it with a fake clock.
type Scheduler struct {
	Config *Config
	// RunJob runs one job; it is called in its own goroutine. Typically it
	// builds the job's stages and calls Runner.RunFire.
	RunJob func(ctx context.Context, f Fire) error
	Clock  Clock        // nil is the system clock
	Logger *slog.Logger // nil discards
	// MaxWait bounds each sleep; 0 means DefaultMaxWait.
	MaxWait time.Duration
	// NoLock skips taking the scheduler lock (tests running schedulers side
	// by side).
	NoLock bool
}

// Run schedules until ctx is done, then waits for the runs in flight (which
// see the cancelled context) and returns nil. It returns an error matching
// ErrLocked if another scheduler serves the same home, and one matching
// ErrConfig if no job has a schedule.
func (s *Scheduler) Run(ctx context.Context) error {
	cfg := s.Config
	clock := s.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	maxWait := s.MaxWait
	if maxWait <= 0 {
		maxWait = DefaultMaxWait
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.Local
	}
	var names []string
	for _, name := range cfg.JobNames() {
		if cfg.Jobs[name].Cron != nil {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("%w: no job has a schedule", ErrConfig)
	}
	if !s.NoLock {
		host, _ := os.Hostname()
		l, err := AcquireLock(cfg.Paths().Locks, SchedulerLockName,
			LockInfo{PID: os.Getpid(), Host: host, Start: clock.Now()}, log)
		if err != nil {
			return err
		}
		defer l.Release()
	}

	var wg sync.WaitGroup
	defer wg.Wait()
	launch := func(f Fire) {
		log.Info("starting job", "job", f.Job, "trigger", f.Trigger, "scheduled", f.Scheduled)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.RunJob(ctx, f); err != nil {
				log.Warn("job did not end ok", "job", f.Job, "error", err)
			}
		}()
	}

	now := clock.Now().In(loc)
	due, err := CatchUpDue(cfg, now)
	if err != nil {
		log.Warn("catch-up: reading the ledger", "error", err)
	}
	// Catch-up runs go one after the other, in job order, so that two jobs
	// writing the store do not skip each other at start-up.
	if len(due) > 0 {
		fired := now
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, f := range due {
				if ctx.Err() != nil {
					return
				}
				f.Fired = fired
				log.Info("starting job", "job", f.Job, "trigger", f.Trigger, "scheduled", f.Scheduled)
				if err := s.RunJob(ctx, f); err != nil {
					log.Warn("job did not end ok", "job", f.Job, "error", err)
				}
			}
		}()
	}
	next := map[string]time.Time{}
	for _, name := range names {
		next[name] = cfg.Jobs[name].Cron.Next(now)
		log.Info("job scheduled", "job", name, "next", next[name])
	}

	for {
		earliest := time.Time{}
		for _, name := range names {
			if t := next[name]; !t.IsZero() && (earliest.IsZero() || t.Before(earliest)) {
				earliest = t
			}
		}
		wait := maxWait
		if !earliest.IsZero() {
			if d := earliest.Sub(clock.Now()); d < wait {
				wait = d
			}
		}
		if wait > 0 {
			select {
			case <-ctx.Done():
				log.Info("scheduler stopping; waiting for runs in flight")
				return nil
			case <-clock.After(wait):
			}
		} else if ctx.Err() != nil {
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
		now = clock.Now().In(loc)
		for _, name := range names {
			if t := next[name]; !t.IsZero() && !t.After(now) {
				launch(Fire{Job: name, Trigger: TriggerSchedule, Scheduled: t, Fired: now})
				next[name] = cfg.Jobs[name].Cron.Next(now)
			}
		}
	}
}

// CatchUpDue returns one catch-up Fire for each job with catch_up whose last
// schedule slot at or before now has no run in the ledger starting at or
// after it. Whatever the number of missed slots, a job is caught up once.
func CatchUpDue(cfg *Config, now time.Time) ([]Fire, error) {
	recs, err := ReadLedger(cfg.Home)
	if err != nil && !errors.Is(err, ErrLedgerDamaged) {
		return nil, err
	}
	lastStart := map[string]time.Time{}
	for _, r := range recs {
		if r.Kind == KindRun && r.Start.After(lastStart[r.Job]) {
			lastStart[r.Job] = r.Start
		}
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.Local
	}
	now = now.In(loc)
	var out []Fire
	for _, name := range cfg.JobNames() {
		j := cfg.Jobs[name]
		if !j.CatchUp || j.Cron == nil {
			continue
		}
		prev := PrevTime(j.Cron, now)
		if prev.IsZero() {
			continue
		}
		if ls, ok := lastStart[name]; ok && !ls.Before(prev) {
			continue
		}
		out = append(out, Fire{Job: name, Trigger: TriggerCatchUp, Scheduled: prev})
	}
	return out, err
}

// PrevTime returns the last activation of s at or before t, or the zero time
// if there is none within about five years.
func PrevTime(s cron.Schedule, t time.Time) time.Time {
	windows := []time.Duration{time.Hour, 25 * time.Hour, 8 * 24 * time.Hour, 32 * 24 * time.Hour,
		367 * 24 * time.Hour, 5 * 367 * 24 * time.Hour}
	for _, w := range windows {
		cur := s.Next(t.Add(-w))
		if cur.IsZero() || cur.After(t) {
			continue
		}
		for i := 0; i < 100_000; i++ {
			n := s.Next(cur)
			if n.IsZero() || n.After(t) || !n.After(cur) {
				return cur
			}
			cur = n
		}
		return cur
	}
	return time.Time{}
}

// NextTimes returns the next n activations of s after t, in t's location.
func NextTimes(s cron.Schedule, t time.Time, n int) []time.Time {
	var out []time.Time
	for i := 0; i < n; i++ {
		t = s.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}

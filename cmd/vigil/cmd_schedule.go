package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/pipeline"
)

func scheduleCmd(g *globals) *cobra.Command {
	var once bool
	c := &cobra.Command{
		Use:   "schedule",
		Short: "Run the jobs on their cron schedules until stopped",
		Long: `Run every job that has a schedule at its cron times, in the configuration's
time zone (or the schedule's CRON_TZ=), until SIGTERM or SIGINT. Each run goes
through the same path as "vigil run": job and store locks, retries, timeouts,
the run ledger, the metrics file and the notification hooks.

Only one scheduler serves a home: a second one exits with code 5. At start-up,
each job with catch_up: true whose last slot has no run in the ledger runs
once, however many slots were missed. A slot missed while the machine slept
runs when it wakes. Every fire is logged with its job, trigger and slot.

On SIGTERM or SIGINT no new run starts; a run in flight sees its context
cancelled, its current stage stops (a stage that ignores the cancellation is
abandoned after the runner's grace period), the run is recorded as
interrupted, and vigil exits with code 130.

With --once, vigil runs the catch-up runs that are due now, one after the
other, and exits with the code of the worst run (0 if nothing was due). It
suits a systemd timer or a CronJob calling vigil periodically, and tests.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			// A scheduler is a daemon whose runs may overlap: no progress bar.
			g.bar = newProgress(g.stderr, false)
			if once {
				return scheduleOnce(cmd, g, cfg)
			}
			return scheduleLoop(cmd, g, cfg)
		},
	}
	c.Flags().BoolVar(&once, "once", false, "run the catch-up runs due now, one after the other, then exit")
	return c
}

// scheduleLoop runs the scheduler until the command's context ends.
func scheduleLoop(cmd *cobra.Command, g *globals, cfg *pipeline.Config) error {
	ctx := cmd.Context()
	var scheduled []string
	for _, name := range cfg.JobNames() {
		if j := cfg.Jobs[name]; j.Cron != nil {
			scheduled = append(scheduled, name+"="+j.Schedule)
		}
	}
	g.log.Info("scheduler starting", "config", cfg.File, "home", cfg.Home, "timezone", zoneOf(cfg).String(),
		"jobs", strings.Join(scheduled, " "), "pid", os.Getpid())
	s := &pipeline.Scheduler{
		Config: cfg,
		Logger: g.log,
		// runJob takes the run's context from cmd: it is ctx, the one the
		// scheduler hands to RunJob.
		RunJob: func(_ context.Context, f pipeline.Fire) error {
			_, err := fireJob(cmd, g, cfg, f)
			return err
		},
	}
	if err := s.Run(ctx); err != nil {
		return err
	}
	// Run returns nil only once ctx is done and the runs in flight ended.
	cause := context.Cause(ctx)
	g.log.Info("scheduler stopped", "reason", fmt.Sprint(cause))
	return fmt.Errorf("schedule: %w: %v", pipeline.ErrInterrupted, cause)
}

// scheduleOnce runs the due catch-up runs in job order under the scheduler
// lock and returns the worst outcome.
func scheduleOnce(cmd *cobra.Command, g *globals, cfg *pipeline.Config) error {
	ctx := cmd.Context()
	host, _ := os.Hostname()
	lock, err := pipeline.AcquireLock(cfg.Paths().Locks, pipeline.SchedulerLockName,
		pipeline.LockInfo{PID: os.Getpid(), Host: host, Start: time.Now()}, g.log)
	if err != nil {
		return err
	}
	defer func() {
		if err := lock.Release(); err != nil {
			g.log.Warn("releasing the scheduler lock", "error", err.Error())
		}
	}()
	now := time.Now().In(zoneOf(cfg))
	due, err := pipeline.CatchUpDue(cfg, now)
	switch {
	case errors.Is(err, pipeline.ErrLedgerDamaged):
		g.log.Warn("catch-up: the ledger has undecodable lines; using the readable ones", "error", err.Error())
	case err != nil:
		return fmt.Errorf("catch-up: reading the ledger: %w", err)
	}
	if len(due) == 0 {
		g.log.Info("nothing to catch up", "now", now)
	}
	runs := []*pipeline.RunResult{}
	var worst error
	for _, f := range due {
		if ctx.Err() != nil {
			g.log.Warn("not starting the remaining catch-up runs", "job", f.Job, "reason", fmt.Sprint(context.Cause(ctx)))
			worst = worse(worst, fmt.Errorf("schedule: %w: %v", pipeline.ErrInterrupted, context.Cause(ctx)))
			break
		}
		f.Fired = time.Now()
		g.log.Info("starting job", "job", f.Job, "trigger", string(f.Trigger), "scheduled", f.Scheduled)
		rr, err := fireJob(cmd, g, cfg, f)
		if rr != nil {
			runs = append(runs, rr)
			if !g.jsonOut {
				printRun(g, rr)
			}
		}
		worst = worse(worst, err)
	}
	if g.jsonOut {
		if err := g.printJSON(map[string]any{"runs": runs}); err != nil {
			return errors.Join(worst, err)
		}
	}
	return worst
}

// fireJob runs one fire of the scheduler through runJob, as "vigil run" does,
// and logs its outcome (pipeline.Scheduler logs its start).
func fireJob(cmd *cobra.Command, g *globals, cfg *pipeline.Config, f pipeline.Fire) (*pipeline.RunResult, error) {
	job := cfg.Jobs[f.Job]
	if job == nil {
		return nil, fmt.Errorf("%w: unknown job %q", pipeline.ErrConfig, f.Job)
	}
	attrs := []any{"job", f.Job, "trigger", string(f.Trigger)}
	if !f.Scheduled.IsZero() {
		attrs = append(attrs, "scheduled", f.Scheduled.In(zoneOf(cfg)).Format(time.RFC3339))
	}
	start := time.Now()
	rr, err := runJob(cmd, g, cfg, job, f)
	attrs = append(attrs, "status", string(pipeline.StatusOf(err)), "exit_code", exitCode(cmd.Context(), err),
		"duration", time.Since(start).Round(time.Millisecond).String())
	if rr != nil {
		attrs = append(attrs, "run_id", rr.Run.RunID)
	}
	if err != nil {
		g.log.Warn("fire ended", attrs...)
	} else {
		g.log.Info("fire ended", attrs...)
	}
	return rr, err
}

// worse returns the more severe of two run outcomes, keeping a on ties:
// nil < skipped (locked) < failed, timeout or any other error < interrupted.
func worse(a, b error) error {
	rank := func(err error) int {
		switch {
		case err == nil:
			return 0
		case errors.Is(err, pipeline.ErrInterrupted):
			return 3
		case errors.Is(err, pipeline.ErrLocked):
			return 1
		}
		return 2
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// zoneOf returns the config's time zone (Local if unset).
func zoneOf(cfg *pipeline.Config) *time.Location {
	if cfg.Location == nil {
		return time.Local
	}
	return cfg.Location
}

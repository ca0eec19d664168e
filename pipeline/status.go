package pipeline

import (
	"errors"
	"time"
)

// StatusReport is what `vigil status` shows; it marshals to JSON.
type StatusReport struct {
	Generated time.Time   `json:"generated"`
	Timezone  string      `json:"timezone"`
	Home      string      `json:"home"`
	Jobs      []JobStatus `json:"jobs"`
	Scheduler *LockState  `json:"scheduler,omitempty"` // the running `vigil schedule`, if any
	// Warnings are non-fatal problems, e.g. undecodable ledger lines.
	Warnings []string `json:"warnings,omitempty"`
}

// JobStatus is the state of one job.
type JobStatus struct {
	Name     string      `json:"name"`
	Schedule string      `json:"schedule,omitempty"`
	Stages   []string    `json:"stages"`
	CatchUp  bool        `json:"catch_up"`
	Next     []time.Time `json:"next,omitempty"` // next activations, in the config's zone
	// Missed is the last schedule slot with no run at or after it, if any.
	Missed      *time.Time `json:"missed,omitempty"`
	LastRuns    []RunInfo  `json:"last_runs"`
	LastSuccess *time.Time `json:"last_success,omitempty"`
	Lock        *LockState `json:"lock,omitempty"` // a run in progress, or a stale lock
}

// RunInfo summarizes one run record.
type RunInfo struct {
	RunID    string    `json:"run_id"`
	Status   RunStatus `json:"status"`
	Trigger  Trigger   `json:"trigger,omitempty"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Duration float64   `json:"duration_seconds"`
	Error    string    `json:"error,omitempty"`
}

// StatusRuns is how many last runs Status lists per job; StatusNext how many
// next activations.
const (
	StatusRuns = 5
	StatusNext = 3
)

// Status reports, for each job: its schedule, its next activations after now
// (in the config's zone), its last runs with their outcome, and whether a
// run holds its lock. It reads the ledger and lock files and takes no lock.
func Status(cfg *Config, now time.Time) (*StatusReport, error) {
	loc := cfg.Location
	if loc == nil {
		loc = time.Local
	}
	now = now.In(loc)
	rep := &StatusReport{Generated: now, Timezone: loc.String(), Home: cfg.Home, Jobs: []JobStatus{}}
	recs, err := ReadLedger(cfg.Home)
	if err != nil {
		if !errors.Is(err, ErrLedgerDamaged) {
			return nil, err
		}
		rep.Warnings = append(rep.Warnings, err.Error())
	}
	paths := cfg.Paths()
	if st, err := InspectLock(paths.Locks, SchedulerLockName); err != nil {
		rep.Warnings = append(rep.Warnings, err.Error())
	} else {
		rep.Scheduler = st
	}
	for _, name := range cfg.JobNames() {
		j := cfg.Jobs[name]
		js := JobStatus{Name: name, Schedule: j.Schedule, Stages: j.Stages, CatchUp: j.CatchUp, LastRuns: []RunInfo{}}
		runs := lastRuns(recs, name, 0)
		for i, r := range runs {
			if i < StatusRuns {
				js.LastRuns = append(js.LastRuns, RunInfo{RunID: r.RunID, Status: r.Status, Trigger: r.Trigger,
					Start: r.Start.In(loc), End: r.End.In(loc), Duration: r.Duration, Error: r.Error})
			}
			if r.Status == StatusOK && js.LastSuccess == nil {
				t := r.End.In(loc)
				js.LastSuccess = &t
			}
		}
		if j.Cron != nil {
			js.Next = NextTimes(j.Cron, now, StatusNext)
			if prev := PrevTime(j.Cron, now); !prev.IsZero() {
				if len(runs) == 0 || runs[0].Start.Before(prev) {
					p := prev.In(loc)
					js.Missed = &p
				}
			}
		}
		if st, err := InspectLock(paths.Locks, JobLockName(name)); err != nil {
			rep.Warnings = append(rep.Warnings, err.Error())
		} else {
			js.Lock = st
		}
		rep.Jobs = append(rep.Jobs, js)
	}
	return rep, nil
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/stages/backup"
	"github.com/vigil-dg/vigil/stages/snapshot"
	"github.com/vigil-dg/vigil/stages/verify"
)

// coveragePath is the verify coverage record: when each snapshot, locally
// and on each target, was last read in full.
func coveragePath(home string) string { return filepath.Join(home, "verify", "coverage.json") }

// coverageFile is the file at coveragePath: the per-snapshot reads and the
// candidates each location had at its last sampled run (status recomputes
// the local ones, and uses these for targets it does not contact).
type coverageFile struct {
	verify.Coverage
	Candidates map[string][]verify.Candidate `json:"candidates,omitempty"`
}

func loadCoverageFile(home string) (*coverageFile, error) {
	p := coveragePath(home)
	f := &coverageFile{}
	c, err := verify.LoadCoverage(p) // checks the format
	if err != nil {
		return nil, err
	}
	f.Coverage = *c
	if b, err := os.ReadFile(p); err == nil {
		if err := json.Unmarshal(b, f); err != nil {
			return nil, fmt.Errorf("verify: coverage record %s: %w", p, err)
		}
	}
	if f.Locations == nil {
		f.Locations = map[string]map[string]verify.Read{}
	}
	if f.Candidates == nil {
		f.Candidates = map[string][]verify.Candidate{}
	}
	return f, nil
}

// loadCoverageOrFresh is loadCoverageFile, starting afresh when the record
// cannot be read: that only makes verify read more (every snapshot counts
// as never verified), never less.
func loadCoverageOrFresh(home string, log *slog.Logger) *coverageFile {
	cov, err := loadCoverageFile(home)
	if err != nil {
		log.Warn("verify coverage record unreadable; starting afresh (every snapshot counts as never verified)", "error", err.Error())
		return &coverageFile{Coverage: verify.Coverage{Format: verify.CoverageFormat, Locations: map[string]map[string]verify.Read{}},
			Candidates: map[string][]verify.Candidate{}}
	}
	return cov
}

// localCandidates lists the live (committed, not forgotten) snapshots of
// the local store by its ledger.
func localCandidates(store string, auth snapshot.Authenticator, tables []string) ([]verify.Candidate, error) {
	lt, err := snapshot.LedgerTables(store)
	if err != nil {
		return nil, err
	}
	var out []verify.Candidate
	for _, t := range lt {
		if len(tables) > 0 && !slices.Contains(tables, t) {
			continue
		}
		l, err := snapshot.ReadLedger(store, t, auth)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", snapshot.ErrLatestUnproven, t, err)
		}
		for _, e := range l.Live() {
			out = append(out, verify.Candidate{Location: verify.LocationLocal, Ref: e.Ref(), Created: e.Committed})
		}
	}
	return out, nil
}

// targetCandidates lists the live snapshots on a target by its ledger.
func targetCandidates(ctx context.Context, t backup.Target, auth snapshot.Authenticator, tables []string) ([]verify.Candidate, error) {
	tt, err := backup.Tables(ctx, t)
	if err != nil {
		return nil, err
	}
	var out []verify.Candidate
	for _, tb := range tt {
		if len(tables) > 0 && !slices.Contains(tables, tb) {
			continue
		}
		l, err := backup.ReadLedger(ctx, t, tb, auth)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %s: %w", snapshot.ErrLatestUnproven, t.Name(), tb, err)
		}
		for _, e := range l.Live() {
			out = append(out, verify.Candidate{Location: t.Name(), Ref: e.Ref(), Created: e.Committed})
		}
	}
	return out, nil
}

// runSample is verify --sample: it reads a share of all snapshots, locally
// and on every backup target (or only s.sampleTarget), least recently
// verified first plus every overdue one (verify.Plan), and records each
// read in the coverage record as it goes, so an interrupted run keeps what
// it read.
func (s verifyStage) runSample(ctx context.Context, env *pipeline.Env, kr *keys.Keyring, opts verify.Options, share float64) ([]*verify.Result, verify.CoverageSummary, error) {
	vc := env.Config.VerifyFor(env.Job)
	window := vc.WindowSpan()
	home := env.Paths.Home
	cov := loadCoverageOrFresh(home, env.Logger)
	var cands []verify.Candidate
	var locErrs []error
	targets := map[string]backup.Target{}
	if s.sampleTarget == "" {
		local, err := localCandidates(env.Paths.Store, kr, vc.Tables)
		if err != nil {
			return nil, verify.CoverageSummary{}, err
		}
		cands = append(cands, local...)
		cov.Candidates[verify.LocationLocal] = local
	}
	for _, name := range targetNames(env.Config) {
		if s.sampleTarget != "" && name != s.sampleTarget {
			continue
		}
		t, err := openTarget(env.Config, name)
		if err == nil {
			var tc []verify.Candidate
			if tc, err = targetCandidates(ctx, t, kr, vc.Tables); err == nil {
				targets[name] = t
				cands = append(cands, tc...)
				cov.Candidates[name] = tc
				continue
			}
		}
		// An unreachable target fails the run, after the other locations
		// are read; its snapshots keep their coverage (and age).
		env.Logger.Error("backup target not readable; its snapshots are not sampled", "target", name, "error", err.Error())
		locErrs = append(locErrs, fmt.Errorf("target %s: %w", name, err))
		cands = append(cands, cov.Candidates[name]...)
	}
	plan := verify.Plan(cands, &cov.Coverage, share, window, env.Now())
	if days := window.Hours() / 24; share*days < 1 {
		env.Logger.Warn("sample too small for the window at one run a day: overdue snapshots are read in addition",
			"sample", fmt.Sprintf("%g%%", share*100), "window", vc.Window)
	}
	env.Logger.Info("sampled verification", "snapshots", len(cands), "reading", len(plan), "sample", fmt.Sprintf("%g%%", share*100), "window", vc.Window)
	var results []*verify.Result
	tmps := map[string]string{}
	defer func() {
		for _, d := range tmps {
			os.RemoveAll(d)
		}
	}()
	var checkErr error
	if opts.Planned != nil {
		refs := make([]string, 0, len(plan))
		for _, k := range plan {
			if k.Location == verify.LocationLocal {
				refs = append(refs, k.Ref) // a target's copy has no local size to show
			}
		}
		opts.Planned(refs)
	}
	for _, k := range plan {
		if _, ok := targets[k.Location]; !ok && k.Location != verify.LocationLocal {
			continue // target unreachable this run
		}
		store := env.Paths.Store
		if k.Location != verify.LocationLocal {
			tmp, ok := tmps[k.Location]
			if !ok {
				d, cleanup, err := privateTemp(env.Config)
				if err != nil {
					return results, verify.CoverageSummary{}, err
				}
				_ = cleanup
				tmp, tmps[k.Location] = d, d
			}
			if _, err := backup.Fetch(ctx, targets[k.Location], tmp, k.Ref, kr); err != nil {
				env.Logger.Error("fetching a snapshot from a target failed", "target", k.Location, "snapshot", k.Ref, "error", err.Error())
				locErrs = append(locErrs, fmt.Errorf("target %s: %s: %w", k.Location, k.Ref, err))
				continue
			}
			store = tmp
		}
		r, err := verify.Check(ctx, store, k.Ref, kr, kr, opts)
		if opts.Checked != nil && k.Location == verify.LocationLocal {
			opts.Checked(k.Ref)
		}
		if r != nil {
			if k.Location != verify.LocationLocal {
				r.Location = k.Location
			}
			results = append(results, r)
			cov.Record(k.Location, r, env.Now())
			if werr := writeJSONAtomic(coveragePath(home), cov); werr != nil {
				return results, verify.CoverageSummary{}, werr
			}
		}
		if k.Location != verify.LocationLocal {
			// Bound the disk used: one fetched snapshot at a time.
			os.RemoveAll(filepath.Join(store, "snapshots", filepath.FromSlash(k.Ref)))
		}
		if err != nil {
			if r == nil || r.NotVerified == "" {
				// Gone between listing and reading (forgotten meanwhile):
				// reported, the others still read.
				locErrs = append(locErrs, fmt.Errorf("%s %s: %w", k.Location, k.Ref, err))
				continue
			}
			checkErr = err
			break
		}
	}
	cov.Prune(cands)
	if err := writeJSONAtomic(coveragePath(home), cov); err != nil {
		return results, verify.CoverageSummary{}, err
	}
	sum := verify.Summarize(cands, &cov.Coverage, window, env.Now())
	if checkErr != nil {
		return results, sum, checkErr
	}
	return results, sum, errors.Join(locErrs...)
}

// recordCoverage notes the results of a verify run that was not sampled
// (the newest of each table, --all, named snapshots, --target) in the
// coverage record, and returns the coverage summary of the locations it
// knows (the local store listed now, targets as of their last sampled run).
func recordCoverage(env *pipeline.Env, kr *keys.Keyring, location string, results []*verify.Result) (verify.CoverageSummary, error) {
	home := env.Paths.Home
	cov := loadCoverageOrFresh(home, env.Logger)
	for _, r := range results {
		loc := location
		if r.Location != "" {
			loc = r.Location
		}
		cov.Record(loc, r, env.Now())
	}
	vc := env.Config.VerifyFor(env.Job)
	if local, err := localCandidates(env.Paths.Store, kr, vc.Tables); err == nil {
		cov.Candidates[verify.LocationLocal] = local
	}
	if err := writeJSONAtomic(coveragePath(home), cov); err != nil {
		return verify.CoverageSummary{}, err
	}
	return coverageSummary(cov, vc, targetNames(env.Config), env.Now()), nil
}

// coverageSummary summarizes the coverage record over the locations that
// are configured now.
func coverageSummary(cov *coverageFile, vc pipeline.VerifyConfig, targets []string, now time.Time) verify.CoverageSummary {
	var cands []verify.Candidate
	for _, loc := range append([]string{verify.LocationLocal}, targets...) {
		cands = append(cands, cov.Candidates[loc]...)
	}
	return verify.Summarize(cands, &cov.Coverage, vc.WindowSpan(), now)
}

// publishCoverage adds the coverage gauges to a stage result.
func publishCoverage(res *pipeline.Result, s verify.CoverageSummary) {
	res.Add(pipeline.CountGaugePrefix+"verify_window_coverage_percent", int64(s.Percent))
	res.Add(pipeline.CountGaugePrefix+"verify_overdue_snapshots", int64(s.Overdue))
	res.Add(pipeline.CountGaugePrefix+"verify_window_snapshots", int64(s.Snapshots))
	if s.Oldest != nil {
		if s.OldestVerified.IsZero() {
			res.Add(pipeline.CountGaugePrefix+"verify_oldest_verified_timestamp_seconds", 0)
		} else {
			res.Add(pipeline.CountGaugePrefix+"verify_oldest_verified_timestamp_seconds", s.OldestVerified.Unix())
		}
	}
}

// statusCoverage is the verify coverage status shows: the local store's
// snapshots as its ledger lists them now (read without the keyset), the
// targets' as of their last sampled run, each against the reads recorded.
func statusCoverage(cfg *pipeline.Config, now time.Time) (*verify.CoverageSummary, error) {
	home := cfg.Paths().Home
	cov, err := loadCoverageFile(home)
	if errors.Is(err, fs.ErrPermission) {
		return nil, nil // a role that may not read the verify records (status still shows the rest)
	}
	if err != nil {
		return nil, err
	}
	if local, err := localCandidates(cfg.Paths().Store, nil, cfg.Verify.Tables); err == nil {
		cov.Candidates[verify.LocationLocal] = local
	}
	s := coverageSummary(cov, cfg.Verify, targetNames(cfg), now)
	return &s, nil
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/internal/atomicfile"
	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/stages/snapshot"
	"github.com/vigil-dg/vigil/stages/verify"
)

// verifyRecordPath is where the last verification results are kept, for
// status and the audit's backup posture.
// snapshotBytes is the size of a snapshot's data files by its manifest (0
// when it cannot be read: verify reports that).
func snapshotBytes(store, ref string) int64 {
	table, id, _ := strings.Cut(ref, "/")
	m, err := snapshot.ReadManifest(filepath.Join(snapshot.TableDir(store, table), id))
	if err != nil {
		return 0
	}
	return manifestBytes(m)
}

// manifestBytes is the size of a snapshot's data files.
func manifestBytes(m *snapshot.Manifest) int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

func verifyRecordPath(home string) string { return filepath.Join(home, "verify", "last.json") }

// verifyRecord is the file at verifyRecordPath.
type verifyRecord struct {
	Format  int              `json:"format"`
	RunID   string           `json:"run_id"`
	Time    time.Time        `json:"time"`
	Results []*verify.Result `json:"results"`
}

// verifyStage restores and checks snapshots: every file decrypted, hashes,
// row counts, schema, content digest, and DuckDB reading them with their keys.
type verifyStage struct {
	g    *globals
	refs []string // explicit snapshots; empty = the latest of each table, limited by the verify config
	all  bool     // every snapshot of every table
	// store overrides the local store (verify --target: a copy fetched from a target)
	store string
	// location names where the snapshots were read, for the coverage
	// record: the target of verify --target, else the local store.
	location string
	// sample (verify --sample) reads that share of all snapshots, least
	// recently verified first; 0 = the verify config's sample, if any.
	sample float64
	// sampleTarget limits a sampled run to one target (--sample --target).
	sampleTarget string
}

func (verifyStage) Name() string { return "verify" }

func (s verifyStage) Run(ctx context.Context, env *pipeline.Env) (pipeline.Result, error) {
	var res pipeline.Result
	kr, err := openKeys(ctx, env.Config)
	if err != nil {
		return res, err
	}
	store := env.Paths.Store
	if s.store != "" {
		store = s.store
	}
	opts := verify.Options{AllSnapshots: s.all, RestoreDrill: true, TempDir: filepath.Join(env.Paths.Home, "tmp"), Logger: env.Logger, Now: env.Now}
	if err := os.MkdirAll(opts.TempDir, 0o700); err != nil {
		return res, err
	}
	// Progress over the bytes of the snapshots checked.
	sizes := map[string]int64{}
	var done int64
	bar := s.g.bar
	opts.Planned = func(refs []string) {
		var total int64
		for _, ref := range refs {
			sizes[ref] = snapshotBytes(store, ref)
			total += sizes[ref]
		}
		bar.Start("verify", total, unitBytes)
	}
	opts.Checked = func(ref string) {
		done += sizes[ref]
		bar.Set(done)
	}
	defer bar.Finish()
	var results []*verify.Result
	var checkErr error // a check that could not finish (interrupted, disk full)
	var sampleErr error
	var cov verify.CoverageSummary
	share := s.sample
	if share == 0 && len(s.refs) == 0 && !s.all && s.store == "" {
		share = env.Config.VerifyFor(env.Job).SampleShare()
	}
	if share > 0 {
		results, cov, sampleErr = s.runSample(ctx, env, kr, opts, share)
		if sampleErr != nil && errors.Is(sampleErr, verify.ErrNotVerified) {
			checkErr, sampleErr = sampleErr, nil
		}
	} else if len(s.refs) > 0 {
		opts.Planned(s.refs)
		for _, ref := range s.refs {
			r, err := verify.Check(ctx, store, ref, kr, kr, opts)
			opts.Checked(ref)
			if r != nil {
				results = append(results, r)
			}
			if err != nil {
				if r == nil || r.NotVerified == "" {
					return res, err
				}
				checkErr = err
				break
			}
		}
	} else {
		all, err := verify.CheckAll(ctx, store, kr, kr, opts)
		if err != nil && len(all) == 0 {
			return res, err
		}
		checkErr = err
		results = selectShare(all, env.Config.VerifyFor(env.Job), env.Started)
	}
	failed, notVerified := 0, 0
	for _, r := range results {
		if r.NotVerified != "" {
			// Neither ok nor failed: no verify_ok sample, and the record
			// says why, so that status and the audit do not count a healthy
			// snapshot as broken.
			notVerified++
			res.Add("snapshots_not_verified", 1)
			res.SetDetail("verify."+r.Snapshot, "not_verified")
			env.Logger.Warn("snapshot not verified", "snapshot", r.Snapshot, "reason", r.NotVerified)
			continue
		}
		ok := int64(0)
		if r.OK {
			ok = 1
		} else {
			failed++
			for _, p := range r.Problems {
				env.Logger.Error("verification problem", "snapshot", r.Snapshot, "kind", string(p.Kind), "file", p.File, "detail", p.Detail)
			}
		}
		res.Add(pipeline.CountVerifyOKPrefix+r.Table, ok)
		res.Add("snapshots_checked", 1)
		res.Add("rows_verified", r.RowsChecked)
		res.SetDetail("verify."+r.Snapshot, fmt.Sprint(r.OK))
	}
	if tables := len(env.Config.Tables()); tables > 0 {
		drilled := map[string]bool{}
		for _, r := range results {
			if r.NotVerified == "" {
				drilled[r.Table] = true
			}
		}
		res.Add(pipeline.CountGaugePrefix+"verify_coverage_percent", int64(100*len(drilled)/tables))
	}
	if share == 0 {
		loc := s.location
		if loc == "" {
			loc = verify.LocationLocal
		}
		var err error
		if cov, err = recordCoverage(env, kr, loc, results); err != nil {
			return res, err
		}
	}
	publishCoverage(&res, cov)
	if s.g != nil && s.g.coverageOut != nil {
		*s.g.coverageOut = &cov
	}
	if ctx.Err() != nil {
		// Interrupted: the last complete record stays; nothing is recorded
		// as failed.
		return res, fmt.Errorf("verify: %w", context.Cause(ctx))
	}
	rec := verifyRecord{Format: 1, RunID: env.RunID, Time: env.Now(), Results: results}
	if err := writeJSONAtomic(verifyRecordPath(env.Paths.Home), rec); err != nil {
		return res, err
	}
	if s.g != nil && s.g.verifyOut != nil {
		*s.g.verifyOut = results
	}
	if failed > 0 {
		return res, fmt.Errorf("%w: %d of %d snapshots have problems", errVerifyFailed, failed, len(results))
	}
	if notVerified > 0 {
		return res, fmt.Errorf("%d of %d snapshots not verified (not a problem of the snapshots): %w", notVerified, len(results), checkErr)
	}
	if sampleErr != nil {
		return res, fmt.Errorf("verify --sample: %w", sampleErr)
	}
	if len(results) == 0 && share == 0 {
		env.Logger.Warn("no snapshots to verify")
	}
	return res, nil
}

// selectShare keeps the tables the verify config asks for and, for a share
// below 1, a rotating subset of them: a different part every day, so that all
// tables are drilled over ceil(1/share) days.
func selectShare(all []*verify.Result, vc pipeline.VerifyConfig, now time.Time) []*verify.Result {
	var keep []*verify.Result
	for _, r := range all {
		if len(vc.Tables) == 0 || slices.Contains(vc.Tables, r.Table) {
			keep = append(keep, r)
		}
	}
	if vc.Share <= 0 || vc.Share >= 1 || len(keep) == 0 {
		return keep
	}
	n := int(math.Ceil(vc.Share * float64(len(keep))))
	day := int(now.Unix() / 86400)
	start := (day * n) % len(keep)
	var out []*verify.Result
	for i := 0; i < n; i++ {
		out = append(out, keep[(start+i)%len(keep)])
	}
	return out
}

func writeJSONAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'), 0o600)
}

func verifyCmd(g *globals) *cobra.Command {
	var all bool
	var target, sample string
	c := &cobra.Command{
		Use:   "verify [SNAPSHOT...] [--all | --sample 5%]",
		Short: "Prove that snapshots restore: decrypt, hash, count, digest, and read them with DuckDB",
		Long: `Verify decrypts every file of a snapshot, checks its SHA-256 and size, the row
count, schema, NULL counts and order-independent content digest against the
authenticated manifest, restores it to a private temporary directory, and
checks that DuckDB reads the encrypted files with their data keys and
computes the same digest. It reports every problem (not only the first),
records the run in the ledger, and exits 3 if any snapshot has a problem.

With no argument it checks the newest snapshot of each table; --all checks
every snapshot; SNAPSHOT is TABLE/ID, ID or TABLE/latest.

--sample 5% (or verify.sample in the config) reads 5% of all snapshots,
locally and on every backup target, choosing the least recently verified
first, and also every snapshot not verified within verify.window (default
30d), so every copy is read within the window. Each full read is recorded
(home/verify/coverage.json); status and the metrics show the coverage.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if all && len(args) > 0 {
				return usageError{fmt.Errorf("name snapshots or use --all, not both")}
			}
			var share float64
			if sample != "" {
				if all || len(args) > 0 {
					return usageError{fmt.Errorf("--sample chooses the snapshots itself: do not name snapshots or use --all with it")}
				}
				var err error
				if share, err = pipeline.ParseSample(sample); err != nil {
					return usageError{err}
				}
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			job := "verify"
			if cfg.Jobs[job] == nil {
				cfg.Jobs[job] = &pipeline.Job{Name: job, Stages: []string{"verify"}}
			}
			var results []*verify.Result
			g.verifyOut = &results
			var cov *verify.CoverageSummary
			g.coverageOut = &cov
			st := verifyStage{g: g, refs: args, all: all, sample: share}
			if share > 0 && target != "" {
				if cfg.Backup.Targets[target] == nil {
					return usageError{fmt.Errorf("unknown backup target %q; configured: %s", target, strings.Join(targetNames(cfg), ", "))}
				}
				st.sampleTarget = target
			} else if target != "" {
				cleanup, err := fetchForVerify(cmd.Context(), g, cfg, target, &st)
				if err != nil {
					return err
				}
				defer cleanup()
			}
			r := &pipeline.Runner{Config: cfg, Logger: g.log}
			_, runErr := r.RunFire(cmd.Context(), pipeline.Fire{Job: job, Trigger: pipeline.TriggerManual},
				[]pipeline.Stage{st})
			if g.jsonOut {
				if results == nil {
					results = []*verify.Result{}
				}
				out := map[string]any{"results": results}
				if share > 0 {
					out["coverage"] = cov
				}
				err := g.printJSON(out)
				if err != nil {
					return err
				}
			} else {
				printVerify(g, results)
				if cov != nil {
					printCoverage(g, cfg, *cov)
				}
			}
			return runErr
		},
	}
	c.Flags().BoolVar(&all, "all", false, "verify every snapshot, not only the newest of each table")
	c.Flags().StringVar(&target, "target", "", "verify the copies on this backup target (fetched to a private temporary store)")
	c.Flags().StringVar(&sample, "sample", "", "read this share of all snapshots (e.g. 5%), least recently verified first, plus any not verified within verify.window")
	return c
}

func printVerify(g *globals, results []*verify.Result) {
	bad := 0
	for _, r := range results {
		where := r.Snapshot
		if r.Location != "" {
			where = r.Location + ":" + where
		}
		if r.OK {
			fmt.Fprintf(g.stdout, "ok    %s  %d rows, %d files, checks: %s\n", where, r.RowsChecked, r.FilesChecked, strings.Join(r.Checks, ","))
			continue
		}
		bad++
		fmt.Fprintf(g.stdout, "FAIL  %s  %d problems\n", where, len(r.Problems))
		for _, p := range r.Problems {
			fmt.Fprintf(g.stdout, "      %s\n", p)
		}
	}
	fmt.Fprintf(g.stdout, "%d snapshots verified, %d with problems\n", len(results), bad)
}

// printCoverage prints the verify coverage line of verify and status.
func printCoverage(g *globals, cfg *pipeline.Config, c verify.CoverageSummary) {
	fmt.Fprintf(g.stdout, "coverage: %d of %d snapshots verified within %s (%.1f%%), %d overdue",
		c.Verified, c.Snapshots, spanString(c.Window), c.Percent, c.Overdue)
	if c.Oldest != nil {
		when := "never"
		if !c.OldestVerified.IsZero() {
			when = c.OldestVerified.In(cfg.Location).Format("2006-01-02 15:04")
		}
		where := c.Oldest.Ref
		if c.Oldest.Location != verify.LocationLocal {
			where = c.Oldest.Location + ":" + where
		}
		fmt.Fprintf(g.stdout, "; least recently verified: %s (%s)", where, when)
	}
	fmt.Fprintln(g.stdout)
}

// spanString prints a duration in days when it is whole days.
func spanString(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/stages/backup"
	"github.com/vigil-dg/vigil/stages/snapshot"
)

// openTarget builds the backup target named name from the configuration.
// Credentials come from the environment variables the config names.
func openTarget(cfg *pipeline.Config, name string) (backup.Target, error) {
	t, ok := cfg.Backup.Targets[name]
	if !ok {
		var names []string
		for n := range cfg.Backup.Targets {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, usageError{fmt.Errorf("no backup target %q in %s (targets: %s)", name, cfg.File, strings.Join(names, ", "))}
	}
	switch t.Type {
	case "dir":
		return backup.NewDirTarget(name, t.Path)
	case "s3":
		ak, sk := os.Getenv(t.AccessKeyEnv), os.Getenv(t.SecretKeyEnv)
		if ak == "" || sk == "" {
			return nil, fmt.Errorf("%w: backup target %s: set the environment variables %s and %s", backup.ErrConfig, name, t.AccessKeyEnv, t.SecretKeyEnv)
		}
		return backup.NewS3Target(name, backup.S3Options{Endpoint: t.Endpoint, Bucket: t.Bucket, Prefix: t.Prefix,
			Region: t.Region, AccessKey: ak, SecretKey: sk, PathStyle: t.PathStyle, CAFile: t.CAFile})
	}
	return nil, fmt.Errorf("%w: backup target %s: type %q", backup.ErrConfig, name, t.Type)
}

func targetNames(cfg *pipeline.Config) []string {
	var names []string
	for n := range cfg.Backup.Targets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// backupStage copies every committed snapshot to every configured target
// (or the named ones), verifies each copy by SHA-256, then applies the
// retention policy on each target.
type backupStage struct {
	g       *globals
	targets []string
}

func (backupStage) Name() string { return "backup" }

func (s backupStage) Run(ctx context.Context, env *pipeline.Env) (pipeline.Result, error) {
	var res pipeline.Result
	kr, err := openKeys(ctx, env.Config)
	if err != nil {
		return res, err
	}
	names := s.targets
	if len(names) == 0 {
		names = targetNames(env.Config)
	}
	if len(names) == 0 {
		return res, fmt.Errorf("%w: no backup targets configured (backup.targets)", pipeline.ErrConfig)
	}
	var errs []error
	for _, name := range names {
		t, err := openTarget(env.Config, name)
		if err != nil {
			return res, err
		}
		rep, err := s.copyTables(ctx, env, t, kr)
		if rep != nil {
			res.Add("snapshots_copied."+name, int64(len(rep.Copied)))
			res.Add("snapshots_present."+name, int64(len(rep.Present)))
			res.Add("bytes_uploaded."+name, rep.Bytes)
			res.Add("files_resumed."+name, int64(rep.Resumed))
			for _, r := range rep.Copied {
				res.SetDetail("backup."+name+"."+r, "copied, sha256 verified")
			}
		}
		if err != nil {
			env.Logger.Error("backup failed", "target", name, "error", err.Error())
			errs = append(errs, fmt.Errorf("target %s: %w", name, err))
			continue
		}
		env.Logger.Info("backup done", "target", name, "copied", len(rep.Copied), "present", len(rep.Present), "bytes", rep.Bytes)
		if p := configPolicy(env.Config); !p.Empty() {
			removed, err := forgetOnTarget(ctx, env.Config, t, kr, p, nil, false)
			if err != nil {
				errs = append(errs, fmt.Errorf("target %s: retention: %w", name, err))
				continue
			}
			res.Add("snapshots_forgotten."+name, int64(len(removed)))
		}
	}
	return res, errors.Join(errs...)
}

// copyTables copies to t table by table, so that a terminal shows the
// backup's progress against a known total: the bytes of the store's live
// snapshots (a table's snapshots count once it is done, copied or present).
func (s backupStage) copyTables(ctx context.Context, env *pipeline.Env, t backup.Target, kr *keys.Keyring) (*backup.Report, error) {
	tables, err := snapshot.LedgerTables(env.Paths.Store)
	if err != nil {
		return nil, err
	}
	sizes := make([]int64, len(tables))
	var total int64
	for i, table := range tables {
		if l, err := snapshot.ReadLedger(env.Paths.Store, table, kr); err == nil {
			for _, e := range l.Live() {
				sizes[i] += snapshotBytes(env.Paths.Store, e.Ref())
			}
		}
		total += sizes[i]
	}
	bar := s.g.bar
	bar.Start("backup "+t.Name(), total, unitBytes)
	defer bar.Finish()
	all := &backup.Report{Target: t.Name(), Copied: []string{}, Present: []string{}}
	var done int64
	for i, table := range tables {
		rep, err := backup.Copy(ctx, env.Paths.Store, t, kr, env.Logger, []string{table})
		if rep != nil {
			all.Copied = append(all.Copied, rep.Copied...)
			all.Present = append(all.Present, rep.Present...)
			all.Bytes += rep.Bytes
			all.Resumed += rep.Resumed
		}
		if err != nil {
			return all, err
		}
		done += sizes[i]
		bar.Set(done)
	}
	if len(tables) == 0 {
		// Nothing ledgered: Copy still carries the erasure ledger over.
		if _, err := backup.Copy(ctx, env.Paths.Store, t, kr, env.Logger, nil); err != nil {
			return all, err
		}
	}
	return all, nil
}

// forgetOnTarget applies policy p to a target and returns the decisions'
// removed refs (none with dryRun).
func forgetOnTarget(ctx context.Context, cfg *pipeline.Config, t backup.Target, kr *keys.Keyring, p snapshot.Policy, tables []string, dryRun bool) ([]string, error) {
	ds, err := planOnTarget(ctx, cfg, t, kr, p, tables)
	if err != nil {
		return nil, err
	}
	if dryRun {
		return nil, nil
	}
	return backup.ApplyForget(ctx, t, ds, kr)
}

func planOnTarget(ctx context.Context, cfg *pipeline.Config, t backup.Target, kr *keys.Keyring, p snapshot.Policy, tables []string) ([]snapshot.Decision, error) {
	tmp, cleanup, err := privateTemp(cfg)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	cands, err := backup.Candidates(ctx, t, tables, kr, tmp)
	if err != nil {
		return nil, err
	}
	if len(cands) == 0 {
		return nil, nil
	}
	return snapshot.PlanForget(cands, p, snapshot.ForgetOptions{Location: cfg.Location})
}

// privateTemp makes a mode-0700 directory under <home>/tmp.
func privateTemp(cfg *pipeline.Config) (string, func(), error) {
	base := filepath.Join(cfg.Paths().Home, "tmp")
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp(base, "target-")
	if err != nil {
		return "", nil, err
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

func backupCmd(g *globals) *cobra.Command {
	var targets []string
	c := &cobra.Command{
		Use:   "backup [--target NAME...]",
		Short: "Copy every committed snapshot to the backup targets and verify each copy by SHA-256",
		Long: `Copy every committed snapshot that a target does not hold yet to each
configured backup target (or the --target ones): data files first, each read
back and compared with the SHA-256 in the manifest, then the manifest, then
the snapshot's signed ledger records. A snapshot counts on a target only
once its ledger record is there, so an interrupted copy never counts; the
next backup resumes it. Afterwards the retention policy is applied on each
target. The run is recorded in the run ledger like any job ("backup").`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			job := "backup"
			if cfg.Jobs[job] == nil {
				cfg.Jobs[job] = &pipeline.Job{Name: job, Stages: []string{"backup"}}
			}
			r := &pipeline.Runner{Config: cfg, Logger: g.log}
			rr, err := r.RunFire(cmd.Context(), pipeline.Fire{Job: job, Trigger: pipeline.TriggerManual},
				[]pipeline.Stage{backupStage{g: g, targets: targets}})
			if rr != nil {
				if g.jsonOut {
					if jerr := g.printJSON(rr); jerr != nil {
						return jerr
					}
				} else {
					printRun(g, rr)
					for _, s := range rr.Stages {
						var keys []string
						for k := range s.Counts {
							keys = append(keys, k)
						}
						sort.Strings(keys)
						for _, k := range keys {
							fmt.Fprintf(g.stdout, "  %s=%d\n", k, s.Counts[k])
						}
					}
				}
			}
			return err
		},
	}
	c.Flags().StringSliceVar(&targets, "target", nil, "only these targets (default: all)")
	return c
}

func snapshotsListCmd(g *globals) *cobra.Command {
	var target string
	c := &cobra.Command{
		Use:   "list [TABLE] [--target NAME]",
		Short: "List every snapshot with its sequence, run and status; damaged, missing and unledgered ones are flagged (exit 3)",
		Long: `List every snapshot of the store (or of a backup target with --target) in
ledger order. STATUS is ok, damaged (manifest unreadable, or not the one the
snapshot ledger recorded), missing (committed, directory gone), unledgered
(unknown to the ledger) or forgotten (removed by retention, not yet
deleted); "(latest)" marks what TABLE/latest resolves to. One damaged
snapshot never hides the others; any problem makes the command exit 3.
Manifests are read, not authenticated: vigil verify does that.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			store := cfg.Paths().Store
			var sizes map[string]int64
			if target != "" {
				t, err := openTarget(cfg, target)
				if err != nil {
					return err
				}
				tmp, cleanup, err := privateTemp(cfg)
				if err != nil {
					return err
				}
				defer cleanup()
				if sizes, err = backup.FetchMeta(cmd.Context(), t, tmp); err != nil {
					return err
				}
				store = tmp
			}
			items, invErr := snapshot.Inventory(store)
			if sizes != nil {
				markRemoteFiles(store, items, sizes)
			}
			if len(args) == 1 {
				items = slices.DeleteFunc(items, func(it snapshot.Item) bool { return it.Table != args[0] })
			}
			return printSnapshotItems(g, items, invErr)
		},
	}
	c.Flags().StringVar(&target, "target", "", "list the snapshots on this backup target")
	return c
}

// markRemoteFiles flags target snapshots whose files are missing or have
// the wrong size (the manifests were fetched, the data files not).
func markRemoteFiles(tmp string, items []snapshot.Item, sizes map[string]int64) {
	for i, it := range items {
		if it.Status != snapshot.StatusOK {
			continue
		}
		m, err := snapshot.ReadManifest(filepath.Join(snapshot.TableDir(tmp, it.Table), it.ID))
		if err != nil {
			continue
		}
		for _, f := range m.Files {
			n, ok := sizes["snapshots/"+it.Table+"/"+it.ID+"/"+f.Name]
			if !ok || n != f.Size {
				items[i].Status, items[i].Problem = snapshot.StatusDamaged, "file "+f.Name+" missing or of the wrong size on the target"
				break
			}
		}
	}
}

// fetchForVerify copies the snapshots to verify from a target into a
// private temporary store and points st at it: the named ones, every
// snapshot with --all, else the latest of each table by the target's ledger.
func fetchForVerify(ctx context.Context, g *globals, cfg *pipeline.Config, name string, st *verifyStage) (func(), error) {
	t, err := openTarget(cfg, name)
	if err != nil {
		return nil, err
	}
	kr, err := openKeys(ctx, cfg)
	if err != nil {
		return nil, err
	}
	tmp, cleanup, err := privateTemp(cfg)
	if err != nil {
		return nil, err
	}
	refs := st.refs
	if len(refs) == 0 {
		tables, err := backup.Tables(ctx, t)
		if err != nil {
			cleanup()
			return nil, err
		}
		for _, tb := range tables {
			if !st.all {
				refs = append(refs, tb+"/latest")
				continue
			}
			l, err := backup.ReadLedger(ctx, t, tb, kr)
			if err != nil {
				cleanup()
				return nil, err
			}
			for _, e := range l.Live() {
				refs = append(refs, e.Ref())
			}
		}
	}
	var fetched []string
	for _, ref := range refs {
		if !strings.Contains(ref, "/") {
			ref += "/latest"
		}
		r, err := backup.Fetch(ctx, t, tmp, ref, kr)
		if err != nil {
			cleanup()
			return nil, err
		}
		fetched = append(fetched, r)
	}
	if len(fetched) == 0 {
		cleanup()
		return nil, fmt.Errorf("%w: target %s holds no snapshots", snapshot.ErrNotFound, name)
	}
	st.store, st.refs, st.all, st.location = tmp, fetched, false, name
	g.log.Info("verifying copies from backup target", "target", name, "snapshots", len(fetched))
	return cleanup, nil
}

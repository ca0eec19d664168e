package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/stages/snapshot"
)

// configPolicy is the retention policy of the configuration:
// snapshot.keep_last plus the retention section.
func configPolicy(cfg *pipeline.Config) snapshot.Policy {
	return snapshot.Policy{
		Last:    cfg.Snapshot.KeepLast,
		Daily:   cfg.Retain.KeepDaily,
		Weekly:  cfg.Retain.KeepWeekly,
		Monthly: cfg.Retain.KeepMonthly,
		Yearly:  cfg.Retain.KeepYearly,
		Within:  cfg.Retain.Within(),
	}
}

// applyRetention applies the configured policy to the local store after a
// run that wrote snapshots.
func applyRetention(ctx context.Context, env *pipeline.Env, kr *keys.Keyring, res *pipeline.Result) error {
	p := configPolicy(env.Config)
	if p.Empty() {
		return nil
	}
	cands, err := snapshot.Candidates(env.Paths.Store, nil, kr)
	if err != nil {
		return err
	}
	ds, err := snapshot.PlanForget(cands, p, snapshot.ForgetOptions{Location: env.Config.Location})
	if err != nil {
		return err
	}
	removed, err := snapshot.ApplyForget(env.Paths.Store, ds, kr)
	res.Add("snapshots_forgotten", int64(len(removed)))
	if len(removed) > 0 {
		env.Logger.Info("retention removed old snapshots", "count", len(removed), "policy", p.String())
	}
	return err
}

func forgetCmd(g *globals) *cobra.Command {
	var p snapshot.Policy
	var within string
	var dryRun bool
	c := &cobra.Command{
		Use:   "forget [TABLE...] --keep-last N --keep-daily N ... [--dry-run]",
		Short: "Remove old snapshot sets by a GFS retention policy (keep last/daily/weekly/monthly/yearly/within)",
		Long: `Apply a retention policy to snapshot sets (the snapshots one run wrote) of the
named tables (default: every table), and print what is kept and removed and
why. Rules work as in restic: --keep-last N keeps the newest N sets;
--keep-daily N the newest set of each of the last N days that have one
(--keep-weekly by ISO week, --keep-monthly, --keep-yearly likewise, days in
the configured time zone); --keep-within 30d every set within 30 days of the
newest (units h, d, w, m, y). A set kept by any rule is kept. Whatever the
policy, the newest intact snapshot of every table and every damaged snapshot
are kept. With no --keep-* flag the configured policy (snapshot.keep_last and
retention) is used. Each removal is first recorded in the signed snapshot
ledger, so an interrupted forget is completed by the next one.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := pipeline.ParseSpan(within)
			if err != nil {
				return usageError{fmt.Errorf("--keep-within: %w", err)}
			}
			p.Within = d
			cfg, kr, err := g.configAndKeys(cmd.Context())
			if err != nil {
				return err
			}
			if p.Empty() {
				p = configPolicy(cfg)
			}
			store := cfg.Paths().Store
			if err := knownTables(cfg, store, args); err != nil {
				return err
			}
			cands, err := snapshot.Candidates(store, args, kr)
			if err != nil {
				return err
			}
			ds, err := snapshot.PlanForget(cands, p, snapshot.ForgetOptions{Location: cfg.Location})
			if err != nil {
				return usageError{err}
			}
			var removed []string
			if !dryRun {
				if removed, err = snapshot.ApplyForget(store, ds, kr); err != nil {
					return err
				}
			}
			return printForget(g, cfg, ds, dryRun, removed)
		},
	}
	f := c.Flags()
	f.IntVar(&p.Last, "keep-last", 0, "keep the newest N snapshot sets")
	f.IntVar(&p.Daily, "keep-daily", 0, "keep the newest set of each of the last N days")
	f.IntVar(&p.Weekly, "keep-weekly", 0, "keep the newest set of each of the last N ISO weeks")
	f.IntVar(&p.Monthly, "keep-monthly", 0, "keep the newest set of each of the last N months")
	f.IntVar(&p.Yearly, "keep-yearly", 0, "keep the newest set of each of the last N years")
	f.StringVar(&within, "keep-within", "", "keep every set within this span of the newest (e.g. 30d, 2w, 1y6m)")
	f.BoolVar(&dryRun, "dry-run", false, "only print what would be kept and removed")
	return c
}

// knownTables fails for a table that is neither configured nor in the store:
// a typo must not silently forget nothing.
func knownTables(cfg *pipeline.Config, store string, tables []string) error {
	have, err := snapshot.LedgerTables(store)
	if err != nil {
		return err
	}
	var cfgTables []string
	for _, t := range cfg.Tables() {
		cfgTables = append(cfgTables, t.Name)
	}
	for _, t := range tables {
		if !slices.Contains(have, t) && !slices.Contains(cfgTables, t) {
			return usageError{fmt.Errorf("unknown table %q (tables with snapshots: %s)", t, strings.Join(have, ", "))}
		}
		if !slices.Contains(have, t) {
			return fmt.Errorf("%w: table %q has no snapshots", snapshot.ErrNotFound, t)
		}
	}
	return nil
}

func printForget(g *globals, cfg *pipeline.Config, ds []snapshot.Decision, dryRun bool, removed []string) error {
	if g.jsonOut {
		return g.printJSON(map[string]any{"dry_run": dryRun, "decisions": ds, "removed": nonNil(removed)})
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tSNAPSHOT\tSEQ\tSET\tCREATED\tWHY")
	kept, gone := 0, 0
	for _, d := range ds {
		action := "keep"
		if !d.Keep {
			action = "remove"
			if dryRun {
				action = "would remove"
			}
			gone++
		} else {
			kept++
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", action, d.Ref(), d.Seq, d.Set, d.Created.In(cfg.Location).Format("2006-01-02 15:04:05"), strings.Join(d.Reasons, "; "))
	}
	verb := "removed"
	if dryRun {
		verb = "would remove"
	}
	fmt.Fprintf(tw, "\nkept %d, %s %d\n", kept, verb, gone)
	return tw.Flush()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func reindexCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "reindex [TABLE...]",
		Short: "Add authenticated snapshots the snapshot ledger does not know (after a crash, or a store from before the ledger)",
		Long: `Record in the snapshot ledger every snapshot whose manifest authenticates with
the keyset but that the ledger does not know and that is newer than the
ledger's newest record. Use it for a store written before the ledger existed
or after a crash between a commit and its ledger record (the next run does
that too). It never adopts a snapshot that does not authenticate, and never
reorders what the ledger already records.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, kr, err := g.configAndKeys(cmd.Context())
			if err != nil {
				return err
			}
			store := cfg.Paths().Store
			tables := args
			if len(tables) == 0 {
				items, _ := snapshot.Inventory(store)
				for _, it := range items {
					if !slices.Contains(tables, it.Table) {
						tables = append(tables, it.Table)
					}
				}
			}
			for _, t := range tables {
				adopted, err := snapshot.Reindex(store, t, kr)
				if err != nil {
					return fmt.Errorf("%s: %w", t, err)
				}
				for _, r := range adopted {
					fmt.Fprintln(g.stdout, "recorded", r)
				}
			}
			return nil
		},
	}
}

// printSnapshotItems prints every snapshot with its status; damaged, missing
// and unledgered ones are flagged, and the command fails (exit 3).
func printSnapshotItems(g *globals, items []snapshot.Item, invErr error) error {
	bad := 0
	for _, it := range items {
		if it.Status != snapshot.StatusOK && it.Status != snapshot.StatusForgotten {
			bad++
		}
	}
	if g.jsonOut {
		if items == nil {
			items = []snapshot.Item{}
		}
		if err := g.printJSON(map[string]any{"snapshots": items}); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SNAPSHOT\tSEQ\tRUN\tCREATED\tROWS\tREJECTED\tFILES\tKEY\tSTATUS")
		for _, it := range items {
			st := it.Status
			if it.Latest {
				st += " (latest)"
			}
			if it.Problem != "" {
				st += ": " + it.Problem
			}
			created := ""
			if !it.Created.IsZero() {
				created = it.Created.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", it.Ref(), it.Seq, it.RunID, created, it.Rows, it.RowsRejected, it.Files, it.KeyID, st)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if invErr != nil || bad > 0 {
		msg := fmt.Sprintf("%d snapshots damaged, missing or unknown to the ledger", bad)
		if invErr != nil {
			msg += "; " + invErr.Error()
		}
		return fmt.Errorf("%w: %s (run vigil verify)", errVerifyFailed, msg)
	}
	return nil
}

// ledgerStatus returns the latest snapshot of each table as the snapshot
// ledger proves it (unprovable ones become warnings), and the newest
// snapshot set with whether every configured table is in it.
func ledgerStatus(cfg *pipeline.Config, snaps []*snapshot.Manifest) ([]*snapshot.Manifest, *snapshot.SnapshotSet, []string) {
	store := cfg.Paths().Store
	var warns []string
	tables, _ := snapshot.LedgerTables(store)
	for _, m := range snaps {
		if !slices.Contains(tables, m.Table) {
			tables = append(tables, m.Table)
		}
	}
	slices.Sort(tables)
	var latest []*snapshot.Manifest
	for _, t := range tables {
		m, err := snapshot.LatestOf(store, t, nil)
		if err != nil {
			warns = append(warns, err.Error())
			continue
		}
		latest = append(latest, m)
	}
	var cfgTables []string
	for _, t := range cfg.Tables() {
		cfgTables = append(cfgTables, t.Name)
	}
	sets, err := snapshot.Sets(store, cfgTables)
	if err != nil {
		warns = append(warns, err.Error())
	}
	if len(sets) == 0 {
		return latest, nil, warns
	}
	return latest, &sets[0], warns
}

package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/stages/backup"
	"github.com/vigil-dg/vigil/stages/snapshot"
)

func statusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show each job's schedule, next runs and last runs, and the latest snapshots",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfigAsReader()
			if err != nil {
				return err
			}
			rep, err := pipeline.Status(cfg, time.Now())
			if err != nil {
				return err
			}
			snaps, err := snapshot.List(cfg.Paths().Store)
			if err != nil {
				// Unreadable manifests are listed as warnings: status must
				// still show what it can (verify names the problem).
				rep.Warnings = append(rep.Warnings, err.Error())
			}
			latest, setInfo, warns := ledgerStatus(cfg, snaps)
			rep.Warnings = append(rep.Warnings, warns...)
			extractions := lastExtractions(cfg, latest)
			for _, e := range extractions {
				if e.Status == "failed" {
					rep.Warnings = append(rep.Warnings, fmt.Sprintf("table %s: the last extraction (%s) failed, %d of %d rows rejected (%.2f%%); see `vigil rejects %s/%s`",
						e.Table, e.Created.In(cfg.Location).Format("2006-01-02 15:04:05"), e.RowsRejected, e.RowsRead, e.RejectedPercent, e.Table, e.ID))
				}
			}
			cov, err := statusCoverage(cfg, time.Now())
			if err != nil {
				rep.Warnings = append(rep.Warnings, err.Error())
			}
			if g.jsonOut {
				return g.printJSON(map[string]any{"status": rep, "snapshots": latest, "snapshot_set": setInfo, "extractions": extractions, "verify_coverage": cov})
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "home %s, zone %s\n\n", rep.Home, rep.Timezone)
			fmt.Fprintln(tw, "JOB\tSCHEDULE\tNEXT\tLAST RUN\tSTATUS\tLAST SUCCESS")
			for _, j := range rep.Jobs {
				next, last, st, succ := "-", "-", "-", "-"
				if len(j.Next) > 0 {
					next = j.Next[0].Format("2006-01-02 15:04 MST")
				}
				if len(j.LastRuns) > 0 {
					r := j.LastRuns[0]
					last, st = r.Start.In(cfg.Location).Format("2006-01-02 15:04:05"), string(r.Status)
				}
				if j.LastSuccess != nil {
					succ = j.LastSuccess.In(cfg.Location).Format("2006-01-02 15:04:05")
				}
				sched := j.Schedule
				if sched == "" {
					sched = "(manual)"
				}
				if j.Lock != nil {
					st += " (running)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", j.Name, sched, next, last, st, succ)
			}
			fmt.Fprintln(tw, "\nTABLE\tLATEST SNAPSHOT\tROWS\tREJECTED\tCREATED")
			for _, m := range latest {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", m.Table, m.ID, m.Rows, rejectedCell(m.RowsRejected, m.RowsRead), m.Created.In(cfg.Location).Format("2006-01-02 15:04:05"))
			}
			if setInfo != nil {
				state := "complete"
				if !setInfo.Complete {
					state = "INCOMPLETE (no snapshot of " + strings.Join(setInfo.Missing, ", ") + ")"
				}
				fmt.Fprintf(tw, "\nnewest snapshot set: %s, %s\n", setInfo.RunID, state)
			}
			if cov != nil && cov.Snapshots > 0 {
				if err := tw.Flush(); err != nil {
					return err
				}
				fmt.Fprintln(g.stdout)
				printCoverage(g, cfg, *cov)
			}
			for _, w := range rep.Warnings {
				fmt.Fprintf(tw, "warning: %s\n", w)
			}
			return tw.Flush()
		},
	}
}

func latestPerTable(ms []*snapshot.Manifest) []*snapshot.Manifest {
	idx := map[string]int{}
	var out []*snapshot.Manifest
	for _, m := range ms { // sorted by table, then creation
		if i, ok := idx[m.Table]; ok {
			out[i] = m
			continue
		}
		idx[m.Table] = len(out)
		out = append(out, m)
	}
	return out
}

func snapshotsCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "snapshots", Short: "List, prune and re-wrap encrypted snapshots"}
	c.AddCommand(snapshotsListCmd(g))
	var keep int
	prune := &cobra.Command{
		Use:   "prune TABLE",
		Short: "Delete all but the newest --keep snapshots of a table (see forget for GFS rules)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if keep < 1 {
				return usageError{errors.New("--keep must be at least 1")}
			}
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			kr, err := openKeys(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if err := knownTables(cfg, cfg.Paths().Store, args); err != nil {
				return err
			}
			removed, err := snapshot.Prune(cfg.Paths().Store, args[0], keep, kr)
			if err != nil {
				return err
			}
			if g.jsonOut {
				if removed == nil {
					removed = []string{}
				}
				return g.printJSON(map[string]any{"table": args[0], "keep": keep, "removed": removed})
			}
			for _, r := range removed {
				fmt.Fprintln(g.stdout, "removed", r)
			}
			return nil
		},
	}
	prune.Flags().IntVar(&keep, "keep", 14, "snapshots to keep")
	var all bool
	rewrap := &cobra.Command{
		Use:   "rewrap [SNAPSHOT...]",
		Short: "Re-wrap every data key under the current primary wrapping key (after keys rotate wrap)",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, kr, err := g.configAndKeys(cmd.Context())
			if err != nil {
				return err
			}
			refs := args
			if all {
				items, err := snapshot.Inventory(cfg.Paths().Store)
				if err != nil {
					return err
				}
				for _, it := range items {
					if it.Status == snapshot.StatusOK {
						refs = append(refs, it.Ref())
					}
				}
			}
			if len(refs) == 0 {
				return usageError{errors.New("name snapshots or use --all")}
			}
			done := []string{}
			for _, ref := range refs {
				m, err := snapshot.Rewrap(cmd.Context(), cfg.Paths().Store, ref, kr, kr)
				if err != nil {
					return fmt.Errorf("%s: %w", ref, err)
				}
				// Rewrap is idempotent: an interrupted --all is run again.
				done = append(done, m.Ref())
				if !g.jsonOut {
					fmt.Fprintf(g.stdout, "rewrapped %s (key %s)\n", m.Ref(), m.Files[0].KeyID)
				}
			}
			if g.jsonOut {
				return g.printJSON(map[string]any{"rewrapped": done})
			}
			return nil
		},
	}
	rewrap.Flags().BoolVar(&all, "all", false, "every snapshot")
	c.AddCommand(prune, rewrap, duckdbSQLCmd(g), reindexCmd(g))
	return c
}

func duckdbSQLCmd(g *globals) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "duckdb-sql SNAPSHOT --out FILE.sql",
		Short: "Write a DuckDB script (mode 0600) that reads a snapshot with its data keys",
		Long: `Write a SQL script for the DuckDB CLI that registers the data keys of a
snapshot and creates a view over its encrypted Parquet files:

    vigil snapshots duckdb-sql customers/latest --out customers.sql
    duckdb -init customers.sql -c 'SELECT count(*) FROM customers'

This is the no-lock-in promise: the snapshot is standard Parquet Modular
Encryption, readable without Vigil given its keys. The script holds KEY
MATERIAL: it is written with mode 0600, never to stdout; delete it after use.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError{errors.New("--out is required (the script holds key material, so it is never printed)")}
			}
			cfg, kr, err := g.configAndKeys(cmd.Context())
			if err != nil {
				return err
			}
			s, err := snapshot.Open(cmd.Context(), cfg.Paths().Store, args[0], kr, kr)
			if err != nil {
				return err
			}
			m := s.Manifest()
			if m.Chain != nil && m.Chain.Kind != snapshot.ChainFull {
				return fmt.Errorf("%s is a %s chain link: its files hold only changes; use vigil restore for the whole table, or the chain's full snapshot %s/%s", m.Ref(), m.Chain.Kind, m.Table, m.Chain.Base)
			}
			var b strings.Builder
			fmt.Fprintf(&b, "-- Reads snapshot %s (%d rows). Holds data keys: keep private, delete after use.\n", m.Ref(), m.Rows)
			var selects []string
			for i, f := range m.DataFiles() {
				key, err := s.DataKey(f.Name)
				if err != nil {
					return err
				}
				name := fmt.Sprintf("vigil_k%d", i)
				fmt.Fprintf(&b, "PRAGMA add_parquet_key('%s', '%s');\n", name, base64.StdEncoding.EncodeToString(key))
				selects = append(selects, fmt.Sprintf("SELECT * FROM read_parquet('%s', encryption_config={footer_key: '%s'})",
					strings.ReplaceAll(s.Path(f.Name), "'", "''"), name))
			}
			view := strings.ReplaceAll(m.Table, `"`, `""`)
			fmt.Fprintf(&b, "CREATE OR REPLACE VIEW \"%s\" AS\n%s;\n", view, strings.Join(selects, "\nUNION ALL "))
			fmt.Fprintf(&b, "-- The manifest's content digest (%s) is recomputed by:\n-- %s\n", m.Digest,
				strings.ReplaceAll(snapshotDigestSQL(m), "\n", " "))
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return err
			}
			if _, err := f.WriteString(b.String()); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			if g.jsonOut {
				return g.printJSON(map[string]any{"snapshot": m.Ref(), "script": out, "mode": "0600"})
			}
			fmt.Fprintf(g.stdout, "wrote %s (mode 0600, holds key material): duckdb -init %s\n", out, out)
			return nil
		},
	}
	c.Flags().StringVar(&out, "out", "", "script to write (must not exist)")
	return c
}

// snapshotDigestSQL is the DuckDB query computing a snapshot's content digest.
func snapshotDigestSQL(m *snapshot.Manifest) string {
	schema, err := m.ArrowSchema()
	if err != nil {
		return "(schema unavailable)"
	}
	return snapshot.DigestSQL(schema, `"`+strings.ReplaceAll(m.Table, `"`, `""`)+`"`)
}

func restoreCmd(g *globals) *cobra.Command {
	var to, format, run, target string
	var pg pgRestoreFlags
	c := &cobra.Command{
		Use:   "restore (SNAPSHOT | --run RUN|latest) --to DIR|postgres://… [--format csv|parquet] [--target NAME]",
		Short: "Decrypt a snapshot, or a whole snapshot set, into PLAINTEXT files (only where you ask for it)",
		Long: `Decrypt and authenticate a snapshot and write its rows as plaintext CSV or plain
Parquet into --to (files mode 0600, written atomically). SNAPSHOT is
TABLE/ID, ID, or TABLE/latest: latest is the newest snapshot the signed
snapshot ledger records; if it is missing or damaged, restore fails (exit 3)
and never falls back to an older one.

--run RUN restores every table of one snapshot set (the snapshots one run
wrote: one consistent night); --run latest picks the newest COMPLETE set
(every configured table present) and says which newer sets were incomplete.

--target NAME restores from a backup target alone (the disaster case: the
local store is gone); the target's own ledger decides what latest is. The
output holds raw personal data: keep it where it may be kept.

With --to postgres://HOST/DB (no password in it: use PGPASSWORD or
~/.pgpass) or --to-env VAR (a variable holding the whole DSN), the snapshot,
or every snapshot of --run RUN, is restored into PostgreSQL in one
transaction: tables are created with their original types (or must be
empty), in --schema (default public).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if pg.wanted(to) {
				if target != "" {
					return usageError{errors.New("--target restores into files; restore into PostgreSQL from the local store")}
				}
				pg.run = run
				return restoreToPostgres(cmd, g, to, pg, args)
			}
			if to == "" {
				return usageError{errors.New("--to is required")}
			}
			if (run == "") == (len(args) == 0) {
				return usageError{errors.New("name one SNAPSHOT or use --run RUN|latest")}
			}
			f := snapshot.Format(strings.ToLower(format))
			if f != snapshot.FormatCSV && f != snapshot.FormatParquet {
				return usageError{fmt.Errorf("--format %q: want csv or parquet", format)}
			}
			cfg, kr, err := g.configAndKeys(cmd.Context())
			if err != nil {
				return err
			}
			store := cfg.Paths().Store
			var tables []string
			for _, t := range cfg.Tables() {
				tables = append(tables, t.Name)
			}
			var refs []string
			var t backup.Target
			if target != "" {
				if t, err = openTarget(cfg, target); err != nil {
					return err
				}
				tmp, cleanup, err := privateTemp(cfg)
				if err != nil {
					return err
				}
				defer cleanup()
				store = tmp
			}
			if run != "" {
				sets, err := setsOf(cmd.Context(), t, store, tables, kr)
				if err != nil {
					return err
				}
				set, skipped, err := snapshot.FindSet(sets, run)
				for _, s := range skipped {
					fmt.Fprintf(g.stderr, "warning: snapshot set %s is incomplete (no snapshot of %s); using an older complete set\n", s.RunID, strings.Join(s.Missing, ", "))
				}
				if err != nil {
					return err
				}
				for _, tb := range tables {
					refs = append(refs, tb+"/"+set.Snapshots[tb])
				}
				fmt.Fprintf(g.stdout, "snapshot set %s (%d tables)\n", set.RunID, len(refs))
			} else {
				refs = args
			}
			var out []*snapshot.Restored
			for _, ref := range refs {
				if t != nil {
					if !strings.Contains(ref, "/") {
						ref += "/latest"
					}
					if ref, err = backup.Fetch(cmd.Context(), t, store, ref, kr); err != nil {
						return err
					}
				}
				s, err := snapshot.Open(cmd.Context(), store, ref, kr, kr)
				if err != nil {
					return err
				}
				r, err := snapshot.Restore(cmd.Context(), s, to, f)
				if err != nil {
					return err
				}
				out = append(out, r)
				if !g.jsonOut {
					fmt.Fprintf(g.stdout, "restored %s: %d rows to %s (%s, plaintext)\n", s.Manifest().Ref(), r.Rows, r.Path, r.Format)
				}
			}
			if g.jsonOut {
				if len(out) == 1 && run == "" {
					return g.printJSON(out[0])
				}
				return g.printJSON(out)
			}
			return nil
		},
	}
	c.Flags().StringVar(&to, "to", "", "output directory, or postgres://HOST/DB (no password)")
	pg.flags(c)
	c.Flags().StringVar(&format, "format", "parquet", "csv or parquet")
	c.Flags().StringVar(&run, "run", "", "restore every table of this run's snapshot set (or latest: the newest complete set)")
	c.Flags().StringVar(&target, "target", "", "restore from this backup target instead of the local store")
	return c
}

// setsOf returns the snapshot sets of the local store, or of a target
// (whose ledgers are fetched into store first).
func setsOf(ctx context.Context, t backup.Target, store string, tables []string, kr *keys.Keyring) ([]snapshot.SnapshotSet, error) {
	if t != nil {
		if _, err := backup.FetchMeta(ctx, t, store); err != nil {
			return nil, err
		}
	}
	for _, tb := range tables {
		if _, err := snapshot.ReadLedger(store, tb, kr); err != nil {
			return nil, err
		}
	}
	return snapshot.Sets(store, tables)
}

// extractionStatus is a table's last extraction: its newest snapshot or a
// newer failed attempt (kept under home/rejects), with its rejects.
type extractionStatus struct {
	Table           string    `json:"table"`
	Status          string    `json:"status"` // ok (committed) or failed
	ID              string    `json:"id"`
	Created         time.Time `json:"created"`
	RowsRead        int64     `json:"rows_read"`
	RowsRejected    int64     `json:"rows_rejected"`
	RejectedPercent float64   `json:"rejected_percent"`
}

// lastExtractions gives each table's last extraction, committed or failed.
func lastExtractions(cfg *pipeline.Config, latest []*snapshot.Manifest) []extractionStatus {
	byTable := map[string]*snapshot.Manifest{}
	for _, m := range latest {
		byTable[m.Table] = m
	}
	var out []extractionStatus
	for _, t := range cfg.Tables() {
		var e *extractionStatus
		if m := byTable[t.Name]; m != nil {
			e = &extractionStatus{Table: t.Name, Status: "ok", ID: m.ID, Created: m.Created, RowsRead: m.RowsRead, RowsRejected: m.RowsRejected}
		}
		if fe, err := latestFailedExtraction(cfg.Paths().Home, t.Name); err == nil && fe != nil && (e == nil || fe.Created.After(e.Created)) {
			e = &extractionStatus{Table: t.Name, Status: "failed", ID: fe.ID, Created: fe.Created, RowsRead: fe.RowsRead, RowsRejected: fe.RowsRejected}
		}
		if e == nil {
			continue
		}
		if e.RowsRead > 0 {
			e.RejectedPercent = float64(e.RowsRejected) * 100 / float64(e.RowsRead)
		}
		out = append(out, *e)
	}
	return out
}

// rejectedCell is "0", or the count and its share of the rows read.
func rejectedCell(rejected, read int64) string {
	if rejected == 0 || read == 0 {
		return fmt.Sprint(rejected)
	}
	return fmt.Sprintf("%d (%.2f%%)", rejected, float64(rejected)*100/float64(read))
}

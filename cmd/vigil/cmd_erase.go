package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/stages/snapshot"
)

func eraseCmd(g *globals) *cobra.Command {
	var table, key, reason string
	var list bool
	c := &cobra.Command{
		Use:   "erase --table TABLE --key COLUMN=VALUE --reason TEXT | erase --list",
		Short: "Record a right-to-erasure request: the subject is left out of every later restore and dataset",
		Long: `Append to the encrypted erasure ledger (home/store/erasure-ledger/) that the
subject whose COLUMN holds VALUE must be excluded (GDPR Art. 17, PIPL Art.
47). The ledger holds a keyed hash of the value (the keyset's pseudonym key),
never the value, encrypted by the wrap key, with the time and the reason. From
then on every restore and every reader of a snapshot (classify, anonymize and
so the next analyst dataset) drops that subject's rows; the ledger is copied
to backup targets with the snapshots, so restores from a target do the same.
The snapshots themselves are not rewritten: the subject stays in the
encrypted snapshots until retention removes them, and "vigil erase --list"
shows which snapshots still hold each erased subject. Rotating the
pseudonym key invalidates the hashes: restores then fail until the subjects
are erased again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, kr, err := g.configAndKeys(cmd.Context())
			if err != nil {
				return err
			}
			store := cfg.Paths().Store
			if list {
				return printErasures(g, store, kr)
			}
			col, val, ok := strings.Cut(key, "=")
			if table == "" || !ok || col == "" || val == "" || strings.TrimSpace(reason) == "" {
				return usageError{errors.New("--table, --key COLUMN=VALUE and --reason are required")}
			}
			var tables []string
			for _, t := range cfg.Tables() {
				tables = append(tables, t.Name)
			}
			if !slices.Contains(tables, table) {
				return usageError{fmt.Errorf("unknown table %q (tables: %s)", table, strings.Join(tables, ", "))}
			}
			rec, err := snapshot.AppendErasure(store, kr, kr, table, col, val, reason, time.Now())
			if err != nil {
				return err
			}
			g.log.Info("erasure recorded", "table", table, "column", col, "subject", rec.Subject[:16])
			fmt.Fprintf(g.stdout, "erasure recorded for %s.%s (subject %s…); later restores and datasets leave it out\n", table, col, rec.Subject[:16])
			return nil
		},
	}
	c.Flags().StringVar(&table, "table", "", "table of the subject")
	c.Flags().StringVar(&key, "key", "", "COLUMN=VALUE identifying the subject (e.g. customer_id=C000123)")
	c.Flags().StringVar(&reason, "reason", "", "why (request reference); kept in the ledger")
	c.Flags().BoolVar(&list, "list", false, "list erasures and the snapshots that still hold each subject")
	return c
}

// printErasures lists every erasure and, per erasure, the snapshots of its
// table written before it (they still hold the subject until retention
// removes them).
func printErasures(g *globals, store string, kr snapshot.KeyWrapper) error {
	recs, err := snapshot.ReadErasures(store, kr)
	if err != nil {
		return err
	}
	rows := erasureHolders(store, recs)
	if g.jsonOut {
		if rows == nil {
			rows = []erasureRow{}
		}
		return g.printJSON(map[string]any{"erasures": rows})
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tTABLE\tCOLUMN\tSUBJECT\tREASON\tSTILL IN SNAPSHOTS")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s…\t%s\t%d\n", r.Time.Format(time.RFC3339), r.Table, r.Column, r.Subject[:16], r.Reason, len(r.StillIn))
	}
	return tw.Flush()
}

// erasureRow is an erasure with the snapshots that still hold its subject.
type erasureRow struct {
	snapshot.ErasureRecord
	StillIn []string `json:"still_in"`
}

// erasureHolders pairs each erasure with the kept snapshots of its table
// written before it: they still hold the subject until retention removes
// them (every reader leaves it out meanwhile).
func erasureHolders(store string, recs []snapshot.ErasureRecord) []erasureRow {
	items, _ := snapshot.Inventory(store)
	var rows []erasureRow
	for _, r := range recs {
		rw := erasureRow{ErasureRecord: r, StillIn: []string{}}
		for _, it := range items {
			if it.Table == r.Table && it.Status == snapshot.StatusOK && it.Created.Before(r.Time.Add(time.Second)) {
				rw.StillIn = append(rw.StillIn, it.Ref())
			}
		}
		rows = append(rows, rw)
	}
	return rows
}

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/stages/snapshot"
)

// rejectsView is what `vigil rejects` shows: never a value, unless --raw
// writes them to a 0600 file.
type rejectsView struct {
	Table        string        `json:"table"`
	ID           string        `json:"id"`
	Kind         string        `json:"kind"` // "snapshot" (committed) or "failed" (nothing committed)
	Created      time.Time     `json:"created"`
	RowsRead     int64         `json:"rows_read"`
	RowsRejected int64         `json:"rows_rejected"`
	MaxRejected  string        `json:"max_rejected,omitempty"`
	Error        string        `json:"error,omitempty"`
	Rejects      []rejectEntry `json:"rejects"`
	raw          []string
}

func rejectsCmd(g *globals) *cobra.Command {
	var raw bool
	var to string
	c := &cobra.Command{
		Use:   "rejects TABLE[/ID]",
		Short: "List the rows a snapshot (or a failed extraction) rejected: file, line, column, reason",
		Long: `List every rejected row of a table's latest snapshot or latest failed
extraction (whichever is newer), or of the snapshot or failed extraction ID:
file, line, column and reason. Values are never printed. With --raw --to FILE
the rejected rows themselves are decrypted into FILE (created with mode 0600;
it must not exist), one JSON object a line: treat it as personal data.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if raw != (to != "") {
				return usageError{errors.New("--raw and --to FILE go together: raw rows are only ever written to a file")}
			}
			cfg, kr, err := g.configAndKeys(cmd.Context())
			if err != nil {
				return err
			}
			home, store := cfg.Paths().Home, cfg.Paths().Store
			table, id, hasID := strings.Cut(args[0], "/")
			if err := snapshot.ValidTable(table); err != nil {
				return usageError{err}
			}
			var v *rejectsView
			var ref string
			if hasID && id != "latest" {
				if fe, err := loadFailedExtraction(home, table, id); err == nil {
					v = failedView(fe)
				} else if !errors.Is(err, os.ErrNotExist) {
					return err
				} else {
					ref = table + "/" + id
				}
			} else {
				fe, err := latestFailedExtraction(home, table)
				if err != nil {
					return err
				}
				m, merr := snapshot.Latest(store, table)
				switch {
				case merr != nil && fe == nil:
					return fmt.Errorf("table %s has neither a snapshot nor a failed extraction: %w", table, merr)
				case fe != nil && (merr != nil || fe.Created.After(m.Created)):
					v = failedView(fe)
				default:
					ref = m.Ref()
				}
			}
			if v == nil {
				s, err := snapshot.Open(cmd.Context(), store, ref, kr, kr)
				if err != nil {
					return err
				}
				mf := s.Manifest()
				v = &rejectsView{Table: mf.Table, ID: mf.ID, Kind: "snapshot", Created: mf.Created, RowsRead: mf.RowsRead, RowsRejected: mf.RowsRejected, Rejects: []rejectEntry{}}
				rr, err := s.Rejects(cmd.Context(), memory.DefaultAllocator)
				if err != nil {
					return err
				}
				defer rr.Release()
				for rr.Next() {
					rec := rr.RecordBatch()
					file := rec.Column(0).(*array.String)
					line := rec.Column(1).(*array.Int64)
					col := rec.Column(2).(*array.String)
					reason := rec.Column(3).(*array.String)
					rawCol := rec.Column(4).(*array.String)
					for i := 0; i < int(rec.NumRows()); i++ {
						v.Rejects = append(v.Rejects, rejectEntry{File: file.Value(i), Line: line.Value(i), Column: col.Value(i), Reason: reason.Value(i)})
						if raw {
							v.raw = append(v.raw, rawCol.Value(i))
						}
					}
				}
				if err := rr.Err(); err != nil {
					return err
				}
			} else if raw && v.Kind == "failed" {
				fe, err := loadFailedExtraction(home, v.Table, v.ID)
				if err != nil {
					return err
				}
				if fe.Raw != nil {
					plain, err := openBlob(kr, fe.Raw, rejectsAD(fe.Table, fe.ID))
					if err != nil {
						return fmt.Errorf("decrypting the rejected rows of %s/%s: %w", fe.Table, fe.ID, err)
					}
					err = json.Unmarshal(plain, &v.raw)
					clear(plain)
					if err != nil {
						return err
					}
				}
			}
			if raw {
				if err := writeRawRejects(to, v); err != nil {
					return err
				}
				fmt.Fprintf(g.stderr, "wrote %d rejected rows of %s/%s to %s (mode 0600): it holds personal data, delete it when done\n", len(v.raw), v.Table, v.ID, to)
			}
			if g.jsonOut {
				return g.printJSON(v)
			}
			status := "committed snapshot"
			if v.Kind == "failed" {
				status = "FAILED extraction, nothing committed"
			}
			fmt.Fprintf(g.stdout, "%s/%s (%s, %s): %d rows read, %d rejected", v.Table, v.ID, status, v.Created.UTC().Format(time.RFC3339), v.RowsRead, v.RowsRejected)
			if v.MaxRejected != "" {
				fmt.Fprintf(g.stdout, ", max_rejected %s", v.MaxRejected)
			}
			fmt.Fprintln(g.stdout)
			if v.Error != "" {
				fmt.Fprintf(g.stdout, "error: %s\n", v.Error)
			}
			if int64(len(v.Rejects)) < v.RowsRejected {
				fmt.Fprintf(g.stdout, "(the first %d rejects were kept)\n", len(v.Rejects))
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "FILE\tLINE\tCOLUMN\tREASON")
			for _, e := range v.Rejects {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", e.File, e.Line, e.Column, e.Reason)
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&raw, "raw", false, "also decrypt the rejected rows (personal data) into the --to file")
	c.Flags().StringVar(&to, "to", "", "file for --raw (created 0600, must not exist)")
	return c
}

func failedView(fe *failedExtraction) *rejectsView {
	return &rejectsView{Table: fe.Table, ID: fe.ID, Kind: "failed", Created: fe.Created, RowsRead: fe.RowsRead, RowsRejected: fe.RowsRejected,
		MaxRejected: fe.MaxRejected, Error: fe.Error, Rejects: fe.Rejects}
}

// writeRawRejects writes one JSON object per rejected row to a new 0600 file.
func writeRawRejects(path string, v *rejectsView) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	for i, e := range v.Rejects {
		row := struct {
			rejectEntry
			Raw string `json:"raw"`
		}{rejectEntry: e}
		if i < len(v.raw) {
			row.Raw = v.raw[i]
		}
		if err := enc.Encode(row); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/internal/termsafe"

	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/rules"
	"github.com/vigil-dg/vigil/stages/classify"
	"github.com/vigil-dg/vigil/stages/snapshot"
)

// classificationPath is where the classification of one snapshot is kept:
// <home>/classification/<table>/<snapshot-id>.json.
func classificationPath(home, table, id string) string {
	return filepath.Join(home, "classification", table, id+".json")
}

// loadRuleSet returns the built-in data-class packs plus the config's own.
func loadRuleSet(cfg *pipeline.Config) (*rules.Set, error) {
	var regions []string
	if cfg != nil && cfg.Classify.PhoneRegion != "" {
		regions = []string{cfg.Classify.PhoneRegion}
	}
	packs, err := rules.LoadBuiltinRegions(regions)
	if err != nil {
		return nil, err
	}
	if cfg != nil {
		for _, f := range cfg.Classify.RulePacks {
			p, err := rules.LoadFile(f)
			if err != nil {
				return nil, err
			}
			packs = append(packs, p)
		}
	}
	return rules.NewSet(packs...)
}

// knownClasses lists the class ids of the built-in packs, for config validation.
func knownClasses() []string {
	set, err := loadRuleSet(nil)
	if err != nil {
		return nil
	}
	ids := []string{"none"}
	for _, c := range set.Classes() {
		ids = append(ids, c.ID)
	}
	return ids
}

// overridesFor picks the "table.column" overrides of one table.
func overridesFor(cfg *pipeline.Config, table string) map[string]string {
	out := map[string]string{}
	for k, v := range cfg.Classify.Overrides {
		if t, col, ok := strings.Cut(k, "."); ok && t == table {
			out[col] = v
		}
	}
	return out
}

// classifyLatest classifies the latest snapshot of each table and writes
// classification.json for it, with progress over the rows of all of them.
func classifyLatest(ctx context.Context, cfg *pipeline.Config, kr *keys.Keyring, tables []string, now time.Time, bar *progress) ([]*classify.TableResult, error) {
	set, err := loadRuleSet(cfg)
	if err != nil {
		return nil, err
	}
	var latest []*snapshot.Manifest
	var total int64
	for _, t := range tables {
		m, err := snapshot.Latest(cfg.Paths().Store, t)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w (run the snapshot stage first)", t, err)
		}
		latest = append(latest, m)
		total += m.Rows
	}
	bar.Start("classify", total, "rows")
	defer bar.Finish()
	var out []*classify.TableResult
	for i, t := range tables {
		r, err := classifySnapshot(ctx, cfg, kr, set, latest[i].Ref(), now, bar)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", t, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func classifySnapshot(ctx context.Context, cfg *pipeline.Config, kr *keys.Keyring, set *rules.Set, ref string, now time.Time, bar *progress) (*classify.TableResult, error) {
	s, err := snapshot.Open(ctx, cfg.Paths().Store, ref, kr, kr)
	if err != nil {
		return nil, err
	}
	m := s.Manifest()
	rr, err := s.Records(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	overrides := overridesFor(cfg, m.Table)
	system := presetSystemFields(cfg, set, m.Table, rr.Schema().Fields(), overrides)
	res, err := classify.Table(ctx, m.Table, bar.countRows(rr), set, classify.Options{
		SampleSize:  cfg.Classify.SampleSize,
		ReviewBelow: cfg.Classify.ReviewBelow,
		Overrides:   overrides,
		Snapshot:    m.Ref(),
		Now:         now,
	})
	if err != nil {
		return nil, err
	}
	markPresetFields(res, system)
	path := classificationPath(cfg.Home, m.Table, m.ID)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := classify.WriteJSON(path, res); err != nil {
		return nil, err
	}
	return res, nil
}

// latestClassification reads the classification of the latest snapshot of table.
func latestClassification(cfg *pipeline.Config, table string) (*classify.TableResult, error) {
	m, err := snapshot.Latest(cfg.Paths().Store, table)
	if err != nil {
		return nil, err
	}
	r, err := classify.ReadJSON(classificationPath(cfg.Home, m.Table, m.ID))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("table %s: snapshot %s is not classified yet (run: vigil classify %s)", table, m.Ref(), table)
	}
	return r, err
}

func tableNames(cfg *pipeline.Config) []string {
	var out []string
	for _, t := range cfg.Tables() {
		out = append(out, t.Name)
	}
	return out
}

// classifyStage classifies the latest snapshot of every table.
type classifyStage struct{ g *globals }

func (classifyStage) Name() string { return "classify" }

func (s classifyStage) Run(ctx context.Context, env *pipeline.Env) (pipeline.Result, error) {
	var res pipeline.Result
	kr, err := openKeys(ctx, env.Config)
	if err != nil {
		return res, err
	}
	results, err := classifyLatest(ctx, env.Config, kr, tableNames(env.Config), env.Now(), s.g.bar)
	if err != nil {
		return res, err
	}
	for _, r := range results {
		res.Add("tables", 1)
		for _, c := range r.Columns {
			res.Add("columns", 1)
			if c.Class != "none" && c.Class != "" {
				res.Add("columns_personal", 1)
			}
			if c.Review {
				res.Add("columns_review", 1)
			}
		}
		env.Logger.Info("classified", "table", r.Table, "snapshot", r.Snapshot, "columns", len(r.Columns))
	}
	return res, nil
}

func classifyCmd(g *globals) *cobra.Command {
	var format string
	var cached bool
	c := &cobra.Command{
		Use:   "classify [TABLE...]",
		Short: "Classify the latest snapshot of each table and print the data inventory",
		Long: `Classify every column of the latest snapshot of each table (or the named
tables) and print the data inventory: table, column, class, category,
confidence, evidence and the protection that will be applied. This is the
record of processing GDPR Art. 30 and PIPL ask for. --cached prints the
stored classification without classifying again, with the protection each
analyst dataset actually applied (from its _vigil.json).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			tables := args
			if len(tables) == 0 {
				tables = tableNames(cfg)
			}
			var results []*classify.TableResult
			if cached {
				for _, t := range tables {
					r, err := latestClassification(cfg, t)
					if err != nil {
						return err
					}
					applyProtections(cfg, r) // what the dataset applied, not the class default
					results = append(results, r)
				}
			} else {
				kr, err := openKeys(cmd.Context(), cfg)
				if err != nil {
					return err
				}
				if results, err = classifyLatest(cmd.Context(), cfg, kr, tables, time.Now(), g.bar); err != nil {
					return err
				}
			}
			if g.jsonOut {
				format = "json"
			}
			return printInventory(g, results, format)
		},
	}
	c.Flags().StringVar(&format, "format", "table", "table, csv or json")
	c.Flags().BoolVar(&cached, "cached", false, "print the stored classification of the latest snapshots")
	return c
}

// printInventory prints the data inventory in the given format.
func printInventory(g *globals, results []*classify.TableResult, format string) error {
	switch format {
	case "json":
		if results == nil {
			results = []*classify.TableResult{}
		}
		return g.printJSON(map[string]any{"tables": results})
	case "csv":
		w := csv.NewWriter(g.stdout)
		w.Write([]string{"table", "snapshot", "column", "class", "category", "confidence", "review", "override", "protection", "evidence"})
		for _, r := range results {
			for _, c := range r.Columns {
				w.Write([]string{r.Table, r.Snapshot, c.Name, c.Class, c.Category, fmt.Sprintf("%.2f", c.Confidence),
					fmt.Sprint(c.Review), fmt.Sprint(c.Override), c.Protection, strings.Join(c.Evidence, "; ")})
			}
		}
		w.Flush()
		return w.Error()
	case "table":
		tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TABLE\tCOLUMN\tCLASS\tCATEGORY\tCONF\tPROTECTION\tEVIDENCE")
		for _, r := range results {
			for _, c := range r.Columns {
				class := c.Class
				if c.Review {
					class += " (review)"
				}
				if c.Override {
					class += " (override)"
				}
				ev := strings.Join(c.Evidence, "; ")
				if len([]rune(ev)) > 70 {
					ev = string([]rune(ev)[:67]) + "..."
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f\t%s\t%s\n", termsafe.String(r.Table, false), termsafe.String(c.Name, false),
					class, c.Category, c.Confidence, c.Protection, termsafe.String(ev, false))
			}
		}
		return tw.Flush()
	}
	return usageError{fmt.Errorf("--format %q: want table, csv or json", format)}
}

func rulesCmd(g *globals) *cobra.Command {
	c := &cobra.Command{Use: "rules", Short: "List and test the data-class rule packs"}
	c.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the data classes of the built-in and configured packs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := rulesForCLI(g)
			if err != nil {
				return err
			}
			if g.jsonOut {
				return g.printJSON(map[string]any{"packs": set.Packs(), "classes": set.Classes()})
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CLASS\tCATEGORY\tPROTECTION\tNAME")
			for _, cl := range set.Classes() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s / %s\n", cl.ID, cl.Category, cl.Protection, cl.Name.EN, cl.Name.ZH)
			}
			return tw.Flush()
		},
	}, &cobra.Command{
		Use:   "test [PACK.yaml...]",
		Short: "Check every example of the built-in packs and of the given packs",
		RunE: func(cmd *cobra.Command, args []string) error {
			packs, err := rules.LoadBuiltin()
			if err != nil {
				return err
			}
			for _, f := range args {
				p, err := rules.LoadFile(f)
				if err != nil {
					return err
				}
				packs = append(packs, p)
			}
			set, err := rules.NewSet(packs...)
			if err != nil {
				return err
			}
			fails := set.Test()
			if g.jsonOut {
				if err := g.printJSON(map[string]any{"packs": set.Packs(), "failures": fails}); err != nil {
					return err
				}
			} else {
				for _, f := range fails {
					fmt.Fprintf(g.stdout, "%s:%d: %s: %s example: %s\n", f.File, f.Line, f.Class, f.Kind, f.Reason)
				}
				n := 0
				for _, cl := range set.Classes() {
					n += len(cl.Examples.Match) + len(cl.Examples.NoMatch)
				}
				fmt.Fprintf(g.stdout, "%d packs, %d classes, %d examples: %d failed\n", len(set.Packs()), len(set.Classes()), n, len(fails))
			}
			if len(fails) > 0 {
				return fmt.Errorf("%d rule examples failed", len(fails))
			}
			return nil
		},
	})
	return c
}

// rulesForCLI loads the packs of the config if there is one, else the built-ins.
func rulesForCLI(g *globals) (*rules.Set, error) {
	if _, err := os.Stat(g.configPath); err == nil {
		cfg, err := g.loadConfig()
		if err != nil {
			return nil, err
		}
		return loadRuleSet(cfg)
	}
	return loadRuleSet(nil)
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/rules"
	"github.com/vigil-dg/vigil/stages/anonymize"
	"github.com/vigil-dg/vigil/stages/classify"
	"github.com/vigil-dg/vigil/stages/snapshot"
)

// anonymizeStage writes the analyst dataset of every table from its latest
// snapshot and classification.
type anonymizeStage struct{ g *globals }

func (anonymizeStage) Name() string { return "anonymize" }

func (s anonymizeStage) Run(ctx context.Context, env *pipeline.Env) (pipeline.Result, error) {
	var res pipeline.Result
	kr, err := openKeys(ctx, env.Config)
	if err != nil {
		return res, err
	}
	// Progress: the rows of each table's snapshot, read twice (pass 1 reads
	// the quasi-identifiers when a privacy model applies, pass 2 writes).
	tables := tableNames(env.Config)
	rows := make([]int64, len(tables))
	var total int64
	for i, t := range tables {
		if m, err := snapshot.Latest(env.Paths.Store, t); err == nil {
			rows[i] = 2 * m.Rows
			total += rows[i]
		}
	}
	bar := s.g.bar
	bar.Start("anonymize", total, "rows")
	defer bar.Finish()
	var done int64
	for i, t := range tables {
		rep, err := anonymizeTable(ctx, env, kr, t, bar)
		done += rows[i]
		bar.Set(done) // a table read once (no privacy model) counts in full
		if err != nil {
			return res, fmt.Errorf("table %s: %w", t, err)
		}
		res.Add("tables", 1)
		res.Add("rows_anonymized", rep.RowsWritten)
		res.Add("rows_suppressed", rep.RowsSuppressed)
		if rep.Privacy != nil {
			res.SetDetail("k."+t, fmt.Sprint(rep.Privacy.KReached))
		}
		if len(rep.Withheld) > 0 {
			res.Add("columns_withheld", int64(len(rep.Withheld)))
			res.SetDetail("withheld."+t, "withheld: unreviewed: "+strings.Join(rep.Withheld, ", "))
			env.Logger.Warn("columns withheld: unreviewed", "table", t, "columns", strings.Join(rep.Withheld, ","), "release", rep.ReleaseHint)
		}
		env.Logger.Info("dataset written", "table", t, "rows", rep.RowsWritten, "suppressed", rep.RowsSuppressed,
			"disclosure_check", "passed")
	}
	return res, nil
}

func anonymizeTable(ctx context.Context, env *pipeline.Env, kr *keys.Keyring, table string, bar *progress) (*anonymize.DatasetReport, error) {
	cfg := env.Config
	cls, err := latestClassification(cfg, table)
	if err != nil {
		return nil, err
	}
	s, err := snapshot.Open(ctx, cfg.Paths().Store, cls.Snapshot, kr, kr)
	if err != nil {
		return nil, err
	}
	pol, classes, err := tablePolicy(cfg, table, cls)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Paths().Datasets, 0o700); err != nil {
		return nil, err
	}
	return anonymize.WriteDataset(ctx, anonymize.DatasetRequest{
		Root:  cfg.Paths().Datasets,
		Table: table,
		Open: func(ctx context.Context) (array.RecordReader, error) {
			rr, err := s.Records(ctx, nil)
			if err != nil {
				return nil, err
			}
			return bar.countRows(rr), nil
		},
		Policy:         pol,
		Classes:        classes,
		Tokenizer:      kr,
		PseudonymKeyID: kr.PrimaryKeyID(keys.PurposePseudonym),
		Logger:         env.Logger,
		Now:            env.Now,
	})
}

// tablePolicy turns the config's protect section and the classification into
// an anonymization policy. Columns the config does not name are protected by
// their class's default; with k set and no quasi_identifiers listed, every
// column classified as a quasi-identifier takes part in k-anonymity.
func tablePolicy(cfg *pipeline.Config, table string, cls *classify.TableResult) (anonymize.Policy, map[string]anonymize.ColumnClass, error) {
	pol := anonymize.Policy{
		Table:          table,
		Columns:        map[string]anonymize.Protection{},
		Unclassified:   anonymize.Unclassified(cfg.Protect.Unclassified),
		Hierarchies:    map[string]anonymize.Hierarchy{},
		PseudonymScope: anonymize.PseudonymScope(cfg.Protect.PseudonymScope),
		NightLabel:     cls.Created.UTC().Format("2006-01-02"),
	}
	classes := map[string]anonymize.ColumnClass{}
	for _, c := range cls.Columns {
		cc := anonymize.ColumnClass{ID: c.Class, Category: rules.Category(c.Category)}
		if c.Protection != "" {
			p, err := rules.ParseProtection(c.Protection)
			if err != nil {
				return pol, nil, fmt.Errorf("column %s: %w", c.Name, err)
			}
			cc.Default = &p
		}
		classes[c.Name] = cc
		if c.Class == "record_id" && pol.SubjectColumn == "" {
			pol.SubjectColumn = c.Name
		}
	}
	tp := cfg.Protect.Tables[table]
	if tp == nil {
		tp = &pipeline.TableProtection{}
	}
	pol.DisclosureK = tp.K
	for name, cp := range tp.Columns {
		if _, ok := classes[name]; !ok {
			return pol, nil, fmt.Errorf("protect.tables.%s.columns: no column %q in the snapshot", table, name)
		}
		p := anonymize.Protection{Method: anonymize.Method(cp.Method), KeepPrefix: cp.KeepPrefix, KeepSuffix: cp.KeepSuffix,
			MaskChar: cp.MaskChar, Interval: cp.Interval, DatePart: cp.DatePart, Value: cp.Value,
			Reason: cp.Reason, Insensitive: cp.Insensitive, MinLevel: cp.MinLevel, MaxLevel: cp.MaxLevel}
		if cp.Hierarchy != "" {
			delim := ';'
			if cp.HierarchyDelimiter != "" {
				delim = []rune(cp.HierarchyDelimiter)[0]
			}
			h, err := anonymize.LoadHierarchyCSV(cp.Hierarchy, delim)
			if err != nil {
				return pol, nil, err
			}
			p.Hierarchy, p.HierarchyName = h, cp.Hierarchy
			pol.Hierarchies[name] = h
		}
		pol.Columns[name] = p
	}
	// Fail closed: every table gets k-anonymity (default k=5) over the
	// columns classified as quasi-identifiers and every released column a
	// person could know (masks, buckets, raw releases join the search).
	k := tp.K
	if k < 2 {
		k = defaultK
	}
	qis := tp.QuasiIdentifiers
	if len(qis) == 0 {
		for _, c := range cls.Columns {
			if c.Category == string(rules.QuasiIdentifier) {
				if cp, ok := tp.Columns[c.Name]; ok && cp.Method == pipeline.MethodDrop {
					continue
				}
				qis = append(qis, c.Name)
			}
		}
	}
	for _, q := range qis {
		if _, ok := classes[q]; !ok {
			return pol, nil, fmt.Errorf("protect.tables.%s.quasi_identifiers: no column %q in the snapshot", table, q)
		}
		if p, ok := pol.Columns[q]; ok && (p.Hierarchy != nil || p.Interval > 0 || p.DatePart != "") {
			continue
		}
		// A built-in hierarchy for the class (dates, ages, postal codes),
		// else the coarsest one: the value, then "*".
		p := anonymize.FromRule(rules.Protection{Method: rules.ProtectGeneralize}, classes[q].ID, nil)
		if p.Hierarchy == nil {
			p.Hierarchy, p.HierarchyName = starHierarchy{}, "value → *"
		}
		if old, ok := pol.Columns[q]; ok {
			// Keep what the policy pinned (levels) and declared.
			p.MinLevel, p.MaxLevel, p.Reason, p.Insensitive = old.MinLevel, old.MaxLevel, old.Reason, old.Insensitive
		}
		pol.Columns[q] = p
		pol.Hierarchies[q] = p.Hierarchy
	}
	metric, err := anonymize.ParseMetric(tp.Metric)
	if err != nil {
		return pol, nil, err
	}
	pol.Privacy = anonymize.PrivacyOptions{
		QuasiIdentifiers: qis,
		Hierarchies:      pol.Hierarchies,
		K:                k,
		Suppression:      tp.Suppression,
		Metric:           metric,
		LModel:           anonymize.LModel(tp.LModel),
		Algorithm:        anonymize.Algorithm(tp.Algorithm),
		GSFactor:         tp.GSFactor,
	}
	if tp.L >= 2 && len(tp.Sensitive) > 0 {
		pol.Privacy.Sensitive, pol.Privacy.L = tp.Sensitive[0], float64(tp.L)
	}
	if tp.T > 0 && len(tp.Sensitive) > 0 {
		pol.Privacy.Sensitive, pol.Privacy.T, pol.Privacy.TModel = tp.Sensitive[0], tp.T, anonymize.TModel(tp.TModel)
		if tp.THierarchy != "" {
			h, err := anonymize.LoadHierarchyCSV(tp.THierarchy, ';')
			if err != nil {
				return pol, nil, fmt.Errorf("protect.tables.%s.t_hierarchy: %w", table, err)
			}
			pol.Privacy.Hierarchies[tp.Sensitive[0]] = h
		}
	}
	pol.Privacy.MaxJournalistRisk, pol.Privacy.MaxMarketerRisk = tp.MaxJournalistRisk, tp.MaxMarketerRisk
	if tp.Population != "" {
		pop, err := anonymize.LoadPopulationCSV(tp.Population, sniffDelimiter(tp.Population), qis)
		if err != nil {
			return pol, nil, fmt.Errorf("protect.tables.%s.population: %w", table, err)
		}
		pol.Privacy.Population = pop
	}
	return pol, classes, nil
}

// defaultK is the k every table gets when its policy sets none.
const defaultK = 5

// starHierarchy is the two-level hierarchy of a quasi-identifier without a
// better one: the value itself, then "*".
type starHierarchy struct{}

func (starHierarchy) Levels() int { return 2 }
func (starHierarchy) Generalize(v string, level int) (string, error) {
	if level == 0 {
		return v, nil
	}
	return "*", nil
}

func anonymizeCmd(g *globals) *cobra.Command {
	var o anonymize.CSVOptions
	var qis, hier []string
	var k, lval int
	var supp, gs float64
	var metric, lmodel, sensitive, algo, delim, out string
	var tval, maxJ, maxM float64
	var tmodel, population string
	c := &cobra.Command{
		Use:   "anonymize --input FILE.csv --qi COL,... --hierarchy COL=FILE ... --k 5",
		Short: "k-anonymity / l-diversity on any CSV, like ARX (optimal full-domain generalization)",
		Long: `Search the lattice of full-domain generalizations of the quasi-identifiers for
the transformation with the least information loss that satisfies k-anonymity
(and l-diversity) within the record suppression limit, with ARX's metrics:
loss, entropy (non-uniform entropy), entropy-monotonic, discernibility,
discernibility-monotonic, aecs. Hierarchies are CSV files in ARX's format
(one row per value, level 0 first, ';'-separated). Prints the chosen
transformation, the metric values and the re-identification risk; --output
writes the anonymized CSV.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Input == "" || len(qis) == 0 {
				return usageError{errors.New("--input and --qi are required")}
			}
			m, err := anonymize.ParseMetric(metric)
			if err != nil {
				return usageError{err}
			}
			if delim != "" {
				o.Delimiter = []rune(delim)[0]
			}
			o.HierarchyFiles = map[string]string{}
			for _, h := range hier {
				col, file, ok := strings.Cut(h, "=")
				if !ok {
					return usageError{fmt.Errorf("--hierarchy %q: want COLUMN=FILE", h)}
				}
				o.HierarchyFiles[col] = file
			}
			o.Privacy = anonymize.PrivacyOptions{QuasiIdentifiers: qis, K: k, Suppression: supp, Metric: m,
				Sensitive: sensitive, L: float64(lval), LModel: anonymize.LModel(lmodel), Algorithm: anonymize.Algorithm(algo)}
			if cmd.Flags().Changed("gs-factor") {
				o.Privacy.GSFactor = &gs
			}
			o.Privacy.T, o.Privacy.TModel = tval, anonymize.TModel(tmodel)
			o.Privacy.MaxJournalistRisk, o.Privacy.MaxMarketerRisk = maxJ, maxM
			if population != "" {
				pop, err := anonymize.LoadPopulationCSV(population, o.Delimiter, qis)
				if err != nil {
					return err
				}
				o.Privacy.Population = pop
			}
			if out != "" {
				f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
				if err != nil {
					return err
				}
				defer f.Close()
				o.Output = f
			}
			r, err := anonymize.AnonymizeCSV(cmd.Context(), o)
			if err != nil {
				return err
			}
			if g.jsonOut {
				return g.printJSON(r)
			}
			printPrivacy(g, r)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&o.Input, "input", "", "input CSV with a header")
	f.StringVar(&delim, "delimiter", "", "field delimiter (default ','; ARX's Adult data uses ';')")
	f.StringSliceVar(&qis, "qi", nil, "quasi-identifier columns, in order")
	f.StringArrayVar(&hier, "hierarchy", nil, "COLUMN=FILE generalization hierarchy (repeatable)")
	f.IntVar(&k, "k", 5, "k-anonymity")
	f.Float64Var(&supp, "suppression", 0, "record suppression limit, a fraction in [0,1] (1 = any record may be suppressed, as ARX allows)")
	f.Float64Var(&gs, "gs-factor", anonymize.DefaultGSFactor, "Loss metric generalization/suppression factor in [0,1] (ARX's gs-factor)")
	f.StringVar(&metric, "metric", "loss", "loss, entropy, entropy-monotonic, discernibility, discernibility-monotonic or aecs")
	f.StringVar(&sensitive, "sensitive", "", "sensitive attribute for l-diversity")
	f.IntVar(&lval, "l", 0, "l-diversity (0 = off)")
	f.StringVar(&lmodel, "l-model", "distinct", "distinct or entropy")
	f.StringVar(&algo, "algorithm", "optimal", "optimal, exhaustive or mondrian")
	f.Float64Var(&tval, "t", 0, "t-closeness of --sensitive (0 = off)")
	f.StringVar(&tmodel, "t-model", "equal", "t-closeness ground distance: equal or hierarchical (needs --hierarchy for the sensitive column)")
	f.Float64Var(&maxJ, "max-journalist-risk", 0, "bound on the highest journalist risk (0 = off)")
	f.Float64Var(&maxM, "max-marketer-risk", 0, "bound on the average (marketer) risk (0 = off)")
	f.StringVar(&population, "population", "", "population CSV (same delimiter, quasi-identifier columns) for journalist and marketer risk")
	f.StringVar(&out, "output", "", "write the anonymized CSV here (must not exist)")
	return c
}

func printPrivacy(g *globals, r *anonymize.Result) {
	w := g.stdout
	fmt.Fprintf(w, "records %d, classes %d, k reached %d", r.Records, r.Classes, r.KReached)
	if r.LReached > 0 {
		fmt.Fprintf(w, ", l reached %.4f", r.LReached)
	}
	if r.TReached != nil {
		fmt.Fprintf(w, ", t reached %.4f", *r.TReached)
	}
	fmt.Fprintf(w, ", suppressed %d (limit %d)\n", r.Suppressed, r.Model.MaxSuppressed)
	var levels []string
	for _, l := range r.Transformation {
		levels = append(levels, fmt.Sprintf("%s=%d/%d", l.Column, l.Level, l.Levels-1))
	}
	fmt.Fprintf(w, "transformation: %s\n", strings.Join(levels, " "))
	fmt.Fprintf(w, "%s: %.10g\n", r.Metric, r.InformationLoss)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "metrics\t%s\n", metricsLine(r.Metrics))
	fmt.Fprintf(tw, "risk (prosecutor)\thighest %.4f, average %.4f, records above %.2f: %d (%.2f%%)\n",
		r.Risk.Highest, r.Risk.Average, r.Risk.Threshold, r.Risk.RecordsAtRisk, 100*r.Risk.ShareAtRisk)
	if j := r.Risk.Journalist; j != nil {
		fmt.Fprintf(tw, "risk (journalist, %s)\thighest %.4f, average %.4f, records above %.2f: %d (%.2f%%)\n",
			j.Population, j.Highest, j.Average, r.Risk.Threshold, j.RecordsAtRisk, 100*j.ShareAtRisk)
	}
	if m := r.Risk.Marketer; m != nil {
		fmt.Fprintf(tw, "risk (marketer)\taverage %.4f\n", m.Average)
	}
	if r.Search != nil {
		fmt.Fprintf(tw, "search\t%d of %d lattice nodes checked, %d evaluated, in %.0f ms\n", r.Search.Checked, r.Search.Nodes, r.Search.Evaluated, r.Search.DurationMS)
	}
	tw.Flush()
}

func metricsLine(m anonymize.MetricValues) string {
	b, _ := json.Marshal(m)
	var kv map[string]any
	_ = json.Unmarshal(b, &kv)
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%v", k, kv[k]))
	}
	return strings.Join(parts, " ")
}

// sniffDelimiter picks ';' or ',' from the first line of a population CSV.
func sniffDelimiter(path string) rune {
	f, err := os.Open(path)
	if err != nil {
		return ','
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	if strings.Count(line, ";") > strings.Count(line, ",") {
		return ';'
	}
	return ','
}

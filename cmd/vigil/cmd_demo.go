package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/demo"
	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
)

// demoConfig is the configuration vigil demo writes next to its data. Columns
// are protected by the defaults of their class, so the config does not name
// the (seed-dependent) demo headers.
const demoConfig = `# Written by "vigil demo". Every key: vigil config reference.
format: 1
home: home
timezone: Asia/Shanghai
keys:
  key_file: master.key           # demo only: a real deployment keeps the key file off this disk
sources:
  crm:
    type: csv
    dir: data
    encoding: auto
    tables:
      customers: {file: customers.csv}
      staff: {file: staff.csv}
      ownership: {file: ownership.csv}
      orders: {file: orders.csv}
      enrollments: {file: enrollments.csv}
protect:
  unclassified: withhold   # columns nobody reviewed stay out of the analyst datasets
  tables:
    customers: {k: 5, suppression: 0.04}   # quasi-identifiers: the columns classified as such
audit:
  logs:
    - {name: crm, path: data/logs/*.jsonl, format: json, mapping: salesforce}
jobs:
  nightly:
    schedule: "0 2 * * *"
    stages: [%s]
    catch_up: true
  verify:
    schedule: "30 3 * * 0"
    stages: [verify]
  audit:
    schedule: "0 6 * * *"
    stages: [audit]
`

// demoJobs are the jobs vigil demo runs, in order.
var demoJobs = []string{"nightly", "verify", "audit"}

// nightlyStages are the stages of the demo's nightly job.
var nightlyStages = []string{"snapshot", "classify", "anonymize"}

func demoCmd(g *globals) *cobra.Command {
	var dir string
	var rows int
	var seed uint64
	var gbk, usePG bool
	c := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline on generated demo data (no configuration needed)",
		Long: `Generate a demo CRM export and a month of access logs, create a demo key file
and keyset, and run the nightly job (snapshot → classify → anonymize), the
restore verification and the audit on it. Everything goes into --dir (default:
a new temporary directory), which is printed at the end so you can look
around: vigil -c DIR/vigil.yaml status | snapshots list | query ...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if dir == "" {
				d, err := os.MkdirTemp("", "vigil-demo-")
				if err != nil {
					return err
				}
				dir = d
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
			if _, err := os.Stat(filepath.Join(dir, "vigil.yaml")); err == nil {
				return usageError{fmt.Errorf("%s already holds a demo; pick another --dir or run: vigil -c %s run nightly", dir, filepath.Join(dir, "vigil.yaml"))}
			}
			start := time.Now()
			sum, err := generateDemo(cmd, g, demo.Options{Rows: rows, Seed: seed, Out: filepath.Join(dir, "data"), GBK: gbk})
			if err != nil {
				return err
			}
			gt, err := generateDemoLogs(cmd, g, seed, filepath.Join(dir, "data"))
			if err != nil {
				return err
			}
			g.auditFrom, g.auditTo = gt.Start, gt.End
			cfgPath := filepath.Join(dir, "vigil.yaml")
			cfgText := fmt.Sprintf(demoConfig, strings.Join(nightlyStages, ", "))
			if usePG { // vigil demo --postgres: the same CRM in a throwaway PostgreSQL
				srv, err := startDemoPostgres(ctx, dir, filepath.Join(dir, "data"))
				if err != nil {
					return err
				}
				defer srv.Stop()
				cfgText = demoPostgresConfig(cfgText)
			}
			if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
				return err
			}
			if err := keys.GenerateKeyFile(filepath.Join(dir, "master.key")); err != nil {
				return err
			}
			g.configPath = cfgPath
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(cfg.Paths().Keyset), 0o700); err != nil {
				return err
			}
			if _, err := keys.Init(ctx, cfg.Paths().Keyset, unlockOf(cfg), time.Now()); err != nil {
				return err
			}
			var runs []*pipeline.RunResult
			for _, name := range demoJobs {
				rr, err := runJob(cmd, g, cfg, cfg.Jobs[name], pipeline.Fire{Job: name, Trigger: pipeline.TriggerManual})
				if rr != nil {
					runs = append(runs, rr)
				}
				if err != nil {
					if rr != nil && !g.jsonOut {
						printRun(g, rr)
					}
					return fmt.Errorf("demo job %s: %w", name, err)
				}
			}
			return printDemoSummary(g, cfg, sum, runs, time.Since(start))
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "directory for the demo (default: a new temporary directory)")
	c.Flags().IntVar(&rows, "rows", 10000, "customers to generate")
	c.Flags().Uint64Var(&seed, "seed", 1, "random seed")
	c.Flags().BoolVar(&gbk, "gbk", false, "write the demo CSVs GBK-encoded")
	c.Flags().BoolVar(&usePG, "postgres", false, "load the demo CRM into a throwaway local PostgreSQL (system binaries) and run the nightly job from it")
	c.AddCommand(demoGenerateCmd(g))
	return c
}

func printDemoSummary(g *globals, cfg *pipeline.Config, sum *demo.Summary, runs []*pipeline.RunResult, took time.Duration) error {
	details := map[string]string{}
	for _, rr := range runs {
		for _, s := range rr.Stages {
			for k, v := range s.Detail {
				details[k] = v
			}
		}
	}
	if g.jsonOut {
		return g.printJSON(map[string]any{"dir": filepath.Dir(cfg.File), "config": cfg.File, "data": sum, "runs": runs, "detail": details})
	}
	w := g.stdout
	fmt.Fprintf(w, "Vigil demo finished in %s\n\n", took.Round(time.Millisecond))
	for _, rr := range runs {
		printRun(g, rr)
	}
	fmt.Fprintln(w)
	printDemoSections(g, cfg, details)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nWHERE\tPATH")
	fmt.Fprintf(tw, "config\t%s\n", cfg.File)
	fmt.Fprintf(tw, "demo data (CSV, plaintext)\t%s\n", sum.Dir)
	fmt.Fprintf(tw, "encrypted snapshots\t%s\n", cfg.Paths().Store)
	fmt.Fprintf(tw, "analyst datasets\t%s\n", cfg.Paths().Datasets)
	fmt.Fprintf(tw, "run ledger\t%s\n", pipeline.LedgerPath(cfg.Home))
	if p, ok := details["report_html"]; ok {
		fmt.Fprintf(tw, "audit report (HTML)\t%s\n", p)
	}
	tw.Flush()
	if h := auditHeadline(g, cfg, runs); h != "" {
		fmt.Fprintf(w, "\n%s\n", h)
	}
	fmt.Fprintf(w, "\nTry (after go install ./cmd/vigil, or with go run ./cmd/vigil): vigil -c %s status\n", cfg.File)
	return nil
}

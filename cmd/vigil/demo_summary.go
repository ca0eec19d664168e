package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/vigil-dg/vigil/internal/termsafe"
	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/stages/anonymize"
)

// printDemoSections prints the data inventory of the demo: per table, the
// personal-data columns with their class and the protection actually
// applied in the analyst dataset, and the privacy level reached.
func printDemoSections(g *globals, cfg *pipeline.Config, _ map[string]string) {
	var withheld, forReview []string
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATA INVENTORY\tPERSONAL COLUMNS (class → protection in the analyst dataset)")
	for _, t := range tableNames(cfg) {
		r, err := latestClassification(cfg, t)
		if err != nil {
			continue
		}
		applied := map[string]string{}
		var privacy string
		if rep, err := anonymize.ReadDatasetReport(filepath.Join(cfg.Paths().Datasets, t)); err == nil {
			for _, c := range rep.Columns {
				p := string(c.Protection.Method)
				if c.QuasiIdentifier && c.Level != nil {
					p = fmt.Sprintf("generalize level %d (quasi-identifier)", *c.Level)
				}
				applied[c.Name] = p
			}
			for _, c := range rep.Withheld {
				withheld = append(withheld, termsafe.String(t+"."+c, false))
			}
			if rep.Privacy != nil {
				privacy = fmt.Sprintf("k=%d reached (target %d), %d of %d rows suppressed, highest re-identification risk %.2f",
					rep.Privacy.KReached, rep.Privacy.Model.K, rep.RowsSuppressed, rep.RowsIn, rep.Privacy.Risk.Highest)
			}
		}
		var cols []string
		review := 0
		for _, c := range r.Columns {
			name := termsafe.String(t+"."+c.Name, false)
			if applied[c.Name] == string(anonymize.MethodDrop) {
				withheld = append(withheld, name)
			}
			if c.Review {
				forReview = append(forReview, fmt.Sprintf("%s (%s?)", name, c.Class))
			}
			if c.Class == "none" || c.Class == "" {
				continue
			}
			p := applied[c.Name]
			if p == "" {
				p = c.Protection
			}
			cols = append(cols, fmt.Sprintf("%s → %s", c.Class, p))
			if c.Review {
				review++
			}
		}
		sort.Strings(cols)
		line := fmt.Sprintf("%d of %d", len(cols), len(r.Columns))
		if review > 0 {
			line += fmt.Sprintf(", %d for review", review)
		}
		if len(cols) > 0 {
			line += ": " + strings.Join(compact(cols), ", ")
		}
		fmt.Fprintf(tw, "%s\t%s\n", t, line)
		if privacy != "" {
			fmt.Fprintf(tw, "\t%s\n", privacy)
		}
	}
	tw.Flush()
	sort.Strings(withheld)
	withheld = slices.Compact(withheld)
	if len(withheld) > 0 {
		fmt.Fprintf(g.stdout, "withheld from the analyst datasets until a person releases them: %s\n", strings.Join(withheld, ", "))
	}
	if len(forReview) > 0 {
		fmt.Fprintf(g.stdout, "for review (low-confidence classification): %s\n", strings.Join(forReview, ", "))
	}
	fmt.Fprintf(g.stdout, "(full inventory: vigil -c %s classify --cached)\n", cfg.File)
	fmt.Fprintln(g.stdout, "(to release a withheld column: protect.tables.<table>.columns.<column>: {method: keep, reason: \"why it is safe\"})")
}

// compact folds repeated entries into "entry ×n".
func compact(sorted []string) []string {
	var out []string
	for i := 0; i < len(sorted); {
		j := i
		for j < len(sorted) && sorted[j] == sorted[i] {
			j++
		}
		if n := j - i; n > 1 {
			out = append(out, fmt.Sprintf("%s ×%d", sorted[i], n))
		} else {
			out = append(out, sorted[i])
		}
		i = j
	}
	return out
}

// auditHeadline is the last audit's result in one line: open findings by
// severity, most severe first, and the audit period.
func auditHeadline(g *globals, cfg *pipeline.Config, runs []*pipeline.RunResult) string {
	var counts map[string]int64
	for _, rr := range runs {
		for _, st := range rr.Stages {
			if st.Stage != "audit" {
				continue
			}
			counts = map[string]int64{}
			for k, n := range st.Counts {
				if sev, ok := strings.CutPrefix(k, pipeline.CountFindingsPrefix); ok {
					counts[sev] = n
				}
			}
		}
	}
	if counts == nil {
		return ""
	}
	var parts []string
	var total int64
	for _, sev := range pipeline.Severities() {
		total += counts[sev]
		if counts[sev] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[sev], sev))
		}
	}
	line := fmt.Sprintf("AUDIT: %d open findings", total)
	if len(parts) > 0 {
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	if !g.auditFrom.IsZero() {
		loc := zoneOf(cfg)
		line += fmt.Sprintf(" in the logs of %s – %s", g.auditFrom.In(loc).Format("2006-01-02"), g.auditTo.In(loc).Format("2006-01-02"))
	}
	return line
}

package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/vigil-dg/vigil/pipeline"
)

// printDemoSections prints the data inventory of the demo: per table, the
// personal-data columns with their class and protection.
func printDemoSections(g *globals, cfg *pipeline.Config, _ map[string]string) {
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATA INVENTORY\tPERSONAL COLUMNS (class → protection)")
	for _, t := range tableNames(cfg) {
		r, err := latestClassification(cfg, t)
		if err != nil {
			continue
		}
		var cols []string
		review := 0
		for _, c := range r.Columns {
			if c.Class == "none" || c.Class == "" {
				continue
			}
			cols = append(cols, fmt.Sprintf("%s → %s", c.Class, c.Protection))
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
	}
	tw.Flush()
	fmt.Fprintf(g.stdout, "(full inventory: vigil -c %s classify --cached)\n", cfg.File)
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

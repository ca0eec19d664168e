package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/stages/anonymize"
	"github.com/vigil-dg/vigil/stages/classify"
)

// describeProtection renders the protection a dataset applied to one
// column, with the parameters that matter to a reader:
// "mask(keep_suffix=4)", "generalize(level=2)", "pseudonym", "drop".
func describeProtection(c anonymize.ColumnReport) string {
	p := c.Protection
	var args []string
	if p.KeepPrefix > 0 {
		args = append(args, fmt.Sprintf("keep_prefix=%d", p.KeepPrefix))
	}
	if p.KeepSuffix > 0 {
		args = append(args, fmt.Sprintf("keep_suffix=%d", p.KeepSuffix))
	}
	if p.Email {
		args = append(args, "email")
	}
	if c.Level != nil {
		args = append(args, fmt.Sprintf("level=%d", *c.Level))
	}
	if c.CellsSuppressed > 0 {
		args = append(args, fmt.Sprintf("cells_suppressed=%d", c.CellsSuppressed))
	}
	s := string(p.Method)
	if s == "" {
		s = "none"
	}
	if len(args) > 0 {
		s += "(" + strings.Join(args, ", ") + ")"
	}
	return s
}

// applyProtections replaces each column's planned protection (the class
// default) with the one the table's analyst dataset actually applied, as
// recorded in its _vigil.json; without a dataset the protection is marked
// as planned only.
func applyProtections(cfg *pipeline.Config, r *classify.TableResult) {
	rep, err := anonymize.ReadDatasetReport(filepath.Join(cfg.Paths().Datasets, r.Table))
	applied := map[string]string{}
	if err == nil {
		for _, c := range rep.Columns {
			applied[c.Name] = describeProtection(c)
		}
	}
	for i := range r.Columns {
		c := &r.Columns[i]
		switch p, ok := applied[c.Name]; {
		case ok:
			c.Protection = p
		case err == nil:
			c.Protection = "withheld (not in the dataset)"
		case c.Protection != "":
			c.Protection = "planned: " + c.Protection + " (no dataset yet)"
		}
	}
}

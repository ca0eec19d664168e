package main

import (
	"sort"

	"github.com/vigil-dg/vigil/reports"
	"github.com/vigil-dg/vigil/stages/anonymize"
	"github.com/vigil-dg/vigil/stages/audit"
)

// disclosureEvidence turns a dataset's recorded disclosure check into audit
// evidence: no dataset, or one without a check, is no evidence (fail).
func disclosureEvidence(table string, rep *anonymize.DatasetReport, err error) audit.DisclosureEvidence {
	ev := audit.DisclosureEvidence{Dataset: table}
	if err != nil || rep == nil || rep.Disclosure == nil {
		return ev
	}
	d := rep.Disclosure
	ev.Checked, ev.Passed, ev.Failures = true, d.Passed, d.Failures
	ev.K, ev.Rows, ev.MinClass, ev.Columns = d.K, d.Rows, d.MinClass, len(d.Columns)
	return ev
}

// utilityRows takes the class-size histogram and the most suppressed
// quasi-identifier values (at most ten, released values only) of a
// dataset's _vigil.json for the report.
func utilityRows(rep *anonymize.DatasetReport) ([]reports.ClassSizeRow, []reports.SuppressionRow) {
	var bins []reports.ClassSizeRow
	if rep.Disclosure != nil {
		for _, b := range rep.Disclosure.ClassSizes {
			bins = append(bins, reports.ClassSizeRow{From: b.From, To: b.To, Classes: b.Classes, Records: b.Records})
		}
	}
	var sup []reports.SuppressionRow
	for _, c := range rep.Columns {
		for _, v := range c.SuppressedByValue {
			if v.Suppressed > 0 {
				sup = append(sup, reports.SuppressionRow{Column: c.Name, Value: v.Value, Records: v.Records, Suppressed: v.Suppressed, Share: v.Share})
			}
		}
	}
	sort.SliceStable(sup, func(i, j int) bool {
		if sup[i].Share != sup[j].Share {
			return sup[i].Share > sup[j].Share
		}
		return sup[i].Suppressed > sup[j].Suppressed
	})
	if len(sup) > 10 {
		sup = sup[:10]
	}
	return bins, sup
}

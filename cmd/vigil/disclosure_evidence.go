package main

import (
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

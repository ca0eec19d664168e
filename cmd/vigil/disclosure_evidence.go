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
	ev.Checked, ev.Passed, ev.Failures = true, rep.Disclosure.Passed, rep.Disclosure.Failures
	return ev
}

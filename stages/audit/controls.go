package audit

import (
	"slices"
	"strings"

	"github.com/vigil-dg/vigil/rules/detections"
)

// ControlRule states how every control's status is decided.
const ControlRule = "fail: a mapped check failed or a critical/high finding (case) is open; " +
	"warn: a mapped check warned, a medium/low finding is open, or a mapped detection could not run; " +
	"pass: a mapped check passed or a mapped detection ran over events of the period, and nothing worse; " +
	"n/a: no positive evidence (a detection that ran over no events is none)"

// findingStatus is what an open finding of a severity does to its controls.
func findingStatus(sev string) string {
	switch sev {
	case "critical", "high":
		return StatusFail
	case "medium", "low":
		return StatusWarn
	}
	return StatusPass
}

// controlMatrix rates every catalog control from the detections, findings
// and checks mapped to it:
//   - fail: a mapped check failed, or an open critical/high finding;
//   - warn: a mapped check warned, an open medium/low finding, or a mapped
//     detection could not run;
//   - pass: at least one mapped check passed or detection ran, and nothing worse;
//   - n/a: no evidence at all.
func controlMatrix(rules []detections.Rule, runs []DetectionRun, findings []Finding, checks []Check) []ControlResult {
	remediation := map[string]string{}
	for _, r := range rules {
		remediation[r.ID] = r.Remediation
	}
	var out []ControlResult
	for _, c := range detections.Controls() {
		res := ControlResult{Control: c, Status: StatusNA, Rule: ControlRule}
		var fixes []string
		addFix := func(s string) {
			s = strings.Join(strings.Fields(s), " ")
			if s != "" && !slices.Contains(fixes, s) {
				fixes = append(fixes, s)
			}
		}
		for _, ch := range checks {
			if !slices.Contains(ch.Controls, c.ID) {
				continue
			}
			res.Checks = append(res.Checks, ch.ID)
			if ch.Status == StatusNA {
				res.say(msg("ctl.check_na", aText(ch.ID)))
				continue
			}
			res.Status = worst(res.Status, ch.Status)
			line := msg("ctl.check", aText(ch.ID), aTerm(ch.Status))
			if len(ch.Evidence) > 0 {
				first := aText(ch.Evidence[0])
				if m := MsgFor(ch.Evidence, ch.EvidenceMsgs, ch.Evidence[0]); m != nil {
					first = Arg{Msg: m}
				}
				line = line.with("ctl.first", first)
			}
			res.say(line)
			if ch.Status == StatusFail || ch.Status == StatusWarn {
				addFix(ch.Remediation)
			}
		}
		for _, r := range runs {
			if !slices.Contains(r.Controls, c.ID) {
				continue
			}
			res.Detections = append(res.Detections, r.ID)
			switch r.Status {
			case RunRan:
				open := r.Findings - r.Suppressed
				if r.Considered == 0 {
					// Ran over nothing: no positive evidence either way.
					res.say(msg("ctl.det_none", aText(r.ID)))
					continue
				}
				res.Status = worst(res.Status, StatusPass)
				res.say(msg("ctl.det_ran", aText(r.ID), aInt(r.Considered), aInt(r.Findings), aInt(open)))
			default:
				res.Status = worst(res.Status, StatusWarn)
				res.say(msg("ctl.det_other", aText(r.ID), aTerm(r.Status), reasonArg(r)))
			}
		}
		for _, f := range findings {
			if f.Suppressed || !slices.Contains(f.Controls, c.ID) {
				continue
			}
			res.Findings = append(res.Findings, f.Fingerprint)
			res.Status = worst(res.Status, findingStatus(f.Severity))
			addFix(remediation[f.Detection])
		}
		switch res.Status {
		case StatusFail, StatusWarn:
			if len(fixes) == 0 {
				fixes = append(fixes, c.Suggestion)
			}
			res.Improvement = strings.Join(fixes, " ")
		default:
			res.Improvement = c.Suggestion
		}
		out = append(out, res)
	}
	return out
}

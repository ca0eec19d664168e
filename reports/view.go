package reports

import (
	"fmt"
	"slices"

	"github.com/vigil-dg/vigil/stages/audit"
)

// controlRow is a control of the matrix as the HTML and Markdown show it:
// check evidence in full, detections summed up, improvements as references
// to the numbered suggestions (report.json keeps the audit's full text).
type controlRow struct {
	audit.ControlResult
	CheckRows   []checkRef
	Ran         int      // detections that ran
	RanFindings int      // their findings
	RanOpen     int      // of which open
	NotRun      []string // "dormant_account: skipped (reason)"
	Open        []string // ids of open findings
	Suggestions []int    // numbers of the suggestions that address it
}

type checkRef struct {
	ID, Title, Status, First string
}

func controlRows(d *Document) []controlRow {
	checks := map[string]audit.Check{}
	for _, c := range d.Checks {
		checks[c.ID] = c
	}
	runs := map[string]audit.DetectionRun{}
	for _, r := range d.Detections {
		runs[r.ID] = r
	}
	ids := map[string]string{}
	for _, f := range d.Findings {
		ids[f.Fingerprint] = f.ID
	}
	var out []controlRow
	for _, c := range d.Controls {
		row := controlRow{ControlResult: c}
		for _, id := range c.Checks {
			ch, ok := checks[id]
			if !ok {
				continue
			}
			ref := checkRef{ID: ch.ID, Title: ch.Title, Status: ch.Status}
			if ev := d.CheckEvidence(ch); len(ev) > 0 {
				ref.First = ev[0]
			}
			row.CheckRows = append(row.CheckRows, ref)
		}
		for _, id := range c.Detections {
			r, ok := runs[id]
			if !ok {
				continue
			}
			if r.Status == audit.RunRan {
				row.Ran++
				row.RanFindings += r.Findings
				row.RanOpen += r.Findings - r.Suppressed
				continue
			}
			s := fmt.Sprintf("%s: %s", r.ID, d.lang.Term(r.Status))
			if r.Reason != "" {
				if d.lang.lang == LangZH {
					s += "（" + d.runReason(r) + "）"
				} else {
					s += " (" + d.runReason(r) + ")"
				}
			}
			row.NotRun = append(row.NotRun, s)
		}
		for _, fp := range c.Findings {
			if id := ids[fp]; id != "" {
				row.Open = append(row.Open, id)
			}
		}
		for i, s := range d.Suggestions {
			if s.Status != audit.StatusPass && slices.Contains(s.Controls, c.ID) {
				row.Suggestions = append(row.Suggestions, i+1)
			}
		}
		out = append(out, row)
	}
	return out
}

// evidenceTable is a finding's evidence with the columns that hold a value.
type evidenceTable struct {
	Rows                                                          []audit.Evidence
	Object, Records, IP, Location, MFA, Status, UserAgent, Detail bool
}

func newEvidenceTable(evs []audit.Evidence) evidenceTable {
	t := evidenceTable{Rows: evs}
	for _, e := range evs {
		t.Object = t.Object || e.ObjectType != "" || e.ObjectID != ""
		t.Records = t.Records || e.RecordCount != nil
		t.IP = t.IP || e.SrcIP != ""
		t.Location = t.Location || e.City != "" || e.Country != ""
		t.MFA = t.MFA || e.MFA != nil
		t.Status = t.Status || e.Status != ""
		t.UserAgent = t.UserAgent || e.UserAgent != ""
		t.Detail = t.Detail || e.Detail != ""
	}
	return t
}

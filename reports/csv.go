package reports

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// csvHeader is the header row of findings.csv (a stable format).
var csvHeader = []string{"id", "detection", "title", "severity", "status", "trend", "user", "key", "first_seen", "last_seen",
	"count", "controls", "fingerprint", "remediation", "suppression", "suppression_reason", "suppressed_by"}

// RenderCSV writes findings.csv: one row per finding, open and suppressed.
func RenderCSV(w io.Writer, in Input) error {
	d, err := NewDocument(in)
	if err != nil {
		return err
	}
	return d.CSV(w)
}

// CSV writes the findings as CSV: UTF-8 with a byte-order mark (Excel on
// Chinese Windows reads BOM-less CSV as GBK), CRLF line ends, no line
// breaks inside cells. Times are RFC 3339 in UTC; controls are separated
// by "; ". The header is the stable column ids; title, severity, status,
// trend and remediation are in the report's language, and a case_state
// column follows the suppression columns.
func (d *Document) CSV(w io.Writer) error {
	l := d.lang
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(append(append([]string{}, csvHeader...), "case_state", "not_observed")); err != nil {
		return err
	}
	for _, f := range d.Findings {
		var sup, reason, by string
		if f.Suppression != nil {
			sup, reason, by = f.Suppression.Status, f.Suppression.Reason, f.Suppression.By
		}
		title, fix := l.Detection(f.Detection, f.Title, f.Remediation)
		if sup != "" {
			sup = l.T("supp." + sup)
		}
		state, notObs := "", ""
		if f.Case != nil {
			state = l.T("state." + f.Case.State)
			if f.Case.NotObserved {
				notObs = l.T("yes")
			}
		}
		row := []string{f.ID, f.Detection, title, l.T("sev." + f.Severity), l.T("fstatus." + f.Status), l.T("trend." + f.Trend), f.User, f.Key,
			f.WindowStart.UTC().Format(time.RFC3339), f.WindowEnd.UTC().Format(time.RFC3339),
			strconv.FormatInt(f.Count, 10), strings.Join(f.Controls, "; "), f.Fingerprint, fix, sup, reason, by, state, notObs}
		for i := range row {
			row[i] = csvCell(oneLine(row[i]))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// oneLine folds the hard line breaks of wrapped YAML text into spaces: a
// spreadsheet shows them as broken rows.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// csvCell defuses a value a spreadsheet would run as a formula (OWASP CSV
// injection): it gets a leading apostrophe.
func csvCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

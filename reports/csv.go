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

// CSV writes the findings as CSV. Times are RFC 3339 in UTC; controls are
// separated by "; ".
func (d *Document) CSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, f := range d.Findings {
		var sup, reason, by string
		if f.Suppression != nil {
			sup, reason, by = f.Suppression.Status, f.Suppression.Reason, f.Suppression.By
		}
		row := []string{f.ID, f.Detection, f.Title, f.Severity, f.Status, f.Trend, f.User, f.Key,
			f.WindowStart.UTC().Format(time.RFC3339), f.WindowEnd.UTC().Format(time.RFC3339),
			strconv.FormatInt(f.Count, 10), strings.Join(f.Controls, "; "), f.Fingerprint, f.Remediation, sup, reason, by}
		for i := range row {
			row[i] = csvCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
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

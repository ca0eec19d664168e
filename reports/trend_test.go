package reports

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-dg/vigil/stages/audit"
)

var (
	findingID   = regexp.MustCompile(`F-\d{3}`)
	fingerprint = regexp.MustCompile(`\b[0-9a-f]{32}\b`)
)

// between returns the text from the first start to the next end after it.
func between(t *testing.T, s, start, end string) string {
	t.Helper()
	i := strings.Index(s, start)
	if i < 0 {
		t.Fatalf("%q not found", start)
	}
	s = s[i+len(start):]
	if j := strings.Index(s, end); j >= 0 {
		s = s[:j]
	}
	return s
}

func ids(s string) []string {
	out := findingID.FindAllString(s, -1)
	slices.Sort(out)
	return slices.Compact(out)
}

func render(t *testing.T, in Input) (html, md string) {
	t.Helper()
	var h, m bytes.Buffer
	if err := RenderHTML(&h, in); err != nil {
		t.Fatal(err)
	}
	if err := RenderMarkdown(&m, in); err != nil {
		t.Fatal(err)
	}
	return h.String(), m.String()
}

// htmlTrend lists the finding ids in each trend table of the HTML.
func htmlTrend(t *testing.T, html string) map[string][]string {
	sec := between(t, html, `<section id="trend">`, `</section>`)
	out := map[string][]string{}
	for _, k := range []string{"new", "resolved", "still-open", "suppressed"} {
		out[k] = ids(between(t, sec, `<h3 id="trend-`+k+`">`, `<h3`))
		if k == "resolved" { // resolved findings have no id in this report
			out[k] = fingerprint.FindAllString(between(t, sec, `<h3 id="trend-`+k+`">`, `<h3`), -1)
		}
	}
	return out
}

// mdTrend lists the finding ids in each trend table of the Markdown.
func mdTrend(t *testing.T, md string) map[string][]string {
	sec := between(t, md, "## 2 Trend since the previous report", "\n## ")
	out := map[string][]string{}
	for k, h := range map[string]string{"new": "### New", "resolved": "### Resolved", "still-open": "### Still open", "suppressed": "### Suppressed"} {
		out[k] = ids(between(t, sec, h+"\n", "###"))
		if k == "resolved" {
			out[k] = fingerprint.FindAllString(between(t, sec, h+"\n", "###"), -1)
		}
	}
	return out
}

// secondAudit is the same period audited again after a reviewer marked the
// brute force on the integration account as a false positive.
func secondAudit() (*audit.Report, string) {
	r := fixtureAudit()
	suppress(r, "brute_force", audit.Suppression{Detection: "brute_force", User: "svc-integration", Status: audit.SuppressFalsePositive,
		Reason: "Credential rotation test by the integration team, ticket OPS-1432", By: "secops@example.com",
		File: "/etc/vigil/suppressions.yaml", Line: 15})
	for _, f := range r.Findings {
		if f.Detection == "brute_force" {
			return r, f.Fingerprint
		}
	}
	panic("no brute_force finding in the fixture")
}

func TestSecondAuditWithOneIncidentSuppressed(t *testing.T) {
	first := fixtureInput()
	second := fixtureInput()
	var fp string
	second.Audit, fp = secondAudit()

	d1, err := NewDocument(first)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := NewDocument(second)
	if err != nil {
		t.Fatal(err)
	}
	f1, _ := d1.finding(fp)
	f2, _ := d2.finding(fp)
	id := f2.ID
	if f1.ID != id || f1.Status != StatusOpen || f2.Status != StatusSuppressed || f2.Trend != TrendSuppressed {
		t.Fatalf("the brute force: first %s %s, second %s %s/%s", f1.ID, f1.Status, f2.ID, f2.Status, f2.Trend)
	}

	t.Run("against the same previous report", func(t *testing.T) {
		h1, m1 := render(t, first)
		h2, m2 := render(t, second)
		for name, tr := range map[string][2]map[string][]string{
			"html": {htmlTrend(t, h1), htmlTrend(t, h2)},
			"md":   {mdTrend(t, m1), mdTrend(t, m2)},
		} {
			a, b := tr[0], tr[1]
			if len(a["new"]) < 2 || len(a["resolved"]) == 0 || len(a["still-open"]) == 0 || len(a["suppressed"]) == 0 {
				t.Fatalf("%s: the fixture's trend should fill every table: %v", name, a)
			}
			if !slices.Contains(a["new"], id) || slices.Contains(a["suppressed"], id) {
				t.Fatalf("%s: first report: %s should be new: %v", name, id, a)
			}
			// The suppressed incident moves from new to suppressed ...
			if slices.Contains(b["new"], id) || !slices.Contains(b["suppressed"], id) {
				t.Errorf("%s: second report: %s should be suppressed, not new: %v", name, id, b)
			}
			// ... and nothing else in the trend changes.
			want := map[string][]string{
				"new":        slices.DeleteFunc(slices.Clone(a["new"]), func(s string) bool { return s == id }),
				"resolved":   a["resolved"],
				"still-open": a["still-open"],
				"suppressed": ids(strings.Join(append(slices.Clone(a["suppressed"]), id), " ")),
			}
			for k := range want {
				if !slices.Equal(b[k], want[k]) {
					t.Errorf("%s: trend %s: %v, want %v", name, k, b[k], want[k])
				}
			}
		}
		// Listed under suppressed findings with the reviewer's reason, not under open ones.
		open := between(t, h2, `<section id="findings">`, `</section>`)
		supp := between(t, h2, `<section id="suppressed">`, `</section>`)
		if strings.Contains(open, `id="`+id+`"`) || !strings.Contains(supp, `id="`+id+`"`) {
			t.Errorf("HTML: %s should be among the suppressed findings only", id)
		}
		for _, s := range []string{"false positive", "Credential rotation test by the integration team, ticket OPS-1432", "secops@example.com"} {
			if !strings.Contains(supp, s) {
				t.Errorf("HTML: the suppressed section does not show %q", s)
			}
		}
		mdSupp := between(t, m2, "## 6 Suppressed findings", "\n## ")
		mdOpen := between(t, m2, "## 4 Open findings", "\n## ")
		if !strings.Contains(mdSupp, "### "+id) || strings.Contains(mdOpen, "### "+id) {
			t.Errorf("Markdown: %s should be among the suppressed findings only", id)
		}
		if !strings.Contains(mdSupp, "**false positive** by secops@example.com: Credential rotation test") {
			t.Error("Markdown: the suppression's reason is not shown")
		}
		if d1.Summary.OpenFindings-1 != d2.Summary.OpenFindings || d1.Summary.Suppressed+1 != d2.Summary.Suppressed {
			t.Errorf("summary: open %d→%d, suppressed %d→%d", d1.Summary.OpenFindings, d2.Summary.OpenFindings, d1.Summary.Suppressed, d2.Summary.Suppressed)
		}
	})

	t.Run("against the first audit", func(t *testing.T) {
		in := second
		in.Previous = first.Audit
		d, err := NewDocument(in)
		if err != nil {
			t.Fatal(err)
		}
		tr := d.Trend
		if len(tr.New) != 0 || len(tr.Resolved) != 0 || !tr.Unchanged {
			t.Errorf("trend: %d new, %d resolved, unchanged %v; want nothing new or resolved", len(tr.New), len(tr.Resolved), tr.Unchanged)
		}
		if len(tr.StillOpen) != d1.Summary.OpenFindings-1 {
			t.Errorf("still open: %d, want %d", len(tr.StillOpen), d1.Summary.OpenFindings-1)
		}
		var before string
		for _, e := range tr.Suppressed {
			if e.Fingerprint == fp {
				before = e.Before
			}
		}
		if before != StatusOpen {
			t.Errorf("the newly suppressed finding: before = %q, want open", before)
		}
		h, m := render(t, in)
		ht, mt := htmlTrend(t, h), mdTrend(t, m)
		for name, tt := range map[string]map[string][]string{"html": ht, "md": mt} {
			if len(tt["new"]) != 0 || len(tt["resolved"]) != 0 || !slices.Contains(tt["suppressed"], id) || slices.Contains(tt["still-open"], id) {
				t.Errorf("%s: trend %v", name, tt)
			}
		}
		if !strings.Contains(h, "<strong>No change:</strong>") || !strings.Contains(m, "**No change:**") {
			t.Error("the trend does not say that nothing changed")
		}
	})
}

func TestFirstReportTrend(t *testing.T) {
	in := fixtureInput()
	in.Previous = nil
	d, err := NewDocument(in)
	if err != nil {
		t.Fatal(err)
	}
	if d.Trend.Previous != nil || len(d.Trend.New) != d.Summary.OpenFindings || len(d.Trend.Resolved) != 0 || len(d.Trend.StillOpen) != 0 {
		t.Errorf("first report trend: %+v", d.Trend)
	}
	for _, e := range d.Trend.Suppressed {
		if e.Before != "" {
			t.Errorf("first report: suppressed %s before = %q", e.ID, e.Before)
		}
	}
	h, m := render(t, in)
	if !strings.Contains(h, "This is the first report") || !strings.Contains(m, "This is the first report") {
		t.Error("the first report does not say so")
	}
}

// finding returns the finding with the fingerprint fp.
func (d *Document) finding(fp string) (Finding, bool) {
	for _, f := range d.Findings {
		if f.Fingerprint == fp {
			return f, true
		}
	}
	return Finding{}, false
}

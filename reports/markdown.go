package reports

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/rules/detections"
	"github.com/vigil-dg/vigil/stages/audit"
)

// RenderMarkdown writes report.md: the report's sections in Markdown.
func RenderMarkdown(w io.Writer, in Input) error {
	d, err := NewDocument(in)
	if err != nil {
		return err
	}
	return d.Markdown(w)
}

// mdEscaper backslash-escapes the punctuation that Markdown (CommonMark
// and GitHub tables) would interpret, and flattens line breaks, so that a
// log value is shown as text: no HTML, links, emphasis or table cells.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
	`|`, `\|`, `&`, `\&`, `~`, `\~`, `#`, `\#`, `!`, `\!`, "\r\n", " ", "\n", " ", "\r", " ",
)

// e escapes an untrusted string for Markdown.
func e(s string) string { return mdEscaper.Replace(s) }

// code shows an identifier as a code span when it is made of characters
// that mean nothing in Markdown (inside a code span backslash escapes do
// not work); anything else is escaped text.
func code(s string) string {
	if s == "" {
		return ""
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_.:/()@+=,-", r)) && r < 0x80 {
			return e(s)
		}
	}
	return "`" + s + "`"
}

type mdWriter struct {
	b   strings.Builder
	d   *Document
	loc *time.Location
}

func (m *mdWriter) p(format string, args ...any) { fmt.Fprintf(&m.b, format, args...) }

func (m *mdWriter) time(t time.Time) string { return fmtTimeIn(t, m.loc) }

// table writes a GitHub table; cells must be escaped already.
func (m *mdWriter) table(head []string, rows [][]string) {
	if len(rows) == 0 {
		m.p("None.\n\n")
		return
	}
	m.p("|")
	for _, h := range head {
		m.p(" %s |", strings.TrimSpace(h))
	}
	m.p("\n|")
	for _, h := range head {
		if strings.HasSuffix(h, " ") { // a trailing space marks a numeric column
			m.p("---:|")
		} else {
			m.p("---|")
		}
	}
	m.p("\n")
	for _, r := range rows {
		for i := range r {
			if r[i] == "" {
				r[i] = "—"
			}
		}
		m.p("| %s |\n", strings.Join(r, " | "))
	}
	m.p("\n")
}

func (m *mdWriter) heading(id string) {
	for _, s := range sections() {
		if s.ID == id {
			m.p("## %d %s\n\n", s.No, s.Title)
		}
	}
}

func ctlList(d *Document, ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = e(controlRef(d, id))
	}
	return strings.Join(out, ", ")
}

// Markdown writes the document as Markdown.
func (d *Document) Markdown(w io.Writer) error {
	m := &mdWriter{d: d, loc: d.Location()}
	m.header()
	m.summary()
	m.trend()
	m.activity()
	m.findings()
	m.suppressed()
	m.controls()
	m.checks()
	m.inventory()
	m.protection()
	m.backups()
	m.suggestions()
	m.method()
	_, err := io.WriteString(w, m.b.String())
	return err
}

func (m *mdWriter) header() {
	d := m.d
	m.p("# %s\n\n", e(d.Title))
	if d.Organization != "" {
		m.p("**%s**  \n", e(d.Organization))
	}
	m.p("Period %s · generated %s · times in %s  \n", periodText(d.Period, m.loc), m.time(d.GeneratedAt), zoneText(m.loc, d.Period.From))
	m.p("Overall status: **%s**\n\n", statusLabel(d.Summary.Status))
	m.p("Contents: ")
	for i, s := range sections() {
		if i > 0 {
			m.p(" · ")
		}
		m.p("%d %s", s.No, s.Title)
	}
	m.p("\n\n")
}

func countStatus(statuses []string) string {
	var parts []string
	for _, s := range statusOrder {
		n := 0
		for _, t := range statuses {
			if t == s {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func (m *mdWriter) summary() {
	d := m.d
	m.heading("summary")
	var sev []string
	for _, s := range detections.Severities {
		sev = append(sev, fmt.Sprintf("%d %s", d.Summary.OpenBySeverity[s], s))
	}
	m.p("- **Open findings:** %d (%s)\n", d.Summary.OpenFindings, strings.Join(sev, ", "))
	m.p("- **Suppressed findings:** %d\n", d.Summary.Suppressed)
	if d.Trend.Previous != nil {
		m.p("- **Since the previous report:** %s open; %d new, %d resolved, %d still open, %d suppressed\n",
			signed(d.Trend.OpenDelta), len(d.Trend.New), len(d.Trend.Resolved), len(d.Trend.StillOpen), len(d.Trend.Suppressed))
	} else {
		m.p("- **Since the previous report:** first report, nothing to compare\n")
	}
	var cs, ks []string
	for _, c := range d.Controls {
		cs = append(cs, c.Status)
	}
	for _, c := range d.Checks {
		ks = append(ks, c.Status)
	}
	m.p("- **Controls:** %s (of %d)\n", countStatus(cs), len(d.Controls))
	m.p("- **Posture checks:** %s\n", countStatus(ks))
	m.p("- **Events analysed:** %s in the period (%s read, %s unmapped, %d source(s))\n",
		num(d.Summary.EventsInPeriod), num(d.Summary.EventsRead), num(d.Summary.EventsUnmapped), len(d.Sources))
	m.p("- **Protection:** %s\n", coverageText(d))
	m.p("- **Backups:** %s\n\n", backupText(d))
}

func (m *mdWriter) trendRows(es []TrendEntry, before bool) [][]string {
	var rows [][]string
	for _, t := range es {
		r := []string{e(t.ID), e(t.Title), e(t.Severity), code(t.Detection), e(t.User), m.time(t.WindowStart), code(t.Fingerprint)}
		if before {
			r[6] = e(t.Before)
		}
		rows = append(rows, r)
	}
	return rows
}

func (m *mdWriter) trend() {
	d, t := m.d, m.d.Trend
	m.heading("trend")
	if p := t.Previous; p != nil {
		m.p("Compared with the report generated %s for %s (status %s, %d open, %d suppressed), by finding fingerprint.\n\n",
			m.time(p.GeneratedAt), periodText(p.Period, m.loc), p.Status, p.OpenFindings, p.Suppressed)
		if t.Unchanged {
			m.p("**No change:** no new findings and none resolved since the previous report.\n\n")
		}
	} else {
		m.p("This is the first report: every open finding counts as new.\n\n")
	}
	m.p("New %d · resolved %d · still open %d · suppressed %d\n\n", len(t.New), len(t.Resolved), len(t.StillOpen), len(t.Suppressed))
	head := []string{"Finding", "Title", "Severity", "Detection", "User", "Window start", "Fingerprint"}
	m.p("### New\n\n")
	m.table(head, m.trendRows(t.New, false))
	m.p("### Resolved\n\n")
	m.table(head, m.trendRows(t.Resolved, false))
	m.p("### Still open\n\n")
	m.table(head, m.trendRows(t.StillOpen, false))
	m.p("### Suppressed\n\n")
	sh := append(append([]string{}, head[:6]...), "In previous report")
	m.table(sh, m.trendRows(t.Suppressed, d.Trend.Previous != nil))
}

func (m *mdWriter) activity() {
	d := m.d
	c := buildCharts(d)
	m.heading("activity")
	m.p("- **Failed logins per hour:** %s\n", c.FailedLogins.Desc)
	m.p("- **Events per day:** %s\n", c.EventsPerDay.Desc)
	type hc struct {
		day, hour int
		n         int64
	}
	var cells []hc
	for dd := 0; dd < 7; dd++ {
		for h := 0; h < 24; h++ {
			if n := d.Charts.AccessHeatmap[dd][h]; n > 0 {
				cells = append(cells, hc{dd, h, n})
			}
		}
	}
	sort.SliceStable(cells, func(i, j int) bool { return cells[i].n > cells[j].n })
	if len(cells) > 5 {
		cells = cells[:5]
	}
	var busy []string
	for _, x := range cells {
		busy = append(busy, fmt.Sprintf("%s %02d:00 (%s)", weekdays[x.day], x.hour, num(x.n)))
	}
	if len(busy) == 0 {
		busy = []string{"no events"}
	}
	m.p("- **Busiest hours** (%s): %s\n\n", d.TimeZone, strings.Join(busy, ", "))
	m.p("### Exports per user\n\n")
	var rows [][]string
	for _, u := range d.Charts.ExportsPerUser {
		rows = append(rows, []string{e(u.User), num(u.Exports), num(u.Records)})
	}
	m.table([]string{"User", "Exports ", "Records "}, rows)
}

func (m *mdWriter) findingFacts(f Finding) {
	m.p("- **User:** %s\n", e(f.User))
	m.p("- **Window:** %s – %s (%s), %s event(s)\n", m.time(f.WindowStart), m.time(f.WindowEnd), durationText(f.WindowStart, f.WindowEnd), num(f.Count))
	m.p("- **Detection:** %s", code(f.Detection))
	if f.Key != "" {
		m.p(", key %s", code(f.Key))
	}
	m.p("\n- **Controls:** %s\n", ctlList(m.d, f.Controls))
	m.p("- **Fingerprint:** %s\n", code(f.Fingerprint))
	if f.Detail != "" {
		m.p("- **Detail:** %s\n", e(f.Detail))
	}
}

func (m *mdWriter) findings() {
	d := m.d
	m.heading("findings")
	open := 0
	for _, f := range d.Findings {
		if f.Suppressed {
			continue
		}
		open++
		m.p("### %s · %s · %s (%s)\n\n", f.ID, strings.ToUpper(e(f.Severity)), e(f.Title), trendText(f.Trend))
		m.findingFacts(f)
		m.p("\n**Remediation.** %s\n\n", e(f.Remediation))
		if len(f.Evidence) > 0 {
			var rows [][]string
			for _, ev := range f.Evidence {
				obj := e(ev.ObjectType)
				if ev.ObjectID != "" {
					obj += " " + code(ev.ObjectID)
				}
				rc := ""
				if ev.RecordCount != nil {
					rc = num(*ev.RecordCount)
				}
				mfa := ""
				if ev.MFA != nil {
					mfa = map[bool]string{true: "yes", false: "no"}[*ev.MFA]
				}
				loc := strings.Trim(strings.Join([]string{ev.City, ev.Country}, ", "), ", ")
				rows = append(rows, []string{ev.Time.In(m.loc).Format("2006-01-02 15:04:05"), e(ev.User), e(ev.Action), obj, rc,
					e(ev.SrcIP), e(loc), mfa, e(ev.Status), e(ev.UserAgent), e(ev.Detail)})
			}
			m.table([]string{"Time", "User", "Action", "Object", "Records ", "Source IP", "Location", "MFA", "Status", "User agent", "Detail"}, rows)
			m.p("Evidence: %d of %s event(s) shown; customer identifiers are pseudonymised.\n\n", len(f.Evidence), num(f.EvidenceTotal))
		}
	}
	if open == 0 {
		m.p("No open findings in the period.\n\n")
	}
}

func (m *mdWriter) suppressed() {
	d := m.d
	m.heading("suppressed")
	n := 0
	for _, f := range d.Findings {
		if !f.Suppressed {
			continue
		}
		n++
		m.p("### %s · %s · %s (suppressed)\n\n", f.ID, strings.ToUpper(e(f.Severity)), e(f.Title))
		if s := f.Suppression; s != nil {
			m.p("**%s** by %s: %s", suppressionText(s.Status), e(s.By), e(s.Reason))
			if s.Expires != nil {
				m.p(" (until %s)", fmtDateIn(*s.Expires, time.UTC))
			}
			m.p("\n\n")
		}
		m.findingFacts(f)
		m.p("\n")
	}
	if n == 0 {
		m.p("No suppressed findings.\n\n")
	}
	m.p("### Suppressions file\n\n")
	m.p("To suppress a finding after review, add its fingerprint to the suppressions file (`format: %s`) with `status: accepted` or `status: false_positive`, a `reason`, `by` and, for accepted risks, an `expires` date. The next report honours it and lists it here.\n\n", audit.SuppressionsFormat)
	var rows [][]string
	for _, s := range d.Suppressions {
		match := "fingerprint " + code(s.Fingerprint)
		if s.Fingerprint == "" {
			match = code(s.Detection) + " for " + e(s.User)
		}
		exp := ""
		if s.Expires != nil {
			exp = fmtDateIn(*s.Expires, time.UTC)
		}
		rows = append(rows, []string{match, suppressionText(s.Status), e(s.Reason), e(s.By), exp, e(s.State), fmt.Sprint(s.Matched),
			e(fmt.Sprintf("%s:%d", baseName(s.File), s.Line))})
	}
	m.table([]string{"Matches", "Status", "Reason", "By", "Expires", "State", "Matched ", "Where"}, rows)
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func (m *mdWriter) controls() {
	d := m.d
	m.heading("controls")
	m.p("Status per control from the checks and detections mapped to it: fail when a mapped check failed or a critical/high finding is open, warn for a warning, an open medium/low finding or a detection that could not run, pass when evidence exists and nothing is worse, n/a without evidence. report.json holds every evidence line.\n\n")
	var order []string
	by := map[string][]controlRow{}
	for _, c := range controlRows(d) {
		if _, ok := by[c.Framework]; !ok {
			order = append(order, c.Framework)
		}
		by[c.Framework] = append(by[c.Framework], c)
	}
	for _, fw := range order {
		m.p("### %s\n\n", e(fw))
		var rows [][]string
		for _, c := range by[fw] {
			var ev []string
			for _, ch := range c.CheckRows {
				line := statusLabel(ch.Status) + " " + e(ch.Title)
				if ch.First != "" {
					line += ": " + e(ch.First)
				}
				ev = append(ev, line)
			}
			if c.Ran > 0 {
				ev = append(ev, fmt.Sprintf("%d detection(s) ran: %d finding(s), %d open", c.Ran, c.RanFindings, c.RanOpen))
			}
			for _, x := range c.NotRun {
				ev = append(ev, "detection "+e(x))
			}
			imp := e(c.Suggestion)
			if len(c.Suggestions) > 0 {
				var ns []string
				for _, n := range c.Suggestions {
					ns = append(ns, fmt.Sprint(n))
				}
				imp = "see suggestion " + strings.Join(ns, ", ")
			}
			rows = append(rows, []string{"**" + e(c.Ref) + "** " + e(c.Title), statusLabel(c.Status), strings.Join(ev, "; "),
				strings.Join(c.Open, ", "), imp})
		}
		m.table([]string{"Control", "Status", "Evidence", "Open findings", "Improvement"}, rows)
	}
}

func (m *mdWriter) checks() {
	m.heading("checks")
	var rows [][]string
	for _, c := range m.d.Checks {
		var ev []string
		for _, x := range c.Evidence {
			ev = append(ev, e(x))
		}
		rem := ""
		if c.Status == audit.StatusFail || c.Status == audit.StatusWarn {
			rem = e(c.Remediation)
		}
		rows = append(rows, []string{e(c.Title) + " (" + code(c.ID) + ")", statusLabel(c.Status), strings.Join(ev, "; "), ctlList(m.d, c.Controls), rem})
	}
	m.table([]string{"Check", "Status", "Evidence", "Controls", "Remediation"}, rows)
}

func (m *mdWriter) inventory() {
	m.heading("inventory")
	if len(m.d.Inventory) == 0 {
		m.p("No classification results were supplied.\n\n")
		return
	}
	var rows [][]string
	for _, r := range m.d.Inventory {
		prot := e(r.Protection)
		if r.Personal() && !r.Protected() {
			prot = "**unprotected** " + prot
		}
		review := ""
		if r.Review {
			review = "review"
		}
		rows = append(rows, []string{e(r.Table), code(r.Column), e(r.Class), categoryText(r.Category), pct(r.Confidence), prot, review})
	}
	m.table([]string{"Table", "Column", "Class", "Category", "Confidence ", "Protection", "Review"}, rows)
}

func (m *mdWriter) protection() {
	d := m.d
	m.heading("protection")
	m.p("%s\n\n### Protection coverage\n\n", coverageText(d))
	var rows [][]string
	for _, c := range d.Coverage {
		var un []string
		for _, u := range c.Unprotected {
			un = append(un, code(u))
		}
		cov := ""
		if c.Personal > 0 {
			cov = pct(c.Share())
		}
		rows = append(rows, []string{e(c.Table), fmt.Sprint(c.Columns), fmt.Sprint(c.Personal), fmt.Sprint(c.Protected), cov, strings.Join(un, ", "), fmt.Sprint(c.Review)})
	}
	m.table([]string{"Table", "Columns ", "Personal ", "Protected ", "Coverage ", "Unprotected personal columns", "To review "}, rows)
	m.p("### Anonymized datasets\n\n")
	rows = nil
	for _, r := range d.Datasets {
		tk, l := "", ""
		if r.TargetK > 0 {
			tk = fmt.Sprint(r.TargetK)
		}
		if r.L > 0 {
			l = fixed(r.L, 1)
		}
		rows = append(rows, []string{e(r.Table), m.time(r.Created), num(r.Rows), fmt.Sprint(r.K), tk, l, num(r.SuppressedRows), fixed(r.Risk, 3)})
	}
	m.table([]string{"Dataset", "Created", "Rows ", "k reached ", "k target ", "l ", "Suppressed rows ", "Highest risk "}, rows)
}

func (m *mdWriter) backups() {
	d := m.d
	m.heading("backups")
	m.p("%s\n\n", backupText(d))
	var rows [][]string
	for _, b := range d.Backups {
		ver, res := "never", "not verified"
		if !b.VerifiedAt.IsZero() {
			ver = m.time(b.VerifiedAt)
			res = "✓ restored"
			if !b.VerifyOK {
				res = "✗ failed: " + e(b.Detail)
			}
		}
		rows = append(rows, []string{e(b.Table), code(b.SnapshotID), m.time(b.Created), num(b.Rows), ver, res})
	}
	m.table([]string{"Table", "Latest snapshot", "Created", "Rows ", "Last restore drill", "Result"}, rows)
	for _, c := range d.Checks {
		if c.ID == audit.CheckSnapshots || c.ID == audit.CheckRestores {
			var ev []string
			for _, x := range c.Evidence {
				ev = append(ev, e(x))
			}
			m.p("- %s **%s**", statusLabel(c.Status), e(c.Title))
			if len(ev) > 0 {
				m.p(": %s", strings.Join(ev, "; "))
			}
			m.p("\n")
		}
	}
	m.p("\n")
}

func (m *mdWriter) suggestions() {
	m.heading("suggestions")
	if len(m.d.Suggestions) == 0 {
		m.p("Nothing to improve.\n\n")
		return
	}
	for i, s := range m.d.Suggestions {
		m.p("%d. %s %s  \n   *From %s", i+1, statusLabel(s.Status), e(s.Text), e(s.Source))
		if len(s.Findings) > 0 {
			m.p(" · findings %s", strings.Join(s.Findings, ", "))
		}
		m.p(" · %s*\n", ctlList(m.d, s.Controls))
	}
	m.p("\n")
}

func (m *mdWriter) method() {
	d := m.d
	m.heading("method")
	m.p("### Log sources\n\n")
	var rows [][]string
	for _, s := range d.Sources {
		first, last := "", ""
		if s.FirstEvent != nil {
			first = m.time(*s.FirstEvent)
		}
		if s.LastEvent != nil {
			last = m.time(*s.LastEvent)
		}
		rows = append(rows, []string{e(s.Name), e(s.Mapping), e(s.Format), fmt.Sprint(len(s.Files)), num(s.Read), num(s.Mapped), num(s.Unmapped), num(s.InPeriod), first, last})
	}
	m.table([]string{"Source", "Mapping", "Format", "Files ", "Read ", "Mapped ", "Unmapped ", "In period ", "First event", "Last event"}, rows)
	if len(d.References) > 0 {
		var refs []string
		for _, r := range d.References {
			if r.Provided {
				refs = append(refs, fmt.Sprintf("%s (%s rows)", e(r.Name), num(r.Rows)))
			} else {
				refs = append(refs, e(r.Name)+" (not provided)")
			}
		}
		m.p("Reference tables: %s.\n\n", strings.Join(refs, "; "))
	}
	m.p("### Detections\n\n")
	rows = nil
	for _, r := range d.Detections {
		st := e(r.Status)
		if r.Reason != "" {
			st += ": " + e(r.Reason)
		}
		rows = append(rows, []string{e(r.Title) + " (" + code(r.ID) + ")", e(r.Severity), st, num(r.Considered), fmt.Sprint(r.Findings), fmt.Sprint(r.Suppressed)})
	}
	m.table([]string{"Detection", "Severity", "Ran", "Events considered ", "Findings ", "Suppressed "}, rows)
	m.p("### Sign-off\n\nI have reviewed this report, its findings and the suppressions it lists.\n\n")
	m.p("| Name and role | Date | Signature |\n|---|---|---|\n|  |  |  |\n\n")
	m.p("---\nVigil audit report · report format %d · audit format %s\n", d.Format, e(d.AuditFormat))
}

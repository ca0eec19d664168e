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
	l   *locale
}

func (m *mdWriter) p(format string, args ...any) { fmt.Fprintf(&m.b, format, args...) }

func (m *mdWriter) time(t time.Time) string { return m.l.Time(t.In(m.loc)) }

func (m *mdWriter) t(key string, args ...any) string { return m.l.T(key, args...) }

// num marks a numeric column header (right-aligned).
func numCol(s string) string { return s + " " }

// table writes a GitHub table; cells must be escaped already.
func (m *mdWriter) table(head []string, rows [][]string) {
	if len(rows) == 0 {
		m.p("%s\n\n", m.t("none"))
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
	for _, s := range sections(m.l) {
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
	m := &mdWriter{d: d, loc: d.Location(), l: d.lang}
	m.header()
	m.summary()
	m.trend()
	m.activity()
	m.findings()
	m.cases()
	m.suppressed()
	m.controls()
	m.checks()
	m.inventory()
	m.protection()
	m.backups()
	m.suggestions()
	m.records()
	m.integrity()
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
	m.p("%s · %s · %s  \n", m.t("cover.period", m.l.period(d.Period, m.loc)), m.t("cover.generated", m.time(d.GeneratedAt)), m.t("cover.zone", zoneText(m.loc, d.Period.From)))
	m.p("%s: **%s**\n\n", m.t("cover.overall"), m.l.StatusLabel(d.Summary.Status))
	m.p("%s: ", m.t("toc"))
	for i, s := range sections(m.l) {
		if i > 0 {
			m.p(" · ")
		}
		m.p("%d %s", s.No, s.Title)
	}
	m.p("\n\n")
}

func (m *mdWriter) countStatus(statuses []string) string {
	var parts []string
	for _, s := range statusOrder {
		n := 0
		for _, t := range statuses {
			if t == s {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, m.l.StatusLabel(s)))
		}
	}
	if len(parts) == 0 {
		return m.t("none")
	}
	return strings.Join(parts, ", ")
}

func (m *mdWriter) summary() {
	d := m.d
	m.heading("summary")
	var sev []string
	for _, s := range detections.Severities {
		sev = append(sev, fmt.Sprintf("%d %s", d.Summary.OpenBySeverity[s], m.t("sev."+s)))
	}
	m.p("- **%s:** %d (%s)", m.t("kpi.open"), d.Summary.OpenFindings, strings.Join(sev, ", "))
	if d.Summary.NotObserved > 0 {
		m.p("; %s", m.t("kpi.not_observed", d.Summary.NotObserved))
	}
	m.p("\n- **%s:** %d\n", m.t("kpi.suppressed"), d.Summary.Suppressed)
	if d.Trend.Previous != nil {
		m.p("- **%s:** %s; %s", m.t("kpi.since"), signed(d.Trend.OpenDelta), m.t("kpi.since.detail", len(d.Trend.New), len(d.Trend.Resolved), len(d.Trend.StillOpen)))
		if len(d.Trend.NotObserved) > 0 {
			m.p(" · %s", m.t("kpi.since.not_observed", len(d.Trend.NotObserved)))
		}
		m.p("\n")
	} else {
		m.p("- **%s:** %s\n", m.t("kpi.since"), m.t("kpi.since.first"))
	}
	var cs, ks []string
	for _, c := range d.Controls {
		cs = append(cs, c.Status)
	}
	for _, c := range d.Checks {
		ks = append(ks, c.Status)
	}
	m.p("- **%s:** %s — %s\n", m.t("sum.controls"), m.countStatus(cs), m.t("sum.controls.of", len(d.Controls)))
	m.p("- **%s:** %s\n", m.t("sec.checks"), m.countStatus(ks))
	m.p("- **%s:** %s (%s)\n", m.t("kpi.events"), num(d.Summary.EventsInPeriod),
		m.t("kpi.events.detail", num(d.Summary.EventsRead), num(d.Summary.EventsUnmapped), len(d.Sources)))
	m.p("- **%s:** %s\n", m.t("sum.protection"), coverageText(d))
	m.p("- **%s:** %s\n\n", m.t("sec.backups"), backupText(d))
}

func (m *mdWriter) trendHead(before bool) []string {
	h := []string{m.t("col.finding"), m.t("col.title"), m.t("col.severity"), m.t("col.detection"), m.t("col.user"), m.t("col.window_start"), m.t("col.fingerprint")}
	if before {
		h[6] = m.t("col.in_previous")
	}
	return h
}

func (m *mdWriter) trendRows(es []TrendEntry, before bool) [][]string {
	var rows [][]string
	for _, t := range es {
		title, _ := m.l.Detection(t.Detection, t.Title, "")
		r := []string{e(t.ID), e(title), m.t("sev." + t.Severity), code(t.Detection), e(t.User), m.time(t.WindowStart), code(t.Fingerprint)}
		if before {
			r[6] = ""
			if t.Before != "" {
				r[6] = m.t("before." + t.Before)
			}
		}
		rows = append(rows, r)
	}
	return rows
}

func (m *mdWriter) trend() {
	d, t := m.d, m.d.Trend
	m.heading("trend")
	if p := t.Previous; p != nil {
		m.p("%s %s %s\n\n", m.t("trend.compared", m.time(p.GeneratedAt), m.l.period(p.Period, m.loc)), m.l.StatusLabel(p.Status),
			m.t("trend.compared.counts", p.OpenFindings, p.Suppressed))
		if t.Unchanged {
			m.p("**%s** %s\n\n", m.t("trend.nochange"), m.t("trend.nochange.detail"))
		}
	} else {
		m.p("%s\n\n", m.t("trend.first"))
	}
	m.p("%s\n\n", m.t("trend.rule"))
	m.p("%s %d · %s %d · %s %d · %s %d\n\n", m.t("trend.new"), len(t.New), m.t("trend.resolved"), len(t.Resolved),
		m.t("trend.still_open"), len(t.StillOpen), m.t("trend.suppressed"), len(t.Suppressed))
	m.p("### %s\n\n", m.t("trend.new"))
	m.table(m.trendHead(false), m.trendRows(t.New, false))
	m.p("### %s\n\n", m.t("trend.resolved"))
	m.table(m.trendHead(false), m.trendRows(t.Resolved, false))
	if len(t.NotObserved) > 0 {
		m.p("### %s\n\n%s\n\n", m.t("trend.not_observed"), m.t("trend.not_observed.note"))
		m.table(m.trendHead(false), m.trendRows(t.NotObserved, false))
	}
	m.p("### %s\n\n", m.t("trend.still_open"))
	m.table(m.trendHead(false), m.trendRows(t.StillOpen, false))
	m.p("### %s\n\n", m.t("trend.suppressed"))
	m.table(m.trendHead(true), m.trendRows(t.Suppressed, d.Trend.Previous != nil))
}

func (m *mdWriter) activity() {
	d := m.d
	c := buildCharts(d)
	m.heading("activity")
	m.p("- **%s:** %s\n", c.FailedLogins.Title, c.FailedLogins.Desc)
	m.p("- **%s:** %s\n", c.EventsPerDay.Title, c.EventsPerDay.Desc)
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
		busy = append(busy, fmt.Sprintf("%s %02d:00 (%s)", m.t("wd."+weekdays[x.day]), x.hour, num(x.n)))
	}
	if len(busy) == 0 {
		busy = []string{m.t("activity.noevents")}
	}
	m.p("- **%s** (%s): %s\n\n", m.t("activity.busiest"), d.TimeZone, strings.Join(busy, ", "))
	m.p("### %s\n\n", c.Exports.Title)
	var rows [][]string
	for _, u := range d.Charts.ExportsPerUser {
		rows = append(rows, []string{e(u.User), num(u.Exports), num(u.Records)})
	}
	m.table([]string{m.t("col.user"), numCol(m.t("col.exports")), numCol(m.t("col.records"))}, rows)
}

func (m *mdWriter) findingFacts(f Finding) {
	m.p("- **%s:** %s\n", m.t("col.user"), e(f.User))
	m.p("- **%s:** %s – %s (%s)", m.t("card.window"), m.time(f.WindowStart), m.time(f.WindowEnd), m.l.Duration(f.WindowStart, f.WindowEnd))
	if !f.NotObserved() {
		m.p(", %s %s", m.t("card.events"), num(f.Count))
	}
	m.p("\n- **%s:** %s", m.t("col.detection"), code(f.Detection))
	if f.Key != "" {
		m.p(", %s %s", m.t("card.key"), code(f.Key))
	}
	m.p("\n- **%s:** %s\n", m.t("col.controls"), ctlList(m.d, f.Controls))
	m.p("- **%s:** %s\n", m.t("col.fingerprint"), code(f.Fingerprint))
	if c := f.Case; c != nil {
		m.p("- **%s:** %s · %s", m.t("card.case"), m.t("state."+c.State), e(m.t("card.case.since", m.time(c.Since), c.By)))
		if c.Note != "" {
			m.p(": %s", e(m.l.CaseNote(c.By, c.Note)))
		}
		m.p(" · %s\n", m.t("card.case.opened", m.l.Date(c.Opened.In(m.loc))))
	}
	if r := m.d.rationale(f); r != nil {
		m.p("- **%s** %s\n", m.t("card.rationale"), e(r.Text))
		if r.Threshold != "" {
			m.p("- **%s** %s\n", m.t("card.threshold"), e(r.Threshold))
		}
	}
	if f.NotObserved() {
		m.p("- %s\n", m.t("card.not_observed.note"))
	}
	if f.Detail != "" {
		m.p("- **%s:** %s\n", m.t("col.detail"), e(m.l.DetectionDetail(f.Detection, f.Detail)))
	}
}

func (m *mdWriter) findingTitle(f Finding, tag string) {
	title, _ := m.l.Detection(f.Detection, f.Title, "")
	m.p("### %s · %s · %s (%s)\n\n", f.ID, strings.ToUpper(m.t("sev."+f.Severity)), e(title), tag)
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
		tag := m.t("trend." + f.Trend)
		if f.NotObserved() {
			tag += ", " + m.t("card.not_observed")
		}
		m.findingTitle(f, tag)
		m.findingFacts(f)
		_, fix := m.l.Detection(f.Detection, "", f.Remediation)
		m.p("\n**%s** %s\n\n", m.t("card.remediation"), e(fix))
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
					mfa = map[bool]string{true: m.t("yes"), false: m.t("no")}[*ev.MFA]
				}
				loc := strings.Trim(strings.Join([]string{ev.City, ev.Country}, ", "), ", ")
				rows = append(rows, []string{ev.Time.In(m.loc).Format("2006-01-02 15:04:05"), e(ev.User), e(ev.Action), obj, rc,
					e(ev.SrcIP), e(loc), mfa, e(ev.Status), e(ev.UserAgent), e(ev.Detail)})
			}
			m.table([]string{m.t("col.time"), m.t("col.user"), m.t("col.action"), m.t("col.object"), numCol(m.t("col.records")), m.t("col.src_ip"),
				m.t("col.location"), m.t("col.mfa"), m.t("col.status"), m.t("col.user_agent"), m.t("col.detail")}, rows)
			m.p("%s\n\n", m.t("card.evidence", len(f.Evidence), num(f.EvidenceTotal)))
		}
	}
	if open == 0 {
		m.p("%s\n\n", m.t("findings.none"))
	}
}

func (m *mdWriter) cases() {
	m.heading("cases")
	c := m.d.Cases
	if c == nil {
		m.p("%s\n\n%s\n\n", m.t("cases.none"), m.t("cases.howto"))
		return
	}
	m.p("- **%s:** %d (%s)\n", m.t("cases.open"), c.Open, m.t("cases.of_total", c.Total))
	m.p("- **%s:** %d — %s\n", m.t("cases.not_observed"), c.NotObserved, m.t("cases.not_observed.detail"))
	m.p("- **%s:** %d — %s\n", m.t("cases.resolved_now"), c.ResolvedNow, m.t("cases.resolved_now.detail"))
	ttr := "—"
	if c.MedianToClose != "" {
		ttr = m.l.Hours(c.MedianToCloseH)
	}
	m.p("- **%s:** %s (%s)\n", m.t("cases.ttr"), ttr, m.t("cases.ttr.detail", c.Remediated))
	var st []string
	for _, s := range audit.CaseStates {
		st = append(st, fmt.Sprintf("%d %s", c.ByState[s], m.t("state."+s)))
	}
	m.p("- %s\n\n", strings.Join(st, " · "))
	var rows [][]string
	sevs := []string{"critical", "high", "medium", "low"}
	for _, p := range c.Periods {
		when := m.time(p.At)
		if p.Period != nil {
			when = m.l.period(*p.Period, m.d.Location())
		}
		row := []string{when}
		for _, s := range sevs {
			row = append(row, num(int64(p.BySeverity[s])))
		}
		rows = append(rows, row)
	}
	m.p("### %s\n\n%s\n\n", m.t("cases.chart"), m.t("casechart.note"))
	head := []string{m.t("col.period")}
	for _, s := range sevs {
		head = append(head, numCol(m.t("sev."+s)))
	}
	m.table(head, rows)
	m.p("### %s\n\n", m.t("casechart.ttr"))
	if len(c.TimeToRemediate) == 0 {
		m.p("%s\n\n", m.t("casechart.ttr.none"))
	} else {
		rows = nil
		for _, t := range c.TimeToRemediate {
			rows = append(rows, []string{m.t("sev." + t.Severity), fmt.Sprint(t.Closed), m.l.Hours(t.MedianH), m.l.Hours(t.P90H)})
		}
		m.table([]string{m.t("col.severity"), numCol(m.t("col.cases_closed")), numCol(m.t("col.median")), numCol(m.t("col.p90"))}, rows)
	}
	m.p("%s\n\n", m.t("cases.howto"))
}

func (m *mdWriter) suppressed() {
	d := m.d
	m.heading("suppressed")
	m.p("%s\n\n", m.t("suppressed.intro"))
	n := 0
	for _, f := range d.Findings {
		if !f.Suppressed {
			continue
		}
		n++
		m.findingTitle(f, m.t("trend.suppressed"))
		if s := f.Suppression; s != nil {
			m.p("**%s** %s", m.t("supp."+s.Status), e(m.t("card.by", s.By)))
			if s.Reason != "" {
				m.p(": %s", e(s.Reason))
			}
			if s.Expires != nil {
				m.p(" (%s)", m.t("card.until", m.l.Date(s.Expires.UTC())))
			}
			m.p("\n\n")
		}
		m.findingFacts(f)
		m.p("\n")
	}
	if n == 0 {
		m.p("%s\n\n", m.t("suppressed.none"))
	}
	m.p("### %s\n\n", m.t("suppressed.file"))
	m.p("%s\n\n", m.t("suppressed.file.howto", audit.SuppressionsFormat))
	var rows [][]string
	for _, s := range d.Suppressions {
		match := m.t("col.fingerprint") + " " + code(s.Fingerprint)
		if s.Fingerprint == "" {
			match = code(s.Detection) + " · " + e(s.User)
		}
		exp := ""
		if s.Expires != nil {
			exp = m.l.Date(s.Expires.UTC())
		}
		rows = append(rows, []string{match, m.t("supp." + s.Status), e(s.Reason), e(s.By), exp, m.t("supstate." + s.State), fmt.Sprint(s.Matched),
			e(fmt.Sprintf("%s:%d", baseName(s.File), s.Line))})
	}
	m.table([]string{m.t("col.matches"), m.t("col.status"), m.t("col.reason"), m.t("col.by"), m.t("col.expires"), m.t("col.state"), numCol(m.t("col.matched")), m.t("col.where")}, rows)
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
	m.p("%s\n\n", m.t("controls.intro"))
	var order []string
	by := map[string][]controlRow{}
	for _, c := range controlRows(d) {
		if _, ok := by[c.Framework]; !ok {
			order = append(order, c.Framework)
		}
		by[c.Framework] = append(by[c.Framework], c)
	}
	for _, fw := range order {
		m.p("### %s\n\n", e(m.l.Framework(fw)))
		var rows [][]string
		for _, c := range by[fw] {
			var ev []string
			for _, ch := range c.CheckRows {
				title, _ := m.l.Check(ch.ID, ch.Title, "")
				line := m.l.StatusLabel(ch.Status) + " " + e(title)
				if ch.First != "" {
					line += ": " + e(ch.First)
				}
				ev = append(ev, line)
			}
			if c.Ran > 0 {
				ev = append(ev, m.t("controls.ran", c.Ran, c.RanFindings, c.RanOpen))
			}
			for _, x := range c.NotRun {
				ev = append(ev, e(m.t("controls.notrun", x)))
			}
			imp := e(m.l.ControlSuggestion(c.ID, c.Suggestion))
			if len(c.Suggestions) > 0 {
				var ns []string
				for _, n := range c.Suggestions {
					ns = append(ns, fmt.Sprint(n))
				}
				imp = m.t("controls.see") + " " + strings.Join(ns, ", ")
			}
			rows = append(rows, []string{"**" + e(c.Ref) + "** " + e(m.l.Control(c.ID, c.Title)), m.l.StatusLabel(c.Status), strings.Join(ev, "; "),
				strings.Join(c.Open, ", "), imp})
		}
		m.table([]string{m.t("col.control"), m.t("col.status"), m.t("col.evidence"), m.t("col.open_findings"), m.t("col.improvement")}, rows)
	}
}

func (m *mdWriter) checks() {
	m.heading("checks")
	var rows [][]string
	for _, c := range m.d.Checks {
		var ev []string
		for _, x := range m.d.CheckEvidence(c) {
			ev = append(ev, e(x))
		}
		title, fix := m.l.Check(c.ID, c.Title, c.Remediation)
		rem := ""
		if c.Status == audit.StatusFail || c.Status == audit.StatusWarn {
			rem = e(fix)
		}
		rows = append(rows, []string{e(title) + " (" + code(c.ID) + ")", m.l.StatusLabel(c.Status), strings.Join(ev, "; "), e(m.l.CheckRule(c.ID, c.Rule)), ctlList(m.d, c.Controls), rem})
	}
	m.table([]string{m.t("col.check"), m.t("col.status"), m.t("col.evidence"), m.t("checks.rule"), m.t("col.controls"), m.t("checks.remediation")}, rows)
}

func (m *mdWriter) inventory() {
	m.heading("inventory")
	if len(m.d.Inventory) == 0 {
		m.p("%s\n\n", m.t("inventory.none"))
		return
	}
	m.p("%s\n\n", m.t("inventory.intro", len(m.d.Inventory), len(m.d.Coverage)))
	var rows [][]string
	for _, r := range m.d.Inventory {
		prot := e(r.Protection)
		if r.Personal() && !r.Protected() {
			prot = "**" + m.t("inventory.unprotected") + "** " + prot
		}
		review := ""
		if r.Review {
			review = m.t("inventory.review")
		}
		rows = append(rows, []string{e(r.Table), code(r.Column), e(r.Class), m.t("cat." + catKey(r.Category)), pct(r.Confidence), prot, review})
	}
	m.table([]string{m.t("col.table"), m.t("col.column"), m.t("col.class"), m.t("col.category"), numCol(m.t("col.confidence")), m.t("col.protection_applied"), m.t("col.review")}, rows)
}

func (m *mdWriter) protection() {
	d := m.d
	m.heading("protection")
	m.p("%s\n\n### %s\n\n", coverageText(d), m.t("protection.per_table"))
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
	m.table([]string{m.t("col.table"), numCol(m.t("col.columns")), numCol(m.t("col.personal")), numCol(m.t("col.protected")), numCol(m.t("col.coverage")), m.t("col.unprotected"), numCol(m.t("col.to_review"))}, rows)
	m.p("### %s\n\n", m.t("protection.datasets"))
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
	m.table([]string{m.t("col.dataset"), m.t("col.created"), numCol(m.t("col.rows")), numCol(m.t("col.k")), numCol(m.t("col.k_target")), "l ", numCol(m.t("col.suppressed_rows")), numCol(m.t("col.risk"))}, rows)
	for _, r := range d.Datasets {
		if len(r.ClassSizes) == 0 && len(r.SuppressedBy) == 0 {
			continue
		}
		var bins, sup []string
		for _, b := range r.ClassSizes {
			to := "+"
			if b.To > 0 {
				to = fmt.Sprintf("–%d", b.To)
			}
			bins = append(bins, fmt.Sprintf("%d%s: %s", b.From, to, num(b.Records)))
		}
		for _, s := range r.SuppressedBy {
			sup = append(sup, fmt.Sprintf("%s = %s: %s (%s / %s)", e(s.Column), e(s.Value), pct(s.Share), num(s.Suppressed), num(s.Records)))
		}
		line := "**" + e(r.Table) + "**"
		if len(bins) > 0 {
			line += " — " + m.t("protection.class_sizes") + ": " + strings.Join(bins, "; ")
		}
		if len(sup) > 0 {
			line += "; " + m.t("protection.suppressed_by_value") + ": " + strings.Join(sup, "; ")
		}
		m.p("%s\n\n", line)
	}
}

func (m *mdWriter) backups() {
	d := m.d
	m.heading("backups")
	m.p("%s\n\n", backupText(d))
	var rows [][]string
	for _, b := range d.Backups {
		ver, res := m.t("backups.never"), m.t("backups.not_verified")
		if !b.VerifiedAt.IsZero() {
			ver = m.time(b.VerifiedAt)
			res = "✓ " + m.t("backups.restored")
			if !b.VerifyOK {
				res = "✗ " + m.l.StatusLabel(audit.StatusFail) + ": " + e(b.Detail)
			}
		}
		rows = append(rows, []string{e(b.Table), code(b.SnapshotID), m.time(b.Created), num(b.Rows), ver, res})
	}
	m.table([]string{m.t("col.table"), m.t("col.snapshot"), m.t("col.created"), numCol(m.t("col.rows")), m.t("col.last_drill"), m.t("col.result")}, rows)
	for _, c := range d.Checks {
		if c.ID == audit.CheckSnapshots || c.ID == audit.CheckRestores {
			var ev []string
			for _, x := range d.CheckEvidence(c) {
				ev = append(ev, e(x))
			}
			title, _ := m.l.Check(c.ID, c.Title, "")
			m.p("- %s **%s**", m.l.StatusLabel(c.Status), e(title))
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
		m.p("%s\n\n", m.t("suggestions.none"))
		return
	}
	for i, s := range m.d.Suggestions {
		m.p("%d. %s %s  \n   *%s", i+1, m.l.StatusLabel(s.Status), e(m.d.suggestionText(s)), e(m.t("suggestions.from", m.d.sourceText(s.Source))))
		if len(s.Findings) > 0 {
			m.p(" · %s %s", m.t("suggestions.findings"), strings.Join(s.Findings, ", "))
		}
		m.p(" · %s*\n", ctlList(m.d, s.Controls))
	}
	m.p("\n")
}

func (m *mdWriter) records() {
	m.heading("records")
	m.p("%s\n\n", m.t("records.intro"))
	var rows [][]string
	for _, r := range m.d.FormalRecords {
		st := m.l.StatusLabel(audit.StatusPass)
		gaps := ""
		if len(r.Gaps) > 0 {
			st = m.l.StatusLabel(audit.StatusFail)
			var gs []string
			for _, g := range r.Gaps {
				gs = append(gs, e(g))
			}
			gaps = strings.Join(gs, "; ")
		}
		rows = append(rows, []string{e(r.Title) + " (" + code(strings.TrimSuffix(recordFile(r.Kind), ".html")+".md") + ")", e(r.Basis), st, gaps})
	}
	m.table([]string{m.t("col.record"), m.t("col.basis"), m.t("col.status"), m.t("col.gaps")}, rows)
	keep := 3
	if m.d.Records != nil && m.d.Records.KeepYears > 0 {
		keep = m.d.Records.KeepYears
	}
	m.p("%s\n\n", m.t("records.keep", keep))
}

func (m *mdWriter) integrity() {
	m.heading("integrity")
	m.p("%s\n\n", m.t("integrity.intro"))
	var rows [][]string
	for _, in := range m.d.Inputs {
		f := e(baseName(in.Path))
		if in.Copy != "" {
			f = code(in.Copy) + " (" + m.t("integrity.copy") + ")"
		}
		rows = append(rows, []string{m.t("kind." + in.Kind), e(in.Name), f, num(in.Size), code(in.SHA256)})
	}
	m.table([]string{m.t("col.kind"), m.t("col.name"), m.t("col.file"), numCol(m.t("col.size")), "SHA-256"}, rows)
}

func (m *mdWriter) method() {
	d := m.d
	m.heading("method")
	m.p("### %s\n\n", m.t("method.sources"))
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
	m.table([]string{m.t("col.source"), m.t("col.mapping"), m.t("col.format"), numCol(m.t("col.files")), numCol(m.t("col.read")), numCol(m.t("col.mapped")),
		numCol(m.t("col.unmapped")), numCol(m.t("col.in_period")), m.t("col.first_event"), m.t("col.last_event")}, rows)
	if len(d.References) > 0 {
		var refs []string
		for _, r := range d.References {
			if r.Provided {
				refs = append(refs, fmt.Sprintf("%s (%s)", e(r.Name), m.t("method.rows", num(r.Rows))))
			} else {
				refs = append(refs, e(r.Name)+" ("+m.t("method.not_provided")+")")
			}
		}
		m.p("%s %s\n\n", m.t("method.references"), strings.Join(refs, "; "))
	}
	m.p("### %s\n\n", m.t("method.detections"))
	rows = nil
	for _, r := range d.Detections {
		st := m.t("run." + r.Status)
		if r.Reason != "" {
			st += ": " + e(d.runReason(r))
		}
		title, _ := m.l.Detection(r.ID, r.Title, "")
		rows = append(rows, []string{e(title) + " (" + code(r.ID) + ")", m.t("sev." + r.Severity), st, num(r.Considered), fmt.Sprint(r.Findings), fmt.Sprint(r.Suppressed)})
	}
	m.table([]string{m.t("col.detection"), m.t("col.severity"), m.t("col.ran"), numCol(m.t("col.considered")), numCol(m.t("col.findings")), numCol(m.t("col.suppressed"))}, rows)
	m.p("### %s\n\n%s\n\n", m.t("method.signoff"), m.t("method.signoff.text"))
	signed := ""
	if d.Records != nil {
		signed = e(d.Records.SignedBy)
	}
	m.p("| %s | %s | %s |\n|---|---|---|\n| %s |  |  |\n\n", m.t("method.signoff.name"), m.t("sign.date"), m.t("sign.signature"), signed)
	m.p("---\n%s\n", e(m.t("footer", d.Format, d.AuditFormat, m.time(d.GeneratedAt), zoneText(m.loc, d.Period.From))))
}

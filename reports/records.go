package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
)

// Record files in a report folder.
const (
	FileArt30HTML = "record-art30.html"
	FileArt30MD   = "record-art30.md"
	FilePIAHTML   = "pia-pipl.html"
	FilePIAMD     = "pia-pipl.md"
)

func isRecordFile(name string) bool {
	switch name {
	case FileArt30HTML, FileArt30MD, FilePIAHTML, FilePIAMD:
		return true
	}
	return false
}

// Record kinds.
const (
	RecordArt30 = "art30" // GDPR Art. 30 record of processing activities
	RecordPIA   = "pia"   // PIPL Art. 55/56 personal-information impact assessment
)

// RecordConfig is what people state for the formal records (the report
// section of the config). Empty fields become gaps; nothing is invented.
type RecordConfig struct {
	Organization string     `json:"organization,omitempty"`
	Controller   Party      `json:"controller"`
	DPO          Party      `json:"dpo"`
	Purposes     []string   `json:"purposes"`
	LegalBasis   []string   `json:"legal_basis"`
	DataSubjects []string   `json:"data_subjects"`
	Recipients   []string   `json:"recipients"`
	Transfers    []Transfer `json:"transfers"`
	Retention    string     `json:"retention,omitempty"`
	Necessity    string     `json:"necessity,omitempty"`
	Impact       string     `json:"impact,omitempty"`
	Assessor     string     `json:"assessor,omitempty"`
	KeepYears    int        `json:"keep_years"`
	SignedBy     string     `json:"signed_by,omitempty"`
}

// Party is a named person or organisation with a contact.
type Party struct {
	Name    string `json:"name,omitempty"`
	Contact string `json:"contact,omitempty"`
}

// Transfer is a transfer of personal data abroad.
type Transfer struct {
	Recipient string `json:"recipient"`
	Country   string `json:"country"`
	Safeguard string `json:"safeguard,omitempty"`
}

// Record is a filled-in formal record: sections of rows, each row from the
// config or from evidence, and the list of gaps (inputs that are missing).
type Record struct {
	Kind     string          `json:"kind"`
	Title    string          `json:"title"`
	Basis    string          `json:"basis"`
	Sections []RecordSection `json:"sections"`
	Gaps     []string        `json:"gaps"`
}

// Complete reports whether nothing is missing.
func (r Record) Complete() bool { return len(r.Gaps) == 0 }

// RecordSection is one part of a record.
type RecordSection struct {
	Title string      `json:"title"`
	Rows  []RecordRow `json:"rows"`
}

// RecordRow is one item: its label, the value (empty for a gap) and where
// the value comes from.
type RecordRow struct {
	Label  string   `json:"label"`
	Values []string `json:"values"`
	Source string   `json:"source"` // "config report.purposes" or "evidence: ..."
	Gap    bool     `json:"gap"`
}

// RecordEvidence is Vigil's evidence that the records use.
type RecordEvidence struct {
	Inventory []InventoryRow
	Datasets  []DatasetRow
	Backups   []BackupRow
}

// RecordGaps returns the gaps of both records before an audit runs, for the
// posture checks (GDPR Art. 30 "pass" only when the record is complete).
func RecordGaps(cfg RecordConfig, ev RecordEvidence) map[string][]string {
	l, _ := newLocale(LangEN)
	d := &Document{Inventory: ev.Inventory, Datasets: ev.Datasets, Backups: ev.Backups, Coverage: coverage(ev.Inventory), Records: &cfg, lang: l}
	return map[string][]string{RecordArt30: buildRecord(d, RecordArt30).Gaps, RecordPIA: buildRecord(d, RecordPIA).Gaps}
}

func nonEmpty(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func party(p Party) []string {
	return nonEmpty([]string{p.Name, p.Contact})
}

// buildRecord fills one record from the config and the document's evidence.
func buildRecord(d *Document, kind string) Record {
	l := d.lang
	cfg := d.Records
	if cfg == nil {
		cfg = &RecordConfig{}
	}
	rec := Record{Kind: kind, Gaps: []string{}}
	var sec *RecordSection
	section := func(key string) {
		rec.Sections = append(rec.Sections, RecordSection{Title: l.T(key)})
		sec = &rec.Sections[len(rec.Sections)-1]
	}
	row := func(key, source string, values []string, required bool) {
		r := RecordRow{Label: l.T(key), Values: values, Source: source}
		if len(values) == 0 {
			r.Gap = true
			if required {
				rec.Gaps = append(rec.Gaps, l.T("rec.gap", l.T(key), source))
			}
		}
		sec.Rows = append(sec.Rows, r)
	}
	cfgSrc := func(key string) string { return l.T("rec.src.config", "report."+key) }
	evSrc := func(key string) string { return l.T("rec.src.evidence", l.T(key)) }

	// Evidence-derived values.
	classes := map[string]int{}
	var sensitive []string
	for _, r := range d.Inventory {
		if !r.Personal() {
			continue
		}
		classes[r.Class]++
		if r.Category == "pipl_sensitive" {
			sensitive = append(sensitive, r.Table+"."+r.Column)
		}
	}
	var categories []string
	for _, c := range sortedKeysOf(classes) {
		categories = append(categories, fmt.Sprintf("%s (%d)", c, classes[c]))
	}
	var protections []string
	for _, c := range d.Coverage {
		protections = append(protections, l.T("rec.protected", c.Table, c.Protected, c.Personal))
	}
	methods := map[string]int{}
	for _, r := range d.Inventory {
		if r.Personal() && r.Protected() {
			m, _, _ := strings.Cut(r.Protection, "(")
			methods[m]++
		}
	}
	for _, m := range sortedKeysOf(methods) {
		protections = append(protections, fmt.Sprintf("%s × %d", m, methods[m]))
	}
	var disclosure []string
	for _, ds := range d.Datasets {
		s := l.T("rec.dataset", ds.Table, ds.K, ds.TargetK, l.Pct(ds.Risk))
		disclosure = append(disclosure, s)
	}
	var backups []string
	for _, b := range d.Backups {
		switch {
		case b.VerifiedAt.IsZero():
			backups = append(backups, l.T("rec.backup.never", b.Table, l.Date(b.Created.In(d.Location()))))
		case b.VerifyOK:
			backups = append(backups, l.T("rec.backup.ok", b.Table, l.Date(b.Created.In(d.Location())), l.Date(b.VerifiedAt.In(d.Location()))))
		default:
			backups = append(backups, l.T("rec.backup.failed", b.Table, l.Date(b.VerifiedAt.In(d.Location()))))
		}
	}
	var transfers []string
	for _, t := range cfg.Transfers {
		s := t.Recipient + " → " + t.Country
		if t.Safeguard != "" {
			s += " (" + t.Safeguard + ")"
		}
		transfers = append(transfers, s)
	}
	var measures []string
	for _, c := range d.Checks {
		title, _ := l.Check(c.ID, c.Title, "")
		measures = append(measures, fmt.Sprintf("%s: %s", title, statusWord(l, c.Status)))
	}

	switch kind {
	case RecordArt30:
		rec.Title, rec.Basis = l.T("rec.art30.title"), l.T("rec.art30.basis")
		section("rec.s.parties")
		row("rec.controller", cfgSrc("controller"), party(cfg.Controller), true)
		row("rec.dpo", cfgSrc("dpo"), party(cfg.DPO), true)
		section("rec.s.processing")
		row("rec.purposes", cfgSrc("purposes"), nonEmpty(cfg.Purposes), true)
		row("rec.legal_basis", cfgSrc("legal_basis"), nonEmpty(cfg.LegalBasis), true)
		row("rec.subjects", cfgSrc("data_subjects"), nonEmpty(cfg.DataSubjects), true)
		row("rec.categories", evSrc("rec.ev.inventory"), categories, true)
		row("rec.recipients", cfgSrc("recipients"), nonEmpty(cfg.Recipients), true)
		tr := transfers
		if len(tr) == 0 && cfg.Transfers != nil {
			tr = []string{l.T("rec.none")}
		}
		row("rec.transfers", cfgSrc("transfers"), tr, true)
		row("rec.retention", cfgSrc("retention"), nonEmpty([]string{cfg.Retention}), true)
		section("rec.s.security")
		row("rec.protections", evSrc("rec.ev.protection"), protections, true)
		row("rec.disclosure", evSrc("rec.ev.datasets"), disclosure, true)
		row("rec.backups", evSrc("rec.ev.backups"), backups, true)
		row("rec.measures", evSrc("rec.ev.checks"), measures, false)
	case RecordPIA:
		rec.Title, rec.Basis = l.T("rec.pia.title"), l.T("rec.pia.basis")
		section("rec.s.parties")
		row("rec.handler", cfgSrc("controller"), party(cfg.Controller), true)
		row("rec.responsible", cfgSrc("dpo"), party(cfg.DPO), true)
		row("rec.assessor", cfgSrc("assessment.assessor"), nonEmpty([]string{cfg.Assessor}), true)
		section("rec.s.triggers")
		var triggers []string
		if len(sensitive) > 0 {
			triggers = append(triggers, l.T("rec.trigger.sensitive", len(sensitive)))
		}
		if len(cfg.Transfers) > 0 {
			triggers = append(triggers, l.T("rec.trigger.transfer", len(cfg.Transfers)))
		}
		if len(nonEmpty(cfg.Recipients)) > 0 {
			triggers = append(triggers, l.T("rec.trigger.recipients"))
		}
		if len(triggers) == 0 && len(d.Inventory) > 0 {
			triggers = []string{l.T("rec.trigger.none")}
		}
		row("rec.triggers", evSrc("rec.ev.inventory"), triggers, true)
		row("rec.sensitive", evSrc("rec.ev.inventory"), sensitive, false)
		section("rec.s.art56_1")
		row("rec.purposes", cfgSrc("purposes"), nonEmpty(cfg.Purposes), true)
		row("rec.legal_basis", cfgSrc("legal_basis"), nonEmpty(cfg.LegalBasis), true)
		row("rec.categories", evSrc("rec.ev.inventory"), categories, true)
		row("rec.necessity", cfgSrc("assessment.necessity"), nonEmpty([]string{cfg.Necessity}), true)
		section("rec.s.art56_2")
		row("rec.impact", cfgSrc("assessment.impact"), nonEmpty([]string{cfg.Impact}), true)
		var risks []string
		if d.Summary.OpenFindings > 0 || d.Summary.EventsInPeriod > 0 {
			for _, s := range []string{"critical", "high", "medium", "low"} {
				if n := d.Summary.OpenBySeverity[s]; n > 0 {
					risks = append(risks, l.T("rec.risk.open", n, l.T("sev."+s)))
				}
			}
			if len(risks) == 0 {
				risks = []string{l.T("rec.risk.none")}
			}
		}
		row("rec.findings", evSrc("rec.ev.findings"), risks, false)
		row("rec.disclosure", evSrc("rec.ev.datasets"), disclosure, true)
		section("rec.s.art56_3")
		row("rec.protections", evSrc("rec.ev.protection"), protections, true)
		row("rec.backups", evSrc("rec.ev.backups"), backups, true)
		row("rec.measures", evSrc("rec.ev.checks"), measures, false)
		row("rec.transfers", cfgSrc("transfers"), transfers, false)
		section("rec.s.keeping")
		keep := cfg.KeepYears
		if keep < 3 {
			rec.Gaps = append(rec.Gaps, l.T("rec.keep.short", keep))
		}
		row("rec.keep", cfgSrc("keep_years"), []string{l.T("rec.keep.years", keep)}, true)
	}
	return rec
}

func statusWord(l *locale, s string) string { return l.T("status." + strings.ReplaceAll(s, "/", "")) }

func sortedKeysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// recordOutputs renders both records, HTML and Markdown.
func recordOutputs(d *Document) []out {
	var outs []out
	for _, k := range []struct{ kind, html, md string }{{RecordArt30, FileArt30HTML, FileArt30MD}, {RecordPIA, FilePIAHTML, FilePIAMD}} {
		rec := buildRecord(d, k.kind)
		outs = append(outs,
			out{k.html, func(b *bytes.Buffer) error { return d.recordHTML(b, rec) }},
			out{k.md, func(b *bytes.Buffer) error { return d.recordMarkdown(b, rec) }})
	}
	return outs
}

type out struct {
	name   string
	render func(*bytes.Buffer) error
}

var recordTmpl = template.Must(template.New("record").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="Vigil">
<title>{{.R.Title}}{{if .Org}} — {{.Org}}{{end}}</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#0f172a;margin:0 auto;max-width:980px;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #cbd5e1}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #e2e8f0;overflow-wrap:anywhere}
th{width:28%;font-weight:600}td.src{width:22%;color:#475569;font-size:13px}.gap{color:#b91c1c;font-weight:600}
.meta{color:#475569}.gaps{border:2px solid #b91c1c;padding:8px 16px;border-radius:6px}.ok{border:2px solid #15803d;padding:8px 16px;border-radius:6px}
ul{margin:0;padding-left:18px}.sign{margin-top:32px;display:grid;grid-template-columns:1fr 1fr;gap:24px}.sign div{border-top:1px solid #0f172a;padding-top:4px}
@media print{body{padding:0}h2{break-after:avoid}tr{break-inside:avoid}}
</style>
</head>
<body>
<h1>{{.R.Title}}</h1>
<p class="meta">{{if .Org}}{{.Org}} · {{end}}{{.R.Basis}} · {{.Generated}} · {{.Period}}</p>
{{if .R.Gaps}}<div class="gaps"><h2>{{.GapsTitle}}</h2><ul>{{range .R.Gaps}}<li>{{.}}</li>{{end}}</ul></div>{{else}}<p class="ok">{{.Complete}}</p>{{end}}
{{range .R.Sections}}
<h2>{{.Title}}</h2>
<table><tbody>
{{range .Rows}}<tr><th>{{.Label}}</th><td>{{if .Gap}}<span class="gap">{{$.Missing}}</span>{{else if eq (len .Values) 1}}{{index .Values 0}}{{else}}<ul>{{range .Values}}<li>{{.}}</li>{{end}}</ul>{{end}}</td><td class="src">{{.Source}}</td></tr>
{{end}}</tbody></table>
{{end}}
<div class="sign"><div>{{.SignLabel}}{{if .SignedBy}}: {{.SignedBy}}{{end}}</div><div>{{.DateLabel}}</div></div>
</body>
</html>
`))

type recordPage struct {
	Lang, Org, Generated, Period, GapsTitle, Complete, Missing, SignLabel, DateLabel, SignedBy string
	R                                                                                          Record
}

func (d *Document) recordPage(rec Record) recordPage {
	l := d.lang
	signed := ""
	if d.Records != nil {
		signed = d.Records.SignedBy
	}
	return recordPage{Lang: l.lang, Org: d.Organization, R: rec,
		Generated: l.T("rec.generated", l.Date(d.GeneratedAt.In(d.Location()))), Period: l.T("rec.period", d.periodText()),
		GapsTitle: l.T("rec.gaps", len(rec.Gaps)), Complete: l.T("rec.complete"), Missing: l.T("rec.missing"),
		SignLabel: l.T("sign.signature"), DateLabel: l.T("sign.date"), SignedBy: signed}
}

func (d *Document) recordHTML(w io.Writer, rec Record) error {
	return recordTmpl.Execute(w, d.recordPage(rec))
}

func (d *Document) recordMarkdown(w io.Writer, rec Record) error {
	p := d.recordPage(rec)
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", e(rec.Title))
	meta := []string{rec.Basis, p.Generated, p.Period}
	if p.Org != "" {
		meta = append([]string{p.Org}, meta...)
	}
	fmt.Fprintf(&b, "%s\n\n", e(strings.Join(meta, " · ")))
	if len(rec.Gaps) > 0 {
		fmt.Fprintf(&b, "## %s\n\n", e(p.GapsTitle))
		for _, g := range rec.Gaps {
			fmt.Fprintf(&b, "- %s\n", e(g))
		}
		b.WriteString("\n")
	} else {
		fmt.Fprintf(&b, "%s\n\n", e(p.Complete))
	}
	for _, s := range rec.Sections {
		fmt.Fprintf(&b, "## %s\n\n| %s | %s | %s |\n|---|---|---|\n", e(s.Title), d.lang.T("rec.col.item"), d.lang.T("rec.col.value"), d.lang.T("rec.col.source"))
		for _, r := range s.Rows {
			v := "**" + e(p.Missing) + "**"
			if !r.Gap {
				var vs []string
				for _, x := range r.Values {
					vs = append(vs, e(x))
				}
				v = strings.Join(vs, "<br>")
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", e(r.Label), v, e(r.Source))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s: %s\n\n%s:\n", p.SignLabel, e(p.SignedBy), p.DateLabel)
	_, err := io.WriteString(w, b.String())
	return err
}

func (d *Document) periodText() string {
	return d.lang.period(d.Period, d.Location())
}

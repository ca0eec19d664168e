package reports

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/rules/detections"
	"github.com/vigil-dg/vigil/stages/audit"
)

//go:embed templates/report.html.tmpl templates/report.css
var templateFS embed.FS

// section is one numbered section of the report.
type section struct {
	No        int
	ID, Title string
}

// sectionList is the order of the report's sections; titles are the
// catalog's "sec.<id>".
var sectionList = []section{
	{ID: "summary"}, {ID: "trend"}, {ID: "activity"}, {ID: "findings"}, {ID: "cases"}, {ID: "suppressed"},
	{ID: "controls"}, {ID: "checks"}, {ID: "inventory"}, {ID: "protection"}, {ID: "backups"},
	{ID: "suggestions"}, {ID: "records"}, {ID: "integrity"}, {ID: "method"},
}

func sections(l *locale) []section {
	out := make([]section, len(sectionList))
	for i, s := range sectionList {
		s.No = i + 1
		s.Title = l.T("sec." + s.ID)
		out[i] = s
	}
	return out
}

type statusShare struct {
	Status string
	Count  int
	X, W   float64
	Fill   string
}

type framework struct {
	Name     string
	Controls []controlRow
}

// htmlPage is what the HTML template sees.
type htmlPage struct {
	D             *Document
	C             charts
	CSS           template.CSS
	Sections      []section
	Period, Zone  string
	Severities    []string
	Open          []Finding
	Suppressed    []Finding
	ControlShares []statusShare
	CheckCounts   []statusShare
	Failing       []audit.ControlResult
	Frameworks    []framework
	CoverageText  string
	BackupText    string
	BackupChecks  []audit.Check
	// SuppressionsFormat is the format line of a suppressions file.
	SuppressionsFormat string
	Lang               string
	KeepYears          int
	SignedBy           string
}

var statusFill = map[string]string{audit.StatusPass: "#15803d", audit.StatusWarn: "#a14a0a", audit.StatusFail: "#b91c1c", audit.StatusNA: "#94a3b8"}

// statusOrder is the order statuses are listed in.
var statusOrder = []string{audit.StatusFail, audit.StatusWarn, audit.StatusPass, audit.StatusNA}

func shares(statuses []string) []statusShare {
	var out []statusShare
	x := 0.0
	for _, s := range statusOrder {
		n := 0
		for _, t := range statuses {
			if t == s {
				n++
			}
		}
		if n == 0 {
			continue
		}
		w := r2(float64(n) / float64(len(statuses)) * 600)
		out = append(out, statusShare{Status: s, Count: n, X: r2(x), W: w, Fill: statusFill[s]})
		x += w
	}
	return out
}

func newPage(d *Document) (*htmlPage, error) {
	css, err := templateFS.ReadFile("templates/report.css")
	if err != nil {
		return nil, err
	}
	loc := d.Location()
	p := &htmlPage{
		D:          d,
		C:          buildCharts(d),
		CSS:        template.CSS(css), // our own constant stylesheet
		Sections:   sections(d.lang),
		Period:     d.lang.period(d.Period, loc),
		Zone:       zoneText(loc, d.Period.From),
		Severities: detections.Severities,
		Lang:       d.lang.lang,
		KeepYears:  3,

		SuppressionsFormat: audit.SuppressionsFormat,
	}
	for _, f := range d.Findings {
		if f.Suppressed {
			p.Suppressed = append(p.Suppressed, f)
		} else {
			p.Open = append(p.Open, f)
		}
	}
	var cs, ks []string
	idx := map[string]int{}
	for _, c := range controlRows(d) {
		cs = append(cs, c.Status)
		if c.Status == audit.StatusFail {
			p.Failing = append(p.Failing, c.ControlResult)
		}
		i, ok := idx[c.Framework]
		if !ok {
			i = len(p.Frameworks)
			idx[c.Framework] = i
			p.Frameworks = append(p.Frameworks, framework{Name: c.Framework})
		}
		p.Frameworks[i].Controls = append(p.Frameworks[i].Controls, c)
	}
	for _, c := range d.Checks {
		ks = append(ks, c.Status)
		if c.ID == audit.CheckSnapshots || c.ID == audit.CheckRestores {
			p.BackupChecks = append(p.BackupChecks, c)
		}
	}
	if d.Records != nil {
		p.SignedBy = d.Records.SignedBy
		if d.Records.KeepYears > 0 {
			p.KeepYears = d.Records.KeepYears
		}
	}
	p.ControlShares, p.CheckCounts = shares(cs), shares(ks)
	p.CoverageText = coverageText(d)
	p.BackupText = backupText(d)
	return p, nil
}

func coverageText(d *Document) string {
	l := d.lang
	var personal, protected, review int
	for _, c := range d.Coverage {
		personal += c.Personal
		protected += c.Protected
		review += c.Review
	}
	if len(d.Coverage) == 0 {
		return l.T("inventory.none")
	}
	share := "—"
	if personal > 0 {
		share = pct(float64(protected) / float64(personal))
	}
	s := l.T("coverage.text", protected, personal, share, len(d.Coverage))
	if review > 0 {
		s += l.T("coverage.review", review)
	}
	return s
}

func backupText(d *Document) string {
	l := d.lang
	if len(d.Backups) == 0 {
		return l.T("backups.none")
	}
	var ok, failed, never int
	for _, b := range d.Backups {
		switch {
		case b.VerifiedAt.IsZero():
			never++
		case b.VerifyOK:
			ok++
		default:
			failed++
		}
	}
	return l.T("backups.text", len(d.Backups), ok, failed, never)
}

func funcs(d *Document) template.FuncMap {
	loc := d.Location()
	l := d.lang
	secs := sections(l)
	ids := map[string]string{}
	for _, f := range d.Findings {
		ids[f.Fingerprint] = f.ID
	}
	return template.FuncMap{
		"sec": func(id string) (section, error) {
			for _, s := range secs {
				if s.ID == id {
					return s, nil
				}
			}
			return section{}, fmt.Errorf("no section %q", id)
		},
		"num": func(v any) string {
			switch n := v.(type) {
			case int:
				return num(n)
			case int64:
				return num(n)
			}
			return fmt.Sprint(v)
		},
		"deref": func(v any) any {
			switch p := v.(type) {
			case *int64:
				return *p
			case *time.Time:
				return *p
			}
			return v
		},
		"time":        func(t time.Time) string { return l.Time(t.In(loc)) },
		"timesec":     func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04:05") },
		"date":        func(t time.Time) string { return l.Date(t.In(loc)) },
		"udate":       func(t time.Time) string { return l.Date(t.UTC()) },
		"period":      func(p audit.Period) string { return l.period(p, loc) },
		"t":           l.T,
		"dtitle":      func(id, title string) string { t, _ := l.Detection(id, title, ""); return t },
		"dfix":        func(id, fix string) string { _, f := l.Detection(id, "", fix); return f },
		"ctitle":      l.Control,
		"csugg":       func(id, s string) string { return l.ControlSuggestion(id, s) },
		"chk":         func(id, title string) string { t, _ := l.Check(id, title, ""); return t },
		"chkfix":      func(id, fix string) string { _, f := l.Check(id, "", fix); return f },
		"sevText":     func(s string) string { return l.T("sev." + s) },
		"stateText":   func(s string) string { return l.T("state." + s) },
		"caseStates":  func() []string { return audit.CaseStates },
		"supState":    func(s string) string { return l.T("supstate." + s) },
		"fwName":      func(s string) string { return l.Framework(s) },
		"beforeText":  func(s string) string { return l.T("before." + s) },
		"runText":     func(s string) string { return l.T("run." + s) },
		"kindText":    func(s string) string { return l.T("kind." + s) },
		"recFile":     recordFile,
		"rationale":   func(f Finding) *rationaleText { return d.rationale(f) },
		"hours":       func(h float64) string { return l.Hours(h) },
		"suggText":    func(s Suggestion) string { return d.suggestionText(s) },
		"srcText":     func(s string) string { return d.sourceText(s) },
		"inc":         func(i int) int { return i + 1 },
		"evtable":     newEvidenceTable,
		"chkev":       d.CheckEvidence,
		"idwrap":      idWrap,
		"caseNote":    l.CaseNote,
		"chkrule":     l.CheckRule,
		"fdetail":     l.DetectionDetail,
		"runReason":   d.runReason,
		"spans":       codeSpans,
		"dur":         func(a, b time.Time) string { return l.Duration(a, b) },
		"pct":         pct,
		"fixed":       fixed,
		"signed":      signed,
		"plus":        func(a, b float64) float64 { return r2(a + b) },
		"half":        func(a, b float64) float64 { return r2(a/2 + b) },
		"statusClass": statusClass,
		"statusLabel": l.StatusLabel,
		"sevClass":    sevClass,
		"trendText":   func(s string) string { return l.T("trend." + s) },
		"supp":        func(s string) string { return l.T("supp." + s) },
		"cat":         func(s string) string { return l.T("cat." + catKey(s)) },
		"short":       shortFramework,
		"ctl":         func(id string) string { return controlRef(d, id) },
		"fid":         func(fp string) string { return ids[fp] },
		"base":        filepath.Base,
		"join": func(sep string, parts ...string) string {
			var out []string
			for _, p := range parts {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
			return strings.Join(out, sep)
		},
		"mfa": func(b *bool) string {
			switch {
			case b == nil:
				return ""
			case *b:
				return l.T("yes")
			}
			return l.T("no")
		},
		"kstatus": func(r DatasetRow) string {
			switch {
			case r.TargetK == 0:
				return audit.StatusNA
			case r.K < r.TargetK:
				return audit.StatusFail
			}
			return audit.StatusPass
		},
	}
}

// RenderHTML writes the self-contained HTML report.
func RenderHTML(w io.Writer, in Input) error {
	d, err := NewDocument(in)
	if err != nil {
		return err
	}
	return d.HTML(w)
}

// HTML writes the document as one self-contained HTML page.
func (d *Document) HTML(w io.Writer) error {
	src, err := templateFS.ReadFile("templates/report.html.tmpl")
	if err != nil {
		return err
	}
	t, err := template.New("report").Funcs(funcs(d)).Parse(string(src))
	if err != nil {
		return fmt.Errorf("reports: template: %w", err)
	}
	p, err := newPage(d)
	if err != nil {
		return err
	}
	return t.Execute(w, p)
}

// idWrap escapes an account or address and lets it break only after its
// @ (an e-mail), never inside a name or number.
func idWrap(s string) template.HTML {
	var b strings.Builder
	for i, part := range strings.SplitAfter(s, "@") {
		if i > 0 {
			b.WriteString("<wbr>")
		}
		b.WriteString(template.HTMLEscapeString(part))
	}
	return template.HTML(b.String())
}

type textSpan struct {
	Text string
	Code bool
}

// codeSpans splits text at backquotes: `vigil verify` becomes code. An
// unpaired backquote is kept as text.
func codeSpans(s string) []textSpan {
	var out []textSpan
	for {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+1:], '`')
		if j < 0 {
			break
		}
		if i > 0 {
			out = append(out, textSpan{Text: s[:i]})
		}
		out = append(out, textSpan{Text: s[i+1 : i+1+j], Code: true})
		s = s[i+2+j:]
	}
	if s != "" {
		out = append(out, textSpan{Text: s})
	}
	return out
}

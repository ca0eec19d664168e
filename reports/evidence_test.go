package reports

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-dg/vigil/stages/audit"
)

// TestEvidenceCatalog walks every evidence message of the audit: each has
// a Chinese template using the same arguments, and every check has its
// status rule in Chinese.
func TestEvidenceCatalog(t *testing.T) {
	zh, err := loadMessages(LangZH)
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	en := audit.EvidenceTemplates()
	for k, v := range en {
		z, ok := zh.Evidence[k]
		switch {
		case !ok || strings.TrimSpace(z) == "" && strings.TrimSpace(v) != "":
			problems = append(problems, "evidence.zh-CN.yaml evidence."+k+" missing")
		case !slices.Equal(audit.Placeholders(v), audit.Placeholders(z)):
			problems = append(problems, "evidence."+k+": placeholders differ from English")
		}
	}
	for k := range zh.Evidence {
		if _, ok := en[k]; !ok {
			problems = append(problems, "evidence.zh-CN.yaml evidence."+k+": no such message")
		}
	}
	for _, id := range audit.CheckIDs() {
		if strings.TrimSpace(zh.CheckRules[id]) == "" {
			problems = append(problems, "evidence.zh-CN.yaml check_rules."+id+" missing")
		}
	}
	slices.Sort(problems)
	if len(problems) > 0 {
		t.Errorf("%d problems:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
}

// TestDetailCatalog runs every built-in detection's examples and requires a
// Chinese translation of every detail sentence they produce.
func TestDetailCatalog(t *testing.T) {
	rules, err := audit.LoadRules(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	details, err := audit.ExampleDetails(context.Background(), rules)
	if err != nil {
		t.Fatal(err)
	}
	l, err := newLocale(LangZH)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for id, ds := range details {
		for _, s := range ds {
			n++
			if z := l.DetectionDetail(id, s); z == s || asciiPhrase.MatchString(z) {
				t.Errorf("%s: detail %q has no Chinese translation in details.zh-CN.yaml (got %q)", id, s, z)
			}
		}
	}
	if n < len(rules) {
		t.Errorf("only %d details from %d rules", n, len(rules))
	}
}

// asciiPhrase is an English phrase: three words in a row.
var asciiPhrase = regexp.MustCompile(`[A-Za-z]{2,} [a-z]{2,} [a-z]{2,}`)

// TestEvidenceTranslated renders a real audit (the audit stage's golden
// report) in both languages: every evidence line of every check and
// control comes from a message, the Chinese lines hold no English phrase
// and no unfilled placeholder, and every finding detail is translated.
func TestEvidenceTranslated(t *testing.T) {
	b, err := os.ReadFile("../stages/audit/testdata/expected/report.json")
	if err != nil {
		t.Skip("audit golden report not found:", err)
	}
	var a audit.Report
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages() {
		in := fixtureInput()
		in.Audit, in.Previous, in.Lang = &a, nil, lang
		d, err := NewDocument(in)
		if err != nil {
			t.Fatal(err)
		}
		check := func(what string, lines []string, msgs []audit.Msg, out []string) {
			for i, s := range lines {
				if audit.MsgFor(lines, msgs, s) == nil {
					t.Errorf("%s: evidence line %q is plain text, not a message", what, s)
				}
				if strings.ContainsAny(out[i], "{}") {
					t.Errorf("%s %s: unfilled placeholder in %q", lang, what, out[i])
				}
				if lang == LangZH && asciiPhrase.MatchString(stripData(out[i])) {
					t.Errorf("%s: untranslated evidence %q", what, out[i])
				}
			}
		}
		for _, c := range d.Checks {
			check("check "+c.ID, c.Evidence, c.EvidenceMsgs, d.CheckEvidence(c))
			if lang == LangZH && c.Rule != "" && d.lang.CheckRule(c.ID, c.Rule) == c.Rule {
				t.Errorf("check %s: rule not translated", c.ID)
			}
		}
		for _, c := range d.Controls {
			check("control "+c.ID, c.Evidence, c.EvidenceMsgs, d.ControlEvidence(c))
		}
		if lang != LangZH {
			continue
		}
		for _, f := range d.Findings {
			if f.Detail != "" && asciiPhrase.MatchString(stripData(d.detail(f.Finding))) {
				t.Errorf("finding %s: untranslated detail %q", f.Detection, d.detail(f.Finding))
			}
		}
		for _, r := range d.Detections {
			if r.Reason != "" && asciiPhrase.MatchString(d.runReason(r)) {
				t.Errorf("detection %s: untranslated reason %q", r.ID, d.runReason(r))
			}
		}
	}
}

// dataText are names from the data that may read as English (table, user,
// role and application names in the golden logs).
var dataText = regexp.MustCompile(`[\w.@-]+@[\w.-]+|System Administrator|Asia/Shanghai|\([^()]*\.parquet[^()]*\)`)

func stripData(s string) string { return dataText.ReplaceAllString(s, "") }

// TestCasesChartStacked: the cases chart has one column per report period,
// stacked by severity in the severity colours, its axis labels carry the
// year, and the time-to-remediate table follows it in both formats.
func TestCasesChartStacked(t *testing.T) {
	for _, lang := range Languages() {
		in := fixtureInput()
		in.Lang = lang
		var html, md strings.Builder
		if err := RenderHTML(&html, in); err != nil {
			t.Fatal(err)
		}
		if err := RenderMarkdown(&md, in); err != nil {
			t.Fatal(err)
		}
		h := html.String()
		i := strings.Index(h, `id="`+ChartCases+`"`)
		if i < 0 {
			t.Fatalf("%s: no cases chart", lang)
		}
		svg := h[i : i+strings.Index(h[i:], "</svg>")]
		cols := strings.Count(svg, `<rect class="bar"`)
		periods := fixtureCasePeriods()
		segs := 0
		for _, p := range periods {
			for _, v := range p.BySeverity {
				if v > 0 {
					segs++
				}
			}
		}
		if cols != segs {
			t.Errorf("%s: %d segments, want %d (one per period and severity)", lang, cols, segs)
		}
		for _, s := range []string{"critical", "high", "medium", "low"} {
			if !strings.Contains(svg, `fill="`+severityColor[s]+`"`) {
				t.Errorf("%s: no %s segment or legend", lang, s)
			}
		}
		for _, y := range []string{"2024", "2025"} {
			if !regexp.MustCompile(`<text[^>]*>[^<]*` + y + `[^<]*</text>`).MatchString(svg) {
				t.Errorf("%s: no axis label with the year %s", lang, y)
			}
		}
		doc, err := NewDocument(in)
		if err != nil {
			t.Fatal(err)
		}
		ttr := doc.lang.T("casechart.ttr")
		if !strings.Contains(h, ttr) || !strings.Contains(md.String(), ttr) {
			t.Errorf("%s: no time-to-remediate table", lang)
		}
	}
}

// TestAxisLabelsDoNotOverlap: on a 93-day period in Chinese (wide labels)
// the last axis label, anchored at the right edge, does not run into its
// neighbour.
func TestAxisLabelsDoNotOverlap(t *testing.T) {
	l, err := newLocale(LangZH)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2023, 4, 30, 16, 0, 0, 0, time.UTC)
	var pts []audit.TimeCount
	for i := 0; i < 93; i++ {
		pts = append(pts, audit.TimeCount{Time: start.AddDate(0, 0, i), Count: int64(i % 5)})
	}
	b := timeBars(l, "x", "t", "u", pts, shanghai(), 24*time.Hour, 180)
	end := math.Inf(-1)
	for _, tk := range b.XTicks {
		from := tk.Pos + tk.DX
		if tk.Anchor == "end" {
			from -= labelWidth(tk.Label)
		}
		if from < end {
			t.Errorf("label %q at %.0f overlaps the one before (ends at %.0f)", tk.Label, from, end)
		}
		end = from + labelWidth(tk.Label)
	}
}

// TestDescriptionCatalog: every built-in detection has a Chinese
// description, so that the severity rationale and threshold origin of a
// finding card are Chinese too.
func TestDescriptionCatalog(t *testing.T) {
	zh, err := loadMessages(LangZH)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := audit.LoadRules(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		d := zh.Descriptions[r.ID]
		if zd := zh.Detections[r.ID].Description; zd != "" {
			d = zd
		}
		if strings.TrimSpace(d) == "" {
			t.Errorf("descriptions.zh-CN.yaml: no description of %s", r.ID)
		}
	}
}

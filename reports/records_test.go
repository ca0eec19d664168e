package reports

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-dg/vigil/rules/detections"
	"github.com/vigil-dg/vigil/stages/audit"
)

func demoRecordConfig() *RecordConfig {
	return &RecordConfig{
		Organization: "Example Trading Co., Ltd.",
		Controller:   Party{Name: "Example Trading Co., Ltd.", Contact: "privacy@example.cn"},
		DPO:          Party{Name: "Li Wei", Contact: "dpo@example.cn"},
		Purposes:     []string{"customer relationship management"},
		LegalBasis:   []string{"contract"},
		DataSubjects: []string{"customers", "staff"},
		Recipients:   []string{"internal sales"},
		Transfers:    []Transfer{},
		Retention:    "3 years after the end of the relationship",
		Necessity:    "only contact data needed for orders is processed",
		Impact:       "low: pseudonymised analytics, access monitored",
		Assessor:     "Wang Fang",
		KeepYears:    3,
		SignedBy:     "Li Wei",
	}
}

// The Art. 30 record and the PIPL assessment in both languages: gaps are
// listed, never invented; a complete config leaves only evidence gaps.
func TestFormalRecords(t *testing.T) {
	for _, lang := range Languages() {
		t.Run(lang, func(t *testing.T) {
			in := fixtureInput()
			in.Lang = lang
			d, err := NewDocument(in)
			if err != nil {
				t.Fatal(err)
			}
			art30, pia := d.FormalRecords[0], d.FormalRecords[1]
			if art30.Kind != RecordArt30 || pia.Kind != RecordPIA {
				t.Fatalf("records: %s %s", art30.Kind, pia.Kind)
			}
			// Without a record config every stated item is a gap.
			if len(art30.Gaps) < 7 || len(pia.Gaps) < 7 {
				t.Errorf("gaps without config: art30 %v, pia %v", art30.Gaps, pia.Gaps)
			}
			in.Records = demoRecordConfig()
			d, err = NewDocument(in)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range d.FormalRecords {
				if len(r.Gaps) != 0 {
					t.Errorf("%s with full config and evidence: gaps %v", r.Kind, r.Gaps)
				}
			}
			// Missing evidence is a gap, too.
			in.Datasets, in.Inventory = nil, nil
			d, _ = NewDocument(in)
			if len(d.FormalRecords[0].Gaps) == 0 || len(d.FormalRecords[1].Gaps) == 0 {
				t.Error("no gaps without inventory and datasets")
			}
			// Short retention of the assessment is a gap.
			in = fixtureInput()
			in.Lang = lang
			in.Records = demoRecordConfig()
			in.Records.KeepYears = 1
			d, _ = NewDocument(in)
			if len(d.FormalRecords[1].Gaps) != 1 {
				t.Errorf("keep 1 year: gaps %v", d.FormalRecords[1].Gaps)
			}
		})
	}
}

func TestRecordFilesWritten(t *testing.T) {
	for _, lang := range Languages() {
		in := fixtureInput()
		in.Lang = lang
		cfg := demoRecordConfig()
		cfg.Purposes, cfg.Necessity = nil, ""
		in.Records = cfg
		dir := filepath.Join(t.TempDir(), "r")
		w, err := Write(context.Background(), dir, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(w.Records) != 4 {
			t.Fatalf("records written: %v", w.Records)
		}
		for _, f := range w.Records {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			want := map[string][]string{
				LangEN: {"report.purposes", "missing"},
				LangZH: {"report.purposes", "缺失"},
			}[lang]
			for _, x := range want {
				if !strings.Contains(s, x) {
					t.Errorf("%s (%s) lacks %q", filepath.Base(f), lang, x)
				}
			}
			if lang == LangZH && strings.Contains(f, "pia") && !strings.Contains(s, "第五十六条") {
				t.Errorf("%s: no PIPL article wording", f)
			}
		}
	}
}

// TestCatalogComplete walks every template key and every detection,
// control and check id for both languages and lists what is missing.
func TestCatalogComplete(t *testing.T) {
	en, err := loadMessages(LangEN)
	if err != nil {
		t.Fatal(err)
	}
	zh, err := loadMessages(LangZH)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for k, v := range en.Strings {
		if strings.TrimSpace(zh.Strings[k]) == "" {
			missing = append(missing, "zh-CN.yaml strings."+k)
		}
		if strings.TrimSpace(v) == "" {
			missing = append(missing, "en.yaml strings."+k+" (empty)")
		}
		if strings.Count(v, "%") != strings.Count(zh.Strings[k], "%") && zh.Strings[k] != "" {
			missing = append(missing, "strings."+k+": en and zh-CN have different format verbs")
		}
	}
	for k := range zh.Strings {
		if _, ok := en.Strings[k]; !ok {
			missing = append(missing, "en.yaml strings."+k)
		}
	}
	for _, key := range templateKeys(t) {
		if _, ok := en.Strings[key]; !ok {
			missing = append(missing, "en.yaml strings."+key+" (used by a template)")
		}
	}
	rules, err := detections.Builtin(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		d := zh.Detections[r.ID]
		if strings.TrimSpace(d.Title) == "" || strings.TrimSpace(d.Remediation) == "" {
			missing = append(missing, "detections.zh-CN.yaml "+r.ID+" (title and remediation)")
		}
	}
	for _, c := range detections.Controls() {
		if strings.TrimSpace(zh.Controls[c.ID]) == "" {
			missing = append(missing, "zh-CN.yaml controls."+c.ID)
		}
		if strings.TrimSpace(zh.ControlSuggestions[c.ID]) == "" {
			missing = append(missing, "zh-CN.yaml control_suggestions."+c.ID)
		}
	}
	for _, id := range audit.CheckIDs() {
		if c := zh.Checks[id]; c.Title == "" || c.Remediation == "" {
			missing = append(missing, "zh-CN.yaml checks."+id)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("%d translations missing:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
}

func TestUnknownLanguage(t *testing.T) {
	in := fixtureInput()
	in.Lang = "fr"
	if _, err := NewDocument(in); !errors.Is(err, ErrInput) {
		t.Errorf("unknown language: %v", err)
	}
}

// templateKeys finds the message keys the templates and the Go code use:
// {{t "key"}} in templates, .T("key" in Go.
func templateKeys(t *testing.T) []string {
	var keys []string
	files, _ := filepath.Glob("templates/*.tmpl")
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range append(files, gofiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			if !slices.Contains(keys, m[1]) {
				keys = append(keys, m[1])
			}
		}
	}
	if len(keys) < 20 {
		t.Fatalf("found only %d message keys in the templates and code", len(keys))
	}
	return keys
}

var keyRe = regexp.MustCompile(`(?:\{\{-?\s*t\s+|\.T\(|\bT\()"([a-z0-9_.]*[a-z0-9_])"`)

// TestRecordGolden keeps the demo-like records (some inputs missing) of
// both languages in testdata/expected; go test -update rewrites them.
func TestRecordGolden(t *testing.T) {
	for _, lang := range Languages() {
		in := fixtureInput()
		in.Lang = lang
		cfg := demoRecordConfig()
		cfg.Recipients, cfg.Impact, cfg.Assessor = nil, "", ""
		in.Records = cfg
		d, err := NewDocument(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range d.FormalRecords {
			var b strings.Builder
			if err := d.recordMarkdown(&b, rec); err != nil {
				t.Fatal(err)
			}
			name := filepath.Join("testdata", "expected", strings.TrimSuffix(recordFile(rec.Kind), ".html")+"."+lang+".md")
			if *update {
				if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(name)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if string(want) != b.String() {
				t.Errorf("%s differs (run go test -update and review the diff)", name)
			}
			if len(rec.Gaps) < 1 || (rec.Kind == RecordPIA && len(rec.Gaps) < 2) {
				t.Errorf("%s %s: gaps %v, want the missing recipients/impact/assessor", lang, rec.Kind, rec.Gaps)
			}
		}
	}
}

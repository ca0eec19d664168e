package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// newestReportDir is the report folder written last.
func newestReportDir(t *testing.T, demoDir string) string {
	t.Helper()
	ms, _ := filepath.Glob(filepath.Join(demoDir, "home", "reports", "*", "report.json"))
	if len(ms) == 0 {
		t.Fatal("no report")
	}
	sort.Slice(ms, func(i, j int) bool {
		a, _ := os.Stat(ms[i])
		b, _ := os.Stat(ms[j])
		return a.ModTime().Before(b.ModTime())
	})
	return filepath.Dir(ms[len(ms)-1])
}

// TestCasesRecordsAndVerifyThroughCLI: the demo's findings become cases;
// an audit over an empty month resolves nothing and keeps the critical
// leaver case open; a person closes it with a note; a zh-CN audit writes
// Chinese reports and both formal records; vigil report verify passes on
// the untouched folder and fails after one input log or the report is
// changed.
func TestCasesRecordsAndVerifyThroughCLI(t *testing.T) {
	t.Parallel()
	d := demoHome(t, sharedDemoSpec)
	dir, demoDir, cfg := d.Dir, d.Demo, d.Config

	var cases []struct {
		Fingerprint, Detection, Severity, State string
	}
	r := mustRun(t, dir, nil, "-c", cfg, "--json", "findings", "list")
	if err := jsonField(t, r.stdout, "cases", &cases); err != nil {
		t.Fatalf("findings list --json: %v\n%s", err, r.stdout)
	}
	var leaver string
	for _, c := range cases {
		if c.Detection == "disabled_account_activity" && c.Severity == "critical" {
			leaver = c.Fingerprint
		}
	}
	if len(cases) < 10 || leaver == "" {
		t.Fatalf("cases after the demo: %d, leaver %q", len(cases), leaver)
	}

	// classify --cached shows what the datasets applied, not class defaults.
	var inv []struct {
		Table   string
		Columns []struct{ Name, Class, Protection string }
	}
	r = mustRun(t, dir, nil, "-c", cfg, "--json", "classify", "--cached")
	if err := jsonField(t, r.stdout, "tables", &inv); err != nil {
		t.Fatal(err)
	}
	params := 0
	for _, tb := range inv {
		for _, c := range tb.Columns {
			if strings.HasPrefix(c.Protection, "planned:") {
				t.Errorf("%s.%s: %q although the demo wrote its dataset", tb.Table, c.Name, c.Protection)
			}
			if strings.Contains(c.Protection, "(") {
				params++
			}
		}
	}
	if params == 0 {
		t.Errorf("no applied protection with its parameters in classify --cached: %+v", inv)
	}

	// An empty month after the logs end.
	var gt struct{ Start, End string }
	b, _ := os.ReadFile(filepath.Join(demoDir, "data", "logs", "access_ground_truth.json"))
	if err := json.Unmarshal(b, &gt); err != nil {
		t.Fatal(err)
	}
	end, err := time.Parse(time.RFC3339, gt.End)
	if err != nil {
		if end, err = time.Parse("2006-01-02", gt.End); err != nil {
			t.Fatalf("ground truth end %q: %v", gt.End, err)
		}
	}
	from := end.AddDate(0, 2, 0)
	r = mustRun(t, dir, nil, "-c", cfg, "audit", "--from", from.Format("2006-01-02"), "--to", from.AddDate(0, 1, 0).Format("2006-01-02"))
	if !strings.Contains(r.stdout, "not observed in this period") {
		t.Errorf("audit output does not mention the carried cases:\n%s", r.stdout)
	}
	var rep struct {
		Summary struct {
			Open        int `json:"open_findings"`
			NotObserved int `json:"not_observed"`
			Events      int `json:"events_in_period"`
		} `json:"summary"`
		Trend struct {
			Resolved []json.RawMessage `json:"resolved"`
		} `json:"trend"`
		Findings []struct {
			Fingerprint string `json:"fingerprint"`
			Case        *struct {
				State       string `json:"state"`
				NotObserved bool   `json:"not_observed"`
			} `json:"case"`
		} `json:"findings"`
	}
	emptyDir := newestReportDir(t, demoDir)
	b, _ = os.ReadFile(filepath.Join(emptyDir, "report.json"))
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Events != 0 || len(rep.Trend.Resolved) != 0 || rep.Summary.Open != len(cases) || rep.Summary.NotObserved != len(cases) {
		t.Errorf("empty month: %d events, %d resolved, %d open (%d not observed), want %d open", rep.Summary.Events, len(rep.Trend.Resolved),
			rep.Summary.Open, rep.Summary.NotObserved, len(cases))
	}
	found := false
	for _, f := range rep.Findings {
		if f.Fingerprint == leaver {
			found = f.Case != nil && f.Case.State == "open" && f.Case.NotObserved
		}
	}
	if !found {
		t.Error("the critical leaver case is not listed open in the empty month")
	}

	// Closing needs a note; with one, the history records who and why.
	if r := vigil(t, dir, nil, "-c", cfg, "findings", "set-state", leaver[:10], "remediated", "--by", "dpo@example.cn"); r.code == 0 {
		t.Error("closing without a note succeeded")
	}
	mustRun(t, dir, nil, "-c", cfg, "findings", "set-state", leaver[:10], "remediated", "--by", "dpo@example.cn", "--note", "account disabled, SEC-12")
	r = mustRun(t, dir, nil, "-c", cfg, "findings", "show", leaver[:10])
	if !strings.Contains(r.stdout, "open → remediated") || !strings.Contains(r.stdout, "dpo@example.cn: account disabled, SEC-12") {
		t.Errorf("findings show:\n%s", r.stdout)
	}

	// The period again, in Chinese.
	mustRun(t, dir, nil, "-c", cfg, "audit", "--from", gt.Start[:10], "--to", gt.End[:10], "--lang", "zh-CN")
	zhDir := newestReportDir(t, demoDir)
	html, _ := os.ReadFile(filepath.Join(zhDir, "report.html"))
	if !strings.Contains(string(html), `lang="zh-CN"`) || !strings.Contains(string(html), "未关闭发现") {
		t.Error("the zh-CN report is not in Chinese")
	}
	for _, f := range []string{"record-art30.html", "record-art30.md", "pia-pipl.html", "pia-pipl.md", "evidence.json"} {
		if _, err := os.Stat(filepath.Join(zhDir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	pia, _ := os.ReadFile(filepath.Join(zhDir, "pia-pipl.md"))
	if !strings.Contains(string(pia), "缺项") {
		t.Error("the demo's PIPL assessment lists no gaps although the demo config states no purposes")
	}
	csvb, _ := os.ReadFile(filepath.Join(zhDir, "findings.csv"))
	if !strings.HasPrefix(string(csvb), "\ufeff") {
		t.Error("findings.csv has no BOM")
	}

	// Integrity.
	r = mustRun(t, dir, nil, "-c", cfg, "report", "verify", zhDir)
	if !strings.Contains(r.stdout, "verified") {
		t.Fatalf("verify: %s", r.stdout)
	}
	var ev struct {
		Inputs []struct{ Kind, Path, Copy string } `json:"inputs"`
	}
	b, _ = os.ReadFile(filepath.Join(zhDir, "evidence.json"))
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	var logFile string
	for _, in := range ev.Inputs {
		if in.Kind == "log" && in.Copy == "" {
			logFile = in.Path
		}
	}
	if logFile == "" {
		t.Fatal("no input log hashed")
	}
	orig, _ := os.ReadFile(logFile)
	if err := os.WriteFile(logFile, append(append([]byte{}, orig...), '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	r = vigil(t, dir, nil, "-c", cfg, "report", "verify", zhDir)
	if r.code != exitVerify || !strings.Contains(r.stdout, "input log") {
		t.Errorf("verify after changing an input log: exit %d\n%s", r.code, r.stdout)
	}
	os.WriteFile(logFile, orig, 0o600)
	mustRun(t, dir, nil, "-c", cfg, "report", "verify", zhDir)
	p := filepath.Join(zhDir, "report.html")
	os.WriteFile(p, append(html, []byte("<!-- edited -->")...), 0o640)
	r = vigil(t, dir, nil, "-c", cfg, "report", "verify", zhDir)
	if r.code != exitVerify || !strings.Contains(r.stdout, "report.html") {
		t.Errorf("verify after changing report.html: exit %d\n%s", r.code, r.stdout)
	}
	// Offline verification with the public key in evidence.json.
	os.WriteFile(p, html, 0o640)
	r = mustRun(t, dir, nil, "report", "verify", "--offline", zhDir)
	if !strings.Contains(r.stdout, "offline") {
		t.Errorf("offline verify: %s", r.stdout)
	}
}

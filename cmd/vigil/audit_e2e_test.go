package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// auditReport is the part of report.json the tests read.
type auditReport struct {
	Summary struct {
		OpenFindings int `json:"open_findings"`
		Suppressed   int `json:"suppressed_findings"`
	} `json:"summary"`
	Findings []struct {
		Detection   string `json:"detection"`
		Fingerprint string `json:"fingerprint"`
		Status      string `json:"status"`
	} `json:"findings"`
	Trend json.RawMessage `json:"trend"`
}

func readReports(t *testing.T, demoDir string) []auditReport {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(demoDir, "home", "reports", "*", "report.json"))
	sort.Strings(files)
	var out []auditReport
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r auditReport
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestAuditSuppressionAndTrend: the demo's audit finds the injected
// incidents; a second audit over the same period with one finding
// suppressed shows it as suppressed, and nothing else changes.
func TestAuditSuppressionAndTrend(t *testing.T) {
	t.Parallel()
	d := demoHome(t, sharedDemoSpec)
	dir, demoDir, r := d.Dir, d.Demo, d.Out
	if !strings.Contains(r.stdout, "report.html") {
		t.Fatalf("demo does not print the report path:\n%s", r.stdout)
	}
	first := readReports(t, demoDir)
	if len(first) != 1 || first[0].Summary.OpenFindings < 13 {
		t.Fatalf("first audit: %+v", first)
	}
	var target string
	for _, f := range first[0].Findings {
		if f.Detection == "brute_force" {
			target = f.Fingerprint
		}
	}
	if target == "" {
		t.Fatal("the injected brute-force run was not found")
	}
	sup := "format: vigil.suppressions/v1\nsuppressions:\n  - fingerprint: " + target +
		"\n    status: accepted\n    reason: penetration test agreed with the CISO\n    by: dpo@example.com\n"
	if err := os.WriteFile(filepath.Join(demoDir, "suppressions.yaml"), []byte(sup), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(demoDir, "vigil.yaml")
	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg2 := strings.Replace(string(cfg), "audit:\n", "audit:\n  suppressions: suppressions.yaml\n", 1)
	if err := os.WriteFile(cfgPath, []byte(cfg2), 0o600); err != nil {
		t.Fatal(err)
	}
	var gt struct{ Start, End string }
	b, _ := os.ReadFile(filepath.Join(demoDir, "data", "logs", "access_ground_truth.json"))
	if err := json.Unmarshal(b, &gt); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, nil, "-c", cfgPath, "audit", "--from", gt.Start, "--to", gt.End)
	both := readReports(t, demoDir)
	if len(both) != 2 {
		t.Fatalf("%d reports", len(both))
	}
	second := both[1]
	if second.Summary.Suppressed != 1 || second.Summary.OpenFindings != first[0].Summary.OpenFindings-1 {
		t.Fatalf("second audit: open %d suppressed %d; first open %d", second.Summary.OpenFindings, second.Summary.Suppressed, first[0].Summary.OpenFindings)
	}
	for _, f := range second.Findings {
		want := "open"
		if f.Fingerprint == target {
			want = "suppressed"
		}
		if f.Status != want {
			t.Errorf("finding %s (%s): status %q, want %q", f.Fingerprint, f.Detection, f.Status, want)
		}
	}
	var trend struct {
		New      []json.RawMessage `json:"new"`
		Resolved []json.RawMessage `json:"resolved"`
	}
	if err := json.Unmarshal(second.Trend, &trend); err != nil {
		t.Fatalf("trend: %v\n%s", err, second.Trend)
	}
	if len(trend.New) != 0 || len(trend.Resolved) != 0 {
		t.Errorf("trend changed beyond the suppression: %s", second.Trend)
	}
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditCustomMappingAndRealM365Logs ingests two foreign log shapes
// through the CLI: a CSV export mapped by a user-defined mapping in the
// config, and the real Microsoft 365 attack samples of shared/data through
// the built-in m365 mapping. The injected brute force and the recorded
// password sprays must be found.
func TestAuditCustomMappingAndRealM365Logs(t *testing.T) {
	t.Parallel()
	m365, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "data", "logs", "otrf-m365-attacks"))
	if _, err := os.Stat(m365); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared data not present in CI: %v", err)
		}
		t.Skipf("shared data not present: %v", err)
	}
	dir := setupDir(t, 200, false, "  snap: {stages: [snapshot]}\n")
	var b strings.Builder
	b.WriteString("when;who;what;ip;result\n")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "01/08/2026 03:%02d:%02d;Mallory@Example.com;SIGNIN;203.0.113.9;FAIL\n", 10+i/10, (i*7)%60)
	}
	b.WriteString("01/08/2026 09:00:00;alice@example.com;SIGNIN;198.51.100.7;OK\n")
	if err := os.WriteFile(filepath.Join(dir, "idp.csv"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "vigil.yaml")
	cfg, _ := os.ReadFile(cfgPath)
	extra := `audit:
  logs:
    - {name: idp, path: idp.csv, format: csv, mapping: idp}
    - {name: m365, path: "` + m365 + `/*.jsonl", format: json, mapping: m365}
  mappings:
    idp:
      fields: {time: when, user: who, action: what, src_ip: ip, status: result}
      values:
        action: {SIGNIN: login}
        status: {OK: success, FAIL: failure}
      time_format: "%d/%m/%Y %H:%M:%S"
`
	if err := os.WriteFile(cfgPath, append(cfg, []byte(extra)...), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, nil, "config", "validate")
	mustRun(t, dir, nil, "run", "snap")
	r := mustRun(t, dir, nil, "audit", "--from", "2019-01-01", "--to", "2027-01-01", "--json")
	rep := readReports(t, dir)
	if len(rep) != 1 {
		t.Fatalf("reports: %d\n%s", len(rep), r)
	}
	found := map[string]int{}
	for _, f := range rep[0].Findings {
		found[f.Detection]++
	}
	if found["brute_force"] == 0 {
		t.Errorf("the custom-mapped brute force was not found: %v", found)
	}
	if found["password_spray"] < 2 {
		t.Errorf("the two M365 password sprays were not found: %v", found)
	}
	if found["admin_grant"] == 0 || found["mfa_disabled"] == 0 {
		t.Errorf("the M365 admin grant / MFA disable were not found: %v", found)
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditFailOnNotifies: with audit.fail_on in the config, an audit with
// open findings at or above that severity is a failed run (exit 7) that
// runs the notify command — which does not get the passphrase.
func TestAuditFailOnNotifies(t *testing.T) {
	t.Parallel()
	f := sharedDemo(t)
	dir := filepath.Dir(f.pass)
	notified := filepath.Join(t.TempDir(), "notified")
	cfg := mustReadString(f.pass)
	if !strings.Contains(cfg, "\naudit:\n") {
		t.Fatalf("the demo config has no audit section:\n%s", cfg)
	}
	cfg = strings.Replace(cfg, "\naudit:\n", "\naudit:\n  fail_on: critical\n", 1)
	cfg += "notify:\n  command: [\"sh\", \"-c\", \"{ cat; env; } > " + notified + "\"]\n"
	path := filepath.Join(dir, "failon.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	const pass = contractPass
	r := vigil(t, dir, []string{"VIGIL_TEST_PASS=" + pass}, "-c", path, "audit", "--from", f.from, "--to", f.to)
	if r.code != exitFindings {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitFindings, r)
	}
	b, err := os.ReadFile(notified)
	if err != nil {
		t.Fatalf("the notify command did not run: %v\n%s", err, r)
	}
	if !strings.Contains(string(b), "VIGIL_STATUS=failed") {
		t.Errorf("notification:\n%s", b)
	}
	if strings.Contains(string(b), "VIGIL_TEST_PASS") || strings.Contains(string(b), pass+"\n") {
		t.Errorf("the notify command saw the passphrase:\n%s", b)
	}
}

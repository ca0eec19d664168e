package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

// The audit report lists each erasure by keyed hash, never the raw id, with
// the snapshots still holding the subject, and fails the escrow check
// until the keyset is exported (fails closed), then passes it.
func TestAuditReportsErasuresAndEscrow(t *testing.T) {
	t.Parallel()
	d := demoHome(t, smallDemoSpec)
	dir, demoDir, cfg := d.Dir, d.Demo, d.Config
	csvData, err := os.ReadFile(filepath.Join(demoDir, "data", "customers.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(csvData), "\n")
	header := strings.Split(strings.TrimPrefix(lines[0], "\ufeff"), ",")
	col := header[0]
	victim := strings.Split(lines[7], ",")[0]
	mustRun(t, dir, nil, "-c", cfg, "erase", "--table", "customers", "--key", col+"="+victim, "--reason", "DSR-2026-042")
	type check struct {
		ID, Status string
		Evidence   []string
	}
	checks := func() map[string]check {
		t.Helper()
		raw, err := os.ReadFile(mustGlob(t, filepath.Join(demoDir, "home", "reports", "*", "report.json")))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), victim) {
			t.Fatal("the report holds the erased subject's raw id")
		}
		var r struct{ Checks []check }
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		out := map[string]check{}
		for _, c := range r.Checks {
			out[c.ID] = c
		}
		return out
	}
	mustRun(t, dir, nil, "-c", cfg, "audit")
	c := checks()
	if c["crypto.key_escrow"].Status != "fail" || !strings.Contains(strings.Join(c["crypto.key_escrow"].Evidence, "\n"), "never escrowed") {
		t.Fatalf("escrow check before any export: %+v", c["crypto.key_escrow"])
	}
	eb := c["erasure.backups"]
	ev := strings.Join(eb.Evidence, "\n")
	if eb.Status != "pass" || !strings.Contains(ev, "reason DSR-2026-042") || !strings.Contains(ev, "still in 1 snapshots until retention removes them: customers/") {
		t.Fatalf("erasure check: %+v", eb)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, nil, "-c", cfg, "keys", "export", "--to-age", id.Recipient().String(), "--out", filepath.Join(dir, "escrow.age"))
	os.RemoveAll(filepath.Join(demoDir, "home", "reports"))
	mustRun(t, dir, nil, "-c", cfg, "audit")
	if c := checks(); c["crypto.key_escrow"].Status != "pass" {
		t.Fatalf("escrow check after an export: %+v", c["crypto.key_escrow"])
	}
}

func mustGlob(t *testing.T, pat string) string {
	t.Helper()
	m, _ := filepath.Glob(pat)
	if len(m) == 0 {
		t.Fatalf("nothing matches %s", pat)
	}
	return m[len(m)-1]
}

package main

import (
	"strings"
	"testing"
)

// TestInitFlow walks a newcomer's path: vigil init, demo data, a keyset under
// a passphrase, then the nightly job, a verification and an audit with the
// starter config as written.
func TestInitFlow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := []string{"VIGIL_PASSPHRASE=a long demo passphrase"}
	mustRun(t, dir, env, "init")
	if r := vigil(t, dir, env, "init"); r.code != exitUsage {
		t.Fatalf("a second init must refuse to overwrite: %s", r)
	}
	mustRun(t, dir, env, "demo", "generate", "--rows", "1500", "--out", "demo-data")
	mustRun(t, dir, env, "config", "validate")
	mustRun(t, dir, env, "keys", "init")
	mustRun(t, dir, env, "run", "nightly")
	mustRun(t, dir, env, "run", "verify")
	r := mustRun(t, dir, env, "audit", "--from", "2026-07-01", "--to", "2026-09-01")
	if !strings.Contains(r.stdout, "report.html") || strings.Contains(r.stdout, " 0 events") {
		t.Fatalf("audit with the starter config:\n%s", r)
	}
}

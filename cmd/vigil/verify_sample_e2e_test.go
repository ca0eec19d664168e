package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-dg/vigil/internal/s3test"
)

// verify --sample rotates through every snapshot, locally and on a target,
// least recently verified first and without repeats; status and the
// metrics show the coverage; a snapshot not verified within the window is
// read even beyond the sample.
func TestVerifySampleRotatesAndRecordsCoverage(t *testing.T) {
	t.Parallel()
	dir := setupDir(t, 40, false, backupJobs("    offsite: {type: dir, path: offsite}\n"))
	mustRun(t, dir, nil, "run", "nightly")
	mustRun(t, dir, nil, "run", "nightly")
	// 2 tables × 2 nights, locally and on the target: 8 snapshots.
	type out struct {
		Results []struct {
			Snapshot, Location string
			OK                 bool
		}
		Coverage struct {
			Snapshots, Overdue int
			Verified           int `json:"verified_in_window"`
			Percent            float64
		}
	}
	seen := map[string]int{}
	var last out
	for i := 0; i < 4; i++ {
		r := mustRun(t, dir, nil, "verify", "--sample", "25%", "--json")
		if err := json.Unmarshal([]byte(r.stdout), &last); err != nil {
			t.Fatalf("verify --sample --json: %v\n%s", err, r.stdout)
		}
		if len(last.Results) != 2 {
			t.Fatalf("run %d read %d snapshots, want 2 (25%% of 8)", i, len(last.Results))
		}
		for _, res := range last.Results {
			loc := res.Location
			if loc == "" {
				loc = "local"
			}
			seen[loc+":"+res.Snapshot]++
			if !res.OK {
				t.Fatalf("run %d: %s not ok", i, res.Snapshot)
			}
		}
	}
	if len(seen) != 8 {
		t.Fatalf("4 runs of 25%% read %d distinct snapshots, want all 8: %v", len(seen), seen)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s read %d times before the others", k, n)
		}
	}
	if c := last.Coverage; c.Snapshots != 8 || c.Verified != 8 || c.Percent != 100 || c.Overdue != 0 {
		t.Fatalf("coverage after a full rotation: %+v", c)
	}
	st := mustRun(t, dir, nil, "status")
	if !strings.Contains(st.stdout, "coverage: 8 of 8 snapshots verified within 30d (100.0%), 0 overdue") {
		t.Fatalf("status does not show coverage:\n%s", st.stdout)
	}
	prom, err := os.ReadFile(filepath.Join(dir, "home", "metrics", "vigil.prom"))
	if err != nil || !strings.Contains(string(prom), "vigil_verify_window_coverage_percent 100") ||
		!strings.Contains(string(prom), "vigil_verify_overdue_snapshots 0") {
		t.Fatalf("metrics lack coverage (%v):\n%s", err, prom)
	}

	// Two reads made 40 days old: both are overdue and read, though 1%
	// of 8 is one snapshot.
	cpath := filepath.Join(dir, "home", "verify", "coverage.json")
	var cov map[string]any
	b, _ := os.ReadFile(cpath)
	if err := json.Unmarshal(b, &cov); err != nil {
		t.Fatal(err)
	}
	aged := 0
	old := time.Now().Add(-40 * 24 * time.Hour).UTC().Format(time.RFC3339Nano)
	for _, m := range cov["locations"].(map[string]any) {
		for _, rd := range m.(map[string]any) {
			if aged < 2 {
				rd.(map[string]any)["time"], rd.(map[string]any)["last_ok"] = old, old
				aged++
			}
		}
	}
	b, _ = json.Marshal(cov)
	if err := os.WriteFile(cpath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	st = mustRun(t, dir, nil, "status", "--json")
	if !strings.Contains(st.stdout, `"overdue": 2`) {
		t.Fatalf("status --json does not count the overdue reads:\n%s", st.stdout)
	}
	r := mustRun(t, dir, nil, "verify", "--sample", "1%", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &last); err != nil {
		t.Fatal(err)
	}
	if len(last.Results) != 2 || last.Coverage.Overdue != 0 || last.Coverage.Percent != 100 {
		t.Fatalf("overdue snapshots not read: %+v", last)
	}

	// A damaged coverage record only makes verify read more.
	os.WriteFile(cpath, []byte("{"), 0o600)
	r = mustRun(t, dir, nil, "verify", "--sample", "25%", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &last); err != nil || len(last.Results) != 2 {
		t.Fatalf("after a damaged coverage record: %v %+v", err, last)
	}
	for _, args := range [][]string{{"verify", "--sample", "0%"}, {"verify", "--sample", "5%", "--all"}, {"verify", "--sample", "5%", "--target", "nowhere"}} {
		if r := vigil(t, dir, nil, args...); r.code != exitUsage {
			t.Errorf("vigil %s: exit %d, want %d\n%s", strings.Join(args, " "), r.code, exitUsage, r)
		}
	}
}

// Through the CLI against weed serving TLS with a private CA: without
// ca_file the backup fails on the certificate; with it, backup works and a
// sampled verify of 100% reads every copy, locally and on the S3 target.
func TestVerifySampleOverS3WithPrivateCA(t *testing.T) {
	t.Parallel()
	caDir := t.TempDir()
	tc := s3test.NewTLS(t, caDir, "vigil")
	srv := s3test.StartTLS(t, tc)
	srv.MakeBucket(t, "vigil-tls")
	env := []string{"VIGIL_S3_KEY=" + srv.AccessKey, "VIGIL_S3_SECRET=" + srv.SecretKey}
	target := "    offsite: {type: s3, endpoint: " + srv.Endpoint + ", bucket: vigil-tls, region: us-east-1, " +
		"access_key_env: VIGIL_S3_KEY, secret_key_env: VIGIL_S3_SECRET, path_style: true%s}\n"
	dir := setupDir(t, 40, false, backupJobs(fmt.Sprintf(target, "")))
	if r := vigil(t, dir, env, "run", "nightly"); r.code == 0 || !strings.Contains(r.stderr, "certificate") {
		t.Fatalf("backup to a server of an unknown CA: %s", r)
	}
	cfgPath := filepath.Join(dir, "vigil.yaml")
	cfg, _ := os.ReadFile(cfgPath)
	cfg = []byte(strings.Replace(string(cfg), "path_style: true}", "path_style: true, ca_file: "+tc.CAFile+"}", 1))
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, env, "backup")
	r := mustRun(t, dir, env, "verify", "--sample", "100%")
	if !strings.Contains(r.stdout, "ok    offsite:customers/") || !strings.Contains(r.stdout, "coverage: 4 of 4 snapshots verified within 30d (100.0%), 0 overdue") {
		t.Fatalf("verify --sample 100%% over S3:\n%s", r.stdout)
	}
}

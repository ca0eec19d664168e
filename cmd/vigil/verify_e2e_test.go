package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// snapshotDir returns the directory of the only snapshot of table.
func snapshotDir(t *testing.T, dir, table string) string {
	t.Helper()
	ms, err := filepath.Glob(filepath.Join(dir, "home", "store", "snapshots", table, "2*"))
	if err != nil || len(ms) != 1 {
		t.Fatalf("snapshots of %s: %v %v", table, ms, err)
	}
	return ms[0]
}

// TestVerifyDetectsTampering breaks a snapshot in each of the ways an
// operator meets in practice and checks that vigil verify names each one
// distinctly and exits 3.
func TestVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		breakf func(t *testing.T, snap string)
		want   string
	}{
		{"flipped byte in data file", func(t *testing.T, snap string) { flipByte(t, filepath.Join(snap, "data-00000.parquet"), 0.5) }, "checksum"},
		{"flipped byte in manifest", func(t *testing.T, snap string) { editManifest(t, snap) }, "manifest_tampered"},
		{"missing file", func(t *testing.T, snap string) {
			if err := os.Remove(filepath.Join(snap, "data-00000.parquet")); err != nil {
				t.Fatal(err)
			}
		}, "missing_file"},
		{"truncated file", func(t *testing.T, snap string) {
			p := filepath.Join(snap, "data-00000.parquet")
			st, _ := os.Stat(p)
			if err := os.Truncate(p, st.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, "truncated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := setupDir(t, 500, false, "  snap: {stages: [snapshot]}\n")
			mustRun(t, dir, nil, "run", "snap")
			ok := vigil(t, dir, nil, "verify", "staff/latest")
			if ok.code != 0 {
				t.Fatalf("verify of an intact snapshot: %s", ok)
			}
			tc.breakf(t, snapshotDir(t, dir, "staff"))
			r := vigil(t, dir, nil, "verify", "--json")
			if r.code != exitVerify {
				t.Fatalf("exit %d, want %d\n%s", r.code, exitVerify, r)
			}
			var results []struct {
				Table    string
				OK       bool
				Problems []struct{ Kind, File, Detail string }
			}
			if err := jsonField(t, r.stdout, "results", &results); err != nil {
				t.Fatalf("verify --json: %v\n%s", err, r.stdout)
			}
			found := false
			for _, res := range results {
				if res.Table != "staff" {
					continue
				}
				for _, p := range res.Problems {
					if p.Kind == tc.want {
						found = true
					}
				}
				if res.OK {
					t.Errorf("staff reported ok after %s", tc.name)
				}
			}
			if !found {
				t.Errorf("no %q problem reported:\n%s", tc.want, r.stdout)
			}
			// The ledger recorded the failed verification, and status still works.
			ledger, err := os.ReadFile(filepath.Join(dir, "home", "ledger", "runs.jsonl"))
			if err != nil || !strings.Contains(string(ledger), `"job":"verify","stage":"verify","status":"failed"`) {
				t.Errorf("the ledger lacks the failed verify stage (%v):\n%s", err, ledger)
			}
			mustRun(t, dir, nil, "status")
		})
	}
}

func flipByte(t *testing.T, path string, at float64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[int(float64(len(b))*at)] ^= 0x01
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// editManifest changes the row count in manifest.json, as a forger would.
func editManifest(t *testing.T, snap string) {
	t.Helper()
	p := filepath.Join(snap, "manifest.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), `"rows_rejected": 0`, `"rows_rejected": 1`, 1)
	if s == string(b) {
		t.Fatalf("manifest has no rows_rejected field to edit:\n%s", b)
	}
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreRoundTrip restores a snapshot as plaintext CSV, only into the
// directory the user names, with owner-only permissions.
func TestRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	dir := setupDir(t, 800, false, "  snap: {stages: [snapshot]}\n")
	mustRun(t, dir, nil, "run", "snap")
	out := filepath.Join(dir, "restored")
	r := mustRun(t, dir, nil, "restore", "customers/latest", "--to", out, "--format", "csv")
	if !strings.Contains(r.stdout, "800 rows") {
		t.Errorf("restore output: %s", r.stdout)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.csv"))
	if len(files) != 1 {
		t.Fatalf("restored files: %v", files)
	}
	st, _ := os.Stat(files[0])
	if st.Mode().Perm() != 0o600 {
		t.Errorf("restored file mode %v, want 0600", st.Mode().Perm())
	}
}

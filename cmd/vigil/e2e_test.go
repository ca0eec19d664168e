package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-dg/vigil/demo"
)

// setupDir returns a new directory with demo data (seed 3, rows rows, GBK
// when gbk), a config with the given jobs, a key file and the keyset. The
// data, key file and keyset are made once per (rows, gbk) and copied.
func setupDir(t *testing.T, rows int, gbk bool, jobs string) string {
	t.Helper()
	b := buildOnce("data/"+strconv.Itoa(rows)+"/"+strconv.FormatBool(gbk), func(dir string) (result, error) {
		args := []string{"demo", "generate", "--rows", strconv.Itoa(rows), "--seed", "3", "--out", "data"}
		if gbk {
			args = append(args, "--gbk")
		}
		if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(setupConfig("  snap: {stages: [snapshot]}\n")), 0o600); err != nil {
			return result{}, err
		}
		return runSteps(dir, args, []string{"keys", "keyfile", "master.key"}, []string{"keys", "init"})
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	dir := filepath.Join(t.TempDir(), "d")
	if err := copyTree(b.dir, dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(setupConfig(jobs)), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// setupConfig is setupDir's vigil.yaml with the given jobs.
func setupConfig(jobs string) string {
	return `format: 1
home: home
timezone: Asia/Shanghai
keys: {key_file: master.key}
sources:
  crm:
    type: csv
    dir: data
    tables:
      customers: {file: customers.csv}
      staff: {file: staff.csv}
jobs:
` + jobs
}

func mustRun(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	r := vigil(t, dir, env, args...)
	if r.code != 0 {
		t.Fatalf("vigil %s: %s", strings.Join(args, " "), r)
	}
	return r
}

func TestDemoRunsEndToEnd(t *testing.T) {
	t.Parallel()
	d := demoHome(t, sharedDemoSpec)
	r := d.Out
	for _, want := range []string{"encrypted snapshots", "analyst datasets", "run ledger", "nightly"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo summary lacks %q:\n%s", want, r.stdout)
		}
	}
	// The run ledger is queryable and says ok.
	st := mustRun(t, d.Dir, nil, "-c", d.Config, "status", "--json")
	if !strings.Contains(st.stdout, `"status": "ok"`) {
		t.Errorf("status does not show an ok run:\n%s", st.stdout)
	}
}

func TestGBKAndUTF8TwinsGiveTheSameSnapshot(t *testing.T) {
	t.Parallel()
	digests := map[bool]string{}
	for _, gbk := range []bool{false, true} {
		dir := setupDir(t, 2000, gbk, "  snap: {stages: [snapshot]}\n")
		mustRun(t, dir, nil, "run", "snap")
		var ms []struct {
			Table, Digest string
			Rows          int64
		}
		out := mustRun(t, dir, nil, "snapshots", "list", "customers", "--json")
		if err := unmarshalSnapshots(out.stdout, &ms); err != nil || len(ms) != 1 {
			t.Fatalf("snapshots list: %v %s", err, out.stdout)
		}
		if ms[0].Rows != 2000 {
			t.Errorf("gbk=%v: %d rows, want 2000", gbk, ms[0].Rows)
		}
		digests[gbk] = ms[0].Digest
	}
	if digests[false] == "" || digests[false] != digests[true] {
		t.Fatalf("UTF-8 digest %q != GBK digest %q", digests[false], digests[true])
	}
}

func TestConfigErrorsNameFileLineAndField(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := "format: 1\nhome: home\nkeys: {key_file: k}\nsources:\n  crm:\n    type: csv\n    dir: .\n    tables:\n      customers: {file: missing.csv, colour: red}\njobs:\n  nightly: {schedule: \"61 * * * *\", stages: [snapshot, launch]}\n"
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	r := vigil(t, dir, nil, "config", "validate")
	if r.code != exitUsage {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitUsage, r)
	}
	for _, want := range []string{"vigil.yaml:9:", "colour", "missing.csv", "vigil.yaml:11:", "schedule", "launch"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("error output lacks %q:\n%s", want, r.stderr)
		}
	}
}

func TestKeyProblemsExitWithKeyCode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := "format: 1\nhome: home\nkeys: {passphrase_env: VIGIL_TEST_PASS}\nsources: {}\njobs: {verify: {stages: [verify]}}\n"
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	const pass = "correct horse battery staple"
	mustRun(t, dir, []string{"VIGIL_TEST_PASS=" + pass}, "keys", "init")
	r := vigil(t, dir, []string{"VIGIL_TEST_PASS=wrong passphrase"}, "keys", "info")
	if r.code != exitKeys || !strings.Contains(r.stderr, "wrong passphrase") {
		t.Fatalf("wrong passphrase: %s", r)
	}
	r = vigil(t, dir, nil, "keys", "info")
	if r.code != exitKeys || !strings.Contains(r.stderr, "VIGIL_TEST_PASS") {
		t.Fatalf("unset passphrase: %s", r)
	}
	if strings.Contains(r.stderr+r.stdout, pass) {
		t.Fatal("the passphrase was printed")
	}
}

// TestNoPersonalDataInOutput runs the demo with debug logs and checks that no
// generated personal value appears in anything vigil printed.
func TestNoPersonalDataInOutput(t *testing.T) {
	t.Parallel()
	d := demoHome(t, sharedDemoSpec) // built with --log-level debug
	dir, demoDir, cfg := d.Dir, d.Demo, d.Config
	var out strings.Builder
	out.WriteString(d.Out.stdout + d.Out.stderr)
	for _, args := range [][]string{{"status"}, {"snapshots", "list"}, {"classify", "--cached"}, {"classify", "--cached", "--json"}} {
		r := mustRun(t, dir, nil, append([]string{"-c", cfg, "--log-level", "debug"}, args...)...)
		out.WriteString(r.stdout + r.stderr)
	}
	printed := out.String()
	values := personalValues(t, filepath.Join(demoDir, "data"))
	if len(values) < 1000 {
		t.Fatalf("only %d personal values collected", len(values))
	}
	for v := range values {
		if strings.Contains(printed, v) {
			t.Fatalf("personal value %q was printed", v)
		}
	}
	key, err := os.ReadFile(filepath.Join(demoDir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	if k := strings.TrimSpace(string(key)); strings.Contains(printed, k) {
		t.Fatal("the key file's content was printed")
	}
}

// personalValues returns every value of a personal column of the demo data
// (by the generator's ground truth) that is long enough to be unambiguous.
func personalValues(t *testing.T, dataDir string) map[string]bool {
	t.Helper()
	return groundTruthValues(t, dataDir, 6, func(class string) bool {
		switch class {
		case "", "none", "gender", "province", "city", "age", "record_id":
			return false
		}
		return true
	})
}

// groundTruthValues returns the values, at least minLen characters long, of
// the demo columns whose ground-truth class keep accepts.
func groundTruthValues(t *testing.T, dataDir string, minLen int, keep func(class string) bool) map[string]bool {
	t.Helper()
	gt, err := demo.ReadGroundTruth(filepath.Join(dataDir, "ground_truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string]bool{}
	for table, cols := range gt.Tables {
		f, err := os.Open(filepath.Join(dataDir, table+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		rd := csv.NewReader(f)
		rd.FieldsPerRecord = -1
		recs, err := rd.ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range recs[0] {
			if !keep(string(cols[strings.TrimPrefix(h, "\ufeff")])) {
				continue
			}
			for _, rec := range recs[1:] {
				if i < len(rec) && len([]rune(rec[i])) >= minLen {
					vals[rec[i]] = true
				}
			}
		}
	}
	return vals
}

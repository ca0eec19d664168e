package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-dg/vigil/internal/s3test"
)

type listItem struct {
	Table, ID, Status, RunID string
	Seq                      int64
	Latest                   bool
}

// unmarshalSnapshots decodes the snapshots of "vigil snapshots list --json"
// ({"snapshots": [...]}) into items.
func unmarshalSnapshots(stdout string, items any) error {
	var doc struct {
		Snapshots json.RawMessage `json:"snapshots"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		return err
	}
	if doc.Snapshots == nil {
		return errors.New(`no "snapshots" in the output`)
	}
	return json.Unmarshal(doc.Snapshots, items)
}

func listSnapshots(t *testing.T, dir string, extra ...string) ([]listItem, result) {
	t.Helper()
	return listSnapshotsEnv(t, dir, nil, extra...)
}

func listSnapshotsEnv(t *testing.T, dir string, env []string, extra ...string) ([]listItem, result) {
	t.Helper()
	r := vigil(t, dir, env, append([]string{"snapshots", "list", "--json"}, extra...)...)
	var items []listItem
	if err := unmarshalSnapshots(r.stdout, &items); err != nil {
		t.Fatalf("snapshots list --json: %v\n%s", err, r)
	}
	return items, r
}

// Must show: 12 runs in a few seconds, latest is the 12th, forget
// --keep-last 1 keeps the 12th; every manifest damage makes latest fail.
func TestTwelveFastRunsLatestAndForget(t *testing.T) {
	t.Parallel()
	dir := setupDir(t, 30, false, "  snap: {stages: [snapshot]}\n")
	start := time.Now()
	for i := 0; i < 12; i++ {
		mustRun(t, dir, nil, "run", "snap")
	}
	t.Logf("12 runs in %s", time.Since(start).Round(time.Millisecond))
	items, r := listSnapshots(t, dir, "customers")
	if r.code != 0 || len(items) != 12 {
		t.Fatalf("list: %d items\n%s", len(items), r)
	}
	twelfth := items[11]
	if twelfth.Seq != 12 || !twelfth.Latest {
		t.Fatalf("the 12th is not latest: %+v", twelfth)
	}
	out := mustRun(t, dir, nil, "restore", "customers/latest", "--to", "r1")
	if !strings.Contains(out.stdout, "customers/"+twelfth.ID) {
		t.Fatalf("restore latest restored something else:\n%s", out.stdout)
	}
	mustRun(t, dir, nil, "forget", "customers", "--keep-last", "1", "--dry-run")
	if items, _ = listSnapshots(t, dir, "customers"); len(items) != 12 {
		t.Fatalf("dry run removed snapshots: %d left", len(items))
	}
	if r := vigil(t, dir, nil, "forget", "custmers", "--keep-last", "1"); r.code != exitUsage {
		t.Fatalf("forget with an unknown table: %s", r)
	}
	out = mustRun(t, dir, nil, "forget", "customers", "--keep-last", "1")
	if !strings.Contains(out.stdout, "keep    customers/"+twelfth.ID) && !strings.Contains(out.stdout, "keep") {
		t.Fatalf("forget output:\n%s", out.stdout)
	}
	items, _ = listSnapshots(t, dir, "customers")
	if len(items) != 1 || items[0].ID != twelfth.ID || !items[0].Latest {
		t.Fatalf("forget kept %+v, want only the 12th", items)
	}
	staff, _ := listSnapshots(t, dir, "staff")
	if len(staff) != 12 {
		t.Fatalf("forget customers touched staff: %d left", len(staff))
	}

	// Damage the newest manifest: restore, verify and list fail loudly.
	mustRun(t, dir, nil, "run", "snap")
	items, _ = listSnapshots(t, dir, "customers")
	newest := items[len(items)-1]
	mpath := filepath.Join(dir, "home", "store", "snapshots", "customers", newest.ID, "manifest.json")
	orig, _ := os.ReadFile(mpath)
	saved := filepath.Join(dir, "saved-snapshot")
	if err := os.CopyFS(saved, os.DirFS(filepath.Dir(mpath))); err != nil {
		t.Fatal(err)
	}
	damages := map[string]func(){
		"edited":    func() { os.WriteFile(mpath, bytes.Replace(orig, []byte(`"rows": 30`), []byte(`"rows": 31`), 1), 0o600) },
		"truncated": func() { os.WriteFile(mpath, orig[:len(orig)/3], 0o600) },
		"deleted":   func() { os.Remove(mpath) },
		"replayed": func() {
			old, _ := os.ReadFile(filepath.Join(dir, "home", "store", "snapshots", "customers", twelfth.ID, "manifest.json"))
			os.WriteFile(mpath, old, 0o600)
		},
		"directory deleted": func() { os.Rename(filepath.Dir(mpath), filepath.Join(dir, "moved-away")) },
	}
	for name, damage := range damages {
		damage()
		for _, args := range [][]string{
			{"restore", "customers/latest", "--to", "r-" + strings.ReplaceAll(name, " ", "-")},
			{"verify", "customers/latest"},
			{"verify"},
		} {
			r := vigil(t, dir, nil, args...)
			if r.code != exitVerify {
				t.Errorf("%s: vigil %s exit %d, want %d\n%s", name, strings.Join(args, " "), r.code, exitVerify, r)
			}
		}
		items, r := listSnapshots(t, dir, "customers")
		if r.code != exitVerify || len(items) != 2 || items[0].Status != "ok" || items[1].Status == "ok" {
			t.Errorf("%s: list exit %d, items %+v (want both listed, the newest flagged)\n%s", name, r.code, items, r)
		}
		// repair
		os.RemoveAll(filepath.Dir(mpath))
		os.RemoveAll(filepath.Join(dir, "moved-away"))
		if err := os.CopyFS(filepath.Dir(mpath), os.DirFS(saved)); err != nil {
			t.Fatal(err)
		}
	}
	if r := vigil(t, dir, nil, "verify", "customers/latest"); r.code != 0 {
		t.Fatalf("repaired store does not verify: %s", r)
	}
}

// backupJobs is a jobs section plus a backup target section for setupDir.
func backupJobs(target string) string {
	return "  nightly: {stages: [snapshot, backup]}\n  snap: {stages: [snapshot]}\nbackup:\n  targets:\n" + target
}

// Must show: delete the local store, restore and verify from the copy.
func TestRestoreFromTargetAfterLosingTheStore(t *testing.T) {
	t.Parallel()
	t.Run("dir", func(t *testing.T) {
		disasterDrill(t, "    offsite: {type: dir, path: offsite}\n", nil)
	})
	t.Run("s3", func(t *testing.T) {
		srv := s3test.Start(t)
		srv.MakeBucket(t, "vigil-e2e")
		env := []string{"VIGIL_S3_KEY=" + srv.AccessKey, "VIGIL_S3_SECRET=" + srv.SecretKey}
		target := "    offsite: {type: s3, endpoint: " + srv.Endpoint + ", bucket: vigil-e2e, prefix: prod/, region: us-east-1, " +
			"access_key_env: VIGIL_S3_KEY, secret_key_env: VIGIL_S3_SECRET, path_style: true}\n"
		disasterDrill(t, target, env)
	})
}

func disasterDrill(t *testing.T, target string, env []string) {
	dir := setupDir(t, 500, false, backupJobs(target))
	run := func(args ...string) result {
		t.Helper()
		r := vigil(t, dir, env, args...)
		if r.code != 0 {
			t.Fatalf("vigil %s: %s", strings.Join(args, " "), r)
		}
		return r
	}
	run("run", "nightly")
	run("run", "nightly")
	run("restore", "--run", "latest", "--to", "local")
	items, r := listSnapshotsEnv(t, dir, env, "--target", "offsite")
	if r.code != 0 || len(items) != 4 {
		t.Fatalf("list --target: %d items\n%s", len(items), r)
	}
	// a second backup finds everything present
	out := run("backup")
	if !strings.Contains(out.stdout, "snapshots_present.offsite=4") {
		t.Errorf("second backup re-copied:\n%s", out.stdout)
	}
	// The disaster: the local store is gone.
	if err := os.RemoveAll(filepath.Join(dir, "home", "store")); err != nil {
		t.Fatal(err)
	}
	run("restore", "--run", "latest", "--target", "offsite", "--to", "remote")
	local, _ := filepath.Glob(filepath.Join(dir, "local", "*"))
	if len(local) != 2 {
		t.Fatalf("local restore: %v", local)
	}
	for _, l := range local {
		a, _ := os.ReadFile(l)
		b, err := os.ReadFile(filepath.Join(dir, "remote", filepath.Base(l)))
		if err != nil || !bytes.Equal(a, b) || len(a) == 0 {
			t.Fatalf("%s: restore from the target is not byte-identical (%v)", filepath.Base(l), err)
		}
	}
	run("restore", "customers/latest", "--target", "offsite", "--to", "remote2")
	out = run("verify", "--target", "offsite")
	if !strings.Contains(out.stdout, "2 snapshots verified, 0 with problems") {
		t.Fatalf("verify --target:\n%s", out.stdout)
	}
	run("verify", "--target", "offsite", "--all")
}

// Must show: an erased customer is absent from a restore (locally and from
// a target) and from the next dataset; erase --list names the erasure and
// the snapshots that still hold the subject.
func TestEraseAcrossRestoresAndDatasets(t *testing.T) {
	t.Parallel()
	dir := setupDir(t, 300, false, "  full: {stages: [snapshot, classify, anonymize]}\n"+backupJobs("    offsite: {type: dir, path: offsite}\n"))
	mustRun(t, dir, nil, "run", "nightly")
	csvData, _ := os.ReadFile(filepath.Join(dir, "data", "customers.csv"))
	lines := strings.Split(string(csvData), "\n")
	victim := strings.Split(lines[5], ",")[0] // a customer_id
	if !strings.HasPrefix(victim, "C") {
		t.Fatalf("unexpected customer id %q", victim)
	}
	if r := vigil(t, dir, nil, "erase", "--table", "custmers", "--key", "customer_id="+victim, "--reason", "x"); r.code != exitUsage {
		t.Fatalf("erase with an unknown table: %s", r)
	}
	out := mustRun(t, dir, nil, "erase", "--table", "customers", "--key", "customer_id="+victim, "--reason", "DSR-2026-001")
	if strings.Contains(out.stdout+out.stderr, victim) {
		t.Fatal("erase printed the subject's id")
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "home", "store", "erasure-ledger"))
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(dir, "home", "store", "erasure-ledger", e.Name()))
		if bytes.Contains(b, []byte(victim)) || bytes.Contains(b, []byte("DSR-2026-001")) {
			t.Fatal("the erasure ledger is not encrypted")
		}
	}
	r := mustRun(t, dir, nil, "restore", "customers/latest", "--to", "r", "--format", "csv", "--json")
	var rest struct{ Rows, Erased int64 }
	json.Unmarshal([]byte(r.stdout), &rest)
	if rest.Rows != 299 || rest.Erased != 1 {
		t.Fatalf("restore: %d rows, %d erased; want 299 and 1", rest.Rows, rest.Erased)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "r", "customers-*.csv"))
	got, _ := os.ReadFile(files[0])
	if bytes.Contains(got, []byte(victim)) {
		t.Fatal("the erased customer is in the restore")
	}
	// The next dataset.
	if r := vigil(t, dir, nil, "run", "full"); r.code != 0 {
		t.Fatalf("run full: %s", r)
	}
	q := mustRun(t, dir, nil, "query", "--format", "csv", "SELECT count(*) AS n FROM customers")
	if !strings.Contains(q.stdout, "299") {
		t.Fatalf("dataset rows:\n%s", q.stdout)
	}
	l := mustRun(t, dir, nil, "erase", "--list", "--json")
	if !strings.Contains(l.stdout, "DSR-2026-001") || strings.Contains(l.stdout, victim) {
		t.Fatalf("erase --list:\n%s", l.stdout)
	}
	// From the target alone (the erasure ledger travels with the backup).
	mustRun(t, dir, nil, "backup")
	os.RemoveAll(filepath.Join(dir, "home", "store", "snapshots"))
	os.RemoveAll(filepath.Join(dir, "home", "store", "snapshot-ledger"))
	os.RemoveAll(filepath.Join(dir, "home", "store", "erasure-ledger"))
	mustRun(t, dir, nil, "restore", "customers/latest", "--target", "offsite", "--to", "r2", "--format", "csv")
	files, _ = filepath.Glob(filepath.Join(dir, "r2", "customers-*.csv"))
	if got, _ := os.ReadFile(files[0]); bytes.Contains(got, []byte(victim)) || len(got) == 0 {
		t.Fatal("the erased customer is in the restore from the target")
	}
}

package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/vigil-dg/vigil/stages/snapshot"
)

// editCSV rewrites a CSV file: change gets each data row (1-based) and
// returns it changed, or nil to delete it.
func editCSV(t *testing.T, path string, change func(i int, rec []string) []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bom := bytes.HasPrefix(b, []byte("\ufeff"))
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if bom {
		out.WriteString("\ufeff")
	}
	w := csv.NewWriter(&out)
	w.Write(recs[0])
	for i, r := range recs[1:] {
		if r = change(i+1, r); r != nil {
			w.Write(r)
		}
	}
	w.Flush()
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func chainManifests(t *testing.T, dir string) map[string][]*snapshot.Manifest {
	t.Helper()
	out := map[string][]*snapshot.Manifest{}
	for _, m := range storeManifests(t, filepath.Join(dir, "home")) {
		out[m.Table] = append(out[m.Table], m)
	}
	return out
}

// storeManifests reads every committed manifest of a home's store, by
// table and sequence (snapshots list --json shows a summary, not manifests).
func storeManifests(t *testing.T, home string) []*snapshot.Manifest {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(home, "store", "snapshots", "*", "*", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ms []*snapshot.Manifest
	for _, p := range paths {
		if strings.HasPrefix(filepath.Base(filepath.Dir(p)), ".") {
			continue // a writer's temporary directory
		}
		m, err := snapshot.ReadManifest(filepath.Dir(p))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].Table != ms[j].Table {
			return ms[i].Table < ms[j].Table
		}
		return ms[i].Seq < ms[j].Seq
	})
	return ms
}

// TestChangeOnlyNightsCSV: an unchanged night adds a manifest only; after 1%
// changed and 0.1% deleted rows the incremental stores at most 2% of the
// rows; the composed table equals a full snapshot of the same data; verify
// checks the chain and fails when a link is gone.
func TestChangeOnlyNightsCSV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, nil, "demo", "generate", "--rows", "10000", "--seed", "3", "--out", "data")
	header, err := os.ReadFile(filepath.Join(dir, "data", "customers.csv"))
	if err != nil {
		t.Fatal(err)
	}
	key, _, _ := strings.Cut(strings.TrimPrefix(string(header), "\ufeff"), ",")
	cfg := `format: 1
home: home
keys: {key_file: master.key}
sources:
  crm:
    type: csv
    dir: data
    tables:
      customers: {file: customers.csv, key: [` + key + `]}
      plain: {file: customers.csv}
jobs:
  nightly: {stages: [snapshot]}
`
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, nil, "keys", "keyfile", "master.key")
	mustRun(t, dir, nil, "keys", "init")
	size := func(m *snapshot.Manifest) int64 {
		var n int64
		d := filepath.Join(dir, "home", "store", "snapshots", m.Table, m.ID)
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			fi, _ := e.Info()
			n += fi.Size()
		}
		return n
	}
	mustRun(t, dir, nil, "run", "nightly")
	mustRun(t, dir, nil, "run", "nightly")
	snaps := chainManifests(t, dir)["customers"]
	if len(snaps) != 2 || snaps[0].Chain == nil || snaps[0].Chain.Kind != "full" || snaps[1].Chain.Kind != "unchanged" {
		t.Fatalf("first two nights: %+v", snaps)
	}
	full, same := size(snaps[0]), size(snaps[1])
	if same*100 >= full {
		t.Errorf("unchanged night adds %d bytes, the full snapshot %d: not under 1%%", same, full)
	}
	t.Logf("full %d bytes, unchanged night %d bytes (%.2f%%)", full, same, 100*float64(same)/float64(full))

	// 1% of the rows change, 0.1% are deleted.
	editCSV(t, filepath.Join(dir, "data", "customers.csv"), func(i int, r []string) []string {
		switch {
		case i%100 == 7:
			r[len(r)-1] += " (updated)"
		case i%1000 == 500:
			return nil
		}
		return r
	})
	mustRun(t, dir, nil, "run", "nightly")
	all := chainManifests(t, dir)
	snaps = all["customers"]
	inc := snaps[2]
	if inc.Chain.Kind != "incremental" || inc.Chain.Stored != 100 || inc.Chain.Deleted != 10 || inc.Rows != 9990 {
		t.Fatalf("incremental night: rows %d, chain %+v", inc.Rows, inc.Chain)
	}
	if stored := inc.Chain.Stored + inc.Chain.Deleted; stored*100 > 2*inc.Rows {
		t.Errorf("incremental stores %d rows and keys of %d", stored, inc.Rows)
	}
	t.Logf("incremental night %d bytes (%.2f%% of full)", size(inc), 100*float64(size(inc))/float64(full))
	// The chain's table is exactly a full snapshot of the same file.
	plain := all["plain"]
	if last := plain[len(plain)-1]; last.Digest != inc.Digest || last.Rows != inc.Rows {
		t.Errorf("chain composes %d rows %s, a full snapshot has %d rows %s", inc.Rows, inc.Digest, last.Rows, last.Digest)
	}
	v := mustRun(t, dir, nil, "verify")
	if !strings.Contains(v.stdout, "chain") {
		t.Errorf("verify did not check the chain:\n%s", v.stdout)
	}
	// A restore composes the table.
	r := mustRun(t, dir, nil, "restore", "customers/"+inc.ID, "--to", "out", "--format", "parquet")
	if !strings.Contains(r.stdout, "9990 rows") {
		t.Errorf("restore: %s", r.stdout)
	}
	// The full snapshot gone: verify names the broken chain.
	if err := os.RemoveAll(filepath.Join(dir, "home", "store", "snapshots", "customers", snaps[0].ID)); err != nil {
		t.Fatal(err)
	}
	bad := vigil(t, dir, nil, "verify")
	if bad.code == 0 || !strings.Contains(bad.stdout+bad.stderr, "chain") {
		t.Errorf("verify with a missing link: %s", bad)
	}
}

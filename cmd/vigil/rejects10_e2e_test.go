package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTooManyRejectsFailsOnlyThatTable is issue 10's "Must show": a file
// with 22% rejected rows fails its table with the reasons shown, the other
// tables of the job commit, the run exits with code 8 (exitPartial), and
// `vigil rejects` lists file, line, column and reason without any value;
// --raw --to writes the rows into a 0600 file only when asked.
func TestTooManyRejectsFailsOnlyThatTable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	var good, bad strings.Builder
	good.WriteString("id,name,amount\n")
	bad.WriteString("id,name,amount\n")
	var secrets []string
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&good, "%d,客户%d,%d.50\n", i, i, i)
		if i%9 == 0 || i%10 == 0 || i <= 2 { // 22 of 100 rows
			s := fmt.Sprintf("SECRET-%04d-13912345678", i)
			secrets = append(secrets, s)
			if i%2 == 0 {
				fmt.Fprintf(&bad, "%d,%s,1.00,EXTRA\n", i, s) // field count
			} else {
				fmt.Fprintf(&bad, "%d,%s,not-a-number\n", i, s) // type
			}
			continue
		}
		fmt.Fprintf(&bad, "%d,客户%d,%d.25\n", i, i, i)
	}
	for name, body := range map[string]string{"alpha.csv": good.String(), "orders.csv": bad.String(), "zeta.csv": good.String()} {
		if err := os.WriteFile(filepath.Join(data, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := `format: 1
home: home
keys: {key_file: master.key}
sources:
  crm:
    type: csv
    dir: data
    tables:
      alpha: {}
      orders: {columns: {amount: "decimal(10,2)"}}
      zeta: {}
jobs:
  snap: {stages: [snapshot]}
`
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, nil, "keys", "keyfile", "master.key")
	mustRun(t, dir, nil, "keys", "init")
	noSecret := func(what, s string) {
		t.Helper()
		for _, v := range secrets {
			if strings.Contains(s, v) {
				t.Fatalf("%s shows a rejected value %q:\n%s", what, v, s)
			}
		}
	}

	r := vigil(t, dir, nil, "run", "snap")
	if r.code != exitPartial {
		t.Fatalf("run: want exit %d (some tables failed)\n%s", exitPartial, r)
	}
	noSecret("run", r.stdout+r.stderr)
	for _, want := range []string{"22 of 100 rows rejected", "max_rejected 0.1%", "vigil rejects orders/", "column \"amount\"", "record has 4 fields"} {
		if !strings.Contains(r.stderr+r.stdout, want) {
			t.Errorf("run output lacks %q:\n%s", want, r)
		}
	}

	// The rejects show in the run summary, status and the metrics.
	if !strings.Contains(r.stdout, "WARN table orders: 22 of 100 rows (22.00%) rejected") {
		t.Errorf("run summary lacks the WARN line:\n%s", r.stdout)
	}
	st := mustRun(t, dir, nil, "status")
	if !strings.Contains(st.stdout, "table orders: the last extraction") || !strings.Contains(st.stdout, "22 of 100 rows rejected (22.00%)") {
		t.Errorf("status does not show the failed table's rejects:\n%s", st.stdout)
	}
	noSecret("status", st.stdout+st.stderr)
	prom, err := os.ReadFile(filepath.Join(dir, "home", "metrics", "vigil.prom"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`vigil_extract_rows_rejected{table="orders"} 22`, `vigil_extract_rows_read{table="orders"} 100`, `vigil_extract_rows_rejected{table="alpha"} 0`} {
		if !strings.Contains(string(prom), want) {
			t.Errorf("metrics lack %s:\n%s", want, prom)
		}
	}

	var ms []struct {
		Table string `json:"table"`
	}
	out := mustRun(t, dir, nil, "snapshots", "list", "--json")
	if err := unmarshalSnapshots(out.stdout, &ms); err != nil {
		t.Fatal(err)
	}
	var tables []string
	for _, m := range ms {
		tables = append(tables, m.Table)
	}
	if strings.Join(tables, ",") != "alpha,zeta" {
		t.Fatalf("committed tables %v, want alpha and zeta only", tables)
	}

	rj := mustRun(t, dir, nil, "rejects", "orders")
	noSecret("vigil rejects", rj.stdout+rj.stderr)
	if n := rejectRows(rj.stdout); n != 22 {
		t.Errorf("vigil rejects lists %d rows, want 22:\n%s", n, rj.stdout)
	}
	if !strings.Contains(rj.stdout, "FAILED extraction") {
		t.Errorf("vigil rejects does not say the table failed:\n%s", rj.stdout)
	}

	// Raw rows only into a new 0600 file, only when asked.
	if r := vigil(t, dir, nil, "rejects", "orders", "--raw"); r.code != exitUsage {
		t.Errorf("--raw without --to: %s", r)
	}
	rawFile := filepath.Join(dir, "raw.jsonl")
	rr := mustRun(t, dir, nil, "rejects", "orders", "--raw", "--to", rawFile)
	noSecret("vigil rejects --raw", rr.stdout+rr.stderr)
	fi, err := os.Stat(rawFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("raw file: %v %v", fi, err)
	}
	b, _ := os.ReadFile(rawFile)
	for _, v := range secrets {
		if !bytes.Contains(b, []byte(v)) {
			t.Errorf("raw file lacks rejected row %q", v)
		}
	}
	if r := vigil(t, dir, nil, "rejects", "orders", "--raw", "--to", rawFile); r.code == 0 {
		t.Errorf("--to an existing file was overwritten")
	}

	// Nothing under home holds a rejected value in plaintext.
	err = filepath.WalkDir(filepath.Join(dir, "home"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, v := range secrets {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s holds a rejected value in plaintext", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Raising the limit commits the table, and its rejects are listed from
	// the snapshot.
	cfg = strings.Replace(cfg, `orders: {columns`, `orders: {max_rejected: "25%", columns`, 1)
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, nil, "run", "snap")
	rj = mustRun(t, dir, nil, "rejects", "orders")
	if !strings.Contains(rj.stdout, "committed snapshot") || rejectRows(rj.stdout) != 22 {
		t.Errorf("rejects of the committed snapshot:\n%s", rj.stdout)
	}
	st = mustRun(t, dir, nil, "status")
	if !strings.Contains(st.stdout, "22 (22.00%)") || strings.Contains(st.stdout, "the last extraction") {
		t.Errorf("status after the commit:\n%s", st.stdout)
	}
	noSecret("vigil rejects (snapshot)", rj.stdout)
}

// rejectRows counts the rows of the table `vigil rejects` prints.
func rejectRows(out string) int {
	_, table, _ := strings.Cut(out, "FILE ")
	return strings.Count(table, "orders.csv ")
}

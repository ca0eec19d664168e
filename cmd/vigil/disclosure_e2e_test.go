package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-dg/vigil/stages/anonymize"
)

// TestDemoDisclosureAtTwoSizes runs the demo at two sizes and seeds and, for
// every dataset and every released column c that is not exempt, checks
// through vigil query (DuckDB, independently of the check's own hashing)
// that no row is in a class smaller than k over the quasi-identifiers plus
// c, and that _vigil.json carries the check's table and passed.
func TestDemoDisclosureAtTwoSizes(t *testing.T) {
	for _, c := range []struct{ rows, seed string }{{"3000", "21"}, {"7000", "22"}} {
		t.Run(c.rows, func(t *testing.T) {
			dir := t.TempDir()
			demoDir := filepath.Join(dir, "demo")
			mustRun(t, dir, nil, "demo", "--dir", demoDir, "--rows", c.rows, "--seed", c.seed)
			cfg := filepath.Join(demoDir, "vigil.yaml")
			reps, _ := filepath.Glob(filepath.Join(demoDir, "home", "datasets", "*", "_vigil.json"))
			if len(reps) != 5 {
				t.Fatalf("datasets: %v", reps)
			}
			checked := 0
			for _, p := range reps {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				var rep anonymize.DatasetReport
				if err := json.Unmarshal(b, &rep); err != nil {
					t.Fatal(err)
				}
				d := rep.Disclosure
				if d == nil || !d.Passed || len(d.Columns) == 0 {
					t.Fatalf("%s: disclosure %+v", rep.Table, d)
				}
				var qis []string
				for _, col := range d.QuasiIdentifiers {
					qis = append(qis, strconv.Quote(col))
				}
				for _, col := range d.Columns {
					if col.Status == "exempt" || col.QuasiIdentifier {
						if col.Status == "exempt" && col.Exempt == "" {
							t.Errorf("%s.%s exempt without a reason", rep.Table, col.Column)
						}
						continue
					}
					by := append(append([]string(nil), qis...), strconv.Quote(col.Column))
					q := "SELECT coalesce(sum(n) FILTER (WHERE n < " + strconv.Itoa(d.K) + "), 0) FROM (SELECT count(*) AS n FROM " +
						rep.Table + " GROUP BY " + strings.Join(by, ", ") + ")"
					r := mustRun(t, dir, nil, "-c", cfg, "query", "--format", "csv", q)
					lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
					if below := strings.TrimSpace(lines[len(lines)-1]); below != "0" {
						t.Errorf("%s: %s rows in classes smaller than k=%d over quasi-identifiers + %s", rep.Table, below, d.K, col.Column)
					}
					checked++
				}
				if len(qis) > 0 {
					q := "SELECT min(n) FROM (SELECT count(*) AS n FROM " + rep.Table + " GROUP BY " + strings.Join(qis, ", ") + ")"
					r := mustRun(t, dir, nil, "-c", cfg, "query", "--format", "csv", q)
					lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
					if n, _ := strconv.Atoi(strings.TrimSpace(lines[len(lines)-1])); n < d.K {
						t.Errorf("%s: smallest class %d < k=%d", rep.Table, n, d.K)
					}
					checked++
				}
			}
			if checked == 0 {
				t.Fatal("nothing checked")
			}
		})
	}
}

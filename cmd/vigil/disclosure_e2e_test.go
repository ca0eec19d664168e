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
	t.Parallel()
	for _, spec := range []demoSpec{sharedDemoSpec, {Rows: 7000, Seed: 22}} {
		t.Run(strconv.Itoa(spec.Rows), func(t *testing.T) {
			t.Parallel()
			d := demoHome(t, spec)
			dir, demoDir, cfg := d.Dir, d.Demo, d.Config
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
				// One statement per dataset: for every released column c,
				// the rows in classes smaller than k over the
				// quasi-identifiers plus c; then the smallest class over the
				// quasi-identifiers alone.
				var parts, names []string
				for _, col := range d.Columns {
					if col.Status == "exempt" || col.QuasiIdentifier {
						if col.Status == "exempt" && col.Exempt == "" {
							t.Errorf("%s.%s exempt without a reason", rep.Table, col.Column)
						}
						continue
					}
					by := append(append([]string(nil), qis...), strconv.Quote(col.Column))
					parts = append(parts, "SELECT "+strconv.Itoa(len(parts))+" AS i, coalesce(sum(n) FILTER (WHERE n < "+strconv.Itoa(d.K)+"), 0) AS v FROM (SELECT count(*) AS n FROM "+
						rep.Table+" GROUP BY "+strings.Join(by, ", ")+")")
					names = append(names, col.Column)
				}
				if len(qis) > 0 {
					parts = append(parts, "SELECT "+strconv.Itoa(len(parts))+" AS i, min(n) AS v FROM (SELECT count(*) AS n FROM "+rep.Table+" GROUP BY "+strings.Join(qis, ", ")+")")
				}
				if len(parts) == 0 {
					continue
				}
				r := mustRun(t, dir, nil, "-c", cfg, "query", "--format", "csv", strings.Join(parts, " UNION ALL ")+" ORDER BY i")
				lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
				if len(lines) != len(parts)+1 {
					t.Fatalf("%s: %d result lines for %d checks:\n%s", rep.Table, len(lines)-1, len(parts), r.stdout)
				}
				for i, l := range lines[1:] {
					_, v, _ := strings.Cut(l, ",")
					v = strings.TrimSpace(v)
					if i < len(names) {
						if v != "0" {
							t.Errorf("%s: %s rows in classes smaller than k=%d over quasi-identifiers + %s", rep.Table, v, d.K, names[i])
						}
					} else if n, _ := strconv.Atoi(v); n < d.K {
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

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestAnalystDatasetsAreKAnonymousAndHoldNoDirectIdentifiers is the
// independent check of the anonymize stage: DuckDB (through vigil query)
// groups every dataset by its quasi-identifiers and finds no class below k,
// and no generated direct identifier appears anywhere in any dataset.
func TestAnalystDatasetsAreKAnonymousAndHoldNoDirectIdentifiers(t *testing.T) {
	t.Parallel()
	d := demoHome(t, sharedDemoSpec)
	dir, demoDir, cfg := d.Dir, d.Demo, d.Config
	datasets, _ := filepath.Glob(filepath.Join(demoDir, "home", "datasets", "*", "_vigil.json"))
	if len(datasets) != 5 {
		t.Fatalf("datasets: %v", datasets)
	}
	checked := 0
	for _, p := range datasets {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Table   string
			Columns []struct {
				Name            string
				QuasiIdentifier bool `json:"quasi_identifier"`
			}
			Privacy *struct {
				Model struct{ K int } `json:"privacy_model"`
			}
		}
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Privacy == nil {
			continue
		}
		var qis []string
		for _, c := range rep.Columns {
			if c.QuasiIdentifier {
				qis = append(qis, `"`+c.Name+`"`)
			}
		}
		if len(qis) == 0 || rep.Privacy.Model.K < 2 {
			t.Fatalf("%s: privacy model without quasi-identifiers or k: %s", rep.Table, b)
		}
		q := "SELECT count(*) AS n FROM " + rep.Table + " GROUP BY " + strings.Join(qis, ", ") + " ORDER BY n LIMIT 1"
		r := mustRun(t, dir, nil, "-c", cfg, "query", "--format", "csv", q)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		smallest, err := strconv.Atoi(strings.TrimSpace(lines[len(lines)-1]))
		if err != nil {
			t.Fatalf("query output: %s", r.stdout)
		}
		if smallest < rep.Privacy.Model.K {
			t.Errorf("%s: smallest equivalence class %d < k=%d", rep.Table, smallest, rep.Privacy.Model.K)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no dataset had a privacy model")
	}

	// No direct identifier of the generated data is in any dataset.
	direct := directIdentifiers(t, filepath.Join(demoDir, "data"))
	var all strings.Builder
	for _, p := range datasets {
		table := filepath.Base(filepath.Dir(p))
		r := mustRun(t, dir, nil, "-c", cfg, "query", "--format", "csv", "--max-rows", "-1", "SELECT * FROM "+table)
		all.WriteString(r.stdout)
	}
	text := all.String()
	if len(text) < 100000 {
		t.Fatalf("datasets exported only %d bytes", len(text))
	}
	for v := range direct {
		if strings.Contains(text, v) {
			t.Fatalf("direct identifier %q found in an analyst dataset", v)
		}
	}
}

// directIdentifiers returns the generated names, phones, e-mails, resident
// IDs, cards and IBANs (by the ground truth).
func directIdentifiers(t *testing.T, dataDir string) map[string]bool {
	t.Helper()
	return groundTruthValues(t, dataDir, 5, func(class string) bool {
		switch class {
		case "person_name", "phone", "email", "cn_resident_id", "bank_card", "iban":
			return true
		}
		return false
	})
}

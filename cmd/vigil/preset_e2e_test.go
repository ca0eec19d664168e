package main

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-dg/vigil/demo"
	"github.com/vigil-dg/vigil/stages/classify"
)

// presetRows keeps the four preset round trips fast: a few hundred people.
const presetRows = "300"

// TestPresetsEndToEnd: for each CRM preset, `demo generate --shape X` → a
// config with `preset: X` → `run nightly` → restore gives back exactly the
// generated values, classify finds every personal column and none of the
// system's own flags, and the audit takes its staff and ownership from the
// export.
func TestPresetsEndToEnd(t *testing.T) {
	t.Parallel()
	for _, shape := range demo.Shapes {
		t.Run(shape, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			r := mustRun(t, dir, nil, "demo", "generate", "--shape", shape, "--rows", presetRows, "--seed", "7", "--to", "data", "--json")
			var sum demo.ShapeSummary
			if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
				t.Fatalf("%v\n%s", err, r.stdout)
			}
			var tables strings.Builder
			for _, tb := range sum.Tables {
				fmt.Fprintf(&tables, "      %s: {file: %s}\n", tb.Table, tb.File)
			}
			cfg := "format: 1\nhome: home\ntimezone: UTC\nkeys: {key_file: master.key}\nsources:\n  crm:\n    type: csv\n    dir: data\n    preset: " +
				shape + "\n    tables:\n" + tables.String() + "jobs:\n  nightly: {stages: [snapshot, classify, audit]}\n"
			if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			mustRun(t, dir, nil, "keys", "keyfile", "master.key")
			mustRun(t, dir, nil, "keys", "init")
			run := mustRun(t, dir, nil, "run", "nightly")
			if strings.Contains(run.stderr, "cannot serve as the audit") {
				t.Errorf("audit references:\n%s", run.stderr)
			}
			for _, tb := range sum.Tables {
				want := readGenerated(t, filepath.Join(dir, "data"), tb)
				out := filepath.Join(dir, "restored", tb.Table)
				mustRun(t, dir, nil, "restore", tb.Table+"/latest", "--to", out, "--format", "csv")
				files, _ := filepath.Glob(filepath.Join(out, "*.csv"))
				if len(files) != 1 {
					t.Fatalf("%s: restored %v", tb.Table, files)
				}
				got := readCSVFile(t, files[0])
				compareRestored(t, tb.Table, want, got)
			}
			r = mustRun(t, dir, nil, "classify", "--cached", "--json")
			var inv []classify.TableResult
			if err := jsonField(t, r.stdout, "tables", &inv); err != nil {
				t.Fatal(err)
			}
			byTable := map[string]classify.TableResult{}
			for _, x := range inv {
				byTable[x.Table] = x
			}
			var rows, personal, system int
			for _, tb := range sum.Tables {
				rows += tb.Rows
				personal += len(tb.Personal)
				system += len(tb.System)
				res, ok := byTable[tb.Table]
				if !ok {
					t.Fatalf("no classification for %s", tb.Table)
				}
				class := map[string]string{}
				fromPreset := 0
				for _, c := range res.Columns {
					class[c.Name] = c.Class
					if len(c.Evidence) > 0 && strings.Contains(c.Evidence[0], "system field of the "+shape+" export") {
						fromPreset++
					}
				}
				if len(tb.System) > 0 && fromPreset == 0 {
					t.Errorf("%s: no column classified none by the preset", tb.Table)
				}
				for _, c := range tb.Personal {
					if cl := class[c]; cl == "" || cl == "none" {
						t.Errorf("%s.%s: personal column classified %q", tb.Table, c, cl)
					}
				}
				for _, c := range tb.System {
					if cl := class[c]; cl != "none" {
						t.Errorf("%s.%s: system field classified %q", tb.Table, c, cl)
					}
				}
			}
			t.Logf("%s: %d tables, %d rows restored equal; %d personal columns classified, %d system fields none", shape, len(sum.Tables), rows, personal, system)
			reports, _ := filepath.Glob(filepath.Join(dir, "home", "reports", "*", "report.json"))
			if len(reports) == 0 {
				reports, _ = filepath.Glob(filepath.Join(dir, "home", "*", "*", "report.json"))
			}
			if len(reports) != 1 {
				t.Fatalf("audit reports %v", reports)
			}
			b, _ := os.ReadFile(reports[0])
			var rep struct {
				References []struct {
					Name     string `json:"name"`
					Provided bool   `json:"provided"`
					Rows     int64  `json:"rows"`
				} `json:"references"`
			}
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			seen := 0
			for _, ref := range rep.References {
				if (ref.Name == "staff" || ref.Name == "ownership") && ref.Provided && ref.Rows > 0 {
					seen++
				}
			}
			if seen != 2 {
				t.Errorf("audit references %+v: want staff and ownership from the export", rep.References)
			}
		})
	}
}

// readGenerated reads a generated table as the CRM wrote it: a CSV inside
// the zip, a CSV, or the rows of an .xlsx below its title row.
func readGenerated(t *testing.T, dataDir string, tb demo.ShapeTable) [][]string {
	t.Helper()
	path := filepath.Join(dataDir, tb.File)
	switch {
	case tb.Entry != "":
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		f, err := zr.Open(tb.Entry)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	case strings.HasSuffix(tb.File, ".xlsx"):
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows(f.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
		rows = rows[1:] // the title row
		for i := range rows {
			for len(rows[i]) < len(rows[0]) {
				rows[i] = append(rows[i], "")
			}
		}
		return rows
	}
	return readCSVFile(t, path)
}

func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// compareRestored checks a restored table against the generated one, cell
// by cell: text must be equal, except that a timestamp may be written
// differently as long as it is the same instant (naive times are UTC here).
func compareRestored(t *testing.T, table string, want, got [][]string) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%s: restored %d records, generated %d", table, len(got), len(want))
	}
	if strings.Join(want[0], "|") != strings.Join(got[0], "|") {
		t.Fatalf("%s: restored header %q, generated %q", table, got[0], want[0])
	}
	bad := 0
	for i := 1; i < len(want); i++ {
		for j := range want[i] {
			w, g := want[i][j], got[i][j]
			if w == g || sameInstant(w, g) {
				continue
			}
			if bad++; bad <= 5 {
				t.Errorf("%s row %d column %s: restored value differs (%d vs %d bytes)", table, i, want[0][j], len(g), len(w))
			}
		}
	}
}

func sameInstant(a, b string) bool {
	ta, ok1 := parseAnyTime(a)
	tb, ok2 := parseAnyTime(b)
	return ok1 && ok2 && ta.Equal(tb)
}

func parseAnyTime(s string) (time.Time, bool) {
	for _, l := range []string{"2006-01-02T15:04:05.000Z", time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05.999999Z07:00",
		"2006-01-02 15:04:05", "2006-01-02 15:04:05Z", "2006-01-02"} {
		if v, err := time.Parse(l, s); err == nil {
			return v, true
		}
	}
	return time.Time{}, false
}

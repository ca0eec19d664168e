package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/stages/audit"
)

// TestLogsCheckVendorShapes runs vigil logs check once on a file of every
// built-in shape: each is recognised by content and 100% of the events map;
// the output names fields but never values. (stages/audit's
// TestVendorShapes checks each file's own event count and mapping.)
func TestLogsCheckVendorShapes(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join("..", "..", "stages", "audit", "testdata", "logs", "*.*"))
	dir := t.TempDir()
	var paths []string
	for _, f := range files {
		if strings.HasSuffix(f, ".md") {
			continue
		}
		f, _ = filepath.Abs(f)
		paths = append(paths, f)
	}
	if len(paths) < 10 {
		t.Fatalf("only %d vendor files", len(paths))
	}
	r := vigil(t, dir, nil, append([]string{"logs", "check", "--json"}, paths...)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	var lc struct {
		Files []struct {
			File    string   `json:"file"`
			Mapping string   `json:"mapping"`
			Fields  []string `json:"fields"`
		} `json:"files"`
		Stats struct {
			Read, Mapped, Unmapped int64
		} `json:"stats"`
		MappedPercent float64 `json:"mapped_percent"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &lc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if lc.MappedPercent != 100 || lc.Stats.Unmapped != 0 || lc.Stats.Read < int64(len(paths)) || len(lc.Files) != len(paths) {
		t.Errorf("%d files: %+v", len(paths), lc)
	}
	for _, f := range lc.Files {
		if f.Mapping == "" || len(f.Fields) == 0 {
			t.Errorf("%s: not recognised: %+v", f.File, f)
		}
	}
	// Names only: no value of the files reaches the output.
	for _, v := range []string{"203.0.113.10", "Mail Reader Pro", "drop@gmail.com", "ana@example.cn"} {
		if strings.Contains(r.stdout, v) {
			t.Errorf("output holds the value %q", v)
		}
	}
}

// TestLogsCheckUnmapped checks the text output and exit status on a log
// with unmapped events, and that a CSV is never read as JSON.
func TestLogsCheckUnmapped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	log := filepath.Join(dir, "m365.jsonl")
	os.WriteFile(log, []byte(`{"CreationTime":"2025-06-03T01:00:00","Operation":"UserLoggedIn","Workload":"AzureActiveDirectory","UserId":"ana@example.cn","ResultStatus":"Success"}
{"CreationTime":"2025-06-03T01:01:00","Operation":"SomethingNew","Workload":"Exchange","UserId":"ana@example.cn"}
{"CreationTime":"not a time","Operation":"UserLoggedIn","Workload":"AzureActiveDirectory","UserId":"x@example.cn"}
`), 0o600)
	r := vigil(t, dir, nil, "logs", "check", log)
	if r.code != exitFailed || !strings.Contains(r.stdout, "matches: m365") || !strings.Contains(r.stdout, "unmapped: 2") ||
		!strings.Contains(r.stdout, "unknown_action") || !strings.Contains(r.stdout, `unknown action "SomethingNew"`) ||
		!strings.Contains(r.stdout, "bad_time") || strings.Contains(r.stdout, "x@example.cn") {
		t.Errorf("exit %d\n%s", r.code, r)
	}
	csv := filepath.Join(dir, "elf.csv")
	os.WriteFile(csv, []byte("EVENT_TYPE,TIMESTAMP_DERIVED,USER_NAME,LOGIN_STATUS\nLogin,2025-06-03T01:00:00Z,a@example.cn,LOGIN_NO_ERROR\n"), 0o600)
	r = vigil(t, dir, nil, "logs", "check", "--mapping", "m365", csv)
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "looks like CSV") {
		t.Errorf("CSV read as JSON: exit %d\n%s", r.code, r)
	}
}

// TestBuiltinMappingNamesAgree keeps the config's list of built-in log
// mappings equal to the audit stage's.
func TestBuiltinMappingNamesAgree(t *testing.T) {
	t.Parallel()
	want := append([]string{audit.MappingAuto}, audit.BuiltinMappingNames()...)
	got := append([]string(nil), pipeline.BuiltinMappings()...)
	sort.Strings(want)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("pipeline.BuiltinMappings() = %v, audit has %v", got, want)
	}
}

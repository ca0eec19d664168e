package query

import (
	"strings"
	"testing"
)

// TestAnalystSettings: an analyst's DuckDB has a bounded spill size and
// duckdb_settings() shows no host path outside the datasets' own files.
func TestAnalystSettings(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{})
	out, _ := run(t, s, "SELECT name, value FROM duckdb_settings() WHERE name NOT IN ('allowed_paths') ORDER BY name")
	if !strings.Contains(out, "temp_directory") {
		t.Fatalf("settings not listed:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, " /") || strings.Contains(line, "|/") || strings.Contains(line, "│ /") {
			t.Errorf("setting shows a host path: %s", line)
		}
	}
	size, _ := run(t, s, "SELECT value FROM duckdb_settings() WHERE name = 'max_temp_directory_size'")
	if !strings.Contains(size, "2.0 GiB") {
		t.Errorf("max_temp_directory_size:\n%s", size)
	}
}

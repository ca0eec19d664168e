package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-dg/vigil/reports"
	"github.com/vigil-dg/vigil/stages/audit"
)

// TestPruneReportsCountsFromGeneration: a report over a period that ended
// years ago, made today, is kept; one made more than keep_years ago goes.
func TestPruneReportsCountsFromGeneration(t *testing.T) {
	root := t.TempDir()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	old := audit.Period{From: time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 8, 1, 0, 0, 0, 0, time.UTC)}
	write := func(name string, made time.Time, p audit.Period) {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(reports.Evidence{Format: reports.EvidenceFormat, GeneratedAt: made, Period: p})
		if err := os.WriteFile(filepath.Join(dir, reports.FileEvidence), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("old-period-made-now", now, old)
	write("old-period-made-then", old.To.Add(time.Hour), old)
	write("recent", now.AddDate(0, -1, 0), audit.Period{From: now.AddDate(0, -2, 0), To: now.AddDate(0, -1, 0)})
	removed, err := pruneReports(root, 3, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || filepath.Base(removed[0]) != "old-period-made-then" {
		t.Errorf("removed %v, want only old-period-made-then", removed)
	}
}

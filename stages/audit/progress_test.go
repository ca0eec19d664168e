package audit

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRunProgress: Options.Progress hears the total bytes of the log files
// first (done 0), then done growing a file group at a time to the total.
func TestRunProgress(t *testing.T) {
	logs := filepath.Join("testdata", "logs")
	sources := []LogSource{
		{Name: "m365", Paths: []string{filepath.Join(logs, "m365*.jsonl"), filepath.Join(logs, "m365_array.json")}, Mapping: MappingAuto},
		{Name: "sf", Paths: []string{filepath.Join(logs, "salesforce_elf.csv")}, Mapping: MappingAuto},
	}
	var want int64
	for _, f := range []string{"m365.jsonl", "m365_array.json", "salesforce_elf.csv"} {
		fi, err := os.Stat(filepath.Join(logs, f))
		if err != nil {
			t.Fatal(err)
		}
		want += fi.Size()
	}
	type call struct{ done, total int64 }
	var calls []call
	_, err := Run(context.Background(), Options{
		From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), TimeZone: "UTC",
		Sources:  sources,
		Progress: func(done, total int64) { calls = append(calls, call{done, total}) },
	})
	if err != nil {
		t.Fatal(err)
	}
	// 0, then one call per file group: m365 JSON lines and the JSON array
	// (two formats), Salesforce's CSV.
	if len(calls) != 4 || calls[0] != (call{0, want}) || calls[len(calls)-1] != (call{want, want}) {
		t.Fatalf("progress calls %v, want 4 from {0 %d} to {%d %d}", calls, want, want, want)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i].done <= calls[i-1].done || calls[i].total != want {
			t.Errorf("progress calls %v: not growing to the total", calls)
		}
	}
}

package reports

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-dg/vigil/stages/audit"
)

// TestReportSizeGrowsWithFindingsNotPeriod audits 100 events spread over
// three years (Salesforce LoginEvent shape, failed and successful logins)
// with the real engine and writes the report: every file stays under 1 MB.
func TestReportSizeGrowsWithFindingsNotPeriod(t *testing.T) {
	if testing.Short() {
		t.Skip("runs DuckDB")
	}
	dir := t.TempDir()
	from := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(3, 0, 0)
	logPath := filepath.Join(dir, "login.jsonl")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	step := to.Sub(from) / 100
	for i := 0; i < 100; i++ {
		at := from.Add(time.Duration(i) * step).Add(9 * time.Hour)
		status := "Success"
		if i%4 == 0 {
			status = "Failed: Invalid Password"
		}
		fmt.Fprintf(f, `{"attributes":{"type":"LoginEvent"},"EventIdentifier":"e%d","EventDate":%q,"Username":"user%d@example.cn","SourceIp":"116.228.40.%d","Status":%q,"Country":"China","City":"Shanghai"}`+"\n",
			i, at.Format("2006-01-02T15:04:05.000Z"), i%7, i%250, status)
	}
	f.Close()
	rep, err := audit.Run(context.Background(), audit.Options{
		From: from, To: to, TimeZone: "Asia/Shanghai",
		Sources: []audit.LogSource{{Name: "crm", Paths: []string{logPath}, Mapping: audit.MappingSalesforce}},
		Cases:   audit.NewCaseFile(),
		Now:     func() time.Time { return to },
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.EventsInPeriod != 100 {
		t.Fatalf("events in period: %d", rep.Summary.EventsInPeriod)
	}
	for _, lang := range Languages() {
		w, err := Write(context.Background(), filepath.Join(dir, "report-"+lang), Input{Audit: rep, Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		ents, _ := os.ReadDir(w.Dir)
		var total int64
		for _, e := range ents {
			fi, _ := e.Info()
			total += fi.Size()
			if fi.Size() > 1<<20 {
				t.Errorf("%s %s: %d bytes for 100 events over three years (limit 1 MB)", lang, e.Name(), fi.Size())
			}
			t.Logf("%s %-20s %8d bytes", lang, e.Name(), fi.Size())
		}
		t.Logf("%s: %d findings, folder %d bytes", lang, len(rep.Findings), total)
	}
}

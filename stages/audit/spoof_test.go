package audit_test

import (
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/vigil-dg/vigil/query"
	"github.com/vigil-dg/vigil/stages/audit"
)

// TestQueryLogCannotBeSpoofed runs a real vigil query session whose analyst
// sets the display label ($VIGIL_USER) to a departed employee and dumps all
// 10,000 rows of the customers dataset at 02:30 Shanghai time. The audit of
// the query log must raise nothing against the departed employee and must
// raise the bulk-export detections against the OS account that ran it.
func TestQueryLogCannotBeSpoofed(t *testing.T) {
	dir := t.TempDir()
	datasets := filepath.Join(dir, "datasets")
	cust := filepath.Join(datasets, "customers")
	if err := os.MkdirAll(cust, 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`COPY (SELECT range AS id, 'C' || range AS city FROM range(10000)) TO '` +
		filepath.Join(cust, "part-00000.parquet") + `' (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	os.WriteFile(filepath.Join(cust, query.MetadataFile), []byte(`{"format": "vigil.dataset/v1", "table": "customers"}`), 0o644)
	logPath := query.LogPath(dir)
	night := time.Date(2025, 6, 3, 18, 30, 0, 0, time.UTC) // 02:30 in Shanghai
	s, err := query.Open(context.Background(), query.Options{Datasets: datasets, LogPath: logPath,
		Label: "departed@example.cn", Format: query.FormatCSV, MaxRows: -1, Now: func() time.Time { return night }})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Exec(context.Background(), "SELECT * FROM customers", io.Discard)
	if err != nil || st.Rows != 10000 {
		t.Fatalf("dump: %v %+v", err, st)
	}
	s.Close()

	staff := filepath.Join(dir, "staff.csv")
	os.WriteFile(staff, []byte("staff_id,name,email,role,region,status,hire_date,leave_date\n"+
		"S9,Departed,departed@example.cn,sales,east,disabled,2020-01-01,2025-01-31\n"), 0o644)
	rep, err := audit.Run(context.Background(), audit.Options{
		From: night.AddDate(0, 0, -1), To: night.AddDate(0, 0, 1), TimeZone: "Asia/Shanghai",
		Sources: []audit.LogSource{{Name: "vigil query", Paths: []string{logPath}, Mapping: audit.MappingAuto}},
		Staff:   &audit.Reference{Path: staff, Columns: map[string]string{"user": "email"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	fired := map[string]string{}
	for _, f := range rep.Findings {
		if f.User == "departed@example.cn" {
			t.Errorf("finding against the departed employee: %+v", f)
		}
		fired[f.Detection] = f.User
	}
	for _, det := range []string{"customer_report_export", "offhours_bulk_export"} {
		if u, ok := fired[det]; !ok || u == "" || u == "departed@example.cn" {
			t.Errorf("%s: fired %v (user %q); findings %+v", det, ok, u, rep.Findings)
		}
	}
}

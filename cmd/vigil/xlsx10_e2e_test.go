package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestXLSXAndExcelCSVEndToEnd: a directory source serving an .xlsx export
// (hidden first sheet, title row, Chinese labels, date-time cells) and an
// Excel "Save as CSV" (sep=; line, title row, trailing unnamed columns)
// snapshots both tables; restore gives back the generated values; naive
// timestamps are read in the source's time zone.
func TestXLSXAndExcelCSVEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	idx, _ := f.NewSheet("客户")
	f.SetActiveSheet(idx)
	f.SetSheetVisible("Sheet1", false)
	ts, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
	f.SetCellValue("客户", "A1", "客户列表 导出")
	for i, h := range []string{"客户编号", "客户名称", "负责人", "创建时间", "金额"} {
		c, _ := excelize.CoordinatesToCellName(i+1, 2)
		f.SetCellValue("客户", c, h)
	}
	const n = 60
	var names []string
	for i := 0; i < n; i++ {
		r := i + 3
		name := fmt.Sprintf("测试客户%03d有限公司", i)
		names = append(names, name)
		f.SetCellValue("客户", fmt.Sprintf("A%d", r), fmt.Sprintf("C%05d", i))
		f.SetCellValue("客户", fmt.Sprintf("B%d", r), name)
		f.SetCellValue("客户", fmt.Sprintf("C%d", r), "张伟")
		f.SetCellValue("客户", fmt.Sprintf("D%d", r), time.Date(2026, 11, 3, 9, 15, 0, 0, time.UTC))
		f.SetCellStyle("客户", fmt.Sprintf("D%d", r), fmt.Sprintf("D%d", r), ts)
		f.SetCellValue("客户", fmt.Sprintf("E%d", r), float64(i)+0.5)
	}
	if err := f.SaveAs(filepath.Join(data, "customers.xlsx")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	csvText := "sep=;\r\nOrders export;;;\r\nid;amount;;\r\n1;12,5;;\r\n2;7;;\r\n;;;\r\n"
	if err := os.WriteFile(filepath.Join(data, "orders.csv"), []byte(csvText), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := `format: 1
home: home
timezone: UTC
keys: {key_file: master.key}
sources:
  crm:
    type: csv
    dir: data
    time_zone: Asia/Shanghai
    tables:
      customers: {file: customers.xlsx}
      orders: {}
jobs:
  snap: {stages: [snapshot]}
`
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, nil, "keys", "keyfile", "master.key")
	mustRun(t, dir, nil, "keys", "init")
	r := mustRun(t, dir, nil, "run", "snap")
	for _, want := range []string{"title or note rows above the header skipped", "trailing columns without a name dropped"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("run log lacks %q:\n%s", want, r.stderr)
		}
	}
	out := filepath.Join(dir, "restored")
	mustRun(t, dir, nil, "restore", "customers/latest", "--to", out, "--format", "csv")
	files, _ := filepath.Glob(filepath.Join(out, "*.csv"))
	if len(files) != 1 {
		t.Fatalf("restored %v", files)
	}
	fh, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n+1 || strings.Join(recs[0], ",") != "客户编号,客户名称,负责人,创建时间,金额" {
		t.Fatalf("restored header %q, %d records", recs[0], len(recs))
	}
	for i, rec := range recs[1:] {
		if rec[0] != fmt.Sprintf("C%05d", i) || rec[1] != names[i] || rec[2] != "张伟" {
			t.Fatalf("row %d: %q", i+1, rec)
		}
		// 09:15 in Asia/Shanghai is 01:15 UTC.
		if !strings.HasPrefix(rec[3], "2026-11-03") || !strings.Contains(rec[3], "01:15:00") {
			t.Fatalf("row %d timestamp %q, want the instant 2026-11-03 01:15 UTC", i+1, rec[3])
		}
	}
	out2 := filepath.Join(dir, "restored2")
	mustRun(t, dir, nil, "restore", "orders/latest", "--to", out2, "--format", "csv")
	files, _ = filepath.Glob(filepath.Join(out2, "*.csv"))
	b, _ := os.ReadFile(files[0])
	if got := strings.TrimSpace(strings.ReplaceAll(string(b), "\r", "")); got != "id,amount\n1,\"12,5\"\n2,7" {
		t.Errorf("orders restored as %q", got)
	}
}

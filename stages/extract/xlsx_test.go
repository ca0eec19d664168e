package extract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// writeXLSX builds a workbook the way the Chinese CRMs export: a hidden
// first sheet, then the data sheet with a title row, Chinese labels, a date
// and a date-time cell with date styles, an amount, a long ID typed as
// text, and one hidden row.
func writeXLSX(t testing.TB, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	idx, err := f.NewSheet("数据")
	if err != nil {
		t.Fatal(err)
	}
	f.SetActiveSheet(idx)
	if err := f.SetSheetVisible("Sheet1", false); err != nil {
		t.Fatal(err)
	}
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	tsStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
	custom := "yyyy-mm-dd hh:mm"
	customStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
	sh := "数据"
	set := func(cell string, v any) {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "客户列表（导出）")
	for i, h := range []string{"客户编号", "客户名称", "负责人", "创建时间", "生日", "金额", "身份证号", "跟进时间"} {
		c, _ := excelize.CoordinatesToCellName(i+1, 2)
		set(c, h)
	}
	rows := [][]any{
		{"C001", "北京某某科技有限公司", "张伟", time.Date(2024, 5, 1, 9, 15, 0, 0, time.UTC), time.Date(1990, 3, 7, 0, 0, 0, 0, time.UTC), 1234.5, "110101199003071234", time.Date(2024, 5, 2, 14, 30, 0, 0, time.UTC)},
		{"C002", "上海某某贸易有限公司", "李娜", time.Date(2024, 6, 1, 18, 0, 0, 0, time.UTC), time.Date(1985, 12, 12, 0, 0, 0, 0, time.UTC), 99, "31010119851212002X", time.Date(2024, 6, 3, 8, 5, 0, 0, time.UTC)},
		{"C003", "深圳某某实业", "王芳", time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(1992, 7, 15, 0, 0, 0, 0, time.UTC), 0.25, "440301199207150048", time.Date(2024, 7, 4, 23, 59, 0, 0, time.UTC)},
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+3)
			set(cell, v)
		}
		f.SetCellStyle(sh, fmt.Sprintf("D%d", r+3), fmt.Sprintf("D%d", r+3), tsStyle)
		f.SetCellStyle(sh, fmt.Sprintf("E%d", r+3), fmt.Sprintf("E%d", r+3), dateStyle)
		f.SetCellStyle(sh, fmt.Sprintf("H%d", r+3), fmt.Sprintf("H%d", r+3), customStyle)
	}
	if err := f.SetRowVisible(sh, 4, false); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func TestXLSX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "客户.xlsx")
	writeXLSX(t, path)
	r, err := Open(context.Background(), path, CSVOptions{}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rows [][]string
	for r.Next() {
		rows = append(rows, rowsOf(r.RecordBatch())...)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, f := range r.Schema().Fields() {
		cols = append(cols, f.Name+":"+f.Type.String())
	}
	want := "客户编号:utf8 客户名称:utf8 负责人:utf8 创建时间:timestamp[us, tz=UTC] 生日:date32 金额:decimal(18, 2) 身份证号:utf8 跟进时间:timestamp[us, tz=UTC]"
	if got := strings.Join(cols, " "); got != want {
		t.Errorf("columns\n%s\nwant\n%s", got, want)
	}
	if len(rows) != 3 || rows[0][3] != "2024-05-01T09:15:00Z" || rows[1][4] != "1985-12-12" || rows[0][5] != "1234.5" || rows[1][6] != "31010119851212002X" || rows[2][7] != "2024-07-04T23:59:00Z" {
		t.Errorf("rows %q", rows)
	}
	s := r.Stats()
	if s.TitleRows != 1 || s.RowsRead != 3 || !strings.Contains(strings.Join(s.Warnings, "\n"), "1 hidden rows") {
		t.Errorf("stats %+v", s)
	}
	// A named sheet; a missing sheet names the ones there are.
	if _, err := Open(context.Background(), path, CSVOptions{}, "nope"); err == nil || !strings.Contains(err.Error(), "数据") {
		t.Errorf("missing sheet: %v", err)
	}
}

func TestXLSRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.xls")
	if err := os.WriteFile(path, []byte("\xD0\xCF\x11\xE0"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path, CSVOptions{}, "")
	if !errors.Is(err, ErrUnsupportedFormat) || !strings.Contains(err.Error(), ".xlsx") {
		t.Errorf("got %v", err)
	}
}

// FuzzXLSX: arbitrary bytes as a workbook, and workbooks with arbitrary
// cell text, never panic and keep the row accounting.
func FuzzXLSX(f *testing.F) {
	f.Add([]byte("PK\x03\x04"), "a", "1")
	f.Add([]byte{}, "客户", "2024-01-01")
	f.Add([]byte{}, "", "=1+1")
	f.Fuzz(func(t *testing.T, raw []byte, header, value string) {
		dir := t.TempDir()
		path := filepath.Join(dir, "f.xlsx")
		if len(raw) > 0 {
			if err := os.WriteFile(path, raw, 0o600); err != nil {
				t.Fatal(err)
			}
		} else {
			wb := excelize.NewFile()
			wb.SetCellValue("Sheet1", "A1", header)
			wb.SetCellValue("Sheet1", "B1", "b")
			for i := 2; i < 6; i++ {
				wb.SetCellValue("Sheet1", fmt.Sprintf("A%d", i), value)
				wb.SetCellValue("Sheet1", fmt.Sprintf("B%d", i), i)
			}
			if err := wb.SaveAs(path); err != nil {
				return
			}
			wb.Close()
		}
		r, err := Open(context.Background(), path, CSVOptions{}, "")
		if err != nil {
			return
		}
		defer r.Close()
		for r.Next() {
		}
		if s := r.Stats(); s.RowsRead != s.RowsWritten+s.RowsRejected {
			t.Fatalf("stats %+v", s)
		}
	})
}

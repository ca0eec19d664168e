package extract

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// readXLSX reads a workbook with opts; every row as strings, plus stats.
func readXLSX(t *testing.T, path string, opts CSVOptions) ([]string, [][]string, Stats, []Reject) {
	t.Helper()
	var rejects []Reject
	opts.OnReject = func(r Reject) error { rejects = append(rejects, r); return nil }
	r, err := Open(context.Background(), path, opts, "")
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
	return cols, rows, r.Stats(), rejects
}

// Numbers keep their stored digits whatever the display format; shared,
// rich-text and inline strings, booleans and formula results are read.
func TestXLSXCellTypes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.xlsx")
	f := excelize.NewFile()
	two := "0.00"
	twoStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &two})
	pct, _ := f.NewStyle(&excelize.Style{NumFmt: 10})
	set := func(cell string, v any) {
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	for i, h := range []string{"id", "amount", "rate", "flag", "note", "calc", "big"} {
		c, _ := excelize.CoordinatesToCellName(i+1, 1)
		set(c, h)
	}
	set("A2", "00012345678901234567")
	set("B2", 1234.5678)
	f.SetCellStyle("Sheet1", "B2", "B2", twoStyle)
	set("C2", 0.125)
	f.SetCellStyle("Sheet1", "C2", "C2", pct)
	set("D2", true)
	if err := f.SetCellRichText("Sheet1", "E2", []excelize.RichTextRun{{Text: "富"}, {Text: "文本 & <x>"}}); err != nil {
		t.Fatal(err)
	}
	f.SetCellFormula("Sheet1", "F2", `"a"&"b"`)
	set("G2", 0.1+0.2)
	set("A3", "00012345678901234568")
	set("B3", -2.5)
	set("C3", 1)
	set("D3", false)
	set("E3", "line1\nline2")
	set("G3", 123456789012345)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cols, rows, _, _ := readXLSX(t, path, CSVOptions{Types: map[string]Type{"calc": TypeString}})
	if got := strings.Join(cols, " "); got != "id:utf8 amount:decimal(18, 4) rate:decimal(18, 3) flag:bool note:utf8 calc:utf8 big:decimal(18, 1)" {
		t.Errorf("columns %s", got)
	}
	want := [][]string{
		{"00012345678901234567", "1234.5678", "0.125", "true", "富文本 & <x>", "(null)", "0.3"},
		{"00012345678901234568", "-2.5", "1", "false", "line1\nline2", "(null)", "123456789012345"},
	}
	for i := range want {
		for j := range want[i] {
			if i < len(rows) && j < len(rows[i]) && rows[i][j] != want[i][j] && !strings.HasPrefix(rows[i][j], want[i][j]) {
				t.Errorf("row %d col %d = %q, want %q", i, j, rows[i][j], want[i][j])
			}
		}
	}
	if len(rows) != 2 {
		t.Fatalf("rows %q", rows)
	}
}

// Inline strings, as excelize's StreamWriter and many exporters write them.
func TestXLSXInlineStrings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.xlsx")
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	sw.SetRow("A1", []any{"名称", "代码"})
	sw.SetRow("A2", []any{"北京 & 上海", "0012"})
	sw.SetRow("A4", []any{"_x000D_x", "C3"})
	sw.Flush()
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, rows, st, _ := readXLSX(t, path, CSVOptions{})
	if len(rows) != 2 || rows[0][0] != "北京 & 上海" || rows[0][1] != "0012" || rows[1][1] != "C3" || st.RowsRead != 2 {
		t.Errorf("rows %q stats %+v", rows, st)
	}
}

// Merged ranges: a one-column range over several rows is filled down (a
// record's cells merged over its sub-form rows); a title merged across the
// width stays one cell, so it is still seen as a title row. Hidden rows and
// columns are read and noted.
func TestXLSXMergedHidden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.xlsx")
	f := excelize.NewFile()
	set := func(cell string, v any) {
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	// a title merged over the table's width, then the header
	set("A1", "客户导出")
	for i, h := range []string{"客户", "负责人", "联系人", "电话"} {
		c, _ := excelize.CoordinatesToCellName(i+1, 2)
		set(c, h)
	}
	// customer A over rows 3-5 (three contacts), customer B on row 6
	set("A3", "客户A")
	set("B3", "张伟")
	set("C3", "李一")
	set("D3", "13800000001")
	set("C4", "李二")
	set("D4", "13800000002")
	set("C5", "李三")
	set("D5", "13800000003")
	set("A6", "客户B")
	set("B6", "王芳")
	set("C6", "赵四")
	set("D6", "13800000004")
	for _, r := range []string{"A1:D1", "A3:A5", "B3:B5"} {
		a, z, _ := strings.Cut(r, ":")
		if err := f.MergeCell("Sheet1", a, z); err != nil {
			t.Fatal(err)
		}
	}
	f.SetColVisible("Sheet1", "D", false)
	f.SetRowVisible("Sheet1", 4, false)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, rows, st, _ := readXLSX(t, path, CSVOptions{Types: map[string]Type{"电话": TypeString}})
	want := "客户A,张伟,李一,13800000001|客户A,张伟,李二,13800000002|客户A,张伟,李三,13800000003|客户B,王芳,赵四,13800000004"
	var got []string
	for _, r := range rows {
		got = append(got, strings.Join(r, ","))
	}
	if strings.Join(got, "|") != want {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	w := strings.Join(st.Warnings, "\n")
	if st.TitleRows != 1 {
		t.Errorf("title rows %d", st.TitleRows)
	}
	for _, s := range []string{"1 hidden rows", "1 hidden columns", "3 merged ranges: 2 one-column ranges were filled down"} {
		if !strings.Contains(w, s) {
			t.Errorf("warnings lack %q: %s", s, w)
		}
	}
}

// A cell longer than MaxRecordBytes rejects its row, not the table.
func TestXLSXOversizedCell(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.xlsx")
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "id")
	f.SetCellValue("Sheet1", "B1", "note")
	for i := 2; i <= 5; i++ {
		f.SetCellValue("Sheet1", "A"+string(rune('0'+i)), i)
		note := "short"
		if i == 3 {
			note = strings.Repeat("长", 2000)
		}
		f.SetCellValue("Sheet1", "B"+string(rune('0'+i)), note)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, rows, st, rejects := readXLSX(t, path, CSVOptions{MaxRecordBytes: 1000})
	if len(rows) != 3 || st.RowsRejected != 1 || len(rejects) != 1 || rejects[0].Line != 3 || rejects[0].Column != "note" || !strings.Contains(rejects[0].Reason, "longer than 1000 bytes") {
		t.Errorf("rows %d stats %+v rejects %+v", len(rows), st, rejects)
	}
}

// Damaged workbooks fail with a clear error, never a panic.
func TestXLSXDamaged(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.xlsx")
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "a")
	f.SetCellValue("Sheet1", "A2", "x")
	f.SaveAs(good)
	f.Close()
	// Rewrite the worksheet with a truncated body.
	zr, err := zip.OpenReader(good)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.xlsx")
	out, _ := os.Create(bad)
	zw := zip.NewWriter(out)
	for _, e := range zr.File {
		w, _ := zw.Create(e.Name)
		rc, _ := e.Open()
		var b strings.Builder
		buf := make([]byte, 1<<16)
		for {
			n, err := rc.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		rc.Close()
		s := b.String()
		if e.Name == "xl/worksheets/sheet1.xml" {
			s = s[:strings.Index(s, "</sheetData>")]
		}
		w.Write([]byte(s))
	}
	zw.Close()
	out.Close()
	zr.Close()
	_, err = Open(context.Background(), bad, CSVOptions{}, "")
	if err == nil {
		t.Fatal("no error")
	}
	if !strings.Contains(err.Error(), "ends before its data") {
		t.Errorf("got %v", err)
	}
}

func TestNumFmtKind(t *testing.T) {
	for code, want := range map[string]cellKind{
		"yyyy-mm-dd":                     kindDate,
		`yyyy"年"m"月"d"日"`:                kindDate,
		"yyyy/m/d h:mm":                  kindDateTime,
		"h:mm AM/PM":                     kindTime,
		"mm:ss":                          kindTime,
		"[h]:mm:ss":                      kindNumber,
		"0.00":                           kindNumber,
		"General":                        kindNumber,
		`#,##0.00 "days"`:                kindNumber,
		"[$-F800]dddd, mmmm dd, yyyy":    kindDate,
		"0.00E+00":                       kindNumber,
		`[Red]#,##0;[Blue]yyyy`:          kindNumber,
		"m/d/yy;@":                       kindDate,
		`_(* #,##0_);_(* \(#,##0\)`:      kindNumber,
		"[DBNum1][$-804]yyyy\"年\"m\"月\"": kindDate,
	} {
		if got := numFmtKind(code); got != want {
			t.Errorf("%q: %d, want %d", code, got, want)
		}
	}
}

func TestExcelValues(t *testing.T) {
	for _, c := range []struct {
		v    string
		kind cellKind
		want string
	}{
		{"45000", kindDate, "2023-03-15"},
		{"45000.5", kindDateTime, "2023-03-15 12:00:00"},
		{"0.3854166666666667", kindTime, "09:15:00"},
		{"1", kindDate, "1900-01-01"},
		{"61", kindDate, "1900-03-01"},
		{"45000.123456789", kindDateTime, "2023-03-15 02:57:46.667"},
	} {
		got, ok := appendExcelTime(nil, []byte(c.v), c.kind, false)
		if !ok || string(got) != c.want {
			t.Errorf("%s: %q", c.v, got)
		}
	}
	for v, want := range map[string]string{"1234.5678": "1234.5678", "0.30000000000000004": "0.3", "1.2345678901234568E+17": "123456789012346000", "-0.5": "-0.5", "1E-10": "1E-10", "3.14159265358979312": "3.14159265358979"} {
		if got := appendExcelNumber(nil, []byte(v)); string(got) != want {
			t.Errorf("%s: %s", v, got)
		}
	}
}

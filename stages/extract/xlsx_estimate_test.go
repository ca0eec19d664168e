package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestXLSXRowsEstimate: the sheet's <dimension ref> is the total of the
// snapshot's progress bar, known once the reader is open; done reaches it
// as the sheet is read. Without a dimension, or with a single-cell one,
// the total is unknown and the rows read are the same.
func TestXLSXRowsEstimate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.xlsx")
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	sw.SetRow("A1", []any{"客户名单"}) // a title row above the header
	sw.SetRow("A2", []any{"name", "code"})
	const n = 3000
	for i := 1; i <= n; i++ {
		sw.SetRow("A"+strconv.Itoa(i+2), []any{"name " + strconv.Itoa(i), i})
	}
	sw.Flush()
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// excelize's stream writer, like other streaming writers, records a
	// single cell (A1): no total. Excel records the used range.
	dim := regexp.MustCompile(`<dimension ref="[^"]*"(/>|></dimension>)`)
	used := filepath.Join(dir, "used.xlsx")
	rewriteSheet(t, path, used, dim, `<dimension ref="A1:B3002"/>`)
	noDim := filepath.Join(dir, "nodim.xlsx")
	rewriteSheet(t, path, noDim, dim, "")
	for _, tc := range []struct {
		path  string
		total int64
	}{{used, n + 2}, {path, 0}, {noDim, 0}} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			rr, err := OpenXLSX(context.Background(), tc.path, CSVOptions{}, "")
			if err != nil {
				t.Fatal(err)
			}
			defer rr.Close()
			est, ok := rr.(RowsEstimator)
			if !ok {
				t.Fatal("the xlsx reader gives no RowsEstimate")
			}
			if total, _ := est.RowsEstimate(); total != tc.total {
				t.Errorf("total %d once open, want %d", total, tc.total)
			}
			var rows int64
			for rr.Next() {
				rows += rr.RecordBatch().NumRows()
			}
			if err := rr.Err(); err != nil && err != io.EOF || rows != n {
				t.Fatalf("read %d rows, want %d (%v)", rows, n, err)
			}
			if total, done := est.RowsEstimate(); total != tc.total || done != n+2 {
				t.Errorf("at the end: total %d, done %d; want %d, %d", total, done, tc.total, n+2)
			}
		})
	}
}

// rewriteSheet copies the workbook src to dst with re replaced in the
// first worksheet's XML.
func rewriteSheet(t *testing.T, src, dst string, re *regexp.Regexp, repl string) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range zr.File {
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if e.Name == "xl/worksheets/sheet1.xml" {
			if !re.Match(b) {
				t.Fatalf("%s: no %s", e.Name, re)
			}
			b = re.ReplaceAll(b, []byte(repl))
		}
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDimensionRows(t *testing.T) {
	for in, want := range map[string]int64{"A1:F1001": 1001, "B3:XFD1048576": 1048576, "A1": 0, "": 0, "A1:": 0, "A1:F0": 0, ":F9": 9} {
		if got := dimensionRows([]byte(in), true); got != want {
			t.Errorf("dimensionRows(%q) = %d, want %d", in, got, want)
		}
	}
	if dimensionRows([]byte("A1:F9"), false) != 0 {
		t.Error("a missing ref attribute gave rows")
	}
}

func FuzzDimensionRows(f *testing.F) {
	for _, s := range []string{"A1:F1001", "A1", "", "XFD1048576:A1", "A1:ZZZZ9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		if n := dimensionRows([]byte(ref), true); n < 0 || n > 1<<20 {
			t.Errorf("dimensionRows(%q) = %d", ref, n)
		}
	})
}

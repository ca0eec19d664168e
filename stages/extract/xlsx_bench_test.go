package extract

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// BenchmarkXLSX reads a 10,000-row, 20-column streamed workbook.
func BenchmarkXLSX(b *testing.B) {
	path := filepath.Join(b.TempDir(), "b.xlsx")
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	ts, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
	hdr := make([]any, 20)
	for i := range hdr {
		hdr[i] = fmt.Sprintf("c%d", i)
	}
	sw.SetRow("A1", hdr)
	for i := 0; i < 10000; i++ {
		row := make([]any, 20)
		row[0] = fmt.Sprintf("C%09d", i)
		row[1] = excelize.Cell{StyleID: ts, Value: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)}
		for c := 2; c < 20; c++ {
			if c%2 == 0 {
				row[c] = i * c
			} else {
				row[c] = fmt.Sprintf("K%06d", i+c)
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		sw.SetRow(cell, row)
	}
	sw.Flush()
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
	f.Close()
	for b.Loop() {
		r, err := Open(context.Background(), path, CSVOptions{}, "")
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
		}
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// BenchmarkXLSXFile reads the workbook named by $VIGIL_BENCH_XLSX (for
// profiling bench/xlsx's cached 1M-row file); skipped without it.
func BenchmarkXLSXFile(b *testing.B) {
	path := os.Getenv("VIGIL_BENCH_XLSX")
	if path == "" {
		b.Skip("VIGIL_BENCH_XLSX not set")
	}
	for b.Loop() {
		r, err := Open(context.Background(), path, CSVOptions{}, "")
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
		}
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

package extract

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// BenchmarkOpenCSV reads a synthetic 20-column customers file end to end
// (decode, split, type conversion, Arrow batches). MB/s is of file bytes.
// VIGIL_BENCH_CSV=path adds a run over that file.
func BenchmarkOpenCSV(b *testing.B) {
	if p := os.Getenv("VIGIL_BENCH_CSV"); p != "" {
		fi, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("file", func(b *testing.B) {
			b.SetBytes(fi.Size())
			for b.Loop() {
				r, err := OpenCSV(context.Background(), p, CSVOptions{})
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
		})
		return
	}
	dir := b.TempDir()
	utf := filepath.Join(dir, "customers.csv")
	f, err := os.Create(utf)
	if err != nil {
		b.Fatal(err)
	}
	if err := writeCustomers(f, 200_000, 1); err != nil {
		b.Fatal(err)
	}
	f.Close()
	data, err := os.ReadFile(utf)
	if err != nil {
		b.Fatal(err)
	}
	gbk, err := simplifiedchinese.GB18030.NewEncoder().Bytes(data)
	if err != nil {
		b.Fatal(err)
	}
	gbkPath := filepath.Join(dir, "customers-gbk.csv")
	if err := os.WriteFile(gbkPath, gbk, 0o600); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name, path string
		size       int
	}{{"utf-8", utf, len(data)}, {"gb18030", gbkPath, len(gbk)}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(bc.size))
			b.ReportAllocs()
			for b.Loop() {
				r, err := OpenCSV(context.Background(), bc.path, CSVOptions{})
				if err != nil {
					b.Fatal(err)
				}
				for r.Next() {
				}
				if err := r.Err(); err != nil {
					b.Fatal(err)
				}
				if s := r.Stats(); s.RowsWritten != 200_000 {
					b.Fatalf("stats %+v", s)
				}
				r.Close()
			}
		})
	}
}

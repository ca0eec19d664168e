package extract

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FuzzOpenCSV feeds arbitrary bytes to the reader: it must not panic, must
// keep RowsRead == RowsWritten + RowsRejected, must free all Arrow memory,
// and must give the same answer whatever the block size.
func FuzzOpenCSV(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.csv")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(0))
	}
	for _, s := range []string{"a,b\n1,\"x\n", "a\n\"\"\"\n", "a,b\r\n1,2\r", "\xEF\xBB\xBFa\n\xD5\xC5\n", "a\n1\n\n\n2", "a;b\n1;2\n"} {
		f.Add([]byte(s), uint8(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, knobs uint8) {
		path := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		opts := CSVOptions{SampleRows: 1 + int(knobs%5), BatchRows: 1 + int(knobs/5%4), MaxRecordBytes: 200}
		if knobs&0x80 != 0 {
			opts.Delimiter = ';'
		}
		if knobs&0x40 != 0 {
			opts.Encoding = "gbk"
		}
		var results []result
		for _, chunk := range []int{64, chunkSize} {
			res, err := readAll(t, path, opts, chunk)
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("error without file position: %v", err)
				}
				return
			}
			for _, rj := range res.rejects {
				if rj.Line < 1 || rj.Reason == "" || rj.File != path {
					t.Fatalf("bad reject %+v", rj)
				}
			}
			if len(data) > 0 && res.stats.Bytes != int64(len(data)) {
				t.Fatalf("read %d bytes of %d", res.stats.Bytes, len(data))
			}
			results = append(results, res)
		}
		if !sameResult(results[0], results[1]) {
			t.Fatalf("block size changes the result:\n%+v\n%+v", results[0], results[1])
		}
	})
}

// TestFuzzSeedsClean runs the seeds with the default options too.
func TestFuzzSeedsClean(t *testing.T) {
	seeds, _ := filepath.Glob("testdata/*.csv")
	for _, p := range seeds {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		r, err := OpenCSV(context.Background(), p, CSVOptions{Alloc: mem})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for r.Next() {
		}
		if err := r.Err(); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		checkInvariant(t, r.Stats())
		r.Release()
		mem.AssertSize(t, 0)
	}
}

package extract

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestBytesReadReachesFileSize: the CSV reader counts the bytes of the file
// it has read (progress against the file's size), ending at the size.
func TestBytesReadReachesFileSize(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name\n")
	for i := range 5000 {
		b.WriteString(strconv.Itoa(i) + ",name " + strconv.Itoa(i) + "\n")
	}
	path := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := openCSV(context.Background(), path, CSVOptions{BatchRows: 500}, 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer r.Release()
	var last int64
	for r.Next() {
		n := r.BytesRead()
		if n < last || n > int64(b.Len()) {
			t.Fatalf("BytesRead %d after %d (file %d bytes)", n, last, b.Len())
		}
		last = n
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if got := r.BytesRead(); got != int64(b.Len()) {
		t.Fatalf("BytesRead %d at the end, want the file's %d bytes", got, b.Len())
	}
}

// TestBytesTotal: what BytesRead counts up to — a CSV file's size, a zipped
// CSV's uncompressed entry (not the zip's size), an Excel sheet's XML — so
// a progress bar over bytes moves and never passes its total.
func TestBytesTotal(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name\n")
	for i := range 5000 {
		b.WriteString(strconv.Itoa(i) + ",name " + strconv.Itoa(i) + "\n")
	}
	zipPath := writeZip(t, "Contact.csv", b.String())
	xlsxPath := filepath.Join(t.TempDir(), "t.xlsx")
	writeXLSX(t, xlsxPath)
	type counter interface {
		TableReader
		BytesRead() int64
		BytesTotal() int64
	}
	for _, tc := range []struct {
		name  string
		open  func() (TableReader, error)
		exact bool // BytesRead ends at the total (XML after the data is not read)
	}{
		{"zip", func() (TableReader, error) {
			return OpenZipCSV(context.Background(), zipPath, "Contact.csv", CSVOptions{})
		}, true},
		{"xlsx", func() (TableReader, error) { return OpenXLSX(context.Background(), xlsxPath, CSVOptions{}, "") }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rr, err := tc.open()
			if err != nil {
				t.Fatal(err)
			}
			defer rr.Close()
			r := rr.(counter)
			total := r.BytesTotal()
			if tc.name == "zip" && total != int64(b.Len()) {
				t.Errorf("total %d, want the entry's %d bytes", total, b.Len())
			}
			for r.Next() {
			}
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			if done := r.BytesRead(); done <= 0 || done > total || tc.exact && done != total {
				t.Errorf("BytesRead %d of BytesTotal %d at the end", done, total)
			}
		})
	}
}

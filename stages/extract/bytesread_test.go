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

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
)

// TestSourceChangedWhileRead: a file truncated, overwritten in place or
// replaced while it is read ends the read with ErrSourceChanged; an
// untouched file reads cleanly.
func TestSourceChangedWhileRead(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "%d,name-%d\n", i, i)
	}
	content := b.String()
	tests := []struct {
		name   string
		change func(t *testing.T, path string)
	}{
		{"untouched", func(*testing.T, string) {}},
		{"truncated", func(t *testing.T, path string) {
			if err := os.Truncate(path, int64(len(content)/2)); err != nil {
				t.Fatal(err)
			}
		}},
		{"overwritten in place, same size", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteAt([]byte(strings.Repeat("9", 64)), int64(len(content)-200)); err != nil {
				t.Fatal(err)
			}
			f.Close()
			later := time.Now().Add(2 * time.Second)
			if err := os.Chtimes(path, later, later); err != nil {
				t.Fatal(err)
			}
		}},
		{"replaced by rename", func(t *testing.T, path string) {
			tmp := path + ".new"
			if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "t.csv")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			old := time.Now().Add(-time.Hour)
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
			r, err := openCSV(context.Background(), path, CSVOptions{SampleRows: 1, BatchRows: 10}, 64)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			tc.change(t, path)
			for r.Next() {
			}
			err = r.Err()
			if tc.name == "untouched" {
				if err != nil {
					t.Fatalf("untouched file: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrSourceChanged) {
				t.Fatalf("got %v, want ErrSourceChanged", err)
			}
			t.Log(err)
		})
	}
}

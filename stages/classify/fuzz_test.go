package classify_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-dg/vigil/stages/classify"
)

// FuzzDecodeJSON: the classification.json decoder never panics, and what it
// accepts it re-encodes to something it accepts again.
func FuzzDecodeJSON(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "expected", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"format":1}`))
	f.Add([]byte(`{"format":1,"columns":[{"name":"a","confidence":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := classify.DecodeJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		path := filepath.Join(t.TempDir(), "c.json")
		if err := classify.WriteJSON(path, r); err != nil {
			t.Fatal(err)
		}
		if _, err := classify.ReadJSON(path); err != nil {
			t.Fatalf("re-read: %v", err)
		}
	})
}

package reports

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/expected")

var renderers = []struct {
	file   string
	render func(io.Writer, Input) error
}{
	{FileHTML, RenderHTML},
	{FileJSON, RenderJSON},
	{FileCSV, RenderCSV},
	{FileMarkdown, RenderMarkdown},
}

func TestGolden(t *testing.T) {
	in := fixtureInput()
	for _, r := range renderers {
		t.Run(r.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.render(&b, in); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "expected", r.file)
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s differs from %s (run go test -update and review the diff)\n%s", r.file, golden, firstDiff(b.Bytes(), want))
			}
			// Rendering twice gives the same bytes: nothing depends on map order or the clock.
			var again bytes.Buffer
			if err := r.render(&again, in); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), again.Bytes()) {
				t.Errorf("%s: two renderings differ", r.file)
			}
		})
	}
}

// firstDiff shows the first differing line.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b []byte
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if !bytes.Equal(a, b) {
			return "line " + itoa(i+1) + ":\n got: " + string(a) + "\nwant: " + string(b)
		}
	}
	return ""
}

func itoa(i int) string { return num(i) }

func TestWriteMatchesGolden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "2025-W10")
	w, err := Write(context.Background(), dir, fixtureInput())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ path, file string }{{w.HTML, FileHTML}, {w.JSON, FileJSON}, {w.CSV, FileCSV}, {w.Markdown, FileMarkdown}} {
		got, err := os.ReadFile(p.path)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("testdata", "expected", p.file))
		if err != nil {
			t.Skip("no golden files yet")
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s written by Write differs from the golden file", p.file)
		}
	}
}

package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

func TestWrite(t *testing.T) {
	ctx := context.Background()
	all := []string{FileEvidence, FileCSV, FilePIAHTML, FilePIAMD, FileArt30HTML, FileArt30MD, FileHTML, FileJSON, FileMarkdown}
	slices.Sort(all)

	t.Run("new folder", func(t *testing.T) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "reports", "2025-W10")
		w, err := Write(ctx, dir, fixtureInput())
		if err != nil {
			t.Fatal(err)
		}
		if got := dirNames(t, dir); !slices.Equal(got, all) {
			t.Errorf("folder holds %v, want %v", got, all)
		}
		if got := dirNames(t, filepath.Dir(dir)); !slices.Equal(got, []string{"2025-W10"}) {
			t.Errorf("temporary files left beside the folder: %v", got)
		}
		if w.Dir != dir || filepath.Dir(w.HTML) != dir || filepath.Base(w.CSV) != FileCSV {
			t.Errorf("Written = %+v", w)
		}
		for _, p := range []string{w.HTML, w.JSON, w.CSV, w.Markdown} {
			if fi, err := os.Stat(p); err != nil || fi.Mode().Perm()&0o007 != 0 {
				t.Errorf("%s: mode %v, %v: reports must not be world-readable", p, fi.Mode(), err)
			}
		}
	})

	t.Run("existing folder", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("keep me"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, FileHTML), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		w, err := Write(ctx, dir, fixtureInput())
		if err != nil {
			t.Fatal(err)
		}
		want := append([]string{"notes.txt"}, all...)
		slices.Sort(want)
		if got := dirNames(t, dir); !slices.Equal(got, want) {
			t.Errorf("folder holds %v", got)
		}
		if b, _ := os.ReadFile(w.HTML); bytes.Equal(b, []byte("old")) {
			t.Error("report.html was not replaced")
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != "keep me" {
			t.Error("another file in the folder was touched")
		}
		for _, n := range dirNames(t, dir) {
			if strings.Contains(n, ".tmp-") {
				t.Errorf("temporary file %s left", n)
			}
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		c, cancel := context.WithCancel(ctx)
		cancel()
		dir := filepath.Join(t.TempDir(), "r")
		if _, err := Write(c, dir, fixtureInput()); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Error("a cancelled Write left a folder")
		}
	})

	t.Run("folder is a file", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Write(ctx, f, fixtureInput()); !errors.Is(err, ErrWrite) {
			t.Fatalf("err = %v, want ErrWrite", err)
		}
	})
}

func TestInvalidInput(t *testing.T) {
	in := Input{
		Inventory: []InventoryRow{{Table: "customers"}, {Table: "t", Column: "c", Confidence: 1.5}},
		Datasets:  []DatasetRow{{Risk: 2}},
		Backups:   []BackupRow{{}},
	}
	_, err := NewDocument(in)
	if !errors.Is(err, ErrInput) {
		t.Fatalf("err = %v, want ErrInput", err)
	}
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %T, want *InputError", err)
	}
	// every problem, not the first
	if len(ie.Problems) != 6 {
		t.Errorf("%d problems, want 6: %v", len(ie.Problems), ie.Problems)
	}
	for _, r := range renderers {
		if err := r.render(&bytes.Buffer{}, Input{}); !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v, want ErrInput", r.file, err)
		}
	}
	if _, err := Write(context.Background(), t.TempDir(), Input{}); !errors.Is(err, ErrInput) {
		t.Errorf("Write: err = %v, want ErrInput", err)
	}
}

func TestDefaults(t *testing.T) {
	in := fixtureInput()
	in.Title, in.Organization = "", ""
	in.Audit.TimeZone = ""
	d, err := NewDocument(in)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != DefaultTitle || d.TimeZone != "UTC" {
		t.Errorf("title %q, zone %q", d.Title, d.TimeZone)
	}
	var b bytes.Buffer
	if err := d.HTML(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `class="org"`) {
		t.Error("an empty organization is shown")
	}
}

func TestReadPreviousRoundTrip(t *testing.T) {
	in := fixtureInput()
	w, err := Write(context.Background(), filepath.Join(t.TempDir(), "r"), in)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := ReadPrevious(w.JSON)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(in.Audit)
	b, _ := json.Marshal(prev)
	if !bytes.Equal(a, b) {
		t.Errorf("the audit read back from report.json differs from the one written\n%s", firstDiff(b, a))
	}
	// The next report against the one read back shows the same trend as
	// against the audit in memory.
	next := fixtureInput()
	next.Previous = in.Audit
	d1, err := NewDocument(next)
	if err != nil {
		t.Fatal(err)
	}
	next.Previous = prev
	d2, err := NewDocument(next)
	if err != nil {
		t.Fatal(err)
	}
	t1, _ := json.Marshal(d1.Trend)
	t2, _ := json.Marshal(d2.Trend)
	if !bytes.Equal(t1, t2) {
		t.Error("trend against the report read back differs")
	}
	if !d2.Trend.Unchanged || len(d2.Trend.New) != 0 {
		t.Errorf("the same audit twice: trend %+v", d2.Trend)
	}
}

func TestParsePreviousErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"not json":       `{"format": 1,`,
		"no format":      `{"findings": []}`,
		"newer format":   `{"format": 2, "findings": []}`,
		"string format":  `{"format": "1"}`,
		"no fingerprint": `{"format": 1, "findings": [{"id": "F-001", "detection": "x"}]}`,
		"bad time":       `{"format": 1, "generated_at": "yesterday"}`,
	} {
		if _, err := ParsePrevious(name, []byte(doc)); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		} else if !strings.Contains(err.Error(), name) {
			t.Errorf("%s: the error does not name the file: %v", name, err)
		}
	}
	if _, err := ReadPrevious(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, ErrFormat) {
		t.Errorf("missing file: err = %v", err)
	}
}

func FuzzParsePrevious(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", "expected", FileJSON))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add([]byte(`{"format": 1}`))
	f.Add([]byte(`{"format": 1, "findings": [{"fingerprint": "ab", "suppressed": true}]}`))
	f.Add([]byte(`{"format": 2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		prev, err := ParsePrevious("fuzz.json", data)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error without ErrFormat: %v", err)
			}
			return
		}
		for _, f := range prev.Findings {
			if f.Fingerprint == "" {
				t.Fatal("a finding without fingerprint was accepted")
			}
		}
		in := fixtureInput()
		in.Previous = prev
		if _, err := NewDocument(in); err != nil {
			t.Fatal(err)
		}
	})
}

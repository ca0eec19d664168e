package snapshot

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// TestGoldenManifest pins the manifest format. Random fields (id suffix,
// checksums, wrapped keys, tag) are replaced before comparing.
func TestGoldenManifest(t *testing.T) {
	opts := testOptions(t, t.TempDir())
	opts.Now = func() time.Time { return fixedNow }
	opts.Extra = map[string]string{"run_id": "run-0001", "pipeline": "nightly"}
	m := writeSnapshot(t, opts, fullSchema(), 25, 10, []Reject{{File: "c.csv", Line: 3, Column: "amount", Reason: "bad", Raw: "x"}})
	raw, err := os.ReadFile(filepath.Join(TableDir(opts.Store, opts.Table), m.ID, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		// A real, unsanitized manifest seeds the fuzz test.
		if err := os.WriteFile(filepath.Join("testdata", "manifests", "valid.json"), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ParseManifest(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.ID, "20261122T021500Z-") {
		t.Fatalf("id %q does not carry the creation time", got.ID)
	}
	got.ID = "20261122T021500Z-000000"
	got.Tag = "SANITIZED"
	for i := range got.Files {
		got.Files[i].SHA256 = "SANITIZED"
		got.Files[i].WrappedKey = "SANITIZED"
	}
	b, err := got.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "expected", "manifest.json")
	if *update {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("manifest differs from %s (run go test -update):\n%s", golden, b)
	}
}

func TestParseManifestFixtures(t *testing.T) {
	ents, err := os.ReadDir(filepath.Join("testdata", "manifests"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("testdata", "manifests", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		_, err = ParseManifest(b)
		valid := strings.HasPrefix(e.Name(), "valid")
		if valid && err != nil {
			t.Errorf("%s: %v", e.Name(), err)
		}
		if !valid && !errors.Is(err, ErrManifestInvalid) {
			t.Errorf("%s: err = %v, want ErrManifestInvalid", e.Name(), err)
		}
	}
}

func FuzzParseManifest(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "manifests", "*.json"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	auth := newTestAuth("fuzz")
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			if !errors.Is(err, ErrManifestInvalid) {
				t.Fatalf("error does not wrap ErrManifestInvalid: %v", err)
			}
			return
		}
		// A parsed manifest re-encodes, re-parses to the same canonical
		// bytes and names only safe files.
		c1, err := m.CanonicalBytes()
		if err != nil {
			t.Fatal(err)
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		m2, err := ParseManifest(out)
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		c2, _ := m2.CanonicalBytes()
		if !bytes.Equal(c1, c2) {
			t.Fatalf("canonical bytes changed:\n%s\n%s", c1, c2)
		}
		for _, file := range m.Files {
			if strings.ContainsAny(file.Name, `/\`) || strings.HasPrefix(file.Name, ".") {
				t.Fatalf("unsafe file name %q accepted", file.Name)
			}
		}
		if err := m.Sign(auth); err != nil {
			t.Fatal(err)
		}
		if err := m.Authenticate(auth); err != nil {
			t.Fatalf("sign/authenticate round trip: %v", err)
		}
	})
}

package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileHeadersAreEscaped: CSV headers holding terminal escape
// sequences and a bidi override reach the inventory escaped, never raw.
func TestHostileHeadersAreEscaped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "data", "evil.csv"),
		"id,\"name\x1b[2J\x1b]0;owned\x07\",\"mail\u202eliame\"\n1,张三,a@example.com\n2,李四,b@example.com\n")
	mustWrite(t, filepath.Join(dir, "vigil.yaml"), `format: 1
home: home
keys: {key_file: master.key}
sources:
  crm:
    type: csv
    dir: data
    tables:
      evil: {file: evil.csv}
jobs:
  nightly: {stages: [snapshot, classify]}
`)
	mustRun(t, dir, nil, "keys", "keyfile", "master.key")
	mustRun(t, dir, nil, "keys", "init")
	r := vigil(t, dir, nil, "run", "nightly")
	out := r.stdout + r.stderr
	r = mustRun(t, dir, nil, "classify", "--cached")
	out += r.stdout + r.stderr
	if strings.ContainsAny(out, "\x1b\x07\u202e") {
		t.Fatalf("raw control characters were printed:\n%q", out)
	}
	if !strings.Contains(r.stdout, `name\x1b[2J`) || !strings.Contains(r.stdout, `mail\u202eliame`) {
		t.Errorf("the inventory does not show the escaped headers:\n%s", r.stdout)
	}
}

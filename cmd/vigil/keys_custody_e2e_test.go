package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

const custodyPass = "correct horse battery staple"

func custodyConfig(home, data string) string {
	return `format: 1
home: ` + home + `
timezone: UTC
keys: {passphrase_env: VIGIL_PASS}
sources:
  crm:
    type: csv
    dir: ` + data + `
    tables:
      customers: {file: customers.csv}
      staff: {file: staff.csv}
jobs:
  nightly: {stages: [snapshot, backup]}
backup:
  targets:
    offsite: {type: dir, path: offsite}
`
}

// Must show: rotate, rewrap, retire the old key, change the passphrase:
// every snapshot still verifies; the age escrow restores access on a fresh
// machine that has only the age identity (and the off-site copy).
func TestKeyCustody(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, nil, "demo", "generate", "--rows", "200", "--seed", "3", "--out", "data")
	os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(custodyConfig("home", "data")), 0o600)
	env := []string{"VIGIL_PASS=" + custodyPass}
	run := func(env []string, args ...string) result {
		t.Helper()
		r := vigil(t, dir, env, args...)
		if r.code != 0 {
			t.Fatalf("vigil %s: %s", strings.Join(args, " "), r)
		}
		return r
	}
	if r := vigil(t, dir, []string{"VIGIL_PASS=Password123!"}, "keys", "init"); r.code != exitKeys || !strings.Contains(r.stderr, "too weak") {
		t.Fatalf("weak passphrase accepted: %s", r)
	}
	run(env, "keys", "init")
	run(env, "run", "nightly")
	var info struct {
		Keys []struct {
			ID, Purpose string
			Primary     bool
			Snapshots   map[string]int
		}
	}
	keysList := func(env []string) {
		t.Helper()
		out := run(env, "keys", "list", "--json")
		if err := json.Unmarshal([]byte(out.stdout), &info); err != nil {
			t.Fatal(err)
		}
	}
	keysList(env)
	oldWrap := ""
	for _, k := range info.Keys {
		if k.Purpose == "wrap" {
			oldWrap = k.ID
			if k.Snapshots["local"] != 2 || k.Snapshots["offsite"] != 2 {
				t.Fatalf("wrap key counts %v, want 2 local and 2 offsite", k.Snapshots)
			}
		}
	}
	run(env, "keys", "rotate", "wrap")
	// Retire is refused while snapshots depend on the old key.
	if r := vigil(t, dir, env, "keys", "retire", oldWrap); r.code != exitKeys || !strings.Contains(r.stderr, "still wrapped") {
		t.Fatalf("retire of a key in use: %s", r)
	}
	run(env, "snapshots", "rewrap", "--all")
	run(env, "snapshots", "rewrap", "--all") // idempotent, resumable
	// The off-site copies still use the old key until the next backup.
	if r := vigil(t, dir, env, "keys", "retire", oldWrap); r.code != exitKeys {
		t.Fatalf("retire while the target still depends on the key: %s", r)
	}
	run(env, "backup")
	run(env, "keys", "retire", oldWrap)
	keysList(env)
	for _, k := range info.Keys {
		if k.ID == oldWrap && (k.Snapshots["local"] != 0 || k.Snapshots["offsite"] != 0) {
			t.Fatalf("retired key still counted: %v", k.Snapshots)
		}
	}
	const newPass = "purple elephant wanders quietly"
	if r := vigil(t, dir, append(env, "VIGIL_NEW_PASSPHRASE=short"), "keys", "change-passphrase"); r.code != exitKeys {
		t.Fatalf("weak new passphrase accepted: %s", r)
	}
	run(append(env, "VIGIL_NEW_PASSPHRASE="+newPass), "keys", "change-passphrase")
	if r := vigil(t, dir, env, "keys", "info"); r.code != exitKeys {
		t.Fatalf("old passphrase still opens the keyset: %s", r)
	}
	env = []string{"VIGIL_PASS=" + newPass}
	out := run(env, "verify", "--all")
	if !strings.Contains(out.stdout, "2 snapshots verified, 0 with problems") {
		t.Fatalf("verify after custody steps:\n%s", out.stdout)
	}
	run(env, "verify", "--target", "offsite", "--all")
	run(env, "restore", "--run", "latest", "--to", "original")

	// Escrow to an age identity; the fresh machine has only that identity,
	// the escrow file and the off-site copy.
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	run(env, "keys", "export", "--to-age", id.Recipient().String(), "--out", "escrow.age")
	raw, _ := os.ReadFile(filepath.Join(dir, "escrow.age"))
	if bytes.Contains(raw, []byte("keyset")) {
		t.Fatal("escrow file is not encrypted")
	}
	fresh := t.TempDir()
	os.WriteFile(filepath.Join(fresh, "identity.txt"), []byte(id.String()+"\n"), 0o600)
	os.Rename(filepath.Join(dir, "escrow.age"), filepath.Join(fresh, "escrow.age"))
	os.Rename(filepath.Join(dir, "offsite"), filepath.Join(fresh, "offsite"))
	os.MkdirAll(filepath.Join(fresh, "data"), 0o700)
	os.WriteFile(filepath.Join(fresh, "data", "customers.csv"), []byte("x\n"), 0o600)
	os.WriteFile(filepath.Join(fresh, "data", "staff.csv"), []byte("x\n"), 0o600)
	os.WriteFile(filepath.Join(fresh, "vigil.yaml"), []byte(custodyConfig("home", "data")), 0o600)
	freshEnv := []string{"VIGIL_PASS=another strong passphrase here"}
	if r := vigil(t, fresh, freshEnv, "restore", "--run", "latest", "--target", "offsite", "--to", "restored"); r.code != exitKeys {
		t.Fatalf("restore without keys: %s", r)
	}
	if r := vigil(t, fresh, freshEnv, "keys", "import", "escrow.age", "--identity", "identity.txt"); r.code != 0 {
		t.Fatalf("keys import: %s", r)
	}
	if r := vigil(t, fresh, freshEnv, "restore", "--run", "latest", "--target", "offsite", "--to", "restored"); r.code != 0 {
		t.Fatalf("restore on the fresh machine: %s", r)
	}
	orig, _ := filepath.Glob(filepath.Join(dir, "original", "*"))
	if len(orig) != 2 {
		t.Fatalf("original restore: %v", orig)
	}
	for _, o := range orig {
		a, _ := os.ReadFile(o)
		b, err := os.ReadFile(filepath.Join(fresh, "restored", filepath.Base(o)))
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("%s differs on the fresh machine (%v)", filepath.Base(o), err)
		}
	}
}

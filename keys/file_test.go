package keys

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata fixtures and expected files")

const (
	fixtureKeyFile    = "testdata/test-only.key" // a key for these fixtures only; protects nothing
	fixtureKeyset     = "testdata/keyset-keyfile.json"
	fixturePassKeyset = "testdata/keyset-passphrase.json"
	fixturePassphrase = "vigil-fixture-passphrase" // for testdata/keyset-passphrase.json only
	fixtureExpected   = "testdata/expected/compat.json"
)

// compat records what a format-1 keyset written by an earlier build must keep
// doing: unwrap its wrapped key, verify its tag and give the same token.
type compat struct {
	AD      string                   `json:"associated_data"`
	DEK     []byte                   `json:"dek"`
	Msg     string                   `json:"message"`
	Label   string                   `json:"token_label"`
	Data    string                   `json:"token_data"`
	Fixture map[string]compatFixture `json:"fixtures"`
}

type compatFixture struct {
	WrapKeyID  string `json:"wrap_key_id"`
	Wrapped    []byte `json:"wrapped"`
	WrappedOld []byte `json:"wrapped_before_rotation"`
	Tag        []byte `json:"tag"`
	Token      []byte `json:"token"`
}

func fixtureUnlocks(t *testing.T) map[string]Unlock {
	t.Setenv("VIGIL_FIXTURE_PASSPHRASE", fixturePassphrase)
	return map[string]Unlock{
		fixtureKeyset:     {KeyFile: copyKeyFile(t, fixtureKeyFile)},
		fixturePassKeyset: {PassphraseEnv: "VIGIL_FIXTURE_PASSPHRASE"},
	}
}

// TestCompatFixtures opens keysets committed in testdata: the file format must
// stay readable. Regenerate with `go test ./keys -run CompatFixtures -update`.
func TestCompatFixtures(t *testing.T) {
	if *update {
		writeFixtures(t)
	}
	raw, err := os.ReadFile(fixtureExpected)
	if err != nil {
		t.Fatal(err)
	}
	var want compat
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	for path, u := range fixtureUnlocks(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			// Open a copy: the committed file must never be rewritten by a test.
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cp := filepath.Join(t.TempDir(), "keyset.json")
			if err := os.WriteFile(cp, data, 0o600); err != nil {
				t.Fatal(err)
			}
			k := mustOpen(t, cp, u)
			fx := want.Fixture[filepath.Base(path)]
			for _, w := range [][]byte{fx.Wrapped, fx.WrappedOld} {
				dek, err := k.UnwrapKey(w, []byte(want.AD))
				if err != nil || !bytes.Equal(dek, want.DEK) {
					t.Errorf("UnwrapKey: %v", err)
				}
			}
			if id, _ := KeyIDOf(PurposeWrap, fx.WrappedOld); id == fx.WrapKeyID {
				t.Error("fixture's old wrapped key uses the primary key")
			}
			if k.PrimaryKeyID(PurposeWrap) != fx.WrapKeyID {
				t.Errorf("wrap primary %q, want %q", k.PrimaryKeyID(PurposeWrap), fx.WrapKeyID)
			}
			if err := k.Verify([]byte(want.Msg), fx.Tag); err != nil {
				t.Errorf("Verify: %v", err)
			}
			tok, err := k.Token(want.Label, []byte(want.Data))
			if err != nil || !bytes.Equal(tok, fx.Token) {
				t.Errorf("Token = %x, %v; want %x", tok, err, fx.Token)
			}
		})
	}
}

func writeFixtures(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for _, p := range []string{fixtureKeyFile, fixtureKeyset, fixturePassKeyset} {
		os.Remove(p)
	}
	if err := GenerateKeyFile(fixtureKeyFile); err != nil {
		t.Fatal(err)
	}
	c := compat{AD: "customers/20260102T030405Z", DEK: bytes.Repeat([]byte{0xd5}, 32), Msg: `{"format":1}`,
		Label: "email", Data: "alice@example.com"}
	c.Fixture = map[string]compatFixture{}
	for path, u := range fixtureUnlocks(t) {
		k, err := InitWithOptions(ctx, path, u, t0, InitOptions{Argon2: cheapArgon2})
		if err != nil {
			t.Fatal(err)
		}
		// One rotation, so the fixtures hold an old key too.
		_, wrappedOld, err := k.WrapKey(c.DEK, []byte(c.AD))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.Rotate(ctx, PurposeWrap, t0.Add(3600e9)); err != nil {
			t.Fatal(err)
		}
		fx := c.Fixture[filepath.Base(path)]
		fx.WrappedOld = wrappedOld
		if fx.WrapKeyID, fx.Wrapped, err = k.WrapKey(c.DEK, []byte(c.AD)); err != nil {
			t.Fatal(err)
		}
		if fx.Tag, err = k.Sign([]byte(c.Msg)); err != nil {
			t.Fatal(err)
		}
		if fx.Token, err = k.Token(c.Label, []byte(c.Data)); err != nil {
			t.Fatal(err)
		}
		c.Fixture[filepath.Base(path)] = fx
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	if err := os.WriteFile(fixtureExpected, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	// Committed files: git keeps no modes, and tests copy the key to a 0600 file.
	for _, p := range []string{fixtureKeyFile, fixtureKeyset, fixturePassKeyset} {
		os.Chmod(p, 0o644)
	}
}

func TestOpenInvalidFixtures(t *testing.T) {
	ctx := context.Background()
	u := Unlock{KeyFile: copyKeyFile(t, fixtureKeyFile)}
	tests := map[string]struct {
		want     error
		contains []string
	}{
		"syntax.json":             {ErrCorrupt, []string{"syntax.json", "line 3, column"}},
		"empty.json":              {ErrCorrupt, []string{"empty"}},
		"array.json":              {ErrCorrupt, []string{"line 1"}},
		"no-format.json":          {ErrCorrupt, []string{`no "format"`}},
		"format-2.json":           {ErrUnsupportedFormat, []string{"format 2"}},
		"format-string.json":      {ErrCorrupt, []string{"not an integer"}},
		"unknown-field.json":      {ErrCorrupt, []string{`unknown field "passphrase"`}},
		"type-error.json":         {ErrCorrupt, []string{"line 6", "kdf.time"}},
		"bad-kdf.json":            {ErrCorrupt, []string{`unknown algorithm "scrypt"`}},
		"huge-argon2.json":        {ErrCorrupt, []string{"memory"}},
		"bad-base64.json":         {ErrCorrupt, []string{"base64"}},
		"missing-purpose.json":    {ErrCorrupt, []string{"no keyset for purpose manifest"}},
		"primary-not-listed.json": {ErrCorrupt, []string{`primary "wrap-0000002b"`}},
		"trailing.json":           {ErrCorrupt, []string{"line 2", "after top-level value"}},
	}
	entries, err := os.ReadDir("testdata/invalid")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(tests) {
		t.Errorf("testdata/invalid holds %d files, the table %d", len(entries), len(tests))
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata/invalid", name)
			k, err := Open(ctx, path, u)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open = %v, %v; want %v", k, err, tc.want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestCorruptErrorLocation(t *testing.T) {
	_, err := Open(context.Background(), "testdata/invalid/syntax.json", Unlock{KeyFile: "unused"})
	var ce *CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *CorruptError", err)
	}
	if ce.Line != 3 || ce.Column == 0 || ce.Offset <= 0 || ce.Path != "testdata/invalid/syntax.json" {
		t.Errorf("CorruptError = %+v", ce)
	}
}

// TestTampering edits a keyset file in the ways an attacker without the
// secret could, and checks each is caught with the right error.
func TestTampering(t *testing.T) {
	ctx := context.Background()
	k, path, u := initKeyFile(t)
	if _, err := k.Rotate(ctx, PurposeWrap, t0); err != nil { // so wrap has an old, non-primary key
		t.Fatal(err)
	}
	macKey := k.load().sec.macKey
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(t *testing.T, fn func(f *fileV1), remac bool) {
		t.Helper()
		f, err := decodeFile(path, orig)
		if err != nil {
			t.Fatal(err)
		}
		f = f.clone()
		fn(f)
		if remac {
			f.MAC = f.computeMAC(macKey)
		}
		b, err := f.encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		fn       func(f *fileV1)
		remac    bool // the attacker somehow has the MAC key: defence in depth
		want     error
		contains string
	}{
		{"key created time", func(f *fileV1) { f.Keysets[0].Keys[0].Created = t0.Add(1e9) }, false, ErrCorrupt, "modified"},
		{"key status", func(f *fileV1) { f.Keysets[0].Keys[0].Status = StatusDisabled }, false, ErrCorrupt, "modified"},
		{"swap keysets", func(f *fileV1) {
			f.Keysets[0].Encrypted, f.Keysets[1].Encrypted = f.Keysets[1].Encrypted, f.Keysets[0].Encrypted
		}, false, ErrCorrupt, "modified"},
		{"swap keysets with valid mac", func(f *fileV1) {
			f.Keysets[0].Encrypted, f.Keysets[1].Encrypted = f.Keysets[1].Encrypted, f.Keysets[0].Encrypted
		}, true, ErrCorrupt, "does not decrypt"},
		{"status disagrees with keyset", func(f *fileV1) { f.Keysets[0].Keys[0].Status = StatusDisabled }, true, ErrCorrupt, "metadata says disabled"},
		{"primary disagrees with keyset", func(f *fileV1) { f.Keysets[0].Primary = f.Keysets[0].Keys[0].ID }, true, ErrCorrupt, "primary is"},
		{"extra key in metadata", func(f *fileV1) {
			f.Keysets[0].Keys = append(f.Keysets[0].Keys, fileKey{ID: "wrap-00000001", Created: t0, Status: StatusEnabled})
		}, true, ErrCorrupt, "metadata lists 3"},
		{"salt", func(f *fileV1) { f.KDF.Salt[0] ^= 1 }, false, ErrWrongPassphrase, ""},
		{"check value", func(f *fileV1) { f.Check[0] ^= 1 }, false, ErrWrongPassphrase, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer os.WriteFile(path, orig, 0o600)
			edit(t, tc.fn, tc.remac)
			_, err := Open(ctx, path, u)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open = %v, want %v", err, tc.want)
			}
			if tc.contains != "" && !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("error %q does not mention %q", err, tc.contains)
			}
		})
	}
	t.Run("untouched still opens", func(t *testing.T) { mustOpen(t, path, u) })
}

// FuzzOpen feeds arbitrary bytes to the keyset file parser and unlocker: any
// input must give a keyring or ErrCorrupt / ErrUnsupportedFormat /
// ErrWrongPassphrase, and never panic.
func FuzzOpen(f *testing.F) {
	for _, dir := range []string{"testdata", "testdata/invalid"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	raw, err := os.ReadFile(fixtureKeyFile)
	if err != nil {
		f.Fatal(err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := decodeFile("fuzz.json", data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupportedFormat) {
				t.Fatalf("decodeFile: unexpected error %v", err)
			}
			return
		}
		s := &secretInput{kdf: kdfKeyFile, material: bytes.Clone(key)}
		if file.KDF.Algorithm == kdfArgon2id {
			// Keep iterations cheap: a passphrase file with a key file fails
			// before argon2id runs; a wrong passphrase is cheap enough only
			// with small parameters.
			if file.KDF.MemoryKiB <= 1024 && file.KDF.Time <= 2 {
				s = &secretInput{kdf: kdfArgon2id, material: []byte(fixturePassphrase)}
			}
		}
		k, err := unlockFile(ctx, "fuzz.json", data, file, s)
		switch {
		case err == nil:
			if len(k.Info()) < 3 {
				t.Fatalf("opened keyring with %d keys", len(k.Info()))
			}
		case errors.Is(err, ErrCorrupt), errors.Is(err, ErrWrongPassphrase):
		default:
			t.Fatalf("unlockFile: unexpected error %v", err)
		}
	})
}

package keys

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// cheapArgon2 keeps passphrase tests fast. Never use outside tests.
var cheapArgon2 = &Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}

const testPassEnv = "VIGIL_TEST_PASSPHRASE"

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newKeyFile writes a fresh key file into a temporary directory.
func newKeyFile(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "vigil.key")
	if err := GenerateKeyFile(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// initKeyFile creates a key-file keyring in a temporary directory.
func initKeyFile(t testing.TB) (*Keyring, string, Unlock) {
	t.Helper()
	u := Unlock{KeyFile: newKeyFile(t)}
	path := filepath.Join(t.TempDir(), "keys", "keyset.json")
	k, err := Init(context.Background(), path, u, t0)
	if err != nil {
		t.Fatal(err)
	}
	return k, path, u
}

// initPassphrase creates a passphrase keyring with cheap argon2id parameters.
func initPassphrase(t *testing.T, pass string) (*Keyring, string, Unlock) {
	t.Helper()
	t.Setenv(testPassEnv, pass)
	u := Unlock{PassphraseEnv: testPassEnv}
	path := filepath.Join(t.TempDir(), "keyset.json")
	k, err := InitWithOptions(context.Background(), path, u, t0, InitOptions{Argon2: cheapArgon2})
	if err != nil {
		t.Fatal(err)
	}
	return k, path, u
}

func mustOpen(t testing.TB, path string, u Unlock) *Keyring {
	t.Helper()
	k, err := Open(context.Background(), path, u)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// copyKeyFile copies a committed key file to a private 0600 file (git does
// not keep permissions).
func copyKeyFile(t testing.TB, src string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

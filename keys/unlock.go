package keys

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Unlock says how to unlock a keyset: exactly one of a passphrase, read from
// the environment variable named PassphraseEnv, or a key file. The passphrase
// itself is never accepted as a value (so it never appears in argv or config).
type Unlock struct {
	PassphraseEnv string // name of the environment variable holding the passphrase
	KeyFile       string // path of a key file made by GenerateKeyFile (mode 0600)
}

// Validate checks that exactly one unlock method is given and that
// PassphraseEnv looks like a variable name. It reads neither the variable
// nor the file.
func (u Unlock) Validate() error {
	switch {
	case u.PassphraseEnv == "" && u.KeyFile == "":
		return fmt.Errorf("%w: give a passphrase environment variable or a key file", ErrUnlockConfig)
	case u.PassphraseEnv != "" && u.KeyFile != "":
		return fmt.Errorf("%w: give a passphrase environment variable or a key file, not both", ErrUnlockConfig)
	case u.PassphraseEnv != "" && !isEnvName(u.PassphraseEnv):
		// Do not echo the value: a user may have put the passphrase itself here.
		return fmt.Errorf("%w: the passphrase setting must name an environment variable (letters, digits, underscore), not hold the passphrase", ErrUnlockConfig)
	}
	return nil
}

func (u Unlock) kdfName() string {
	if u.KeyFile != "" {
		return kdfKeyFile
	}
	return kdfArgon2id
}

func isEnvName(s string) bool {
	for i, r := range s {
		switch {
		case r == '_', 'A' <= r && r <= 'Z', 'a' <= r && r <= 'z':
		case '0' <= r && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}

// secretInput is the unlocking secret: a passphrase or the 32 bytes of a key file.
type secretInput struct {
	kdf      string // kdfArgon2id or kdfKeyFile
	material []byte
}

func (s *secretInput) wipe() { clear(s.material) }

// String redacts: a secretInput must never be printed.
func (s *secretInput) String() string   { return "keys.secret[redacted]" }
func (s *secretInput) GoString() string { return s.String() }

// readSecret reads the passphrase variable or the key file.
func (u Unlock) readSecret() (*secretInput, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if u.KeyFile != "" {
		b, err := readKeyFile(u.KeyFile)
		if err != nil {
			return nil, err
		}
		return &secretInput{kdf: kdfKeyFile, material: b}, nil
	}
	v, ok := os.LookupEnv(u.PassphraseEnv)
	if !ok || v == "" {
		return nil, fmt.Errorf("%w: environment variable %s is unset or empty", ErrNoPassphrase, u.PassphraseEnv)
	}
	return &secretInput{kdf: kdfArgon2id, material: []byte(v)}, nil
}

const keyFileLen = 32

// readKeyFile reads and decodes a key file, refusing one that group or
// others may read or write.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		// A missing or unreadable key file is a key problem (exit code 4).
		return nil, fmt.Errorf("%w: %w", ErrBadKeyFile, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keys: key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrBadKeyFile, path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("%w: %s has mode %04o and is accessible by group or others; run chmod 600 %s",
			ErrInsecureKeyFile, path, perm, path)
	}
	raw, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return nil, fmt.Errorf("keys: key file: %w", err)
	}
	defer clear(raw)
	buf := make([]byte, base64.StdEncoding.DecodedLen(len(raw)))
	n, err := base64.StdEncoding.Decode(buf, bytes.TrimSpace(raw))
	if err != nil || n != keyFileLen {
		clear(buf)
		// No decoder detail: it could quote part of the file.
		return nil, fmt.Errorf("%w: %s does not hold %d base64-encoded random bytes",
			ErrBadKeyFile, path, keyFileLen)
	}
	return buf[:n], nil
}

// GenerateKeyFile writes a new key file: 32 random bytes, base64, mode 0600.
// It refuses to overwrite an existing file (ErrExists) and creates missing
// parent directories with mode 0700.
func GenerateKeyFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("keys: key file: %w", err)
	}
	key := make([]byte, keyFileLen)
	defer clear(key)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("keys: random: %w", err)
	}
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(key))+1)
	defer clear(enc)
	base64.StdEncoding.Encode(enc, key)
	enc[len(enc)-1] = '\n'

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %s (refusing to overwrite a key file)", ErrExists, path)
	}
	if err != nil {
		return fmt.Errorf("keys: key file: %w", err)
	}
	_, err = f.Write(enc)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("keys: key file: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

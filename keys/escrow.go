package keys

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
)

// EscrowFormat is the version of the escrow bundle inside an age file.
const EscrowFormat = 1

// escrowBundle is the plaintext age encrypts: the keyset file re-protected
// under a fresh random key file, and that key file. Whoever holds the age
// identity holds every key.
type escrowBundle struct {
	Format  int       `json:"format"`
	Kind    string    `json:"kind"` // "vigil-keyset-escrow"
	Created time.Time `json:"created"`
	Keyset  []byte    `json:"keyset"`
	KeyFile []byte    `json:"key_file"`
}

// ErrEscrow is returned for an escrow file that cannot be read.
var ErrEscrow = errors.New("keys: bad escrow file")

// ExportAge writes an escrow copy of the keyring for an age recipient
// ("age1..."): every key, usable on a fresh machine with only the matching
// age identity (see ImportAge). The output is written with mode 0600 and
// never overwrites a file. Key material is never printed.
func (k *Keyring) ExportAge(ctx context.Context, recipient, out string, now time.Time) error {
	r, err := age.ParseX25519Recipient(strings.TrimSpace(recipient))
	if err != nil {
		return fmt.Errorf("keys: age recipient: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".vigil-escrow-")
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	defer os.RemoveAll(tmp)
	kf := filepath.Join(tmp, "escrow.key")
	if err := GenerateKeyFile(kf); err != nil {
		return err
	}
	ksPath := filepath.Join(tmp, "keyset.json")
	if _, err := k.Reprotect(ctx, ksPath, Unlock{KeyFile: kf}, false, InitOptions{}); err != nil {
		return err
	}
	ksData, err := os.ReadFile(ksPath)
	if err != nil {
		return err
	}
	kfData, err := os.ReadFile(kf)
	if err != nil {
		return err
	}
	plain, err := json.Marshal(escrowBundle{Format: EscrowFormat, Kind: "vigil-keyset-escrow", Created: stamp(now), Keyset: ksData, KeyFile: kfData})
	clear(kfData)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return fmt.Errorf("keys: age: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return fmt.Errorf("keys: age: %w", err)
	}
	clear(plain)
	if err := w.Close(); err != nil {
		return fmt.Errorf("keys: age: %w", err)
	}
	return writeFileAtomic(out, buf.Bytes(), true)
}

// ImportAge reads an escrow file made by ExportAge with the age identities
// in identityFile (as written by age-keygen) and writes the keyset to path
// under protection u (a passphrase must pass CheckPassphrase). It refuses
// to overwrite an existing keyset.
func ImportAge(ctx context.Context, escrowFile, identityFile, path string, u Unlock) (*Keyring, error) {
	idf, err := os.Open(identityFile)
	if err != nil {
		return nil, fmt.Errorf("keys: age identity: %w", err)
	}
	ids, err := age.ParseIdentities(idf)
	idf.Close()
	if err != nil {
		return nil, fmt.Errorf("keys: age identity: %w", err)
	}
	ef, err := os.Open(escrowFile)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	defer ef.Close()
	r, err := age.Decrypt(ef, ids...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEscrow, err)
	}
	plain, err := io.ReadAll(io.LimitReader(r, maxFileSize))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEscrow, err)
	}
	defer clear(plain)
	var b escrowBundle
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil || b.Format != EscrowFormat || b.Kind != "vigil-keyset-escrow" {
		return nil, fmt.Errorf("%w: not a Vigil keyset escrow (format %d)", ErrEscrow, b.Format)
	}
	defer clear(b.KeyFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(path), ".vigil-import-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	kf := filepath.Join(tmp, "escrow.key")
	if err := os.WriteFile(kf, b.KeyFile, 0o600); err != nil {
		return nil, err
	}
	ksPath := filepath.Join(tmp, "keyset.json")
	if err := os.WriteFile(ksPath, b.Keyset, 0o600); err != nil {
		return nil, err
	}
	kr, err := Open(ctx, ksPath, Unlock{KeyFile: kf})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEscrow, err)
	}
	return kr.Reprotect(ctx, path, u, false, InitOptions{})
}

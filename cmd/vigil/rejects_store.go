package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/stages/extract"
)

// Rejects of a table whose extraction failed (too many rejects, a file that
// changed, a bad header) are not in any snapshot: nothing of that table was
// committed. They are kept in home/rejects/TABLE/ID.json so that `vigil
// rejects` can show why: file, line, column and reason in the clear (they
// never hold data), the raw rows encrypted under a fresh key wrapped by the
// keyring (AES-256-GCM, the table and ID as associated data).

// maxKeptRejects bounds what a failed table keeps: the first rejects, in
// file order, and at most maxKeptRawBytes of their raw text.
const (
	maxKeptRejects  = 10000
	maxKeptRawBytes = 16 << 20
)

// failedExtraction is the file written for a failed table.
type failedExtraction struct {
	Format       int            `json:"format"`
	Table        string         `json:"table"`
	ID           string         `json:"id"`
	RunID        string         `json:"run_id"`
	Created      time.Time      `json:"created"`
	RowsRead     int64          `json:"rows_read"`
	RowsRejected int64          `json:"rows_rejected"`
	MaxRejected  string         `json:"max_rejected"`
	Error        string         `json:"error"`
	Rejects      []rejectEntry  `json:"rejects"` // the first maxKeptRejects
	Raw          *encryptedBlob `json:"raw,omitempty"`
	rawRows      []string       // plaintext, only in memory
}

type rejectEntry struct {
	File   string `json:"file"`
	Line   int64  `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

type encryptedBlob struct {
	KeyID      string `json:"key_id"`
	WrappedKey []byte `json:"wrapped_key"`
	Nonce      []byte `json:"nonce"`
	Ciphertext []byte `json:"ciphertext"`
}

// rejectCollector keeps the first rejects of a table while it is read.
type rejectCollector struct {
	entries  []rejectEntry
	raw      []string
	rawBytes int
}

func (c *rejectCollector) add(r extract.Reject) {
	if len(c.entries) >= maxKeptRejects {
		return
	}
	c.entries = append(c.entries, rejectEntry{File: r.File, Line: r.Line, Column: r.Column, Reason: r.Reason})
	if c.rawBytes+len(r.Raw) <= maxKeptRawBytes {
		c.raw = append(c.raw, r.Raw)
		c.rawBytes += len(r.Raw)
	} else {
		c.raw = append(c.raw, "") // not kept: over the size bound
	}
}

func rejectsDir(home, table string) string { return filepath.Join(home, "rejects", table) }

func rejectsAD(table, id string) []byte { return []byte("vigil rejects v1\x00" + table + "\x00" + id) }

// saveFailedExtraction writes the record of a failed table, raw rows encrypted.
func saveFailedExtraction(home string, kr *keys.Keyring, fe *failedExtraction) (string, error) {
	dir := rejectsDir(home, fe.Table)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if len(fe.rawRows) > 0 {
		plain, err := json.Marshal(fe.rawRows)
		if err != nil {
			return "", err
		}
		blob, err := sealBlob(kr, plain, rejectsAD(fe.Table, fe.ID))
		clear(plain)
		if err != nil {
			return "", err
		}
		fe.Raw = blob
	}
	b, err := json.MarshalIndent(fe, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, fe.ID+".json")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return path, nil
}

func sealBlob(kr *keys.Keyring, plain, ad []byte) (*encryptedBlob, error) {
	dek := make([]byte, 32)
	if _, err := rand.Read(dek); err != nil {
		return nil, err
	}
	defer clear(dek)
	keyID, wrapped, err := kr.WrapKey(dek, ad)
	if err != nil {
		return nil, err
	}
	gcm, err := newGCM(dek)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return &encryptedBlob{KeyID: keyID, WrappedKey: wrapped, Nonce: nonce, Ciphertext: gcm.Seal(nil, nonce, plain, ad)}, nil
}

func openBlob(kr *keys.Keyring, b *encryptedBlob, ad []byte) ([]byte, error) {
	dek, err := kr.UnwrapKey(b.WrappedKey, ad)
	if err != nil {
		return nil, err
	}
	defer clear(dek)
	gcm, err := newGCM(dek)
	if err != nil {
		return nil, err
	}
	return gcm.Open(nil, b.Nonce, b.Ciphertext, ad)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(blk)
}

// loadFailedExtraction reads home/rejects/TABLE/ID.json.
func loadFailedExtraction(home, table, id string) (*failedExtraction, error) {
	if strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") {
		return nil, fmt.Errorf("invalid id %q", id)
	}
	b, err := os.ReadFile(filepath.Join(rejectsDir(home, table), id+".json"))
	if err != nil {
		return nil, err
	}
	var fe failedExtraction
	if err := json.Unmarshal(b, &fe); err != nil {
		return nil, fmt.Errorf("%s/%s: %w", table, id, err)
	}
	if fe.Table != table || fe.ID != id {
		return nil, fmt.Errorf("%s/%s: the file names table %q, id %q", table, id, fe.Table, fe.ID)
	}
	return &fe, nil
}

// latestFailedExtraction returns the newest failed extraction of a table, or nil.
func latestFailedExtraction(home, table string) (*failedExtraction, error) {
	entries, err := os.ReadDir(rejectsDir(home, table))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".json"); ok && e.Type().IsRegular() {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	sort.Strings(ids) // IDs start with the UTC time
	return loadFailedExtraction(home, table, ids[len(ids)-1])
}

// newFailedID is a sortable ID: UTC time, then part of the run ID.
func newFailedID(now time.Time, runID string) string {
	id := now.UTC().Format("20060102T150405.000Z")
	id = strings.ReplaceAll(id, ".", "")
	if i := strings.LastIndexByte(runID, '-'); i >= 0 {
		runID = runID[i+1:] // run IDs are TIME-RANDOM
	}
	if r := strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			return c
		}
		return -1
	}, strings.ToLower(runID)); r != "" {
		id += "-" + r[:min(len(r), 8)]
	}
	return id
}

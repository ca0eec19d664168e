package keys

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// formatVersion is the keyset file format this package reads and writes.
const formatVersion = 1

// maxFileSize bounds what Open reads; a keyset file is a few KiB.
const maxFileSize = 8 << 20

// fileV1 is the keyset file. Nothing in it is secret: the Tink keysets are
// encrypted, the rest is metadata authenticated by MAC.
type fileV1 struct {
	Format  int          `json:"format"`
	Created time.Time    `json:"created"`
	KDF     fileKDF      `json:"kdf"`
	Check   []byte       `json:"check"`
	Keysets []fileKeyset `json:"keysets"`
	MAC     []byte       `json:"mac"`
}

type fileKDF struct {
	Algorithm string `json:"algorithm"` // "argon2id" or "keyfile"
	Salt      []byte `json:"salt"`
	Time      uint32 `json:"time,omitempty"`
	MemoryKiB uint32 `json:"memory_kib,omitempty"`
	Threads   uint8  `json:"threads,omitempty"`
}

type fileKeyset struct {
	Purpose   Purpose   `json:"purpose"`
	Algorithm string    `json:"algorithm"`
	Primary   string    `json:"primary"`
	Keys      []fileKey `json:"keys"`
	Encrypted []byte    `json:"encrypted_keyset"` // Tink EncryptedKeyset (binary proto)
}

type fileKey struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Status  string    `json:"status"`
}

func (f *fileV1) keyset(p Purpose) *fileKeyset {
	for i := range f.Keysets {
		if f.Keysets[i].Purpose == p {
			return &f.Keysets[i]
		}
	}
	return nil
}

// clone deep-copies the metadata (the byte slices are never mutated in place,
// so they are shared).
func (f *fileV1) clone() *fileV1 {
	c := *f
	c.Keysets = make([]fileKeyset, len(f.Keysets))
	for i, ks := range f.Keysets {
		ks.Keys = append([]fileKey(nil), ks.Keys...)
		c.Keysets[i] = ks
	}
	return &c
}

// decodeFile parses and structurally validates a keyset file. It needs no
// secret; errors are *CorruptError or wrap ErrUnsupportedFormat.
func decodeFile(path string, data []byte) (*fileV1, error) {
	var probe struct {
		Format json.RawMessage `json:"format"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, jsonError(path, data, err)
	}
	if len(probe.Format) == 0 {
		return nil, corrupt(path, "no \"format\" field (is this a vigil keyset file?)")
	}
	v, err := strconv.Atoi(string(probe.Format))
	if err != nil {
		return nil, corrupt(path, "\"format\" is not an integer")
	}
	if v != formatVersion {
		return nil, fmt.Errorf("%w: %s has format %d, this vigil reads format %d", ErrUnsupportedFormat, path, v, formatVersion)
	}

	// The probe above already rejected trailing data after the object.
	var f fileV1
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(path, data, err)
	}
	if err := f.validate(); err != nil {
		return nil, corrupt(path, "%s", err)
	}
	return &f, nil
}

func jsonError(path string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return corruptAt(path, data, se.Offset, "invalid JSON: "+se.Error())
	case errors.As(err, &te):
		where := te.Field
		if where == "" {
			where = "value"
		}
		return corruptAt(path, data, te.Offset, fmt.Sprintf("%s: want %s, got JSON %s", where, te.Type, te.Value))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return corrupt(path, "truncated or empty file")
	}
	// Unknown fields, bad base64 and bad times: encoding/json messages name
	// the field or the position, never more than a few bytes of input.
	return corrupt(path, "%s", err)
}

// validate checks everything that can be checked without a secret.
func (f *fileV1) validate() error {
	if f.Created.IsZero() {
		return errors.New("no \"created\" time")
	}
	switch f.KDF.Algorithm {
	case kdfArgon2id:
		p := Argon2Params{Time: f.KDF.Time, MemoryKiB: f.KDF.MemoryKiB, Threads: f.KDF.Threads}
		if err := p.Validate(); err != nil {
			return fmt.Errorf("kdf: %w", err)
		}
	case kdfKeyFile:
		if f.KDF.Time != 0 || f.KDF.MemoryKiB != 0 || f.KDF.Threads != 0 {
			return errors.New("kdf: keyfile takes no argon2id parameters")
		}
	case "":
		return errors.New("kdf: no algorithm")
	default:
		return fmt.Errorf("kdf: unknown algorithm %q (want argon2id or keyfile)", f.KDF.Algorithm)
	}
	if len(f.KDF.Salt) < 16 || len(f.KDF.Salt) > 64 {
		return fmt.Errorf("kdf: salt is %d bytes, want 16..64", len(f.KDF.Salt))
	}
	if len(f.Check) != 32 {
		return fmt.Errorf("check: %d bytes, want 32", len(f.Check))
	}
	if len(f.MAC) != sha256.Size {
		return fmt.Errorf("mac: %d bytes, want %d", len(f.MAC), sha256.Size)
	}
	seen := map[Purpose]bool{}
	for i, ks := range f.Keysets {
		if !ks.Purpose.Valid() {
			return fmt.Errorf("keysets[%d]: unknown purpose %q", i, ks.Purpose)
		}
		if seen[ks.Purpose] {
			return fmt.Errorf("keysets[%d]: second keyset for purpose %s", i, ks.Purpose)
		}
		seen[ks.Purpose] = true
		sp, _ := specOf(ks.Purpose)
		if ks.Algorithm != sp.algorithm {
			return fmt.Errorf("keysets[%d] (%s): algorithm %q, want %q", i, ks.Purpose, ks.Algorithm, sp.algorithm)
		}
		if len(ks.Encrypted) == 0 {
			return fmt.Errorf("keysets[%d] (%s): no encrypted_keyset", i, ks.Purpose)
		}
		if len(ks.Keys) == 0 {
			return fmt.Errorf("keysets[%d] (%s): no keys", i, ks.Purpose)
		}
		ids := map[string]bool{}
		primary := false
		for j, k := range ks.Keys {
			if _, ok := parseKeyID(ks.Purpose, k.ID); !ok {
				return fmt.Errorf("keysets[%d].keys[%d]: bad key id %q for purpose %s", i, j, k.ID, ks.Purpose)
			}
			if ids[k.ID] {
				return fmt.Errorf("keysets[%d].keys[%d]: duplicate key id %s", i, j, k.ID)
			}
			ids[k.ID] = true
			if k.Created.IsZero() {
				return fmt.Errorf("keysets[%d].keys[%d] (%s): no created time", i, j, k.ID)
			}
			switch k.Status {
			case StatusEnabled, StatusDisabled, StatusDestroyed:
			default:
				return fmt.Errorf("keysets[%d].keys[%d] (%s): unknown status %q", i, j, k.ID, k.Status)
			}
			if k.ID == ks.Primary {
				primary = true
				if k.Status != StatusEnabled {
					return fmt.Errorf("keysets[%d]: primary key %s is %s", i, k.ID, k.Status)
				}
			}
		}
		if !primary {
			return fmt.Errorf("keysets[%d] (%s): primary %q is not one of its keys", i, ks.Purpose, ks.Primary)
		}
	}
	for _, p := range Purposes() {
		if !seen[p] {
			return fmt.Errorf("no keyset for purpose %s", p)
		}
	}
	return nil
}

// macInput is an unambiguous (length-prefixed) encoding of every field but
// the MAC itself. Times are canonicalised so a JSON round trip keeps it stable.
func (f *fileV1) macInput() []byte {
	var b []byte
	put := func(s []byte) {
		b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
		b = append(b, s...)
	}
	str := func(s string) { put([]byte(s)) }
	num := func(v uint64) { b = binary.BigEndian.AppendUint64(b, v) }
	tm := func(t time.Time) { str(t.UTC().Format(time.RFC3339Nano)) }

	str("vigil keys file mac v1")
	num(uint64(f.Format))
	tm(f.Created)
	str(f.KDF.Algorithm)
	put(f.KDF.Salt)
	num(uint64(f.KDF.Time))
	num(uint64(f.KDF.MemoryKiB))
	num(uint64(f.KDF.Threads))
	put(f.Check)
	num(uint64(len(f.Keysets)))
	for _, ks := range f.Keysets {
		str(string(ks.Purpose))
		str(ks.Algorithm)
		str(ks.Primary)
		num(uint64(len(ks.Keys)))
		for _, k := range ks.Keys {
			str(k.ID)
			tm(k.Created)
			str(k.Status)
		}
		put(ks.Encrypted)
	}
	return b
}

func (f *fileV1) computeMAC(key []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(f.macInput())
	return h.Sum(nil)
}

func (f *fileV1) encode() ([]byte, error) {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("keys: encode keyset file: %w", err)
	}
	return append(b, '\n'), nil
}

// readKeysetFile reads a keyset file, mapping a missing file to ErrNoKeyset.
func readKeysetFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s; create one with `vigil keys init`", ErrNoKeyset, path)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("keys: read %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, corrupt(path, "larger than %d bytes", maxFileSize)
	}
	return data, nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory (mode 0600, fsynced) and a rename, then fsyncs the directory. With
// noClobber it fails with ErrExists instead of replacing an existing file.
func writeFileAtomic(path string, data []byte, noClobber bool) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".keyset-*.tmp")
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	name := tmp.Name()
	defer func() {
		if err != nil {
			os.Remove(name)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: %w", err)
	}
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("keys: write %s: %w", name, werr)
	}
	if noClobber {
		// link(2) fails if path exists, so two concurrent Inits cannot both win.
		lerr := os.Link(name, path)
		switch {
		case errors.Is(lerr, fs.ErrExist):
			return fmt.Errorf("%w: %s (refusing to overwrite a keyset)", ErrExists, path)
		case lerr == nil:
			os.Remove(name)
			return syncDir(dir)
		}
		// No hard links on this file system: check, then rename.
		if _, serr := os.Lstat(path); serr == nil {
			return fmt.Errorf("%w: %s (refusing to overwrite a keyset)", ErrExists, path)
		}
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	defer d.Close()
	// Some platforms (Windows) cannot fsync a directory; the rename is still atomic.
	_ = d.Sync()
	return nil
}

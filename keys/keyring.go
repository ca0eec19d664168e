package keys

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/mac"
	"github.com/tink-crypto/tink-go/v2/prf"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// TokenSize is the length in bytes of a pseudonym token.
const TokenSize = 32

// Keyring is an unlocked keyset file: one Tink keyset per Purpose. Get one
// from Init or Open. It is safe for concurrent use. Printing or logging it
// shows a redacted summary only.
type Keyring struct {
	path  string
	rotMu sync.Mutex // serialises Rotate
	mu    sync.RWMutex
	st    *state // replaced, never mutated, by Rotate
}

type state struct {
	file *fileV1  // metadata as last written; holds no secret
	sum  [32]byte // SHA-256 of the file as last read or written
	sec  *secrets // key material; behind a pointer so it never prints
}

// secrets holds everything that must never be printed.
type secrets struct {
	master  *masterAEAD
	macKey  []byte // authenticates the file's metadata
	handles map[Purpose]*keyset.Handle
	aead    tink.AEAD
	mac     tink.MAC
	prf     *prf.Set
}

func (s *secrets) String() string   { return "keys.secrets[redacted]" }
func (s *secrets) GoString() string { return s.String() }

func (k *Keyring) load() *state {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.st
}

// Init creates a new keyset file at path with one fresh primary key per
// purpose, encrypted under the secret u names. It fails with ErrExists if
// path exists. Parent directories are created with mode 0700.
func Init(ctx context.Context, path string, u Unlock, now time.Time) (*Keyring, error) {
	return InitWithOptions(ctx, path, u, now, InitOptions{})
}

// InitWithOptions is Init with tunable options (cheap argon2id for tests).
func InitWithOptions(ctx context.Context, path string, u Unlock, now time.Time, opts InitOptions) (*Keyring, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if now.IsZero() {
		return nil, errors.New("keys: init: zero creation time")
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("%w: %s (refusing to overwrite a keyset)", ErrExists, path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("keys: %w", err)
	}
	salt, err := newSalt()
	if err != nil {
		return nil, err
	}
	kdf := fileKDF{Algorithm: u.kdfName(), Salt: salt}
	if kdf.Algorithm == kdfArgon2id {
		p := DefaultArgon2Params()
		if opts.Argon2 != nil {
			p = *opts.Argon2
		}
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("keys: %w", err)
		}
		kdf.Time, kdf.MemoryKiB, kdf.Threads = p.Time, p.MemoryKiB, p.Threads
	}
	s, err := u.readSecret()
	if err != nil {
		return nil, err
	}
	defer s.wipe()
	mk, err := deriveMaster(s, &kdf)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	defer mk.wipe()
	master, err := newMasterAEAD(mk.enc)
	if err != nil {
		return nil, err
	}

	created := stamp(now)
	f := &fileV1{Format: formatVersion, Created: created, KDF: kdf, Check: bytes.Clone(mk.check)}
	handles := make(map[Purpose]*keyset.Handle)
	for _, p := range Purposes() {
		sp, _ := specOf(p)
		h, err := keyset.NewHandle(sp.template())
		if err != nil {
			return nil, fmt.Errorf("keys: new %s keyset: %w", p, err)
		}
		enc, err := encryptHandle(h, master, p)
		if err != nil {
			return nil, err
		}
		id := formatKeyID(p, h.KeysetInfo().GetPrimaryKeyId())
		handles[p] = h
		f.Keysets = append(f.Keysets, fileKeyset{
			Purpose:   p,
			Algorithm: sp.algorithm,
			Primary:   id,
			Keys:      []fileKey{{ID: id, Created: created, Status: StatusEnabled}},
			Encrypted: enc,
		})
	}
	st, err := seal(ctx, path, f, master, mk, handles, true)
	if err != nil {
		return nil, err
	}
	return &Keyring{path: path, st: st}, nil
}

// seal authenticates f under the master keys, derives the secrets and
// writes the keyset file atomically (noClobber: never over an existing file).
func seal(ctx context.Context, path string, f *fileV1, master *masterAEAD, mk *masterKeys, handles map[Purpose]*keyset.Handle, noClobber bool) (*state, error) {
	f.MAC = f.computeMAC(mk.mac)
	data, err := f.encode()
	if err != nil {
		return nil, err
	}
	sec, err := newSecrets(master, bytes.Clone(mk.mac), handles)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(path, data, noClobber); err != nil {
		return nil, err
	}
	return &state{file: f, sum: sha256.Sum256(data), sec: sec}, nil
}

// Open reads and unlocks the keyset file at path. A missing file gives
// ErrNoKeyset, a wrong passphrase or key file ErrWrongPassphrase (checked
// before anything is decrypted), an unparseable or modified file ErrCorrupt.
func Open(ctx context.Context, path string, u Unlock) (*Keyring, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	data, err := readKeysetFile(path)
	if err != nil {
		return nil, err
	}
	f, err := decodeFile(path, data)
	if err != nil {
		return nil, err
	}
	// Say "this keyset needs a key file" before complaining about an unset
	// passphrase variable, and vice versa.
	if err := kdfMismatch(path, f.KDF.Algorithm, u.kdfName()); err != nil {
		return nil, err
	}
	s, err := u.readSecret()
	if err != nil {
		return nil, err
	}
	defer s.wipe()
	return unlockFile(ctx, path, data, f, s)
}

// unlockFile checks the secret against a decoded file and decrypts its keysets.
func unlockFile(ctx context.Context, path string, data []byte, f *fileV1, s *secretInput) (*Keyring, error) {
	if err := kdfMismatch(path, f.KDF.Algorithm, s.kdf); err != nil {
		return nil, err
	}
	if s.kdf == kdfKeyFile && len(s.material) != keyFileLen {
		return nil, fmt.Errorf("%w: key file is not %d bytes", ErrBadKeyFile, keyFileLen)
	}
	mk, err := deriveMaster(s, &f.KDF)
	if err != nil {
		return nil, corrupt(path, "kdf: %s", err)
	}
	defer mk.wipe()
	if !hmac.Equal(mk.check, f.Check) {
		return nil, fmt.Errorf("%w for keyset %s", ErrWrongPassphrase, path)
	}
	if !hmac.Equal(f.computeMAC(mk.mac), f.MAC) {
		return nil, corrupt(path, "authentication failed: the file was modified after it was written")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	master, err := newMasterAEAD(mk.enc)
	if err != nil {
		return nil, err
	}
	handles := make(map[Purpose]*keyset.Handle)
	for _, ks := range f.Keysets {
		h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(ks.Encrypted)), master, keysetAD(ks.Purpose))
		if err != nil {
			return nil, corrupt(path, "%s keyset does not decrypt", ks.Purpose)
		}
		if err := checkHandle(ks, h); err != nil {
			return nil, corrupt(path, "%s keyset: %s", ks.Purpose, err)
		}
		handles[ks.Purpose] = h
	}
	sec, err := newSecrets(master, bytes.Clone(mk.mac), handles)
	if err != nil {
		return nil, corrupt(path, "%s", err)
	}
	return &Keyring{path: path, st: &state{file: f, sum: sha256.Sum256(data), sec: sec}}, nil
}

func kdfMismatch(path, inFile, given string) error {
	if inFile == given {
		return nil
	}
	what := map[string]string{kdfArgon2id: "a passphrase", kdfKeyFile: "a key file"}
	return fmt.Errorf("%w: keyset %s is protected by %s, but %s was given",
		ErrWrongPassphrase, path, what[inFile], what[given])
}

// checkHandle cross-checks a decrypted Tink keyset against the file's metadata.
func checkHandle(ks fileKeyset, h *keyset.Handle) error {
	if h.Len() == 0 {
		return errors.New("no keys")
	}
	sp, _ := specOf(ks.Purpose)
	info := h.KeysetInfo()
	if len(info.GetKeyInfo()) != len(ks.Keys) {
		return fmt.Errorf("%d keys, metadata lists %d", len(info.GetKeyInfo()), len(ks.Keys))
	}
	meta := make(map[string]fileKey, len(ks.Keys))
	for _, k := range ks.Keys {
		meta[k.ID] = k
	}
	for _, ki := range info.GetKeyInfo() {
		id := formatKeyID(ks.Purpose, ki.GetKeyId())
		m, ok := meta[id]
		if !ok {
			return fmt.Errorf("key %s missing from metadata", id)
		}
		if ki.GetTypeUrl() != sp.typeURL || ki.GetOutputPrefixType() != sp.prefix {
			return fmt.Errorf("key %s has the wrong type", id)
		}
		if st := statusName(ki.GetStatus()); st != m.Status {
			return fmt.Errorf("key %s is %s, metadata says %s", id, st, m.Status)
		}
	}
	if p := formatKeyID(ks.Purpose, info.GetPrimaryKeyId()); p != ks.Primary {
		return fmt.Errorf("primary is %s, metadata says %s", p, ks.Primary)
	}
	return nil
}

func statusName(s tinkpb.KeyStatusType) string {
	switch s {
	case tinkpb.KeyStatusType_ENABLED:
		return StatusEnabled
	case tinkpb.KeyStatusType_DISABLED:
		return StatusDisabled
	case tinkpb.KeyStatusType_DESTROYED:
		return StatusDestroyed
	}
	return "unknown"
}

func newSecrets(master *masterAEAD, macKey []byte, handles map[Purpose]*keyset.Handle) (*secrets, error) {
	s := &secrets{master: master, macKey: macKey, handles: handles}
	var err error
	if s.aead, err = aead.New(handles[PurposeWrap]); err != nil {
		return nil, fmt.Errorf("keys: wrap primitive: %w", err)
	}
	if s.mac, err = mac.New(handles[PurposeManifest]); err != nil {
		return nil, fmt.Errorf("keys: manifest primitive: %w", err)
	}
	if s.prf, err = prf.NewPRFSet(handles[PurposePseudonym]); err != nil {
		return nil, fmt.Errorf("keys: pseudonym primitive: %w", err)
	}
	return s, nil
}

func encryptHandle(h *keyset.Handle, master *masterAEAD, p Purpose) ([]byte, error) {
	var buf bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), master, keysetAD(p)); err != nil {
		return nil, fmt.Errorf("keys: encrypt %s keyset: %w", p, err)
	}
	return buf.Bytes(), nil
}

// stamp normalises a creation time for the file: UTC, whole seconds.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// keyStatus reports whether the keyset of purpose p holds the Tink key id, and its status.
func (st *state) keyStatus(p Purpose, id uint32) (string, bool) {
	ks := st.file.keyset(p)
	want := formatKeyID(p, id)
	for _, k := range ks.Keys {
		if k.ID == want {
			return k.Status, true
		}
	}
	return "", false
}

// WrapKey encrypts a data key under the primary wrapping key, binding it to
// associatedData (e.g. table and snapshot id). It returns the key id to record
// in the manifest beside the wrapped key.
func (k *Keyring) WrapKey(dek, associatedData []byte) (keyID string, wrapped []byte, err error) {
	if len(dek) == 0 {
		return "", nil, errors.New("keys: empty data key")
	}
	st := k.load()
	wrapped, err = st.sec.aead.Encrypt(dek, associatedData)
	if err != nil {
		return "", nil, fmt.Errorf("keys: wrap data key: %w", err)
	}
	id, ok := KeyIDOf(PurposeWrap, wrapped)
	if !ok {
		return "", nil, errors.New("keys: wrap data key: no key id prefix")
	}
	return id, wrapped, nil
}

// UnwrapKey decrypts a data key wrapped by any enabled key of the keyset, so
// data wrapped before a rotation still opens. The associated data must be the
// same as at wrapping. Errors wrap ErrUnwrap (and ErrUnknownKey when the key
// that wrapped it is not in this keyset).
func (k *Keyring) UnwrapKey(wrapped, associatedData []byte) ([]byte, error) {
	st := k.load()
	dek, err := st.sec.aead.Decrypt(wrapped, associatedData)
	if err == nil {
		return dek, nil
	}
	id, ok := tinkPrefixID(wrapped)
	if !ok {
		return nil, fmt.Errorf("%w: not a wrapped key (no key id prefix)", ErrUnwrap)
	}
	return nil, st.keyError(ErrUnwrap, PurposeWrap, id, "the associated data does not match or the wrapped key was modified", k.path)
}

func (st *state) keyError(sentinel error, p Purpose, id uint32, mismatch, path string) error {
	name := formatKeyID(p, id)
	status, ok := st.keyStatus(p, id)
	switch {
	case !ok:
		return fmt.Errorf("%w: %w %s is not in keyset %s", sentinel, ErrUnknownKey, name, path)
	case status != StatusEnabled:
		return fmt.Errorf("%w: key %s is %s", sentinel, name, status)
	}
	return fmt.Errorf("%w under key %s: %s", sentinel, name, mismatch)
}

// Rewrap unwraps a data key with whichever key wrapped it and wraps it again
// under the primary wrapping key: what a rotation does to each manifest.
func (k *Keyring) Rewrap(wrapped, associatedData []byte) (keyID string, rewrapped []byte, err error) {
	dek, err := k.UnwrapKey(wrapped, associatedData)
	if err != nil {
		return "", nil, err
	}
	defer clear(dek)
	return k.WrapKey(dek, associatedData)
}

// Sign computes a manifest authentication tag (HMAC-SHA256 with a 5-byte key
// id prefix) under the primary manifest key.
func (k *Keyring) Sign(msg []byte) ([]byte, error) {
	tag, err := k.load().sec.mac.ComputeMAC(msg)
	if err != nil {
		return nil, fmt.Errorf("keys: sign: %w", err)
	}
	return tag, nil
}

// Verify checks a tag made by Sign under any enabled manifest key, so tags
// made before a rotation still verify. A mismatch gives ErrBadMAC.
func (k *Keyring) Verify(msg, tag []byte) error {
	st := k.load()
	if err := st.sec.mac.VerifyMAC(tag, msg); err == nil {
		return nil
	}
	id, ok := tinkPrefixID(tag)
	if !ok {
		return fmt.Errorf("%w: not a vigil tag (no key id prefix)", ErrBadMAC)
	}
	return st.keyError(ErrBadMAC, PurposeManifest, id, "the message or tag was modified", k.path)
}

// Token computes a keyed pseudonym: HMAC-SHA256 (as a PRF, TokenSize bytes)
// under the primary pseudonym key over a domain-separated encoding of label
// and data. It is deterministic: the same label and data give the same token
// for as long as the primary pseudonym key stays the same. Different labels
// (e.g. "email", "phone") give unrelated tokens for the same data.
//
// Rotating PurposePseudonym changes every token, so joins on pseudonyms
// across datasets made before and after the rotation break.
func (k *Keyring) Token(purposeLabel string, data []byte) ([]byte, error) {
	if purposeLabel == "" {
		return nil, errors.New("keys: token label is empty")
	}
	const domain = "vigil token v1\x00"
	in := make([]byte, 0, len(domain)+binary.MaxVarintLen64+len(purposeLabel)+len(data))
	in = append(in, domain...)
	in = binary.AppendUvarint(in, uint64(len(purposeLabel)))
	in = append(in, purposeLabel...)
	in = append(in, data...)
	out, err := k.load().sec.prf.ComputePrimaryPRF(in, TokenSize)
	if err != nil {
		return nil, fmt.Errorf("keys: token: %w", err)
	}
	return out, nil
}

// Rotate adds a fresh key for purpose, makes it primary, keeps every old key
// (so old wrapped keys unwrap and old tags verify) and saves the file
// atomically. If the file changed on disk since it was opened, it fails with
// ErrChanged and changes nothing.
//
// Rotating PurposeWrap does not touch data: re-wrap manifests with Rewrap.
// Rotating PurposePseudonym changes all future tokens (see Token); the CLI
// should demand an explicit confirmation for it.
func (k *Keyring) Rotate(ctx context.Context, purpose Purpose, now time.Time) (newKeyID string, err error) {
	sp, ok := specOf(purpose)
	if !ok {
		return "", fmt.Errorf("%w %q", ErrUnknownPurpose, purpose)
	}
	if now.IsZero() {
		return "", errors.New("keys: rotate: zero creation time")
	}
	if purpose == PurposeSigning && !k.HasSigning() {
		return k.addKeyset(ctx, purpose, now) // optional keyset: the first rotation creates it
	}
	k.rotMu.Lock()
	defer k.rotMu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	st := k.load()
	if err := k.checkUnchanged(st); err != nil {
		return "", err
	}

	m := keyset.NewManagerFromHandle(st.sec.handles[purpose])
	id, err := m.Add(sp.template())
	if err != nil {
		return "", fmt.Errorf("keys: rotate %s: %w", purpose, err)
	}
	if err := m.SetPrimary(id); err != nil {
		return "", fmt.Errorf("keys: rotate %s: %w", purpose, err)
	}
	h, err := m.Handle()
	if err != nil {
		return "", fmt.Errorf("keys: rotate %s: %w", purpose, err)
	}
	newID := formatKeyID(purpose, id)
	err = k.commitHandle(ctx, st, purpose, h, func(f *fileV1, enc []byte) *fileKeyset {
		ks := f.keyset(purpose)
		ks.Keys = append(ks.Keys, fileKey{ID: newID, Created: stamp(now), Status: StatusEnabled})
		ks.Primary = newID
		ks.Encrypted = enc
		return ks
	})
	if err != nil {
		return "", fmt.Errorf("keys: rotate %s: %w", purpose, err)
	}
	return newID, nil
}

// checkUnchanged fails with ErrChanged when the keyset file on disk is not
// the one st was loaded from (another process changed it).
func (k *Keyring) checkUnchanged(st *state) error {
	onDisk, err := readKeysetFile(k.path)
	if err != nil {
		return err
	}
	if sha256.Sum256(onDisk) != st.sum {
		return fmt.Errorf("%w: %s; open it again and retry", ErrChanged, k.path)
	}
	return nil
}

// commitHandle is the one step that changes the keyset of purpose p to the
// handle h (rotation, or an optional keyset added): h is encrypted under the
// master key, put puts it into a copy of the file and returns that keyset's
// entry, which must describe h; the file gets its MAC, is written
// atomically, and becomes the keyring's state. The caller holds rotMu and
// has checked the file with checkUnchanged.
func (k *Keyring) commitHandle(ctx context.Context, st *state, p Purpose, h *keyset.Handle, put func(f *fileV1, enc []byte) *fileKeyset) error {
	enc, err := encryptHandle(h, st.sec.master, p)
	if err != nil {
		return err
	}
	f := st.file.clone()
	ks := put(f, enc)
	f.MAC = f.computeMAC(st.sec.macKey)
	if err := checkHandle(*ks, h); err != nil {
		return err
	}
	handles := maps.Clone(st.sec.handles)
	if handles == nil {
		handles = map[Purpose]*keyset.Handle{}
	}
	handles[p] = h
	sec, err := newSecrets(st.sec.master, st.sec.macKey, handles)
	if err != nil {
		return err
	}
	data, err := f.encode()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := writeFileAtomic(k.path, data, false); err != nil {
		return err
	}
	k.mu.Lock()
	k.st = &state{file: f, sum: sha256.Sum256(data), sec: sec}
	k.mu.Unlock()
	return nil
}

// Info lists every key, by purpose (wrap, manifest, pseudonym) then age. It
// never includes key material.
func (k *Keyring) Info() []KeyInfo {
	st := k.load()
	var out []KeyInfo
	for _, p := range append(Purposes(), optionalPurposes()...) {
		ks := st.file.keyset(p)
		if ks == nil {
			continue
		}
		for _, key := range ks.Keys {
			out = append(out, KeyInfo{Purpose: p, ID: key.ID, Primary: key.ID == ks.Primary, Created: key.Created, Status: key.Status})
		}
	}
	return out
}

// PrimaryKeyID returns the id of the primary key of purpose p ("" for an
// unknown purpose). Record PrimaryKeyID(PurposePseudonym) beside pseudonymised
// data so a later rotation can be detected.
func (k *Keyring) PrimaryKeyID(p Purpose) string {
	if !p.Valid() {
		return ""
	}
	return k.load().file.keyset(p).Primary
}

// Path returns the keyset file's path.
func (k *Keyring) Path() string { return k.path }

// Protection describes how the file is protected, e.g.
// "argon2id (time 3, memory 65536 KiB, threads 2)" or "key file".
func (k *Keyring) Protection() string {
	kdf := k.load().file.KDF
	if kdf.Algorithm == kdfKeyFile {
		return "key file"
	}
	return fmt.Sprintf("argon2id (time %d, memory %d KiB, threads %d)", kdf.Time, kdf.MemoryKiB, kdf.Threads)
}

// String returns a redacted summary: path, protection and primary key ids.
func (k *Keyring) String() string {
	if k == nil {
		return "keys.Keyring(nil)"
	}
	st := k.load()
	var b strings.Builder
	fmt.Fprintf(&b, "keys.Keyring{path: %s, protection: %s", k.path, k.Protection())
	for _, p := range Purposes() {
		ks := st.file.keyset(p)
		fmt.Fprintf(&b, ", %s: %s (%d keys)", p, ks.Primary, len(ks.Keys))
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String, so %#v is redacted too.
func (k *Keyring) GoString() string { return k.String() }

// LogValue makes slog print the redacted summary as a group.
func (k *Keyring) LogValue() slog.Value {
	if k == nil {
		return slog.StringValue("keys.Keyring(nil)")
	}
	st := k.load()
	attrs := []slog.Attr{slog.String("path", k.path)}
	for _, p := range Purposes() {
		attrs = append(attrs, slog.String(string(p)+"_primary", st.file.keyset(p).Primary))
	}
	return slog.GroupValue(attrs...)
}

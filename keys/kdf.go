package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/tink-crypto/tink-go/v2/tink"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/hkdf"
)

const (
	kdfArgon2id = "argon2id"
	kdfKeyFile  = "keyfile"

	saltLen = 32
)

// Argon2Params are the argon2id cost parameters, stored in the keyset file.
type Argon2Params struct {
	Time      uint32 // passes
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // parallelism
}

// DefaultArgon2Params returns the parameters Init uses: time 3, 64 MiB, 2 threads.
func DefaultArgon2Params() Argon2Params {
	return Argon2Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 2}
}

// Bounds accepted when reading a file, so a hostile file cannot ask for
// unbounded work or memory.
const (
	maxArgon2Time   = 64
	maxArgon2Memory = 4 * 1024 * 1024 // 4 GiB in KiB
	maxArgon2Thread = 64
)

// Validate checks the parameters are within the bounds Open accepts.
func (a Argon2Params) Validate() error {
	switch {
	case a.Time < 1 || a.Time > maxArgon2Time:
		return fmt.Errorf("argon2id time %d out of range 1..%d", a.Time, maxArgon2Time)
	case a.Threads < 1 || a.Threads > maxArgon2Thread:
		return fmt.Errorf("argon2id threads %d out of range 1..%d", a.Threads, maxArgon2Thread)
	case a.MemoryKiB < 8*uint32(a.Threads) || a.MemoryKiB > maxArgon2Memory:
		return fmt.Errorf("argon2id memory %d KiB out of range %d..%d", a.MemoryKiB, 8*uint32(a.Threads), maxArgon2Memory)
	}
	return nil
}

// InitOptions tune Init. The zero value means the defaults.
type InitOptions struct {
	// Argon2 overrides DefaultArgon2Params for passphrase keysets. Meant for
	// tests; weaker parameters make a stolen keyset file cheaper to attack.
	Argon2 *Argon2Params
}

// masterKeys are derived from the unlocking secret and the file's salt.
type masterKeys struct {
	enc   []byte // AES-256 key encrypting the Tink keysets
	check []byte // key-check value stored in the file: detects a wrong secret
	mac   []byte // HMAC-SHA256 key authenticating the file's metadata
}

func (m *masterKeys) wipe() {
	clear(m.enc)
	clear(m.check)
	clear(m.mac)
}

// String redacts: master keys must never be printed.
func (m *masterKeys) String() string   { return "keys.masterKeys[redacted]" }
func (m *masterKeys) GoString() string { return m.String() }

// deriveMaster turns the secret into the master keys. For a passphrase the root
// is argon2id(passphrase, salt); for a key file it is the file's 32 bytes. The
// subkeys are HKDF-SHA256(root, salt, label) with a distinct label each.
func deriveMaster(s *secretInput, k *fileKDF) (*masterKeys, error) {
	var root []byte
	switch k.Algorithm {
	case kdfArgon2id:
		root = argon2.IDKey(s.material, k.Salt, k.Time, k.MemoryKiB, k.Threads, 32)
	case kdfKeyFile:
		root = append([]byte(nil), s.material...)
	default:
		return nil, fmt.Errorf("unknown kdf %q", k.Algorithm)
	}
	defer clear(root)
	sub := func(label string) ([]byte, error) {
		out := make([]byte, 32)
		_, err := io.ReadFull(hkdf.New(sha256.New, root, k.Salt, []byte("vigil keys v1 "+label)), out)
		return out, err
	}
	var m masterKeys
	var err error
	if m.enc, err = sub("keyset-encryption"); err != nil {
		return nil, err
	}
	if m.check, err = sub("check"); err != nil {
		return nil, err
	}
	if m.mac, err = sub("file-mac"); err != nil {
		return nil, err
	}
	return &m, nil
}

func newSalt() ([]byte, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("keys: random: %w", err)
	}
	return salt, nil
}

// masterAEAD is the tink.AEAD that encrypts each Tink keyset at rest:
// AES-256-GCM, output nonce(12) || ciphertext || tag(16).
type masterAEAD struct {
	gcm cipher.AEAD
}

var _ tink.AEAD = (*masterAEAD)(nil)

func newMasterAEAD(key []byte) (*masterAEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("keys: master cipher: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("keys: master cipher: %w", err)
	}
	return &masterAEAD{gcm: gcm}, nil
}

func (a *masterAEAD) Encrypt(plaintext, associatedData []byte) ([]byte, error) {
	ns := a.gcm.NonceSize()
	out := make([]byte, ns, ns+len(plaintext)+a.gcm.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, fmt.Errorf("keys: random: %w", err)
	}
	return a.gcm.Seal(out, out, plaintext, associatedData), nil
}

var errMasterDecrypt = errors.New("keys: keyset decryption failed")

func (a *masterAEAD) Decrypt(ciphertext, associatedData []byte) ([]byte, error) {
	ns := a.gcm.NonceSize()
	if len(ciphertext) < ns+a.gcm.Overhead() {
		return nil, errMasterDecrypt
	}
	pt, err := a.gcm.Open(nil, ciphertext[:ns], ciphertext[ns:], associatedData)
	if err != nil {
		return nil, errMasterDecrypt
	}
	return pt, nil
}

// String redacts: the master AEAD must never be printed.
func (a *masterAEAD) String() string   { return "keys.masterAEAD[redacted]" }
func (a *masterAEAD) GoString() string { return a.String() }

// keysetAD is the associated data binding an encrypted keyset to its purpose
// and the file format version, so keysets cannot be swapped between purposes.
func keysetAD(p Purpose) []byte {
	return []byte(fmt.Sprintf("vigil keys format %d purpose %s", formatVersion, p))
}

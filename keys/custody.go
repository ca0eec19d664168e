package keys

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tink-crypto/tink-go/v2/keyset"
)

// ErrWeakPassphrase is returned for a passphrase that CheckPassphrase refuses.
var ErrWeakPassphrase = errors.New("keys: passphrase too weak")

// ErrKeyInUse is returned by Retire for a key that something still needs.
var ErrKeyInUse = errors.New("keys: key still in use")

// MinPassphraseRunes and MinPassphraseBits are the passphrase rule.
const (
	MinPassphraseRunes = 12
	MinPassphraseBits  = 60
)

// CheckPassphrase applies Vigil's passphrase rule: at least 12 characters,
// at least 6 distinct ones, no character making up more than a third of
// it, and an estimated strength of at least 60 bits, counted as length ×
// log2(size of the character classes used: lower case 26, upper case 26,
// digits 10, ASCII symbols and space 33, anything else 100). A passphrase
// of four random common words ("correct horse battery staple") passes;
// "Password123!" does not: a common password or keyboard run inside it
// counts as about 10 bits, not as its letters. The passphrase never appears in the error.
func CheckPassphrase(p string) error {
	n := utf8.RuneCountInString(p)
	if n < MinPassphraseRunes {
		return fmt.Errorf("%w: use at least %d characters (four or more random words work well)", ErrWeakPassphrase, MinPassphraseRunes)
	}
	counts := map[rune]int{}
	var lower, upper, digit, symbol, other bool
	for _, r := range p {
		counts[r]++
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		case r < 0x80 && (unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' '):
			symbol = true
		default:
			other = true
		}
	}
	if len(counts) < 6 {
		return fmt.Errorf("%w: it repeats too few different characters", ErrWeakPassphrase)
	}
	for _, c := range counts {
		if c*3 > n {
			return fmt.Errorf("%w: one character makes up more than a third of it", ErrWeakPassphrase)
		}
	}
	// A common password or keyboard run counts as one guess (about 10
	// bits), not as its letters.
	rest, bonus := strings.ToLower(p), 0.0
	for _, w := range commonParts {
		if strings.Contains(rest, w) {
			rest = strings.ReplaceAll(rest, w, "")
			bonus += 10
		}
	}
	if bonus > 0 {
		counts = map[rune]int{}
		lower, upper, digit, symbol, other = false, false, false, false, false
		for _, r := range rest {
			counts[r]++
			switch {
			case r >= 'a' && r <= 'z':
				lower = true
			case r >= '0' && r <= '9':
				digit = true
			case r < 0x80 && (unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' '):
				symbol = true
			default:
				other = true
			}
		}
		upper = p != strings.ToLower(p)
	}
	pool := 0
	for _, c := range []struct {
		used bool
		size int
	}{{lower, 26}, {upper, 26}, {digit, 10}, {symbol, 33}, {other, 100}} {
		if c.used {
			pool += c.size
		}
	}
	// Discount repeats: count each character at most twice.
	eff := 0
	for _, c := range counts {
		eff += min(c, 2)
	}
	bits := bonus
	if pool > 0 {
		bits += float64(eff) * math.Log2(float64(pool))
	}
	if bits < MinPassphraseBits {
		return fmt.Errorf("%w: estimated %.0f bits, want at least %d (make it longer)", ErrWeakPassphrase, bits, MinPassphraseBits)
	}
	return nil
}

// commonParts are passwords and keyboard runs that attackers try first.
var commonParts = []string{"password", "passw0rd", "qwerty", "azerty", "letmein", "welcome", "admin", "iloveyou",
	"123456", "12345", "1234", "abc123", "111111", "monkey", "dragon", "secret", "vigil", "changeme"}

// Reprotect writes the keyring's keys, unchanged, to path under new
// protection u (fresh salt, fresh master key; a passphrase must pass
// CheckPassphrase) and returns the keyring of the new file. With path equal
// to the keyring's own file this changes the passphrase (or switches
// between passphrase and key file): the file is replaced atomically, and
// if it changed on disk since it was opened nothing is written
// (ErrChanged). A different path must not exist unless overwrite is set.
func (k *Keyring) Reprotect(ctx context.Context, path string, u Unlock, overwrite bool, opts InitOptions) (*Keyring, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	k.rotMu.Lock()
	defer k.rotMu.Unlock()
	st := k.load()
	same := path == k.path
	if same {
		onDisk, err := readKeysetFile(k.path)
		if err != nil {
			return nil, err
		}
		if sha256.Sum256(onDisk) != st.sum {
			return nil, fmt.Errorf("%w: %s; open it again and retry", ErrChanged, k.path)
		}
	} else if !overwrite {
		if _, err := os.Lstat(path); err == nil {
			return nil, fmt.Errorf("%w: %s (refusing to overwrite a keyset)", ErrExists, path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("keys: %w", err)
		}
	}
	s, err := u.readSecret()
	if err != nil {
		return nil, err
	}
	defer s.wipe()
	if s.kdf == kdfArgon2id {
		if err := CheckPassphrase(string(s.material)); err != nil {
			return nil, err
		}
	}
	salt, err := newSalt()
	if err != nil {
		return nil, err
	}
	kdf := fileKDF{Algorithm: s.kdf, Salt: salt}
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
	mk, err := deriveMaster(s, &kdf)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	defer mk.wipe()
	master, err := newMasterAEAD(mk.enc)
	if err != nil {
		return nil, err
	}
	f := st.file.clone()
	f.KDF = kdf
	f.Check = bytes.Clone(mk.check)
	handles := make(map[Purpose]*keyset.Handle, len(st.sec.handles))
	for i := range f.Keysets {
		p := f.Keysets[i].Purpose
		h := st.sec.handles[p]
		enc, err := encryptHandle(h, master, p)
		if err != nil {
			return nil, err
		}
		f.Keysets[i].Encrypted = enc
		handles[p] = h
	}
	sealed, err := seal(ctx, path, f, master, mk, handles, !same && !overwrite)
	if err != nil {
		return nil, err
	}
	nk := &Keyring{path: path, st: sealed}
	if same {
		k.mu.Lock()
		k.st = nk.st
		k.mu.Unlock()
		return k, nil
	}
	return nk, nil
}

// Retire disables key id so that it can no longer unwrap, verify or make
// tokens; its material stays in the file (disabled, not destroyed). A
// primary key cannot be retired (rotate first). inUse is how many
// snapshots still depend on the key (the caller counts them, locally and
// on every target): a key something depends on is refused with ErrKeyInUse.
func (k *Keyring) Retire(ctx context.Context, id string, inUse int, now time.Time) error {
	if inUse > 0 {
		return fmt.Errorf("%w: %d snapshots still depend on %s; rewrap them first (vigil snapshots rewrap --all, then vigil backup)", ErrKeyInUse, inUse, id)
	}
	k.rotMu.Lock()
	defer k.rotMu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	st := k.load()
	var purpose Purpose
	found := false
	for _, ks := range st.file.Keysets {
		for _, key := range ks.Keys {
			if key.ID == id {
				purpose, found = ks.Purpose, true
				if ks.Primary == id {
					return fmt.Errorf("%w: %s is the primary %s key; rotate first", ErrKeyInUse, id, ks.Purpose)
				}
				if key.Status != StatusEnabled {
					return nil // already retired
				}
			}
		}
	}
	if !found {
		return fmt.Errorf("keys: no key %q in %s", id, k.path)
	}
	onDisk, err := readKeysetFile(k.path)
	if err != nil {
		return err
	}
	if sha256.Sum256(onDisk) != st.sum {
		return fmt.Errorf("%w: %s; open it again and retry", ErrChanged, k.path)
	}
	num, err := parseKeyNum(purpose, id)
	if err != nil {
		return err
	}
	m := keyset.NewManagerFromHandle(st.sec.handles[purpose])
	if err := m.Disable(num); err != nil {
		return fmt.Errorf("keys: retire %s: %w", id, err)
	}
	h, err := m.Handle()
	if err != nil {
		return fmt.Errorf("keys: retire %s: %w", id, err)
	}
	enc, err := encryptHandle(h, st.sec.master, purpose)
	if err != nil {
		return err
	}
	f := st.file.clone()
	ks := f.keyset(purpose)
	for i := range ks.Keys {
		if ks.Keys[i].ID == id {
			ks.Keys[i].Status = StatusDisabled
		}
	}
	ks.Encrypted = enc
	f.MAC = f.computeMAC(st.sec.macKey)
	if err := checkHandle(*ks, h); err != nil {
		return fmt.Errorf("keys: retire %s: %w", id, err)
	}
	handles := make(map[Purpose]*keyset.Handle, len(st.sec.handles))
	for p, old := range st.sec.handles {
		handles[p] = old
	}
	handles[purpose] = h
	sec, err := newSecrets(st.sec.master, st.sec.macKey, handles)
	if err != nil {
		return err
	}
	data, err := f.encode()
	if err != nil {
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

// parseKeyNum returns the Tink key number of a key id of purpose p.
func parseKeyNum(p Purpose, id string) (uint32, error) {
	num, ok := parseKeyID(p, id)
	if !ok {
		return 0, fmt.Errorf("keys: bad key id %q", id)
	}
	return num, nil
}

// PseudonymKeyID returns the id of the primary pseudonym key, which makes
// Token's keyed hashes (snapshot.Hasher).
func (k *Keyring) PseudonymKeyID() string { return k.PrimaryKeyID(PurposePseudonym) }

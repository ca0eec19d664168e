package keys

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/signature"
)

// PurposeSigning keys sign audit reports: Ed25519 (Tink, with a key id
// prefix). The keyset is optional: a keyset file written before it existed
// opens as it is and gets a signing keyset on first use (EnsureSigning) or
// on `vigil keys rotate signing`.
const PurposeSigning Purpose = "signing"

// ErrBadSignature is a report signature that does not verify.
var ErrBadSignature = errors.New("keys: bad signature")

// optionalPurposes are purposes a keyset file may lack.
func optionalPurposes() []Purpose { return []Purpose{PurposeSigning} }

// HasSigning reports whether the keyset holds a signing key.
func (k *Keyring) HasSigning() bool { return k.load().file.keyset(PurposeSigning) != nil }

// EnsureSigning adds a signing keyset with one fresh Ed25519 key if the
// keyset has none, saving the file atomically. It returns the primary
// signing key id.
func (k *Keyring) EnsureSigning(ctx context.Context, now time.Time) (string, error) {
	if k.HasSigning() {
		return k.load().file.keyset(PurposeSigning).Primary, nil
	}
	return k.addKeyset(ctx, PurposeSigning, now)
}

// addKeyset adds the keyset of an optional purpose that the file lacks.
func (k *Keyring) addKeyset(ctx context.Context, p Purpose, now time.Time) (string, error) {
	sp, ok := specOf(p)
	if !ok {
		return "", fmt.Errorf("%w %q", ErrUnknownPurpose, p)
	}
	if now.IsZero() {
		return "", errors.New("keys: add keyset: zero creation time")
	}
	k.rotMu.Lock()
	defer k.rotMu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	st := k.load()
	if ks := st.file.keyset(p); ks != nil {
		return ks.Primary, nil
	}
	if err := k.checkUnchanged(st); err != nil {
		return "", err
	}
	h, err := keyset.NewHandle(sp.template())
	if err != nil {
		return "", fmt.Errorf("keys: new %s keyset: %w", p, err)
	}
	id := formatKeyID(p, h.KeysetInfo().GetPrimaryKeyId())
	err = k.commitHandle(ctx, st, p, h, func(f *fileV1, enc []byte) *fileKeyset {
		f.Keysets = append(f.Keysets, fileKeyset{Purpose: p, Algorithm: sp.algorithm, Primary: id,
			Keys: []fileKey{{ID: id, Created: stamp(now), Status: StatusEnabled}}, Encrypted: enc})
		return &f.Keysets[len(f.Keysets)-1]
	})
	if err != nil {
		return "", fmt.Errorf("keys: add %s keyset: %w", p, err)
	}
	return id, nil
}

// SignReport signs msg with the primary signing key. It fails with
// ErrUnknownKey when the keyset has no signing key (see EnsureSigning).
func (k *Keyring) SignReport(msg []byte) (keyID string, sig []byte, err error) {
	st := k.load()
	h := st.sec.handles[PurposeSigning]
	ks := st.file.keyset(PurposeSigning)
	if h == nil || ks == nil {
		return "", nil, fmt.Errorf("%w: keyset %s has no signing key", ErrUnknownKey, k.path)
	}
	s, err := signature.NewSigner(h)
	if err != nil {
		return "", nil, fmt.Errorf("keys: signer: %w", err)
	}
	sig, err = s.Sign(msg)
	if err != nil {
		return "", nil, fmt.Errorf("keys: sign report: %w", err)
	}
	id, ok := tinkPrefixID(sig)
	if !ok {
		return "", nil, errors.New("keys: sign report: no key id prefix")
	}
	return formatKeyID(PurposeSigning, id), sig, nil
}

// VerifyReport checks a signature made by SignReport under any signing key
// of the keyset (old keys too, after a rotation). A mismatch gives
// ErrBadSignature.
func (k *Keyring) VerifyReport(msg, sig []byte) error {
	pub, err := k.SigningPublicKeyset()
	if err != nil {
		return err
	}
	return VerifyWithPublicKeyset(pub, msg, sig)
}

// SigningPublicKeyset returns the public half of the signing keyset (a Tink
// binary keyset without secrets), to publish beside reports so that anyone
// can verify them without the keyset file.
func (k *Keyring) SigningPublicKeyset() ([]byte, error) {
	h := k.load().sec.handles[PurposeSigning]
	if h == nil {
		return nil, fmt.Errorf("%w: keyset %s has no signing key", ErrUnknownKey, k.path)
	}
	pub, err := h.Public()
	if err != nil {
		return nil, fmt.Errorf("keys: public signing keyset: %w", err)
	}
	var buf bytes.Buffer
	if err := pub.WriteWithNoSecrets(keyset.NewBinaryWriter(&buf)); err != nil {
		return nil, fmt.Errorf("keys: public signing keyset: %w", err)
	}
	return buf.Bytes(), nil
}

// VerifyWithPublicKeyset checks a report signature against a public
// keyset from SigningPublicKeyset.
func VerifyWithPublicKeyset(pub, msg, sig []byte) error {
	h, err := keyset.ReadWithNoSecrets(keyset.NewBinaryReader(bytes.NewReader(pub)))
	if err != nil {
		return fmt.Errorf("%w: unreadable public keyset", ErrBadSignature)
	}
	v, err := signature.NewVerifier(h)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if err := v.Verify(sig, msg); err != nil {
		return fmt.Errorf("%w: the signed content or the signature was modified, or another key signed it", ErrBadSignature)
	}
	return nil
}

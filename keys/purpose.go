package keys

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/mac"
	"github.com/tink-crypto/tink-go/v2/prf"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/signature"
)

// Purpose names one of the separate keysets of a keyring. A key of one purpose
// is never used for another.
type Purpose string

// The purposes. Their order is the order of the keysets in the file and in Info.
const (
	// PurposeWrap keys wrap (encrypt) per-file data keys: AES-256-GCM.
	PurposeWrap Purpose = "wrap"
	// PurposeManifest keys authenticate manifests: HMAC-SHA256, 256-bit tags.
	PurposeManifest Purpose = "manifest"
	// PurposePseudonym keys compute keyed pseudonym tokens: HMAC-SHA256 PRF.
	PurposePseudonym Purpose = "pseudonym"
)

// Purposes returns every purpose in canonical order.
func Purposes() []Purpose { return []Purpose{PurposeWrap, PurposeManifest, PurposePseudonym} }

// ParsePurpose checks a purpose name given by a user (e.g. on the command line).
func ParsePurpose(s string) (Purpose, error) {
	p := Purpose(s)
	if !p.Valid() {
		return "", fmt.Errorf("%w %q (want wrap, manifest, pseudonym or signing)", ErrUnknownPurpose, s)
	}
	return p, nil
}

// Valid reports whether p is one of the known purposes.
func (p Purpose) Valid() bool {
	switch p {
	case PurposeWrap, PurposeManifest, PurposePseudonym, PurposeSigning:
		return true
	}
	return false
}

// Key statuses as reported in KeyInfo.Status and stored in the keyset file.
const (
	StatusEnabled   = "enabled"
	StatusDisabled  = "disabled"
	StatusDestroyed = "destroyed"
)

// KeyInfo describes one key. It never holds key material.
type KeyInfo struct {
	Purpose Purpose   `json:"purpose"`
	ID      string    `json:"id"`      // e.g. "wrap-1a2b3c4d": purpose and the Tink key id in hex
	Primary bool      `json:"primary"` // new wraps, tags and tokens use the primary key
	Created time.Time `json:"created"`
	Status  string    `json:"status"` // StatusEnabled, StatusDisabled or StatusDestroyed
}

// spec describes what a purpose's Tink keyset must look like.
type spec struct {
	template  func() *tinkpb.KeyTemplate
	typeURL   string
	prefix    tinkpb.OutputPrefixType
	algorithm string // recorded in the file for humans
}

func specOf(p Purpose) (spec, bool) {
	switch p {
	case PurposeWrap:
		return spec{aead.AES256GCMKeyTemplate, "type.googleapis.com/google.crypto.tink.AesGcmKey", tinkpb.OutputPrefixType_TINK, "AES256_GCM"}, true
	case PurposeManifest:
		return spec{mac.HMACSHA256Tag256KeyTemplate, "type.googleapis.com/google.crypto.tink.HmacKey", tinkpb.OutputPrefixType_TINK, "HMAC_SHA256_256BITTAG"}, true
	case PurposePseudonym:
		return spec{prf.HMACSHA256PRFKeyTemplate, "type.googleapis.com/google.crypto.tink.HmacPrfKey", tinkpb.OutputPrefixType_RAW, "HMAC_SHA256_PRF"}, true
	case PurposeSigning:
		return spec{signature.ED25519KeyTemplate, "type.googleapis.com/google.crypto.tink.Ed25519PrivateKey", tinkpb.OutputPrefixType_TINK, "ED25519"}, true
	}
	return spec{}, false
}

// formatKeyID renders a Tink key id as the key id used in files and manifests.
func formatKeyID(p Purpose, id uint32) string {
	return fmt.Sprintf("%s-%08x", p, id)
}

// parseKeyID is the inverse of formatKeyID.
func parseKeyID(p Purpose, s string) (uint32, bool) {
	rest, ok := strings.CutPrefix(s, string(p)+"-")
	if !ok || len(rest) != 8 {
		return 0, false
	}
	v, err := strconv.ParseUint(rest, 16, 32)
	if err != nil || formatKeyID(p, uint32(v)) != s {
		return 0, false
	}
	return uint32(v), true
}

// tinkPrefixID returns the key id in the 5-byte Tink output prefix of a
// ciphertext or tag (version byte 0x01, then the key id big-endian).
func tinkPrefixID(b []byte) (uint32, bool) {
	if len(b) < 5 || b[0] != 0x01 {
		return 0, false
	}
	return binary.BigEndian.Uint32(b[1:5]), true
}

// KeyIDOf returns the key id that produced a wrapped data key (PurposeWrap) or
// a manifest tag (PurposeManifest), read from its Tink prefix without
// decrypting anything. Useful to find manifests to re-wrap after a rotation.
func KeyIDOf(p Purpose, wrappedOrTag []byte) (string, bool) {
	if p != PurposeWrap && p != PurposeManifest {
		return "", false
	}
	id, ok := tinkPrefixID(wrappedOrTag)
	if !ok {
		return "", false
	}
	return formatKeyID(p, id), true
}

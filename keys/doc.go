// Package keys holds Vigil's keyset: the keys that wrap snapshot data keys,
// authenticate manifests and compute pseudonym tokens, kept encrypted at rest
// and rotated without losing access to old data.
//
// It is a leaf package: it imports nothing of Vigil's own. Cryptography and
// rotation are Tink's (github.com/tink-crypto/tink-go/v2); this package adds
// the file, the unlocking and the rules.
//
// # Unlocking
//
// A keyset file is created by Init (`vigil keys init`) and opened by Open.
// Both take an Unlock naming exactly one secret:
//
//   - PassphraseEnv: the name of an environment variable holding a
//     passphrase. The passphrase itself is never accepted as an argument, so it
//     never appears in argv, config files or shell history. The master key is
//     argon2id(passphrase, salt); the parameters (default time 3, 64 MiB,
//     2 threads) and a random 32-byte salt are stored in the file.
//   - KeyFile: the path of a file holding 32 random bytes in base64, made by
//     GenerateKeyFile. Open refuses a key file that group or others may access
//     (mode & 0077 != 0) with ErrInsecureKeyFile.
//
// From the root secret (the argon2id output, or the key file's bytes) three
// subkeys are derived with HKDF-SHA256 (salt = the file's salt, one label
// each): the keyset-encryption key (AES-256-GCM), a key-check value and a
// metadata MAC key. Open compares the key-check value first, so a wrong
// passphrase or key file gives ErrWrongPassphrase before anything is
// decrypted, and a file modified by someone without the secret gives
// ErrCorrupt, never a misleading "wrong passphrase".
//
// # File format
//
// The keyset file (conventionally <home>/keys/keyset.json) is JSON, written
// atomically (temporary file, fsync, rename, directory fsync) with mode 0600:
//
//	{
//	  "format": 1,
//	  "created": "2026-01-02T03:04:05Z",
//	  "kdf": {"algorithm": "argon2id", "salt": "<base64>", "time": 3, "memory_kib": 65536, "threads": 2},
//	  "check": "<base64, 32 bytes: key-check value>",
//	  "keysets": [
//	    {"purpose": "wrap", "algorithm": "AES256_GCM", "primary": "wrap-1a2b3c4d",
//	     "keys": [{"id": "wrap-1a2b3c4d", "created": "2026-01-02T03:04:05Z", "status": "enabled"}],
//	     "encrypted_keyset": "<base64: Tink EncryptedKeyset>"},
//	    {"purpose": "manifest", ...},
//	    {"purpose": "pseudonym", ...}
//	  ],
//	  "mac": "<base64, HMAC-SHA256 over all other fields>"
//	}
//
// For a key file, kdf is {"algorithm": "keyfile", "salt": ...}. Each
// encrypted_keyset is a Tink keyset written by keyset.Handle with the master
// AEAD and the associated data "vigil keys format 1 purpose <purpose>", so a
// keyset cannot be moved to another purpose. The per-key creation times and
// statuses (which Tink does not keep) are plaintext metadata, authenticated
// by "mac" and cross-checked against the decrypted keysets. Unknown fields are
// errors; a file with another "format" gives ErrUnsupportedFormat; anything
// unparseable gives a *CorruptError (ErrCorrupt) naming the file and, for JSON
// errors, the line and column. Nothing in the file is secret.
//
// Key ids are "<purpose>-<8 hex digits>" (the Tink key id), e.g.
// "wrap-1a2b3c4d". They are what manifests and reports record.
//
// # Purposes
//
// Each purpose has its own Tink keyset; no key serves two purposes.
//
//   - wrap (AES-256-GCM): WrapKey encrypts a per-file data key under the
//     primary key, bound to associated data (e.g. table and snapshot id);
//     UnwrapKey decrypts with whichever key wrapped it (envelope encryption).
//   - manifest (HMAC-SHA256, 256-bit tag): Sign and Verify authenticate
//     manifests, so an edited manifest is detected (ErrBadMAC).
//   - pseudonym (HMAC-SHA256 PRF): Token computes deterministic, keyed
//     pseudonyms, domain-separated by a label.
//
// Wrapped keys and tags carry Tink's 5-byte prefix (0x01 and the key id), so
// KeyIDOf can tell which key made them without decrypting.
//
// # Rotation
//
// Rotate adds a new key to one purpose's keyset, makes it primary and keeps the
// old keys enabled, then rewrites the file atomically. Old wrapped keys still
// unwrap and old tags still verify; new ones use the new key. Rotation never
// rewrites data: a snapshot's bulk data stays encrypted under its own data key,
// and only the small wrapped key in its manifest needs re-wrapping (Rewrap).
//
// Rotating the pseudonym key changes every token: pseudonyms made before and
// after the rotation no longer join. The CLI must require an explicit flag for
// it; record PrimaryKeyID(PurposePseudonym) beside pseudonymised data.
//
// If the file changed on disk after it was opened (another process rotated),
// Rotate fails with ErrChanged rather than losing that change. Disabling or
// destroying old keys is not offered yet.
//
// # Threat model
//
// Protected against: theft of the keyset file alone (keys are AES-256-GCM
// encrypted under a key derived with argon2id or from a 256-bit key file;
// offline guessing costs one argon2id evaluation per passphrase); edits of the
// file by someone without the secret (detected: ErrCorrupt); swapping
// encrypted keysets between purposes (associated data); key material leaking
// through logs, errors, argv or reports (no error, String, GoString or
// LogValue output of this package contains key bytes or the passphrase; the
// passphrase only ever comes from the environment).
//
// Not protected against: an attacker who also has the passphrase or key file
// (keep the key file apart from the keyset and the backups); a weak
// passphrase; someone who can read the memory of a running vigil or its
// environment; rolling the whole file back to an older copy written under the
// same secret (it stays valid: keep it in backups only alongside its data);
// a hostile file asking for costly argon2id parameters (bounded: at most
// time 64, 4 GiB, 64 threads).
//
// # Using it in tests
//
// Tests in other packages get a fast keyring without argon2id from a key
// file:
//
//	dir := t.TempDir()
//	kf := filepath.Join(dir, "key")
//	if err := keys.GenerateKeyFile(kf); err != nil { ... }
//	k, err := keys.Init(ctx, filepath.Join(dir, "keyset.json"), keys.Unlock{KeyFile: kf}, time.Now())
//
// InitWithOptions with cheap Argon2Params does the same for passphrases.
package keys

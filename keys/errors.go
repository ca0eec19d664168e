package keys

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps one of them, so
// callers (and the CLI's exit-code map) can use errors.Is. None of them ever
// carries key material or a passphrase.
var (
	// ErrWrongPassphrase: the passphrase or key file does not open the keyset.
	ErrWrongPassphrase = errors.New("keys: wrong passphrase or key file")
	// ErrNoPassphrase: the passphrase environment variable is unset or empty.
	ErrNoPassphrase = errors.New("keys: no passphrase")
	// ErrInsecureKeyFile: the key file is readable or writable by group or others.
	ErrInsecureKeyFile = errors.New("keys: insecure key file")
	// ErrBadKeyFile: the key file does not hold 32 base64-encoded bytes.
	ErrBadKeyFile = errors.New("keys: bad key file")
	// ErrNoKeyset: there is no keyset file at the given path.
	ErrNoKeyset = errors.New("keys: no keyset")
	// ErrExists: Init or GenerateKeyFile would overwrite an existing file.
	ErrExists = errors.New("keys: file already exists")
	// ErrCorrupt: the keyset file cannot be parsed or fails authentication.
	// The concrete error is a *CorruptError.
	ErrCorrupt = errors.New("keys: corrupt keyset file")
	// ErrUnsupportedFormat: the keyset file has a format version this build
	// does not know (usually written by a newer vigil).
	ErrUnsupportedFormat = errors.New("keys: unsupported keyset format")
	// ErrBadMAC: a manifest tag does not verify under any key of the keyset.
	ErrBadMAC = errors.New("keys: MAC verification failed")
	// ErrUnwrap: a wrapped data key does not decrypt (wrong associated data,
	// tampered ciphertext).
	ErrUnwrap = errors.New("keys: cannot unwrap data key")
	// ErrUnknownKey: a wrapped key or tag names a key id that is not in the keyset.
	ErrUnknownKey = errors.New("keys: unknown key id")
	// ErrUnknownPurpose: a Purpose other than wrap, manifest or pseudonym.
	ErrUnknownPurpose = errors.New("keys: unknown key purpose")
	// ErrUnlockConfig: Unlock names neither or both of a passphrase variable and a key file.
	ErrUnlockConfig = errors.New("keys: invalid unlock configuration")
	// ErrChanged: the keyset file was changed by someone else since it was opened;
	// reopen it and retry.
	ErrChanged = errors.New("keys: keyset file changed since it was opened")
)

// CorruptError describes an unparseable or tampered keyset file. It matches
// ErrCorrupt with errors.Is. Line and Column are 1-based and zero when unknown.
type CorruptError struct {
	Path   string
	Offset int64 // byte offset of a JSON syntax or type error, -1 when unknown
	Line   int
	Column int
	Reason string
}

func (e *CorruptError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("keys: corrupt keyset file %s (line %d, column %d): %s", e.Path, e.Line, e.Column, e.Reason)
	}
	return fmt.Sprintf("keys: corrupt keyset file %s: %s", e.Path, e.Reason)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

func corrupt(path, format string, args ...any) error {
	return &CorruptError{Path: path, Offset: -1, Reason: fmt.Sprintf(format, args...)}
}

// corruptAt builds a CorruptError located at a byte offset of data.
func corruptAt(path string, data []byte, offset int64, reason string) error {
	line, col := lineCol(data, offset)
	return &CorruptError{Path: path, Offset: offset, Line: line, Column: col, Reason: reason}
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, offset int64) (line, col int) {
	if offset < 0 {
		return 0, 0
	}
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line, col = 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

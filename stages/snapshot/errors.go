package snapshot

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of these, so
// callers test them with errors.Is; errors about one file are *FileError.
var (
	ErrNotFound          = errors.New("snapshot: not found")
	ErrAmbiguous         = errors.New("snapshot: ambiguous reference")
	ErrManifestTampered  = errors.New("snapshot: manifest authentication failed")
	ErrManifestInvalid   = errors.New("snapshot: invalid manifest")
	ErrCountMismatch     = errors.New("snapshot: rows read differ from rows written plus rows rejected")
	ErrChecksum          = errors.New("snapshot: checksum mismatch")
	ErrTruncated         = errors.New("snapshot: file truncated")
	ErrMissingFile       = errors.New("snapshot: missing file")
	ErrDecrypt           = errors.New("snapshot: cannot decrypt file")
	ErrKeyUnwrap         = errors.New("snapshot: cannot unwrap data key")
	ErrSchemaMismatch    = errors.New("snapshot: schema mismatch")
	ErrDigestMismatch    = errors.New("snapshot: content digest mismatch")
	ErrRowCount          = errors.New("snapshot: row count mismatch")
	ErrUnsupportedType   = errors.New("snapshot: unsupported column type")
	ErrInvalidName       = errors.New("snapshot: invalid name")
	ErrClosed            = errors.New("snapshot: writer already committed or aborted")
	ErrExists            = errors.New("snapshot: target already exists")
	ErrInvalidOptions    = errors.New("snapshot: invalid options")
	ErrNullInNonNullable = errors.New("snapshot: null in non-nullable column")
	// ErrLedgerDamaged: a snapshot ledger record cannot be read, parsed or
	// authenticated, or the records contradict each other.
	ErrLedgerDamaged = errors.New("snapshot: snapshot ledger damaged")
	// ErrLatestUnproven: the newest snapshot the ledger knows is missing or
	// damaged, or the store holds a snapshot the ledger does not know.
	// "latest" then fails; it never falls back to an older snapshot.
	ErrLatestUnproven = errors.New("snapshot: latest snapshot cannot be proven")
)

// FileError is an error about one file of a snapshot. Detail never holds
// row contents or key material.
type FileError struct {
	File   string // file name inside the snapshot directory, e.g. data-00000.parquet
	Err    error  // one of the sentinel errors
	Detail string // optional explanation
}

func (e *FileError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("%v: %s", e.Err, e.File)
	}
	return fmt.Sprintf("%v: %s: %s", e.Err, e.File, e.Detail)
}

// Unwrap returns the sentinel error.
func (e *FileError) Unwrap() error { return e.Err }

func fileErr(file string, err error, format string, args ...any) *FileError {
	return &FileError{File: file, Err: err, Detail: fmt.Sprintf(format, args...)}
}

// RefError is an error about one snapshot, named "<table>/<id>".
type RefError struct {
	Ref string
	Err error
}

func (e *RefError) Error() string { return e.Ref + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *RefError) Unwrap() error { return e.Err }

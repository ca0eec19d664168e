package snapshot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LatestOf returns the manifest of table's latest snapshot: the live (not
// forgotten) commit with the highest sequence number in the snapshot
// ledger. With auth non-nil the ledger records and the manifest are
// authenticated.
//
// It never falls back to an older snapshot. It fails with an error wrapping
// ErrLatestUnproven (and the cause) when that snapshot's directory or
// manifest is missing, the manifest cannot be read, differs from every
// version the ledger recorded (edited, truncated or replayed), names
// another sequence number or does not authenticate; when the ledger itself
// is damaged; and when the store holds a snapshot newer than the ledger's
// newest (a commit the ledger missed: the next run adopts it, or vigil
// snapshots reindex).
func LatestOf(store, table string, auth Authenticator) (*Manifest, error) {
	if err := ValidTable(table); err != nil {
		return nil, err
	}
	unproven := func(err error) error {
		return fmt.Errorf("%w: %s/latest: %w", ErrLatestUnproven, table, err)
	}
	l, err := ReadLedger(store, table, auth)
	if err != nil {
		return nil, unproven(err)
	}
	ms, listErr := listTable(store, table)
	e := l.Newest()
	if e == nil {
		if len(ms) > 0 || listErr != nil {
			return nil, unproven(fmt.Errorf("%w: the store holds snapshots of %s but the snapshot ledger records none (check the store, then run \"vigil snapshots reindex\")", ErrLedgerDamaged, table))
		}
		return nil, fmt.Errorf("%w: no snapshot of table %q", ErrNotFound, table)
	}
	for _, m := range ms {
		if m.Seq > e.Seq && l.Entry(m.ID) == nil {
			return nil, unproven(fmt.Errorf("%w: snapshot %s (sequence %d) is newer than the newest the ledger records (%d); the next run adopts it if it authenticates, or run \"vigil snapshots reindex\"",
				ErrLedgerDamaged, m.Ref(), m.Seq, e.Seq))
		}
	}
	for _, re := range refErrors(listErr) {
		_, id, _ := strings.Cut(re.Ref, "/")
		if l.Entry(id) == nil && id > e.ID {
			return nil, unproven(fmt.Errorf("snapshot %s is unreadable, unknown to the ledger and may be newer than %s: %w", re.Ref, e.Ref(), re.Err))
		}
	}
	dir := filepath.Join(TableDir(store, table), e.ID)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, unproven(fmt.Errorf("%w: snapshot %s (sequence %d) was committed but its directory is gone", ErrMissingFile, e.Ref(), e.Seq))
	}
	m, err := readManifestAt(dir, table, e.ID)
	if err != nil {
		return nil, unproven(fmt.Errorf("%s (sequence %d): %w", e.Ref(), e.Seq, err))
	}
	if !e.AcceptsManifest(m.fileSHA256) {
		return nil, unproven(&FileError{File: ManifestName, Err: ErrManifestTampered,
			Detail: fmt.Sprintf("%s: differs from every version the snapshot ledger recorded (edited or replayed)", e.Ref())})
	}
	if m.Seq != 0 && m.Seq != e.Seq {
		return nil, unproven(&FileError{File: ManifestName, Err: ErrManifestTampered,
			Detail: fmt.Sprintf("%s: sequence %d, the ledger says %d", e.Ref(), m.Seq, e.Seq)})
	}
	if auth != nil {
		if err := m.Authenticate(auth); err != nil {
			return nil, unproven(fmt.Errorf("%s: %w", e.Ref(), err))
		}
	}
	return m, nil
}

// refErrors returns the *RefError values joined in err.
func refErrors(err error) []*RefError {
	if err == nil {
		return nil
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []*RefError
	for _, e := range errs {
		var re *RefError
		if errors.As(e, &re) {
			out = append(out, re)
		}
	}
	return out
}

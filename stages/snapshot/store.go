package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/internal/atomicfile"
)

const (
	snapshotsDir = "snapshots"
	tmpPrefix    = ".tmp-"
	latestRef    = "latest"
)

// TableDir returns the directory holding the snapshots of table.
func TableDir(store, table string) string { return filepath.Join(store, snapshotsDir, table) }

// List returns the manifests of all committed snapshots of all tables,
// sorted by table, then creation time, then id. Manifests are parsed and
// validated but not authenticated. Directories starting with "." (e.g.
// uncommitted .tmp-* directories) are ignored. A snapshot whose manifest
// cannot be read is left out and reported in the returned error (an
// errors.Join of *RefError) next to the snapshots that could be read.
func List(store string) ([]*Manifest, error) {
	tables, err := readDirNames(filepath.Join(store, snapshotsDir))
	if err != nil {
		return nil, err
	}
	var out []*Manifest
	var errs []error
	for _, t := range tables {
		ms, err := listTable(store, t)
		out = append(out, ms...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	sortManifests(out)
	return out, errors.Join(errs...)
}

func sortManifests(ms []*Manifest) {
	sort.Slice(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if a.Table != b.Table {
			return a.Table < b.Table
		}
		if a.Seq != b.Seq {
			return a.Seq < b.Seq
		}
		if !a.Created.Equal(b.Created) {
			return a.Created.Before(b.Created)
		}
		return a.ID < b.ID
	})
}

func readDirNames(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

func listTable(store, table string) ([]*Manifest, error) {
	if ValidTable(table) != nil {
		return nil, nil
	}
	ids, err := readDirNames(TableDir(store, table))
	if err != nil {
		return nil, err
	}
	var out []*Manifest
	var errs []error
	for _, id := range ids {
		if !ValidID(id) {
			continue
		}
		m, err := readManifestAt(filepath.Join(TableDir(store, table), id), table, id)
		if err != nil {
			errs = append(errs, &RefError{Ref: table + "/" + id, Err: err})
			continue
		}
		out = append(out, m)
	}
	sortManifests(out)
	return out, errors.Join(errs...)
}

// ReadManifest reads, parses and validates the manifest in a snapshot
// directory without authenticating it, and checks that it names the
// directory it is in.
func ReadManifest(dir string) (*Manifest, error) {
	dir = filepath.Clean(dir)
	return readManifestAt(dir, filepath.Base(filepath.Dir(dir)), filepath.Base(dir))
}

func readManifestAt(dir, table, id string) (*Manifest, error) {
	f, err := os.Open(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &FileError{File: ManifestName, Err: ErrMissingFile}
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxManifestSize+1))
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if int64(len(b)) > maxManifestSize {
		return nil, &FileError{File: ManifestName, Err: ErrManifestInvalid, Detail: "too large"}
	}
	m, err := ParseManifest(b)
	if err != nil {
		return nil, &FileError{File: ManifestName, Err: ErrManifestInvalid, Detail: strings.TrimPrefix(err.Error(), ErrManifestInvalid.Error()+": ")}
	}
	sum := sha256.Sum256(b)
	m.fileSHA256 = sha256Hex(sum[:])
	if m.Table != table || m.ID != id {
		return nil, &FileError{File: ManifestName, Err: ErrManifestTampered,
			Detail: fmt.Sprintf("manifest names %s/%s but lies in %s/%s", m.Table, m.ID, table, id)}
	}
	return m, nil
}

// Latest returns the manifest of the newest committed snapshot of table
// as the snapshot ledger knows it (see LatestOf; not authenticated).
func Latest(store, table string) (*Manifest, error) {
	return LatestOf(store, table, nil)
}

// Resolve returns the directory of the committed snapshot named by ref:
// "<table>/<id>", "<table>/latest", "<id>" (searched in all tables) or
// "<table>" (its latest snapshot, see LatestOf).
func Resolve(store, ref string) (string, error) { return resolve(store, ref, nil) }

// ResolveAuth is Resolve that authenticates the snapshot ledger records and
// the latest manifest with auth when ref names a table's latest snapshot.
func ResolveAuth(store, ref string, auth Authenticator) (string, error) {
	return resolve(store, ref, auth)
}

func resolve(store, ref string, auth Authenticator) (string, error) {
	table, id, hasSlash := strings.Cut(ref, "/")
	switch {
	case hasSlash:
		if err := ValidTable(table); err != nil {
			return "", err
		}
		if id == latestRef {
			m, err := LatestOf(store, table, auth)
			if err != nil {
				return "", err
			}
			return filepath.Join(TableDir(store, table), m.ID), nil
		}
		if !ValidID(id) {
			return "", fmt.Errorf("%w: bad snapshot id in %q", ErrInvalidName, ref)
		}
		dir := filepath.Join(TableDir(store, table), id)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return "", fmt.Errorf("%w: %s", ErrNotFound, ref)
		}
		return dir, nil
	case ValidID(ref):
		tables, err := readDirNames(filepath.Join(store, snapshotsDir))
		if err != nil {
			return "", err
		}
		var found []string
		for _, t := range tables {
			dir := filepath.Join(TableDir(store, t), ref)
			if st, err := os.Stat(dir); err == nil && st.IsDir() {
				found = append(found, dir)
			}
		}
		switch len(found) {
		case 0:
			return "", fmt.Errorf("%w: %s", ErrNotFound, ref)
		case 1:
			return found[0], nil
		}
		return "", fmt.Errorf("%w: %s exists in %d tables; use <table>/<id>", ErrAmbiguous, ref, len(found))
	default:
		return resolve(store, ref+"/"+latestRef, auth)
	}
}

// Delete removes one committed snapshot: it records the removal in the
// snapshot ledger (signed with auth), then renames the directory to a
// .tmp-* name and removes it, so a crash never leaves a half-deleted
// visible snapshot nor a ledger that names a removed snapshot as live.
func Delete(store, ref string, auth Authenticator) error {
	dir, err := Resolve(store, ref)
	if err != nil {
		return err
	}
	table, id := filepath.Base(filepath.Dir(dir)), filepath.Base(dir)
	l, err := ReadLedger(store, table, auth)
	if err != nil {
		return err
	}
	if e := l.Entry(id); e != nil && !e.Forgotten {
		rec := &LedgerRecord{Kind: LedgerForget, Table: table, ID: id, Seq: e.Seq, RunID: e.RunID, Reason: "deleted by request"}
		if err := appendLedger(store, rec, auth); err != nil {
			return err
		}
	}
	return deleteDir(dir)
}

func deleteDir(dir string) error {
	parent := filepath.Dir(dir)
	trash := filepath.Join(parent, tmpPrefix+"del-"+filepath.Base(dir))
	if err := os.Rename(dir, trash); err != nil {
		return fmt.Errorf("snapshot: delete: %w", err)
	}
	if err := atomicfile.SyncDir(parent); err != nil {
		return err
	}
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("snapshot: delete: %w", err)
	}
	return nil
}

// Prune deletes all but the newest keepLast committed snapshots of table
// (by the ledger's sequence, see PlanForget and ApplyForget) and returns
// the deleted references ("<table>/<id>"). keepLast must be at least 1.
// The newest intact snapshot and damaged snapshots are never deleted.
func Prune(store, table string, keepLast int, auth Authenticator) ([]string, error) {
	if keepLast < 1 {
		return nil, fmt.Errorf("%w: keepLast must be at least 1", ErrInvalidOptions)
	}
	cands, err := Candidates(store, []string{table}, auth)
	if err != nil {
		return nil, err
	}
	ds, err := PlanForget(cands, Policy{Last: keepLast}, ForgetOptions{})
	if err != nil {
		return nil, err
	}
	return ApplyForget(store, ds, auth)
}

// Cleanup removes leftover .tmp-* directories (from crashed or aborted
// writers and deletions) older than minAge and returns their paths. Use a
// minAge longer than any run, or hold the store lock, so that a writer in
// progress is not disturbed.
func Cleanup(store string, minAge time.Duration) ([]string, error) {
	tdirs, err := os.ReadDir(filepath.Join(store, snapshotsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	var removed []string
	var errs []error
	cutoff := time.Now().Add(-minAge)
	for _, t := range tdirs {
		if !t.IsDir() {
			continue
		}
		dir := filepath.Join(store, snapshotsDir, t.Name())
		ents, err := os.ReadDir(dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, e := range ents {
			if !strings.HasPrefix(e.Name(), tmpPrefix) {
				continue
			}
			info, err := e.Info()
			if err != nil || info.ModTime().After(cutoff) {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if err := os.RemoveAll(p); err != nil {
				errs = append(errs, err)
				continue
			}
			removed = append(removed, p)
		}
	}
	return removed, errors.Join(errs...)
}

// Rewrap re-wraps every data key of a snapshot under the keyset's current
// primary key and re-signs the manifest with auth, replacing manifest.json
// atomically. Data files are not touched. The manifest must authenticate
// first.
func Rewrap(ctx context.Context, store, ref string, keys KeyWrapper, auth Authenticator) (*Manifest, error) {
	s, err := Open(ctx, store, ref, keys, auth)
	if err != nil {
		return nil, err
	}
	m := *s.Manifest()
	m.Files = append([]File(nil), m.Files...)
	changed := false
	for i, f := range m.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		dek, err := s.DataKey(f.Name)
		if err != nil {
			return nil, err
		}
		keyID, wrapped, err := keys.WrapKey(dek, wrapAD(m.Table, m.ID, f.Name))
		clear(dek)
		if err != nil {
			return nil, fmt.Errorf("snapshot: wrap data key for %s: %w", f.Name, err)
		}
		if keyID != f.KeyID {
			changed = true
		}
		m.Files[i].KeyID = keyID
		m.Files[i].WrappedKey = base64.StdEncoding.EncodeToString(wrapped)
	}
	if !changed {
		// Already wrapped by the primary key: nothing to do (rewrap is
		// idempotent, so an interrupted "rewrap --all" is simply run again).
		return s.Manifest(), nil
	}
	if err := m.Sign(auth); err != nil {
		return nil, err
	}
	b, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	// Record the new manifest in the snapshot ledger before it replaces
	// the old one: after a crash either version is accepted.
	if m.Seq > 0 || ledgerKnows(store, m.Table, m.ID) {
		e, err := ledgerEntry(store, m.Table, m.ID, auth)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		rec := &LedgerRecord{Kind: LedgerRewrap, Table: m.Table, ID: m.ID, Seq: e.Seq, RunID: e.RunID, ManifestSHA256: sha256Hex(sum[:])}
		if err := appendLedger(store, rec, auth); err != nil {
			return nil, err
		}
	}
	tmp := filepath.Join(s.Dir(), tmpPrefix+ManifestName)
	if err := writeFileSync(tmp, b); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, filepath.Join(s.Dir(), ManifestName)); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("snapshot: rewrap: %w", err)
	}
	if err := atomicfile.SyncDir(s.Dir()); err != nil {
		return nil, err
	}
	return &m, nil
}

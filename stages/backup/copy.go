package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/stages/snapshot"
)

// Object key layout on a target: the same as a store.
const (
	snapshotsPrefix = "snapshots/"
	ledgerPrefix    = snapshot.LedgerDir + "/"
)

func snapshotKey(table, id, file string) string {
	return snapshotsPrefix + table + "/" + id + "/" + file
}

func ledgerKey(table, name string) string { return ledgerPrefix + table + "/" + name }

// Report says what Copy did on one target.
type Report struct {
	Target  string   `json:"target"`
	Copied  []string `json:"copied"`  // snapshots copied (or completed) by this run
	Present []string `json:"present"` // snapshots the target already held, checked
	Files   int      `json:"files_uploaded"`
	Bytes   int64    `json:"bytes_uploaded"`
	Resumed int      `json:"files_resumed"` // files already on the target from an interrupted copy
}

// Copy copies every live committed snapshot of store (the given tables, or
// all) that the target does not hold yet: data files first, each verified
// by reading it back and comparing its SHA-256 with the manifest's, then
// the manifest (verified likewise), then the snapshot's ledger records,
// the commit record last. Until its commit record is on the target, a
// snapshot does not count there, so an interrupted copy is never taken for
// a snapshot; the next Copy resumes it, skipping files already present
// with the right content. Snapshots the target's ledger records as
// forgotten are not copied again.
func Copy(ctx context.Context, store string, t Target, auth snapshot.Authenticator, log *slog.Logger, tables []string) (*Report, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rep := &Report{Target: t.Name(), Copied: []string{}, Present: []string{}}
	if len(tables) == 0 {
		var err error
		if tables, err = snapshot.LedgerTables(store); err != nil {
			return rep, err
		}
	}
	for _, table := range tables {
		local, err := snapshot.ReadLedger(store, table, auth)
		if err != nil {
			return rep, err
		}
		remote, err := ReadLedger(ctx, t, table, auth)
		if err != nil {
			return rep, err
		}
		for _, e := range local.Live() {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			re := remote.Entry(e.ID)
			if re != nil && re.Forgotten {
				continue
			}
			done, err := copySnapshot(ctx, store, t, auth, e, re, rep)
			if err != nil {
				return rep, fmt.Errorf("backup: %s: %s: %w", t.Name(), e.Ref(), err)
			}
			if done {
				rep.Copied = append(rep.Copied, e.Ref())
				log.Info("snapshot copied", "target", t.Name(), "snapshot", e.Ref())
			} else {
				rep.Present = append(rep.Present, e.Ref())
			}
		}
	}
	// The erasure ledger travels with the snapshots, so that a restore from
	// the target alone still leaves erased subjects out.
	if err := copyErasures(ctx, store, t); err != nil {
		return rep, err
	}
	return rep, nil
}

func copyErasures(ctx context.Context, store string, t Target) error {
	ents, err := os.ReadDir(filepath.Join(store, snapshot.ErasureDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".bin") {
			continue
		}
		key := snapshot.ErasureDir + "/" + e.Name()
		b, err := os.ReadFile(filepath.Join(store, snapshot.ErasureDir, e.Name()))
		if err != nil {
			return err
		}
		if st, err := t.Stat(ctx, key); err == nil && st.Size == int64(len(b)) {
			continue
		}
		if err := putBytesVerified(ctx, t, key, b); err != nil {
			return err
		}
	}
	return nil
}

// copySnapshot copies one snapshot; it returns false when the target held
// it already.
func copySnapshot(ctx context.Context, store string, t Target, auth snapshot.Authenticator, e, remote *snapshot.LedgerEntry, rep *Report) (bool, error) {
	dir := filepath.Join(snapshot.TableDir(store, e.Table), e.ID)
	m, err := snapshot.ReadManifest(dir)
	if err != nil {
		return false, err
	}
	if !e.AcceptsManifest(m.FileSHA256()) {
		return false, fmt.Errorf("%w: the local manifest is not the one the ledger recorded", snapshot.ErrManifestTampered)
	}
	if err := m.Authenticate(auth); err != nil {
		return false, err
	}
	mkey := snapshotKey(e.Table, e.ID, snapshot.ManifestName)
	if remote != nil && hasRecords(remote, e.Records) {
		if sum, err := remoteSum(ctx, t, mkey); err == nil && sum == m.FileSHA256() {
			return false, nil
		}
	}
	for _, f := range m.Files {
		if err := putVerified(ctx, t, snapshotKey(e.Table, e.ID, f.Name), filepath.Join(dir, f.Name), f.SHA256, f.Size, rep); err != nil {
			return false, err
		}
	}
	mb, err := os.ReadFile(filepath.Join(dir, snapshot.ManifestName))
	if err != nil {
		return false, err
	}
	if err := putBytesVerified(ctx, t, mkey, mb); err != nil {
		return false, err
	}
	// Ledger records last, the commit record (the first) after the others.
	recs := append(append([]string(nil), e.Records[1:]...), e.Records[0])
	for _, name := range recs {
		b, err := os.ReadFile(snapshot.LedgerRecordPath(store, e.Table, name))
		if err != nil {
			return false, err
		}
		if err := putBytesVerified(ctx, t, ledgerKey(e.Table, name), b); err != nil {
			return false, err
		}
	}
	return true, nil
}

func hasRecords(e *snapshot.LedgerEntry, names []string) bool {
	have := map[string]bool{}
	for _, n := range e.Records {
		have[n] = true
	}
	for _, n := range names {
		if !have[n] {
			return false
		}
	}
	return true
}

// putVerified uploads a local file unless the target already holds it with
// the expected SHA-256 (a resumed copy), then reads it back and compares.
func putVerified(ctx context.Context, t Target, key, file, sum string, size int64, rep *Report) error {
	if st, err := t.Stat(ctx, key); err == nil && st.Size == size {
		if got, err := remoteSum(ctx, t, key); err == nil && got == sum {
			rep.Resumed++
			return nil
		}
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if err := t.Put(ctx, key, io.TeeReader(f, h), size); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		// The local file changed or rotted: never leave its copy behind.
		_ = t.Delete(ctx, key)
		return fmt.Errorf("%w: local %s has SHA-256 %s, the manifest says %s", snapshot.ErrChecksum, filepath.Base(file), got, sum)
	}
	got, err := remoteSum(ctx, t, key)
	if err != nil {
		return err
	}
	if got != sum {
		return fmt.Errorf("%w: %s: SHA-256 %s, want %s", ErrVerify, key, got, sum)
	}
	rep.Files++
	rep.Bytes += size
	return nil
}

func putBytesVerified(ctx context.Context, t Target, key string, b []byte) error {
	if err := t.Put(ctx, key, bytes.NewReader(b), int64(len(b))); err != nil {
		return err
	}
	want := sha256.Sum256(b)
	got, err := remoteSum(ctx, t, key)
	if err != nil {
		return err
	}
	if got != hex.EncodeToString(want[:]) {
		return fmt.Errorf("%w: %s", ErrVerify, key)
	}
	return nil
}

// remoteSum reads an object and returns its hex SHA-256.
func remoteSum(ctx context.Context, t Target, key string) (string, error) {
	r, err := t.Get(ctx, key)
	if err != nil {
		return "", err
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", fmt.Errorf("backup: %s: read %s: %w", t.Name(), key, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func getAll(ctx context.Context, t Target, key string, limit int64) ([]byte, error) {
	r, err := t.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("backup: %s: read %s: %w", t.Name(), key, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("backup: %s: %s is too large", t.Name(), key)
	}
	return b, nil
}

// ReadLedger reads a table's snapshot ledger from a target (authenticated
// with auth when non-nil). A damaged record fails it.
func ReadLedger(ctx context.Context, t Target, table string, auth snapshot.Authenticator) (*snapshot.TableLedger, error) {
	objs, err := t.List(ctx, ledgerPrefix+table+"/")
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, o := range objs {
		name := strings.TrimPrefix(o.Key, ledgerPrefix+table+"/")
		if strings.Contains(name, "/") {
			continue
		}
		b, err := getAll(ctx, t, o.Key, 1<<20)
		if err != nil {
			return nil, err
		}
		files[name] = b
	}
	return snapshot.BuildLedger(table, files, auth)
}

// Tables lists the tables that have a ledger on the target.
func Tables(ctx context.Context, t Target) ([]string, error) {
	objs, err := t.List(ctx, ledgerPrefix)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, o := range objs {
		rest := strings.TrimPrefix(o.Key, ledgerPrefix)
		table, _, ok := strings.Cut(rest, "/")
		if ok && !seen[table] && snapshot.ValidTable(table) == nil {
			seen[table] = true
			out = append(out, table)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Fetch copies what is needed to open snapshot ref ("TABLE/ID",
// "TABLE/latest" or "TABLE") from a target into dst, laid out as a store:
// the table's ledger and the snapshot's files. "latest" is resolved from
// the target's ledger alone. Objects missing on the target are left
// missing, so that opening or verifying the copy reports them. It returns
// the resolved "TABLE/ID".
func Fetch(ctx context.Context, t Target, dst, ref string, auth snapshot.Authenticator) (string, error) {
	table, id, _ := strings.Cut(ref, "/")
	if err := snapshot.ValidTable(table); err != nil {
		return "", err
	}
	l, err := ReadLedger(ctx, t, table, auth)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", snapshot.ErrLatestUnproven, t.Name(), err)
	}
	if id == "" || id == "latest" {
		e := l.Newest()
		if e == nil {
			return "", fmt.Errorf("%w: target %s holds no snapshot of %s", snapshot.ErrNotFound, t.Name(), table)
		}
		id = e.ID
	} else if !snapshot.ValidID(id) {
		return "", fmt.Errorf("%w: bad snapshot id in %q", snapshot.ErrInvalidName, ref)
	}
	objs, err := t.List(ctx, ledgerPrefix+table+"/")
	if err != nil {
		return "", err
	}
	for _, o := range objs {
		if err := download(ctx, t, o.Key, filepath.Join(dst, filepath.FromSlash(o.Key))); err != nil {
			return "", err
		}
	}
	objs, err = t.List(ctx, snapshot.ErasureDir+"/")
	if err != nil {
		return "", err
	}
	for _, o := range objs {
		if err := download(ctx, t, o.Key, filepath.Join(dst, filepath.FromSlash(o.Key))); err != nil {
			return "", err
		}
	}
	prefix := snapshotsPrefix + table + "/" + id + "/"
	objs, err = t.List(ctx, prefix)
	if err != nil {
		return "", err
	}
	for _, o := range objs {
		name := strings.TrimPrefix(o.Key, prefix)
		if strings.Contains(name, "/") || path.Clean(name) != name {
			continue
		}
		if err := download(ctx, t, o.Key, filepath.Join(dst, filepath.FromSlash(o.Key))); err != nil {
			return "", err
		}
	}
	if err := os.MkdirAll(filepath.Join(snapshot.TableDir(dst, table), id), 0o700); err != nil {
		return "", err
	}
	return table + "/" + id, nil
}

// FetchMeta copies every ledger record and every manifest of a target into
// dst, laid out as a store (no data files), and returns the target's
// object sizes by key, for listing and retention.
func FetchMeta(ctx context.Context, t Target, dst string) (map[string]int64, error) {
	objs, err := t.List(ctx, "")
	if err != nil {
		return nil, err
	}
	sizes := map[string]int64{}
	for _, o := range objs {
		sizes[o.Key] = o.Size
		if strings.HasPrefix(o.Key, ledgerPrefix) || (strings.HasPrefix(o.Key, snapshotsPrefix) && path.Base(o.Key) == snapshot.ManifestName) {
			if err := download(ctx, t, o.Key, filepath.Join(dst, filepath.FromSlash(o.Key))); err != nil {
				return nil, err
			}
		}
	}
	return sizes, nil
}

func download(ctx context.Context, t Target, key, dst string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	r, err := t.Get(ctx, key)
	if errors.Is(err, ErrNotExist) {
		return nil // deleted meanwhile: reported by whoever reads the copy
	}
	if err != nil {
		return err
	}
	defer r.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, &ctxReader{ctx: ctx, r: r}); err != nil {
		f.Close()
		return fmt.Errorf("backup: %s: read %s: %w", t.Name(), key, err)
	}
	return f.Close()
}

// Candidates returns the live snapshots on a target as retention
// candidates. A snapshot is intact when its manifest is the one the
// ledger recorded, authenticates, and every file is present with its size.
func Candidates(ctx context.Context, t Target, tables []string, auth snapshot.Authenticator, tmp string) ([]snapshot.Candidate, error) {
	sizes, err := FetchMeta(ctx, t, tmp)
	if err != nil {
		return nil, err
	}
	if len(tables) == 0 {
		if tables, err = snapshot.LedgerTables(tmp); err != nil {
			return nil, err
		}
	}
	var out []snapshot.Candidate
	for _, table := range tables {
		l, err := snapshot.ReadLedger(tmp, table, auth)
		if err != nil {
			return nil, err
		}
		for _, e := range l.Live() {
			c := snapshot.Candidate{Table: table, ID: e.ID, Seq: e.Seq, RunID: e.RunID, Committed: e.Committed, Created: e.Committed}
			c.Damage = remoteDamage(tmp, e, auth, sizes, &c)
			c.Intact = c.Damage == ""
			out = append(out, c)
		}
	}
	return out, nil
}

func remoteDamage(tmp string, e *snapshot.LedgerEntry, auth snapshot.Authenticator, sizes map[string]int64, c *snapshot.Candidate) string {
	m, err := snapshot.ReadManifest(filepath.Join(snapshot.TableDir(tmp, e.Table), e.ID))
	if err != nil {
		return err.Error()
	}
	c.Created = m.Created
	if !e.AcceptsManifest(m.FileSHA256()) {
		return "manifest differs from the ledger's"
	}
	if auth != nil {
		if err := m.Authenticate(auth); err != nil {
			return err.Error()
		}
	}
	for _, f := range m.Files {
		n, ok := sizes[snapshotKey(e.Table, e.ID, f.Name)]
		if !ok {
			return "missing " + f.Name
		}
		if n != f.Size {
			return fmt.Sprintf("%s has %d bytes, manifest says %d", f.Name, n, f.Size)
		}
	}
	return ""
}

// ApplyForget removes from a target the snapshots decisions do not keep:
// a signed forget record first, then the snapshot's objects (manifest
// first, so a half-removed snapshot is never taken for one).
func ApplyForget(ctx context.Context, t Target, ds []snapshot.Decision, auth snapshot.Authenticator) ([]string, error) {
	var removed []string
	for _, d := range ds {
		if d.Keep {
			continue
		}
		rec := &snapshot.LedgerRecord{Kind: snapshot.LedgerForget, Table: d.Table, ID: d.ID, Seq: d.Seq, RunID: d.RunID,
			Reason: strings.Join(d.Reasons, "; "), Time: time.Now().UTC().Truncate(time.Microsecond)}
		name, b, err := snapshot.EncodeLedgerRecord(rec, auth)
		if err != nil {
			return removed, err
		}
		if err := putBytesVerified(ctx, t, ledgerKey(d.Table, name), b); err != nil {
			return removed, err
		}
		removed = append(removed, d.Ref())
	}
	return removed, RemoveForgotten(ctx, t)
}

// RemoveForgotten deletes the objects of snapshots the target's ledger
// records as forgotten (completes an interrupted ApplyForget).
func RemoveForgotten(ctx context.Context, t Target) error {
	tables, err := Tables(ctx, t)
	if err != nil {
		return err
	}
	for _, table := range tables {
		l, err := ReadLedger(ctx, t, table, nil)
		if err != nil {
			return err
		}
		for _, e := range l.Entries {
			if !e.Forgotten {
				continue
			}
			prefix := snapshotsPrefix + table + "/" + e.ID + "/"
			objs, err := t.List(ctx, prefix)
			if err != nil {
				return err
			}
			sort.Slice(objs, func(i, j int) bool { // manifest first
				return path.Base(objs[i].Key) == snapshot.ManifestName && path.Base(objs[j].Key) != snapshot.ManifestName
			})
			for _, o := range objs {
				if err := t.Delete(ctx, o.Key); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

package snapshot

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/internal/atomicfile"
)

// LedgerDir is the directory of the snapshot ledger inside a store (and
// inside a backup target): <store>/snapshot-ledger/<table>/<record>.json.
const LedgerDir = "snapshot-ledger"

// LedgerFormat is the format of ledger records written by this package.
const LedgerFormat = 1

// Ledger record kinds.
const (
	LedgerCommit = "commit" // a snapshot was committed
	LedgerRewrap = "rewrap" // a snapshot's manifest was re-wrapped (new manifest hash)
	LedgerForget = "forget" // a snapshot was removed by retention
)

// LedgerRecord is one record of the snapshot ledger: a small JSON file,
// authenticated by the keyset's manifest key, written once and never
// changed. The ledger, not the clock or the directory listing, says which
// snapshots were committed and in which order: TABLE/latest is the live
// (not forgotten) commit with the highest Seq.
type LedgerRecord struct {
	Format int       `json:"format"`
	Kind   string    `json:"kind"`
	Table  string    `json:"table"`
	ID     string    `json:"id"`
	Seq    int64     `json:"seq"`
	RunID  string    `json:"run_id,omitempty"`
	Time   time.Time `json:"time"`
	// ManifestSHA256 is the hex SHA-256 of manifest.json as written
	// (commit and rewrap records).
	ManifestSHA256 string `json:"manifest_sha256,omitempty"`
	Reason         string `json:"reason,omitempty"` // forget: why
	Tag            string `json:"tag,omitempty"`
}

var recordNamePattern = regexp.MustCompile(`^([0-9]{12})-(commit|rewrap|forget)-([0-9]{8}T[0-9]{6}Z-[0-9a-f]{6})(-[0-9a-f]{16})?\.json$`)

// Name returns the record's file name: <seq>-<kind>-<id>[-<sha prefix>].json.
func (r *LedgerRecord) Name() string {
	n := fmt.Sprintf("%012d-%s-%s", r.Seq, r.Kind, r.ID)
	if r.Kind == LedgerRewrap {
		n += "-" + r.ManifestSHA256[:16]
	}
	return n + ".json"
}

func (r *LedgerRecord) canonical() ([]byte, error) {
	c := *r
	c.Tag = ""
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, err
	}
	return append([]byte("vigil/snapshot-ledger/v1\x00"), b...), nil
}

func (r *LedgerRecord) sign(auth Authenticator) error {
	msg, err := r.canonical()
	if err != nil {
		return err
	}
	tag, err := auth.Sign(msg)
	if err != nil {
		return fmt.Errorf("snapshot: sign ledger record: %w", err)
	}
	r.Tag = base64.StdEncoding.EncodeToString(tag)
	return nil
}

func (r *LedgerRecord) authenticate(auth Authenticator) error {
	tag, err := base64.StdEncoding.DecodeString(r.Tag)
	if err != nil || r.Tag == "" {
		return errors.New("no valid authentication tag")
	}
	msg, err := r.canonical()
	if err != nil {
		return err
	}
	if auth.Verify(msg, tag) != nil {
		return errors.New("the record was changed or was not signed by this keyset")
	}
	return nil
}

// ParseLedgerRecord parses one ledger record file named name (without
// authenticating it) and checks that the name matches its content.
func ParseLedgerRecord(name string, b []byte) (*LedgerRecord, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var r LedgerRecord
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrLedgerDamaged, name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: %s: data after the record", ErrLedgerDamaged, name)
	}
	bad := func(why string) error { return fmt.Errorf("%w: %s: %s", ErrLedgerDamaged, name, why) }
	switch {
	case r.Format != LedgerFormat:
		return nil, bad(fmt.Sprintf("format %d not supported", r.Format))
	case ValidTable(r.Table) != nil:
		return nil, bad("bad table")
	case !ValidID(r.ID):
		return nil, bad("bad snapshot id")
	case r.Seq < 1:
		return nil, bad("sequence must be at least 1")
	case r.Kind != LedgerForget && !sha256Pattern.MatchString(r.ManifestSHA256):
		return nil, bad("bad manifest_sha256")
	}
	if r.Kind != LedgerCommit && r.Kind != LedgerRewrap && r.Kind != LedgerForget {
		return nil, bad("unknown kind " + strconv.Quote(r.Kind))
	}
	if r.Name() != name {
		return nil, bad("file name does not match the record (renamed or replayed)")
	}
	return &r, nil
}

// LedgerEntry is what the ledger knows about one snapshot.
type LedgerEntry struct {
	Table     string
	ID        string
	Seq       int64
	RunID     string
	Committed time.Time
	// ManifestSHA256 lists every manifest the ledger accepts for the
	// snapshot: the committed one and one per rewrap.
	ManifestSHA256 []string
	Forgotten      bool
	ForgetReason   string
	// Records are the file names of the entry's records, in order.
	Records []string
}

// Ref returns "<table>/<id>".
func (e *LedgerEntry) Ref() string { return e.Table + "/" + e.ID }

// AcceptsManifest reports whether sum (hex SHA-256 of manifest.json) is a
// manifest the ledger recorded for this snapshot.
func (e *LedgerEntry) AcceptsManifest(sum string) bool {
	for _, s := range e.ManifestSHA256 {
		if s == sum {
			return true
		}
	}
	return false
}

// TableLedger is the ledger of one table: its entries sorted by Seq.
type TableLedger struct {
	Table   string
	Entries []*LedgerEntry
}

// Entry returns the entry of snapshot id.
func (l *TableLedger) Entry(id string) *LedgerEntry {
	for _, e := range l.Entries {
		if e.ID == id {
			return e
		}
	}
	return nil
}

// MaxSeq returns the highest sequence number in the ledger (0 if empty).
func (l *TableLedger) MaxSeq() int64 {
	if len(l.Entries) == 0 {
		return 0
	}
	return l.Entries[len(l.Entries)-1].Seq
}

// Newest returns the live entry with the highest Seq, or nil.
func (l *TableLedger) Newest() *LedgerEntry {
	for i := len(l.Entries) - 1; i >= 0; i-- {
		if !l.Entries[i].Forgotten {
			return l.Entries[i]
		}
	}
	return nil
}

// Live returns the entries that are not forgotten, oldest first.
func (l *TableLedger) Live() []*LedgerEntry {
	var out []*LedgerEntry
	for _, e := range l.Entries {
		if !e.Forgotten {
			out = append(out, e)
		}
	}
	return out
}

func ledgerTableDir(store, table string) string { return filepath.Join(store, LedgerDir, table) }

// LedgerTables returns the tables that have a ledger in store, sorted.
func LedgerTables(store string) ([]string, error) {
	names, err := readDirNames(filepath.Join(store, LedgerDir))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if ValidTable(n) == nil {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// ReadLedger reads the ledger of table. With auth non-nil every record is
// authenticated. Any record that cannot be read, parsed or authenticated
// makes it fail with an error wrapping ErrLedgerDamaged: the ledger decides
// what "latest" is, so it must be whole.
func ReadLedger(store, table string, auth Authenticator) (*TableLedger, error) {
	if err := ValidTable(table); err != nil {
		return nil, err
	}
	dir := ledgerTableDir(store, table)
	ents, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("snapshot: ledger: %w", err)
	}
	files := map[string][]byte{}
	for _, e := range ents {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := readSmall(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("%w: %s/%s: %v", ErrLedgerDamaged, table, e.Name(), err)
		}
		files[e.Name()] = b
	}
	return BuildLedger(table, files, auth)
}

// BuildLedger builds a table's ledger from its record files (name →
// content), as read from a store or a backup target.
func BuildLedger(table string, files map[string][]byte, auth Authenticator) (*TableLedger, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names) // by seq, then kind: commit < forget < rewrap
	recs := make([]*LedgerRecord, 0, len(names))
	for _, n := range names {
		if !recordNamePattern.MatchString(n) {
			return nil, fmt.Errorf("%w: %s/%s: not a ledger record name", ErrLedgerDamaged, table, n)
		}
		r, err := ParseLedgerRecord(n, files[n])
		if err != nil {
			return nil, err
		}
		if r.Table != table {
			return nil, fmt.Errorf("%w: %s/%s: record names table %q", ErrLedgerDamaged, table, n, r.Table)
		}
		if auth != nil {
			if err := r.authenticate(auth); err != nil {
				return nil, fmt.Errorf("%w: %s/%s: %v", ErrLedgerDamaged, table, n, err)
			}
		}
		recs = append(recs, r)
	}
	l := &TableLedger{Table: table}
	byID := map[string]*LedgerEntry{}
	seqs := map[int64]string{}
	// commits first, so rewrap and forget records find their entry whatever
	// the order of names.
	for _, r := range recs {
		if r.Kind != LedgerCommit {
			continue
		}
		if byID[r.ID] != nil {
			return nil, fmt.Errorf("%w: %s: snapshot %s committed twice", ErrLedgerDamaged, table, r.ID)
		}
		if other, ok := seqs[r.Seq]; ok {
			return nil, fmt.Errorf("%w: %s: sequence %d used by %s and %s", ErrLedgerDamaged, table, r.Seq, other, r.ID)
		}
		seqs[r.Seq] = r.ID
		e := &LedgerEntry{Table: table, ID: r.ID, Seq: r.Seq, RunID: r.RunID, Committed: r.Time,
			ManifestSHA256: []string{r.ManifestSHA256}, Records: []string{r.Name()}}
		byID[r.ID] = e
		l.Entries = append(l.Entries, e)
	}
	for _, r := range recs {
		if r.Kind == LedgerCommit {
			continue
		}
		e := byID[r.ID]
		if e == nil || e.Seq != r.Seq {
			return nil, fmt.Errorf("%w: %s/%s: %s record without a matching commit", ErrLedgerDamaged, table, r.Name(), r.Kind)
		}
		e.Records = append(e.Records, r.Name())
		switch r.Kind {
		case LedgerRewrap:
			e.ManifestSHA256 = append(e.ManifestSHA256, r.ManifestSHA256)
		case LedgerForget:
			e.Forgotten = true
			e.ForgetReason = r.Reason
		}
	}
	sort.Slice(l.Entries, func(i, j int) bool { return l.Entries[i].Seq < l.Entries[j].Seq })
	return l, nil
}

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20+1))
	if err != nil {
		return nil, err
	}
	if len(b) > 1<<20 {
		return nil, errors.New("too large")
	}
	return b, nil
}

// appendLedger signs rec and writes it into store's ledger (atomically,
// fsynced). Writing the same record again is a no-op.
func appendLedger(store string, rec *LedgerRecord, auth Authenticator) error {
	rec.Format = LedgerFormat
	if rec.Time.IsZero() {
		rec.Time = time.Now().UTC().Truncate(time.Microsecond)
	}
	path := filepath.Join(ledgerTableDir(store, rec.Table), rec.Name())
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := rec.sign(auth); err != nil {
		return err
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(store, LedgerDir), 0o700); err != nil {
		return fmt.Errorf("snapshot: ledger: %w", err)
	}
	if err := os.MkdirAll(ledgerTableDir(store, rec.Table), 0o700); err != nil {
		return fmt.Errorf("snapshot: ledger: %w", err)
	}
	if err := atomicfile.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("snapshot: ledger: %w", err)
	}
	return nil
}

// manifestSum returns the hex SHA-256 of the manifest file in dir.
func manifestSum(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(b)
	return sha256Hex(s[:]), nil
}

// nextSeq returns the sequence number of the next snapshot of table: one
// more than any the ledger or a readable manifest has used.
func nextSeq(store, table string) (int64, error) {
	l, err := ReadLedger(store, table, nil)
	if err != nil {
		return 0, err
	}
	max := l.MaxSeq()
	ms, _ := listTable(store, table)
	for _, m := range ms {
		if m.Seq > max {
			max = m.Seq
		}
	}
	return max + 1, nil
}

// Reindex adds to the ledger of table every committed snapshot whose
// manifest authenticates with auth but that the ledger does not know and
// that is newer than the ledger's newest record: a snapshot committed by a
// writer that crashed before it recorded the commit, or every snapshot of
// a store written before the ledger existed (sequence numbers then follow
// creation time and id). Snapshots that do not authenticate are never
// adopted. It returns the adopted references.
func Reindex(store, table string, auth Authenticator) ([]string, error) {
	l, err := ReadLedger(store, table, auth)
	if err != nil {
		return nil, err
	}
	ms, _ := listTable(store, table) // unreadable manifests are never adopted
	max := l.MaxSeq()
	var adopted []string
	for _, m := range ms {
		if l.Entry(m.ID) != nil {
			continue
		}
		seq := m.Seq
		switch {
		case seq == 0 && len(l.Entries) == 0:
			seq = max + 1 // written before sequence numbers existed
		case seq <= max:
			continue // older than the ledger's newest: not silently adopted
		}
		if err := m.Authenticate(auth); err != nil {
			continue
		}
		dir := filepath.Join(TableDir(store, table), m.ID)
		sum, err := manifestSum(dir)
		if err != nil {
			return adopted, err
		}
		runID := m.RunID
		if runID == "" {
			runID = m.Extra["run_id"]
		}
		rec := &LedgerRecord{Kind: LedgerCommit, Table: table, ID: m.ID, Seq: seq, RunID: runID, ManifestSHA256: sum}
		if err := appendLedger(store, rec, auth); err != nil {
			return adopted, err
		}
		adopted = append(adopted, m.Ref())
		if seq > max {
			max = seq
		}
	}
	return adopted, nil
}

// prepareSeq readies the ledger of table for a new snapshot and returns
// its sequence number. It adopts snapshots committed by a writer that
// crashed before recording them (the next run recovers) and, in a store
// written before the ledger existed, every snapshot. A store whose ledger
// is gone while snapshots with sequence numbers remain is an error: that
// is not something to repair silently (vigil snapshots reindex does it on
// request).
func prepareSeq(store, table string, auth Authenticator) (int64, error) {
	l, err := ReadLedger(store, table, auth)
	if err != nil {
		return 0, err
	}
	if len(l.Entries) == 0 {
		ms, _ := listTable(store, table)
		for _, m := range ms {
			if m.Seq > 0 {
				return 0, fmt.Errorf("%w: table %s has snapshots with sequence numbers but no ledger; run \"vigil snapshots reindex\" after checking the store", ErrLedgerDamaged, table)
			}
		}
	}
	if _, err := Reindex(store, table, auth); err != nil {
		return 0, err
	}
	return nextSeq(store, table)
}

func ledgerKnows(store, table, id string) bool {
	l, err := ReadLedger(store, table, nil)
	return err == nil && l.Entry(id) != nil
}

func ledgerEntry(store, table, id string, auth Authenticator) (*LedgerEntry, error) {
	l, err := ReadLedger(store, table, auth)
	if err != nil {
		return nil, err
	}
	e := l.Entry(id)
	if e == nil {
		return nil, fmt.Errorf("%w: %s/%s is not in the snapshot ledger (run \"vigil snapshots reindex\")", ErrLedgerDamaged, table, id)
	}
	return e, nil
}

// EncodeLedgerRecord signs rec with auth and returns its file name and
// content, for writers that store the ledger elsewhere (backup targets).
func EncodeLedgerRecord(rec *LedgerRecord, auth Authenticator) (name string, data []byte, err error) {
	rec.Format = LedgerFormat
	if rec.Time.IsZero() {
		rec.Time = time.Now().UTC().Truncate(time.Microsecond)
	}
	if err := rec.sign(auth); err != nil {
		return "", nil, err
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return "", nil, err
	}
	return rec.Name(), append(b, '\n'), nil
}

// LedgerRecordPath returns the path of a ledger record file in store.
func LedgerRecordPath(store, table, name string) string {
	return filepath.Join(ledgerTableDir(store, table), name)
}

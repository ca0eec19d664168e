package verify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/vigil-dg/vigil/stages/snapshot"
)

// Kind classifies a problem. The values are stable: they appear in the run
// ledger and in reports.
type Kind string

// Problem kinds.
const (
	KindManifestTampered Kind = "manifest_tampered" // manifest changed, unreadable, or not signed by this keyset
	KindWrongKey         Kind = "wrong_key"         // data keys cannot be unwrapped with this keyset
	KindMissingFile      Kind = "missing_file"      // a file named by the manifest is gone
	KindTruncated        Kind = "truncated"         // a file is shorter than recorded
	KindChecksum         Kind = "checksum"          // a file's SHA-256 (or size) differs from the manifest
	KindDecrypt          Kind = "decrypt"           // a file does not decrypt or decode
	KindRowCount         Kind = "row_count"         // rows read differ from the manifest
	KindSchema           Kind = "schema"            // columns differ from the manifest
	KindDigest           Kind = "digest"            // content digest differs from the manifest
	KindNullCounts       Kind = "null_counts"       // per-column NULL counts differ from the manifest
	KindDuckDB           Kind = "duckdb"            // DuckDB cannot read the snapshot or reads other content
	KindRestore          Kind = "restore"           // the restore drill failed
	KindUnexpectedFile   Kind = "unexpected_file"   // a file in the snapshot directory that the manifest does not name
	KindIO               Kind = "io"                // the file system failed while checking
	KindLatest           Kind = "latest_unproven"   // the newest snapshot the ledger records is missing or damaged, or the ledger is
)

// ErrFailed is wrapped by Result.Err when a snapshot has problems.
var ErrFailed = errors.New("verify: snapshot failed verification")

// Problem is one thing wrong with a snapshot. Detail never holds row
// contents or key material.
type Problem struct {
	Kind   Kind   `json:"kind"`
	File   string `json:"file,omitempty"`
	Detail string `json:"detail"`
}

func (p Problem) String() string {
	if p.File == "" {
		return fmt.Sprintf("%s: %s", p.Kind, p.Detail)
	}
	return fmt.Sprintf("%s: %s: %s", p.Kind, p.File, p.Detail)
}

// Check names, recorded in Result.Checks.
const (
	CheckManifest = "manifest" // manifest parsed and authenticated
	CheckFiles    = "files"    // every file present with its size and SHA-256
	CheckDecrypt  = "decrypt"  // every file decrypted; rows, schema, digest, NULL counts compared
	CheckDuckDB   = "duckdb"   // DuckDB read the data files with their keys
	CheckRestore  = "restore"  // restore drill: plaintext restore re-read
)

// Result is the outcome of verifying one snapshot; the caller records it in
// the run ledger.
type Result struct {
	Snapshot string `json:"snapshot"` // <table>/<id>
	// Location is the backup target the copy was read from (empty: the
	// local store).
	Location     string        `json:"location,omitempty"`
	Table        string        `json:"table"`
	ID           string        `json:"id"`
	Started      time.Time     `json:"started"`
	Duration     time.Duration `json:"duration_ns"`
	RowsChecked  int64         `json:"rows_checked"`
	FilesChecked int           `json:"files_checked"`
	Checks       []string      `json:"checks"`            // checks that ran to completion
	Skipped      []string      `json:"skipped,omitempty"` // why a check did not run
	Problems     []Problem     `json:"problems"`
	OK           bool          `json:"ok"`
	// NotVerified, when set, says why the check could not finish
	// (interrupted, disk full): the snapshot is neither ok nor failed.
	NotVerified string `json:"not_verified,omitempty"`
}

func (r *Result) add(kind Kind, file, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Kind: kind, File: file, Detail: fmt.Sprintf(format, args...)})
}

// Has reports whether the result has a problem of kind k.
func (r *Result) Has(k Kind) bool {
	for _, p := range r.Problems {
		if p.Kind == k {
			return true
		}
	}
	return false
}

// Err returns nil when the snapshot verified, else an *Error wrapping
// ErrFailed.
func (r *Result) Err() error {
	if r.OK {
		return nil
	}
	return &Error{Result: r}
}

// Error reports a snapshot that failed verification with all its problems.
type Error struct{ Result *Result }

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "verify: %s: %d problem(s)", e.Result.Snapshot, len(e.Result.Problems))
	for _, p := range e.Result.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap returns ErrFailed.
func (e *Error) Unwrap() error { return ErrFailed }

// Options configure a verification.
type Options struct {
	// SkipDuckDB leaves out the DuckDB check (it is on by default).
	SkipDuckDB bool
	// RestoreDrill restores the snapshot as plain Parquet into a private
	// temporary directory (mode 0700, removed afterwards) and re-reads it.
	// The plaintext copy exists on disk while the drill runs.
	RestoreDrill bool
	// TempDir is the parent of the drill directory (default os.TempDir()).
	TempDir string
	// AllSnapshots makes CheckAll verify every snapshot, not only the
	// newest of each table.
	AllSnapshots bool
	Alloc        memory.Allocator // default memory.DefaultAllocator
	Logger       *slog.Logger     // default discards
	Now          func() time.Time // default time.Now
	// Planned and Checked, when set, follow CheckAll for a progress bar:
	// Planned gets the snapshots it will check, before the first; Checked
	// each one as its check ends.
	Planned func(refs []string)
	Checked func(ref string)
}

func (o *Options) defaults() {
	if o.Alloc == nil {
		o.Alloc = memory.DefaultAllocator
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Check verifies one snapshot (ref as for snapshot.Open) and reports every
// problem it finds. The error is non-nil only when there is nothing to
// verify (the snapshot does not exist, the reference is ambiguous) or ctx
// ends; problems with the snapshot itself are in the Result.
func Check(ctx context.Context, store, ref string, keys snapshot.KeyWrapper, auth snapshot.Authenticator, opts Options) (*Result, error) {
	opts.defaults()
	dir, err := snapshot.ResolveAuth(store, ref, auth)
	if err != nil {
		return nil, err
	}
	table, id := filepath.Base(filepath.Dir(dir)), filepath.Base(dir)
	res := &Result{Snapshot: table + "/" + id, Table: table, ID: id, Started: opts.Now().UTC()}
	start := time.Now()
	c := &checker{ctx: ctx, store: store, dir: dir, keys: keys, auth: auth, opts: opts, res: res}
	err = c.run()
	res.Duration = time.Since(start)
	if res.Problems == nil {
		res.Problems = []Problem{}
	}
	res.OK = len(res.Problems) == 0 && err == nil
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, ErrNotVerified) {
			res.NotVerified = err.Error()
			if !errors.Is(err, ErrNotVerified) {
				err = fmt.Errorf("%w: interrupted: %w", ErrNotVerified, err)
			}
		}
		return res, err
	}
	log := opts.Logger.With("snapshot", res.Snapshot)
	if res.OK {
		log.Info("snapshot verified", "rows", res.RowsChecked, "files", res.FilesChecked, "checks", strings.Join(res.Checks, ","), "duration", res.Duration.Round(time.Millisecond))
	} else {
		kinds := make([]string, len(res.Problems))
		for i, p := range res.Problems {
			kinds[i] = string(p.Kind)
		}
		log.Error("snapshot failed verification", "problems", len(res.Problems), "kinds", strings.Join(kinds, ","))
	}
	return res, nil
}

// CheckAll verifies the newest snapshot of every table (every snapshot
// with opts.AllSnapshots), including snapshots whose manifest cannot be
// read. Results are in table order; the error reports failures to check
// (not problems found, which are in the results).
func CheckAll(ctx context.Context, store string, keys snapshot.KeyWrapper, auth snapshot.Authenticator, opts Options) ([]*Result, error) {
	opts.defaults()
	refs, err := allRefs(store)
	if err != nil {
		return nil, err
	}
	var results []*Result
	unproven := map[string]error{}
	if !opts.AllSnapshots {
		// The newest snapshot of each table is the one the snapshot ledger
		// proves, never the newest directory that happens to read.
		tables := map[string]bool{}
		for _, r := range refs {
			t, _, _ := strings.Cut(r, "/")
			tables[t] = true
		}
		lt, err := snapshot.LedgerTables(store)
		if err != nil {
			return nil, err
		}
		for _, t := range lt {
			tables[t] = true
		}
		refs = refs[:0]
		for t := range tables {
			m, err := snapshot.LatestOf(store, t, auth)
			if err != nil {
				if errors.Is(err, snapshot.ErrNotFound) {
					continue
				}
				opts.Logger.Error("latest snapshot cannot be proven", "table", t, "error", err.Error())
				// Check the newest committed snapshot anyway, so that every
				// problem with it is reported, never an older one instead.
				if l, lerr := snapshot.ReadLedger(store, t, nil); lerr == nil && l.Newest() != nil {
					if _, serr := os.Stat(filepath.Join(snapshot.TableDir(store, t), l.Newest().ID)); serr == nil {
						refs = append(refs, l.Newest().Ref())
						unproven[l.Newest().Ref()] = err
						continue
					}
				}
				res := &Result{Snapshot: t + "/latest", Table: t, ID: "latest", Started: opts.Now().UTC(), Checks: []string{}}
				res.add(KindLatest, "", "%s", err.Error())
				results = append(results, res)
				continue
			}
			refs = append(refs, m.Ref())
		}
		sort.Strings(refs)
	}
	if opts.Planned != nil {
		opts.Planned(refs)
	}
	var errs []error
	for _, ref := range refs {
		if err := ctx.Err(); err != nil {
			return results, err
		}
		res, err := Check(ctx, store, ref, keys, auth, opts)
		if opts.Checked != nil {
			opts.Checked(ref)
		}
		if res != nil {
			if uerr, ok := unproven[ref]; ok {
				res.add(KindLatest, "", "%s", uerr.Error())
				res.OK = false
			}
			results = append(results, res)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("verify: %s: %w", ref, err))
		}
	}
	return results, errors.Join(errs...)
}

// allRefs lists every committed snapshot directory, readable or not, sorted
// by table and id (ids sort by creation time).
func allRefs(store string) ([]string, error) {
	ms, err := snapshot.List(store)
	var refs []string
	for _, m := range ms {
		refs = append(refs, m.Ref())
	}
	if err != nil {
		var unreadable []error
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			unreadable = j.Unwrap()
		} else {
			unreadable = []error{err}
		}
		for _, e := range unreadable {
			var re *snapshot.RefError
			if !errors.As(e, &re) {
				return nil, err
			}
			refs = append(refs, re.Ref)
		}
	}
	sort.Slice(refs, func(i, j int) bool {
		ti, ii, _ := strings.Cut(refs[i], "/")
		tj, ij, _ := strings.Cut(refs[j], "/")
		if ti != tj {
			return ti < tj
		}
		return ii < ij
	})
	return refs, nil
}

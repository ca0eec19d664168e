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
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// readBatchRows is the number of rows per record batch when reading.
const readBatchRows = 64 * 1024

// Snapshot is an opened committed snapshot.
type Snapshot struct {
	dir  string
	m    *Manifest
	keys KeyWrapper
	auth Authenticator // nil when opened unverified; used to open a chain's other links
	// erasures drop erased subjects' rows from Records (set by Open).
	erasures *Erasures
}

// Open resolves ref ("<table>/<id>", "<id>", "<table>/latest" or
// "<table>"), reads the manifest and authenticates it with auth. A manifest
// that was changed gives an error wrapping ErrManifestTampered.
func Open(ctx context.Context, store, ref string, keys KeyWrapper, auth Authenticator) (*Snapshot, error) {
	s, err := openUnverified(ctx, store, ref, keys, auth)
	if err != nil {
		return nil, err
	}
	if err := s.m.Authenticate(auth); err != nil {
		return nil, err
	}
	s.auth = auth
	// Every reader of an opened snapshot (restore, classify, anonymize)
	// sees the store without erased subjects.
	if err := s.applyErasures(store); err != nil {
		return nil, err
	}
	return s, nil
}

// OpenUnverified is Open without authenticating the manifest. It exists for
// diagnostics (verify reports every problem, so it goes on after a bad
// tag); treat everything read through it as untrusted. Data keys are still
// bound to table, id and file name by the key wrapping.
func OpenUnverified(ctx context.Context, store, ref string, keys KeyWrapper) (*Snapshot, error) {
	return openUnverified(ctx, store, ref, keys, nil)
}

func openUnverified(ctx context.Context, store, ref string, keys KeyWrapper, ledgerAuth Authenticator) (*Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir, err := resolve(store, ref, ledgerAuth)
	if err != nil {
		return nil, err
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	return &Snapshot{dir: dir, m: m, keys: keys}, nil
}

// Manifest returns the snapshot's manifest. Do not modify it.
func (s *Snapshot) Manifest() *Manifest { return s.m }

// Dir returns the snapshot directory.
func (s *Snapshot) Dir() string { return s.dir }

// Path returns the path of a file of the snapshot.
func (s *Snapshot) Path(file string) string { return filepath.Join(s.dir, file) }

// DataKey returns the unwrapped data key of file (for DuckDB's
// add_parquet_key). The caller must never log, print or store it.
func (s *Snapshot) DataKey(file string) ([]byte, error) {
	f, ok := s.m.File(file)
	if !ok {
		return nil, fmt.Errorf("%w: file %s is not in the manifest", ErrNotFound, file)
	}
	wrapped, err := base64.StdEncoding.DecodeString(f.WrappedKey)
	if err != nil {
		return nil, &FileError{File: file, Err: ErrKeyUnwrap, Detail: "wrapped key is not base64"}
	}
	dek, err := s.keys.UnwrapKey(wrapped, wrapAD(s.m.Table, s.m.ID, file))
	if err != nil {
		return nil, &FileError{File: file, Err: ErrKeyUnwrap,
			Detail: fmt.Sprintf("key id %q: wrong keyset, missing key or altered wrapped key", f.KeyID)}
	}
	if len(dek) != DataKeySize {
		clear(dek)
		return nil, &FileError{File: file, Err: ErrKeyUnwrap, Detail: "data key has the wrong size"}
	}
	return dek, nil
}

// CheckFile checks that file exists with the size and SHA-256 recorded in
// the manifest. It returns a *FileError wrapping ErrMissingFile,
// ErrTruncated (shorter than recorded) or ErrChecksum (other size or
// different content).
func (s *Snapshot) CheckFile(ctx context.Context, file string) error {
	entry, ok := s.m.File(file)
	if !ok {
		return fmt.Errorf("%w: file %s is not in the manifest", ErrNotFound, file)
	}
	f, err := os.Open(s.Path(file))
	if errors.Is(err, fs.ErrNotExist) {
		return &FileError{File: file, Err: ErrMissingFile}
	}
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if st.Size() < entry.Size {
		return fileErr(file, ErrTruncated, "%d bytes, manifest says %d", st.Size(), entry.Size)
	}
	if st.Size() > entry.Size {
		return fileErr(file, ErrChecksum, "%d bytes, manifest says %d", st.Size(), entry.Size)
	}
	h := sha256.New()
	if _, err := io.Copy(h, &ctxReader{ctx: ctx, r: f}); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("snapshot: read %s: %w", file, err)
	}
	if got := sha256Hex(h.Sum(nil)); got != entry.SHA256 {
		return fileErr(file, ErrChecksum, "sha256 %s, manifest says %s", got, entry.SHA256)
	}
	return nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Records returns a reader over all data rows, file by file. Each file is
// checked against its size and SHA-256 before it is decrypted; problems end
// the stream with a *FileError in Err. The caller must Release the reader.
func (s *Snapshot) Records(ctx context.Context, alloc memory.Allocator) (array.RecordReader, error) {
	if !s.m.Chain.standsAlone() {
		return s.composedRecords(ctx, alloc) // the table as of this night (chain.go)
	}
	schema, err := s.m.ArrowSchema()
	if err != nil {
		return nil, err
	}
	rr, err := s.newSeqReader(ctx, alloc, s.m.DataFiles(), schema, true)
	if err != nil || s.erasures.Empty(s.m.Table) {
		return rr, err
	}
	if alloc == nil {
		alloc = memory.DefaultAllocator
	}
	f, err := s.erasures.Filter(s.m.Table, rr, alloc)
	if err != nil {
		rr.Release()
		return nil, err
	}
	return f, nil
}

// Rejects returns a reader over the rejected rows (schema RejectSchema).
// Its rows hold raw input: never log them.
func (s *Snapshot) Rejects(ctx context.Context, alloc memory.Allocator) (array.RecordReader, error) {
	return s.newSeqReader(ctx, alloc, s.m.RejectFiles(), rejectSchema, true)
}

// OpenFile decrypts one file without checking its SHA-256 first (AES-GCM
// still authenticates every module). It checks the schema against the
// manifest and the row count against the file's entry; errors are
// *FileError wrapping ErrMissingFile, ErrKeyUnwrap, ErrDecrypt,
// ErrSchemaMismatch or ErrRowCount. Use CheckFile for the checksum.
func (s *Snapshot) OpenFile(ctx context.Context, file string, alloc memory.Allocator) (array.RecordReader, error) {
	entry, ok := s.m.File(file)
	if !ok {
		return nil, fmt.Errorf("%w: file %s is not in the manifest", ErrNotFound, file)
	}
	want := rejectSchema
	switch entry.Kind {
	case KindIndex:
		want = indexSchema
	case KindDeletes:
		want = deletesSchema
	case KindData:
		var err error
		if want, err = s.m.ArrowSchema(); err != nil {
			return nil, err
		}
	}
	return s.newSeqReader(ctx, alloc, []File{entry}, want, false)
}

func (s *Snapshot) newSeqReader(ctx context.Context, alloc memory.Allocator, files []File, schema *arrow.Schema, checkHash bool) (*seqReader, error) {
	if alloc == nil {
		alloc = memory.DefaultAllocator
	}
	r := &seqReader{s: s, ctx: ctx, alloc: alloc, files: files, schema: schema, checkHash: checkHash}
	r.refs.Store(1)
	if len(files) == 0 {
		return r, nil
	}
	if err := r.openNext(); err != nil {
		r.Release()
		return nil, err
	}
	return r, nil
}

// seqReader reads a sequence of encrypted files as one record stream.
type seqReader struct {
	refs      atomic.Int64
	s         *Snapshot
	ctx       context.Context
	alloc     memory.Allocator
	files     []File
	next      int
	schema    *arrow.Schema
	checkHash bool

	cur *fileReader
	rec arrow.RecordBatch
	err error
}

func (r *seqReader) Retain() { r.refs.Add(1) }

func (r *seqReader) Release() {
	if r.refs.Add(-1) == 0 {
		r.releaseRec()
		r.closeCur()
	}
}

func (r *seqReader) closeCur() {
	if r.cur != nil {
		r.cur.close()
		r.cur = nil
	}
}

func (r *seqReader) Schema() *arrow.Schema { return r.schema }

func (r *seqReader) RecordBatch() arrow.RecordBatch { return r.rec }

// Deprecated: Use RecordBatch.
func (r *seqReader) Record() arrow.RecordBatch { return r.rec }

func (r *seqReader) Err() error { return r.err }

func (r *seqReader) openNext() error {
	entry := r.files[r.next]
	r.next++
	if r.checkHash {
		if err := r.s.CheckFile(r.ctx, entry.Name); err != nil {
			return err
		}
	}
	fr, err := r.s.openFileReader(r.ctx, entry, r.alloc)
	if err != nil {
		return err
	}
	if !sameColumns(fr.schema, r.schema) {
		fr.close()
		return fileErr(entry.Name, ErrSchemaMismatch, "schema differs from the manifest")
	}
	r.cur = fr
	return nil
}

func (r *seqReader) releaseRec() {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
}

func (r *seqReader) Next() bool {
	r.releaseRec()
	if r.err != nil {
		return false
	}
	for {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			r.closeCur()
			return false
		}
		if r.cur == nil {
			if r.next >= len(r.files) {
				return false
			}
			if err := r.openNext(); err != nil {
				r.err = err
				return false
			}
		}
		rec, err := r.cur.nextBatch()
		if err != nil {
			r.err = err
			r.closeCur()
			return false
		}
		if rec != nil {
			// Present the manifest's schema (without Parquet field metadata).
			r.rec = array.NewRecordBatch(r.schema, rec.Columns(), rec.NumRows())
			return true
		}
		r.closeCur()
	}
}

// fileReader decrypts one file.
type fileReader struct {
	entry  File
	f      *os.File
	dprops *parquet.FileDecryptionProperties
	rr     pqarrow.RecordReader
	schema *arrow.Schema
	rows   int64
}

func (s *Snapshot) openFileReader(ctx context.Context, entry File, alloc memory.Allocator) (fr *fileReader, err error) {
	name := entry.Name
	dek, err := s.DataKey(name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(s.Path(name))
	if err != nil {
		clear(dek)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &FileError{File: name, Err: ErrMissingFile}
		}
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	r := &fileReader{entry: entry, f: f}
	r.dprops = parquet.NewFileDecryptionProperties(parquet.WithFooterKey(string(dek)))
	clear(dek)
	defer func() {
		if p := recover(); p != nil {
			err = fileErr(name, ErrDecrypt, "the Parquet decoder failed (%T)", p)
		}
		if err != nil {
			r.close()
			fr = nil
		}
	}()
	props := parquet.NewReaderProperties(alloc)
	props.FileDecryptProps = r.dprops
	pf, err := file.NewParquetReader(f, file.WithReadProps(props))
	if err != nil {
		return nil, fileErr(name, ErrDecrypt, "%v", err)
	}
	if pf.NumRows() != entry.Rows {
		return nil, fileErr(name, ErrRowCount, "file holds %d rows, manifest says %d", pf.NumRows(), entry.Rows)
	}
	pr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: readBatchRows}, alloc)
	if err != nil {
		return nil, fileErr(name, ErrDecrypt, "%v", err)
	}
	sc, err := pr.Schema()
	if err != nil {
		return nil, fileErr(name, ErrDecrypt, "%v", err)
	}
	if entry.Kind == KindData {
		if err := s.m.CheckColumns(sc); err != nil {
			return nil, &FileError{File: name, Err: err}
		}
	} else if want := sideSchema(entry.Kind); want != nil {
		if !sameColumns(sc, want) {
			return nil, fileErr(name, ErrSchemaMismatch, "not a %s file", entry.Kind)
		}
	} else if !sameColumns(sc, rejectSchema) {
		return nil, fileErr(name, ErrSchemaMismatch, "not a rejects file")
	}
	rr, err := pr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return nil, fileErr(name, ErrDecrypt, "%v", err)
	}
	r.rr = rr
	r.schema = sc
	return r, nil
}

// nextBatch returns the next batch, or nil at the end of the file.
func (fr *fileReader) nextBatch() (rec arrow.RecordBatch, err error) {
	defer func() {
		if p := recover(); p != nil {
			rec, err = nil, fileErr(fr.entry.Name, ErrDecrypt, "the Parquet decoder failed (%T)", p)
		}
	}()
	if fr.rr.Next() {
		rec = fr.rr.RecordBatch()
		fr.rows += rec.NumRows()
		return rec, nil
	}
	if err := fr.rr.Err(); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		return nil, fileErr(fr.entry.Name, ErrDecrypt, "%v", err)
	}
	if fr.rows != fr.entry.Rows {
		return nil, fileErr(fr.entry.Name, ErrRowCount, "read %d rows, manifest says %d", fr.rows, fr.entry.Rows)
	}
	return nil, nil
}

func (fr *fileReader) close() {
	if fr.rr != nil {
		fr.rr.Release()
		fr.rr = nil
	}
	if fr.dprops != nil {
		fr.dprops.WipeOutDecryptionKeys()
	}
	if fr.f != nil {
		fr.f.Close()
		fr.f = nil
	}
}

var _ array.RecordReader = (*seqReader)(nil)

// sameColumns compares names, types and nullability, ignoring metadata.
func sameColumns(a, b *arrow.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i := range a.Fields() {
		x, y := a.Field(i), b.Field(i)
		if x.Name != y.Name || x.Nullable != y.Nullable || !arrow.TypeEqual(x.Type, y.Type) {
			return false
		}
	}
	return true
}

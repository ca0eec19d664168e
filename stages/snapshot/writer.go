package snapshot

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/vigil-dg/vigil/internal/atomicfile"
)

// KeyWrapper wraps and unwraps data keys (envelope encryption). WrapKey
// uses the keyset's primary snapshot key and returns its id; UnwrapKey
// accepts data keys wrapped by any key of the keyset. ad is associated
// data that must match between WrapKey and UnwrapKey.
type KeyWrapper interface {
	WrapKey(dek, ad []byte) (keyID string, wrapped []byte, err error)
	UnwrapKey(wrapped, ad []byte) ([]byte, error)
}

// Authenticator makes and checks manifest authentication tags.
type Authenticator interface {
	Sign(msg []byte) ([]byte, error)
	Verify(msg, tag []byte) error
}

// Reject is one input row that could not be converted. Raw is personal
// data: it is stored encrypted in the rejects files and never logged.
type Reject struct {
	File   string
	Line   int64
	Column string
	Reason string
	Raw    string
}

// Defaults for Options.
const (
	DefaultMaxRowsPerFile = 1_000_000
	DefaultRowGroupRows   = 128 * 1024
	// DataKeySize is the size of the per-file data key (AES-256).
	DataKeySize = 32
)

// maxRowGroupBytes bounds a row group of an encrypted file by its
// estimated PLAIN-encoded size (see plainSizer), besides RowGroupRows.
// Encrypted column chunks are written as one data page each (see
// writerProps), so the writer holds a whole row group unencoded until the
// row group is closed; this keeps that bounded whatever the values' sizes,
// and every page far below the 2 GiB Parquet limit. 8 MiB rather than 16
// lowers peak RSS by about 15% (demo customers table) for 0.5% larger files.
const maxRowGroupBytes = 8 << 20

// singlePageSize is the data page size limit of encrypted files: a limit
// no column chunk can reach, so that arrow-go never cuts a data page
// inside a column chunk. DuckDB cannot read encrypted column chunks with
// more than one data page (see doc.go, "DuckDB interoperability").
const singlePageSize = math.MaxInt64

// Compression of all files. Measured with BenchmarkCompression on 1M CRM
// rows: zstd at level 1 costs the same CPU as snappy and makes files about
// 45% smaller; higher zstd levels cost more CPU for little gain.
const (
	compressionName  = "zstd"
	compressionLevel = 1
)

func codec() compress.Compression { return compress.Codecs.Zstd }

// Options configure a snapshot Writer.
type Options struct {
	Store  string // store root; snapshots go to <Store>/snapshots/<Table>/<id>/
	Table  string
	Source string // free text naming the source, e.g. "csv:/data/crm" (no secrets)
	Keys   KeyWrapper
	Auth   Authenticator
	// MaxRowsPerFile splits data and rejects into files of at most this
	// many rows (default DefaultMaxRowsPerFile).
	MaxRowsPerFile int64
	// RowGroupRows is the most rows in a Parquet row group (default
	// DefaultRowGroupRows); row groups are also cut at about 8 MiB.
	RowGroupRows int
	Alloc        memory.Allocator // default memory.DefaultAllocator
	Now          func() time.Time // default time.Now
	Logger       *slog.Logger     // default discards
	Extra        map[string]string
	// RunID names the run writing the snapshot (its snapshot set); it is
	// recorded in the manifest and the snapshot ledger.
	RunID string
}

// Writer writes one snapshot. Write and Reject may be called in any order;
// Commit makes the snapshot visible atomically. Always call Abort when
// done (it is a no-op after a successful Commit):
//
//	w, err := snapshot.Create(ctx, opts, schema)
//	if err != nil { ... }
//	defer w.Abort()
//	... w.Write(rec) ... w.Reject(r) ...
//	m, err := w.Commit(ctx, rowsRead)
//
// A Writer is not safe for concurrent use.
type Writer struct {
	opts     Options
	schema   *arrow.Schema
	id       string
	created  time.Time
	tableDir string
	tmpDir   string
	log      *slog.Logger

	data     *pqFile
	nextData int
	rej      *pqFile
	nextRej  int
	rejB     *array.RecordBuilder
	rejBytes int
	files    []File

	rows, rejected int64
	nulls          []int64

	digCh   chan arrow.RecordBatch
	digDone chan error
	dig     *Digester

	codec   compress.Compression // compression of all files (codec() unless a benchmark changes it)
	dict    dictMode
	rgBytes int64 // row group size bound of encrypted files (maxRowGroupBytes unless a test changes it)
	workers int   // goroutines encoding the columns of a row group (GOMAXPROCS unless a test changes it)

	err  error // sticky error
	done bool

	chain *Chain // set by a ChainWriter: the manifest's chain, Rows, Digest and NullCounts come from it
	link  *linkTotals
	seq   int64 // sequence number from the snapshot ledger
}

// Create starts a snapshot of opts.Table with the given schema.
func Create(ctx context.Context, opts Options, schema *arrow.Schema) (*Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Store == "" || opts.Keys == nil || opts.Auth == nil {
		return nil, fmt.Errorf("%w: Store, Keys and Auth are required", ErrInvalidOptions)
	}
	if err := ValidTable(opts.Table); err != nil {
		return nil, err
	}
	if err := CheckSchema(schema); err != nil {
		return nil, err
	}
	if opts.MaxRowsPerFile <= 0 {
		opts.MaxRowsPerFile = DefaultMaxRowsPerFile
	}
	if opts.RowGroupRows <= 0 {
		opts.RowGroupRows = DefaultRowGroupRows
	}
	if int64(opts.RowGroupRows) > opts.MaxRowsPerFile {
		opts.RowGroupRows = int(opts.MaxRowsPerFile)
	}
	if opts.Alloc == nil {
		opts.Alloc = memory.DefaultAllocator
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// Whole seconds, like the id, so that ordering by (created, id) and by
	// id agree.
	created := opts.Now().UTC().Truncate(time.Second)
	var rnd [3]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	id := created.Format("20060102T150405Z") + "-" + hex.EncodeToString(rnd[:])
	seq, err := prepareSeq(opts.Store, opts.Table, opts.Auth)
	if err != nil {
		return nil, err
	}
	dig, err := NewDigester(schema)
	if err != nil {
		return nil, err
	}
	tableDir := filepath.Join(opts.Store, snapshotsDir, opts.Table)
	if err := os.MkdirAll(tableDir, 0o700); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	tmpDir := filepath.Join(tableDir, tmpPrefix+id)
	if err := os.Mkdir(tmpDir, 0o700); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	w := &Writer{
		opts:     opts,
		schema:   schema,
		id:       id,
		created:  created,
		tableDir: tableDir,
		tmpDir:   tmpDir,
		log:      opts.Logger.With("table", opts.Table, "snapshot", id),
		nulls:    make([]int64, schema.NumFields()),
		digCh:    make(chan arrow.RecordBatch, 2),
		digDone:  make(chan error, 1),
		dig:      dig,
		seq:      seq,
		codec:    codec(),
		dict:     defaultDict,
		rgBytes:  maxRowGroupBytes,
		workers:  runtime.GOMAXPROCS(0),
	}
	go w.digestLoop(w.digCh)
	return w, nil
}

// ID returns the snapshot id.
func (w *Writer) ID() string { return w.id }

// Rows returns the number of rows written so far.
func (w *Writer) Rows() int64 { return w.rows }

// Rejected returns the number of rejects so far.
func (w *Writer) Rejected() int64 { return w.rejected }

func (w *Writer) digestLoop(ch <-chan arrow.RecordBatch) {
	var err error
	for rec := range ch {
		if err == nil {
			err = w.dig.Add(rec)
		}
		rec.Release()
	}
	w.digDone <- err
}

func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return err
}

// Write appends the rows of rec. The writer does not take ownership of
// rec; rec's schema must match the schema given to Create (field metadata
// is ignored).
func (w *Writer) Write(rec arrow.RecordBatch) error {
	if w.done {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	if err := w.checkRecord(rec); err != nil {
		return err // the record is refused; the writer stays usable
	}
	if rec.NumRows() == 0 {
		return nil
	}
	if !rec.Schema().Equal(w.schema) {
		rec = array.NewRecordBatch(w.schema, rec.Columns(), rec.NumRows())
	} else {
		rec.Retain()
	}
	defer rec.Release()
	for i, col := range rec.Columns() {
		w.nulls[i] += int64(col.NullN())
	}
	rec.Retain()
	w.digCh <- rec

	n := rec.NumRows()
	for off := int64(0); off < n; {
		if w.data == nil {
			f, err := w.openFile(KindData, w.nextData, w.schema)
			if err != nil {
				return w.fail(err)
			}
			w.nextData++
			w.data = f
		}
		chunk := min(n-off, w.opts.MaxRowsPerFile-w.data.rows)
		if err := w.data.write(rec, off, chunk); err != nil {
			return w.fail(err)
		}
		off += chunk
		w.rows += chunk
		if w.data.rows >= w.opts.MaxRowsPerFile {
			if err := w.closeData(); err != nil {
				return w.fail(err)
			}
		}
	}
	return nil
}

func (w *Writer) checkRecord(rec arrow.RecordBatch) error {
	s := rec.Schema()
	if s.NumFields() != w.schema.NumFields() {
		return fmt.Errorf("%w: record has %d columns, snapshot has %d", ErrSchemaMismatch, s.NumFields(), w.schema.NumFields())
	}
	for i, f := range s.Fields() {
		want := w.schema.Field(i)
		if f.Name != want.Name || !arrow.TypeEqual(f.Type, want.Type) || f.Nullable != want.Nullable {
			return fmt.Errorf("%w: column %d is %q %s, want %q %s", ErrSchemaMismatch, i, f.Name, f.Type, want.Name, want.Type)
		}
		if !want.Nullable && rec.Column(i).NullN() > 0 {
			return fmt.Errorf("%w: column %q", ErrNullInNonNullable, want.Name)
		}
	}
	return nil
}

func (w *Writer) closeData() error {
	f := w.data
	w.data = nil
	entry, err := f.close()
	if err != nil {
		return err
	}
	w.files = append(w.files, entry)
	w.log.Debug("snapshot file written", "file", entry.Name, "rows", entry.Rows, "bytes", entry.Size)
	return nil
}

// Reject records one rejected input row.
func (w *Writer) Reject(r Reject) error {
	if w.done {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	if w.rejB == nil {
		w.rejB = array.NewRecordBuilder(w.opts.Alloc, rejectSchema)
	}
	b := w.rejB
	b.Field(0).(*array.StringBuilder).Append(r.File)
	b.Field(1).(*array.Int64Builder).Append(r.Line)
	b.Field(2).(*array.StringBuilder).Append(r.Column)
	b.Field(3).(*array.StringBuilder).Append(r.Reason)
	b.Field(4).(*array.StringBuilder).Append(r.Raw)
	w.rejected++
	w.rejBytes += len(r.File) + len(r.Column) + len(r.Reason) + len(r.Raw)
	if b.Field(0).Len() >= 8192 || w.rejBytes >= 8<<20 {
		if err := w.flushRejects(); err != nil {
			return w.fail(err)
		}
	}
	return nil
}

func (w *Writer) flushRejects() error {
	if w.rejB == nil || w.rejB.Field(0).Len() == 0 {
		return nil
	}
	rec := w.rejB.NewRecordBatch()
	defer rec.Release()
	w.rejBytes = 0
	n := rec.NumRows()
	for off := int64(0); off < n; {
		if w.rej == nil {
			f, err := w.openFile(KindRejects, w.nextRej, rejectSchema)
			if err != nil {
				return err
			}
			w.nextRej++
			w.rej = f
		}
		chunk := min(n-off, w.opts.MaxRowsPerFile-w.rej.rows)
		if err := w.rej.write(rec, off, chunk); err != nil {
			return err
		}
		off += chunk
		if w.rej.rows >= w.opts.MaxRowsPerFile {
			if err := w.closeRejects(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *Writer) closeRejects() error {
	f := w.rej
	w.rej = nil
	entry, err := f.close()
	if err != nil {
		return err
	}
	w.files = append(w.files, entry)
	return nil
}

func (w *Writer) stopDigest() error {
	if w.digCh == nil {
		return nil
	}
	close(w.digCh)
	w.digCh = nil
	return <-w.digDone
}

// Commit finishes the files, writes and signs the manifest and makes the
// snapshot visible with an atomic rename. rowsRead is the number of input
// rows; it must equal rows written plus rows rejected (else
// ErrCountMismatch and nothing is committed).
func (w *Writer) Commit(ctx context.Context, rowsRead int64) (*Manifest, error) {
	if w.done {
		return nil, ErrClosed
	}
	if w.err != nil {
		return nil, w.err
	}
	if w.chain == nil && rowsRead != w.rows+w.rejected {
		return nil, fmt.Errorf("%w: read %d, written %d, rejected %d", ErrCountMismatch, rowsRead, w.rows, w.rejected)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := w.flushRejects(); err != nil {
		return nil, w.fail(err)
	}
	if w.rej != nil {
		if err := w.closeRejects(); err != nil {
			return nil, w.fail(err)
		}
	}
	if w.data == nil && w.nextData == 0 && (w.chain == nil || w.chain.Kind != ChainUnchanged) {
		// An empty table still gets one (empty) data file carrying the schema.
		f, err := w.openFile(KindData, 0, w.schema)
		if err != nil {
			return nil, w.fail(err)
		}
		w.nextData++
		w.data = f
	}
	if w.data != nil {
		if err := w.closeData(); err != nil {
			return nil, w.fail(err)
		}
	}
	if err := w.stopDigest(); err != nil {
		return nil, w.fail(err)
	}
	if w.dig.Rows() != w.rows {
		return nil, w.fail(fmt.Errorf("snapshot: internal error: digested %d rows, wrote %d", w.dig.Rows(), w.rows))
	}
	// data files first, then rejects, each in order
	files := make([]File, 0, len(w.files))
	for _, kind := range []string{KindData, KindRejects, KindIndex, KindDeletes} {
		for _, f := range w.files {
			if f.Kind == kind {
				files = append(files, f)
			}
		}
	}
	nulls := make(map[string]int64, len(w.nulls))
	for i, n := range w.nulls {
		nulls[w.schema.Field(i).Name] = n
	}
	m := &Manifest{
		Format:       FormatVersion,
		Table:        w.opts.Table,
		Source:       w.opts.Source,
		ID:           w.id,
		Created:      w.created,
		Rows:         w.rows,
		RowsRead:     rowsRead,
		RowsRejected: w.rejected,
		Schema:       SchemaColumns(w.schema),
		NullCounts:   nulls,
		Digest:       w.dig.Sum(),
		Encryption:   Encryption,
		Compression:  compressionName,
		Files:        files,
		Extra:        maps.Clone(w.opts.Extra),
		Seq:          w.seq,
		RunID:        w.opts.RunID,
	}
	if w.chain != nil {
		w.applyChain(m)
	}
	if err := m.Sign(w.opts.Auth); err != nil {
		return nil, w.fail(err)
	}
	b, err := m.Marshal()
	if err != nil {
		return nil, w.fail(err)
	}
	if err := writeFileSync(filepath.Join(w.tmpDir, ManifestName), b); err != nil {
		return nil, w.fail(err)
	}
	if err := atomicfile.SyncDir(w.tmpDir); err != nil {
		return nil, w.fail(err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	final := filepath.Join(w.tableDir, w.id)
	if err := os.Rename(w.tmpDir, final); err != nil {
		return nil, w.fail(fmt.Errorf("snapshot: commit: %w", err))
	}
	w.done = true
	if err := atomicfile.SyncDir(w.tableDir); err != nil {
		return nil, fmt.Errorf("snapshot: commit: %w", err)
	}
	// The ledger record makes the snapshot "committed" for latest. A crash
	// before it leaves an orphan that the next writer adopts (see Reindex).
	sum := sha256.Sum256(b)
	rec := &LedgerRecord{Kind: LedgerCommit, Table: m.Table, ID: m.ID, Seq: m.Seq, RunID: m.RunID, ManifestSHA256: sha256Hex(sum[:])}
	if err := appendLedger(w.opts.Store, rec, w.opts.Auth); err != nil {
		return nil, fmt.Errorf("snapshot: commit: record in the snapshot ledger: %w", err)
	}
	w.log.Info("snapshot committed", "rows", m.Rows, "rows_rejected", m.RowsRejected,
		"files", len(m.Files), "duration", time.Since(start).Round(time.Millisecond))
	return m, nil
}

// Abort discards the snapshot being written. It is safe to call more than
// once and after Commit (then it does nothing).
func (w *Writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	for _, f := range []*pqFile{w.data, w.rej} {
		if f != nil {
			f.abort()
		}
	}
	w.data, w.rej = nil, nil
	if w.rejB != nil {
		w.rejB.Release()
		w.rejB = nil
	}
	_ = w.stopDigest()
	if err := os.RemoveAll(w.tmpDir); err != nil {
		return fmt.Errorf("snapshot: abort: %w", err)
	}
	return nil
}

// pqFile is one encrypted Parquet file being written. It cuts row groups
// itself: at rgMaxRows rows or when the next rows would take the row
// group's estimated size past rgMaxBytes.
//
// It drives arrow-go's file writer column by column rather than through
// pqarrow.FileWriter, so that the columns of a row group are encoded, and
// then compressed and encrypted, by up to GOMAXPROCS goroutines at once
// (one column chunk is only ever touched by one goroutine); only copying
// the finished chunks into the file, in column order, is serial. The
// file layout is pqarrow.FileWriter's with WithStoreSchema (same pages,
// metadata and sizes; TestParallelColumns compares serial and parallel).
type pqFile struct {
	name, kind string
	path       string
	f          *os.File
	sink       *hashSink
	fw         *file.Writer
	rgw        file.BufferedRowGroupWriter // nil between row groups
	enc        *parquet.FileEncryptionProperties
	rows       int64
	keyID      string
	wrapped    []byte

	nullable []bool            // per column
	defs     [][]int16         // per column: definition levels scratch
	ctxs     []context.Context // per worker: pqarrow write context

	sizer      plainSizer
	rgMaxRows  int64
	rgMaxBytes int64
	rgRows     int64 // rows in the current row group
	rgBytes    int64 // estimated size of the current row group
}

type hashSink struct {
	bw *bufio.Writer
	h  hash.Hash
	n  int64
}

func (s *hashSink) Write(p []byte) (int, error) {
	n, err := s.bw.Write(p)
	s.h.Write(p[:n])
	s.n += int64(n)
	return n, err
}

func fileName(kind string, n int) string { return fmt.Sprintf("%s-%05d.parquet", kind, n) }

func (w *Writer) openFile(kind string, n int, schema *arrow.Schema) (*pqFile, error) {
	name := fileName(kind, n)
	dek := make([]byte, DataKeySize)
	if _, err := rand.Read(dek); err != nil {
		return nil, err
	}
	defer clear(dek)
	keyID, wrapped, err := w.opts.Keys.WrapKey(dek, wrapAD(w.opts.Table, w.id, name))
	if err != nil {
		return nil, fmt.Errorf("snapshot: wrap data key for %s: %w", name, err)
	}
	path := filepath.Join(w.tmpDir, name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	enc := parquet.NewFileEncryptionProperties(string(dek), parquet.WithAlg(parquet.AesGcm))
	props := writerProps(enc, w.opts.Alloc, int64(w.opts.RowGroupRows), w.codec, w.dict, schema)
	sink := &hashSink{bw: bufio.NewWriterSize(f, 1<<20), h: sha256.New()}
	p := &pqFile{name: name, kind: kind, path: path, f: f, sink: sink, enc: enc, keyID: keyID, wrapped: wrapped,
		sizer: newPlainSizer(schema), rgMaxRows: int64(w.opts.RowGroupRows), rgMaxBytes: w.rgBytes}
	if err := p.start(schema, props, w.opts.Alloc, w.workers); err != nil {
		enc.WipeOutEncryptionKeys()
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("snapshot: %s: %w", name, err)
	}
	return p, nil
}

// start creates the Parquet writer as pqarrow.NewFileWriter does with
// WithStoreSchema (the Arrow schema is stored as "ARROW:schema"; snapshot
// schemas are flat, so it needs no normalization).
func (p *pqFile) start(schema *arrow.Schema, props *parquet.WriterProperties, alloc memory.Allocator, workers int) error {
	arrProps := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(alloc))
	pqSchema, err := pqarrow.ToParquet(schema, props, arrProps)
	if err != nil {
		return err
	}
	meta := make(metadata.KeyValueMetadata, 0, schema.Metadata().Len()+1)
	for i, k := range schema.Metadata().Keys() {
		meta.Append(k, schema.Metadata().Values()[i])
	}
	meta.Append("ARROW:schema", base64.StdEncoding.EncodeToString(flight.SerializeSchema(schema, alloc)))
	p.fw, err = file.NewParquetWriterWithError(p.sink, pqSchema.Root(), file.WithWriterProps(props), file.WithWriteMetadata(meta))
	if err != nil {
		return err
	}
	n := schema.NumFields()
	p.nullable = make([]bool, n)
	p.defs = make([][]int16, n)
	for i, f := range schema.Fields() {
		p.nullable[i] = f.Nullable
	}
	p.ctxs = make([]context.Context, max(1, min(workers, n)))
	for i := range p.ctxs {
		p.ctxs[i] = pqarrow.NewArrowWriteContext(context.Background(), &arrProps)
	}
	return nil
}

// eachColumn runs f for every column, on up to len(p.ctxs) goroutines,
// each column on one of them, and returns the errors.
func (p *pqFile) eachColumn(f func(ctx context.Context, col int) error) error {
	n := len(p.nullable)
	if len(p.ctxs) == 1 {
		for i := range n {
			if err := f(p.ctxs[0], i); err != nil {
				return err
			}
		}
		return nil
	}
	var next atomic.Int64
	errs := make([]error, len(p.ctxs))
	var wg sync.WaitGroup
	for k, ctx := range p.ctxs {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := f(ctx, i); err != nil {
					errs[k] = err
					next.Store(int64(n)) // stop the others early
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// writeColumns appends rows [off, off+n) of rec to the current row group.
func (p *pqFile) writeColumns(rec arrow.RecordBatch, off, n int64) error {
	return p.eachColumn(func(ctx context.Context, i int) error {
		cw, err := p.rgw.Column(i)
		if err != nil {
			return err
		}
		col := rec.Column(i)
		if off != 0 || n != int64(col.Len()) {
			col = array.NewSlice(col, off, off+n)
			defer col.Release()
		}
		var defs []int16
		if p.nullable[i] {
			// Flat columns: definition level 1 for a value, 0 for NULL.
			defs = p.defLevels(i, col)
		}
		return pqarrow.WriteArrowToColumn(ctx, cw, col, defs, nil, p.nullable[i])
	})
}

func (p *pqFile) defLevels(i int, col arrow.Array) []int16 {
	n := col.Len()
	d := p.defs[i]
	if cap(d) < n {
		d = make([]int16, n)
		p.defs[i] = d
	}
	d = d[:n]
	if col.NullN() == 0 {
		for k := range d {
			d[k] = 1
		}
		return d
	}
	for k := range d {
		if col.IsValid(k) {
			d[k] = 1
		} else {
			d[k] = 0
		}
	}
	return d
}

// pageFlusher is implemented by arrow-go's column chunk writers.
type pageFlusher interface{ FlushBufferedDataPages() error }

// closeRowGroup finishes the current row group: every column's data page
// is built, compressed and encrypted in parallel (FlushBufferedDataPages,
// which Close would otherwise call, one column after the other), then the
// row group writer copies the chunks into the file in column order. A
// column still dictionary-encoded is left to Close, which writes its
// dictionary page before its data page.
func (p *pqFile) closeRowGroup() error {
	rgw := p.rgw
	if rgw == nil {
		return nil
	}
	p.rgw = nil
	err := p.eachColumn(func(_ context.Context, i int) error {
		cw, err := rgw.Column(i)
		if err != nil {
			return err
		}
		if e := cw.CurrentEncoder(); e == nil || e.Encoding() == parquet.Encodings.PlainDict {
			return nil
		}
		if f, ok := cw.(pageFlusher); ok {
			return f.FlushBufferedDataPages()
		}
		return nil
	})
	if cerr := rgw.Close(); err == nil {
		err = cerr
	}
	return err
}

// dictMode selects the columns that get dictionary encoding.
type dictMode int

const (
	dictAll     dictMode = iota // every column (arrow-go default)
	dictStrings                 // string columns only
	dictNone                    // no column
)

// defaultDict: no dictionary encoding. With one zstd-compressed data page
// per column chunk, PLAIN values compress as well as dictionary pages and
// indices or better, and hashing every string costs a lot: on the demo
// customers table (25 columns, 1M rows) dictionary encoding of the string
// columns took 30% of the snapshot's CPU time and made the file 10%
// larger; BenchmarkDictionary shows the same on synthetic rows.
const defaultDict = dictNone

// writerProps are the Parquet writer properties of the snapshot format:
// AES_GCM_V1 with encrypted footer, DataPage V1, no bloom filters, no page
// index, no AAD prefix, and (when enc is set) one data page per column
// chunk. Plaintext files (restore) keep arrow-go's 1 MiB pages.
func writerProps(enc *parquet.FileEncryptionProperties, alloc memory.Allocator, rowGroupRows int64, codec compress.Compression, dict dictMode, schema *arrow.Schema) *parquet.WriterProperties {
	opts := []parquet.WriterProperty{
		parquet.WithAllocator(alloc),
		parquet.WithDataPageVersion(parquet.DataPageV1),
		parquet.WithVersion(parquet.V2_6),
		parquet.WithDictionaryDefault(dict == dictAll),
		parquet.WithCompression(codec),
		parquet.WithCompressionLevel(compressionLevel),
		parquet.WithBloomFilterEnabled(false),
		parquet.WithPageIndexEnabled(false),
		parquet.WithMaxRowGroupLength(rowGroupRows),
		parquet.WithCreatedBy("vigil"),
	}
	if dict == dictStrings {
		for _, f := range schema.Fields() {
			if id := f.Type.ID(); id == arrow.STRING || id == arrow.LARGE_STRING {
				opts = append(opts, parquet.WithDictionaryFor(f.Name, true))
			}
		}
	}
	if enc != nil {
		opts = append(opts, parquet.WithEncryptionProperties(enc), parquet.WithDataPageSize(singlePageSize))
	}
	return parquet.NewWriterProperties(opts...)
}

// write appends rows [off, off+n) of rec, starting a new row group
// whenever the current one is full.
func (p *pqFile) write(rec arrow.RecordBatch, off, n int64) error {
	for n > 0 {
		if p.rgRows > 0 && (p.rgRows >= p.rgMaxRows || p.rgBytes >= p.rgMaxBytes) {
			if err := p.newRowGroup(); err != nil {
				return err
			}
		}
		k := min(n, p.rgMaxRows-p.rgRows)
		size := p.sizer.size(rec, off, k)
		if p.rgBytes+size > p.rgMaxBytes {
			k = p.sizer.fit(rec, off, k, p.rgMaxBytes-p.rgBytes)
			if k == 0 && p.rgRows > 0 {
				if err := p.newRowGroup(); err != nil {
					return err
				}
				continue
			}
			k = max(k, 1) // a row larger than the bound gets a row group of its own
			size = p.sizer.size(rec, off, k)
		}
		if p.rgw == nil {
			if err := p.newRowGroup(); err != nil {
				return err
			}
		}
		if err := p.writeColumns(rec, off, k); err != nil {
			return fmt.Errorf("snapshot: write %s: %w", p.name, err)
		}
		p.rgRows += k
		p.rgBytes += size
		p.rows += k
		off += k
		n -= k
	}
	return nil
}

func (p *pqFile) newRowGroup() error {
	if err := p.closeRowGroup(); err != nil {
		return fmt.Errorf("snapshot: write %s: %w", p.name, err)
	}
	rgw, err := p.fw.AppendBufferedRowGroupChecked()
	if err != nil {
		return fmt.Errorf("snapshot: write %s: %w", p.name, err)
	}
	p.rgw = rgw
	p.rgRows, p.rgBytes = 0, 0
	return nil
}

// plainSizer estimates the PLAIN-encoded size of rows: per value 4 bytes
// plus the bytes of a string or binary value, the physical width of a
// fixed-width value (at least 4 bytes, as Parquet stores small integers
// as INT32) and 1 byte for a boolean. NULLs are counted like values. The
// estimate bounds what the column writers buffer for those rows: PLAIN
// values, or dictionary entries plus 4-byte indices.
type plainSizer struct {
	fixed   int64 // bytes per row of the fixed-width columns and the length prefixes
	varCols []int // string and binary columns
}

func newPlainSizer(schema *arrow.Schema) plainSizer {
	var s plainSizer
	for i, f := range schema.Fields() {
		switch dt := f.Type.(type) {
		case arrow.BinaryDataType:
			s.varCols = append(s.varCols, i)
			s.fixed += 4
		case arrow.FixedWidthDataType:
			s.fixed += int64(max(dt.BitWidth()/8, 4))
		default:
			s.fixed += 16 // not a type CheckSchema accepts; a generous guess
		}
	}
	return s
}

// size estimates rows [off, off+n) of rec.
func (s plainSizer) size(rec arrow.RecordBatch, off, n int64) int64 {
	b := s.fixed * n
	for _, c := range s.varCols {
		switch a := rec.Column(c).(type) {
		case interface{ ValueOffsets() []int32 }:
			o := a.ValueOffsets()
			b += int64(o[off+n] - o[off])
		case interface{ ValueOffsets() []int64 }:
			o := a.ValueOffsets()
			b += o[off+n] - o[off]
		}
	}
	return b
}

// fit returns the largest k <= n such that rows [off, off+k) of rec fit
// in budget bytes.
func (s plainSizer) fit(rec arrow.RecordBatch, off, n, budget int64) int64 {
	lo, hi := int64(0), n // size(lo) fits, size(hi+1) does not
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if s.size(rec, off, mid) <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

func (p *pqFile) close() (File, error) {
	defer p.enc.WipeOutEncryptionKeys()
	err := p.closeRowGroup()
	if ferr := p.fw.Close(); err == nil {
		err = ferr
	}
	if err == nil {
		err = p.sink.bw.Flush()
	}
	if err == nil {
		err = p.f.Sync()
	}
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, fmt.Errorf("snapshot: close %s: %w", p.name, err)
	}
	return File{
		Name:       p.name,
		Kind:       p.kind,
		Rows:       p.rows,
		SHA256:     sha256Hex(p.sink.h.Sum(nil)),
		Size:       p.sink.n,
		KeyID:      p.keyID,
		WrappedKey: base64.StdEncoding.EncodeToString(p.wrapped),
	}, nil
}

func (p *pqFile) abort() {
	func() {
		defer func() { _ = recover() }()
		_ = p.fw.Close()
	}()
	p.enc.WipeOutEncryptionKeys()
	p.f.Close()
}

// rejectSchema is the schema of rejects files.
var rejectSchema = arrow.NewSchema([]arrow.Field{
	{Name: "file", Type: arrow.BinaryTypes.String},
	{Name: "line", Type: arrow.PrimitiveTypes.Int64},
	{Name: "column", Type: arrow.BinaryTypes.String},
	{Name: "reason", Type: arrow.BinaryTypes.String},
	{Name: "raw", Type: arrow.BinaryTypes.String},
}, nil)

// RejectSchema returns the schema of the rejects files (file, line, column,
// reason, raw).
func RejectSchema() *arrow.Schema { return rejectSchema }

func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("snapshot: write %s: %w", filepath.Base(path), err)
	}
	return nil
}

var _ io.Writer = (*hashSink)(nil)

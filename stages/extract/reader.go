package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Reject is one row that could not be written. Line is the physical line
// where the record starts; Column names the offending column when there is
// one; Reason never contains data. Raw is the record's text (decoded to UTF-8
// where possible; undecodable bytes shown as \xNN escapes). It is personal
// data: never log it.
type Reject struct {
	File   string
	Line   int64
	Column string
	Reason string
	Raw    string
}

// Stats counts what a reader has delivered so far. RowsRead == RowsWritten +
// RowsRejected at every moment. Encoding is the encoding in use ("utf-8",
// "gbk" or "gb18030"); Bytes counts source bytes consumed; BlankLines counts
// empty lines, which are not records.
type Stats struct {
	RowsRead, RowsWritten, RowsRejected int64
	Encoding                            string
	EncodingConfidence                  float64 // 1 when declared, certain or ASCII; "auto"'s confidence otherwise
	Bytes                               int64
	BlankLines                          int64 // blank lines and rows whose every field is empty
	Delimiter                           string
	TitleRows                           int      // title or note rows skipped above the header
	DroppedColumns                      int      // trailing columns without a name, dropped
	Warnings                            []string // about the file, never holding values
}

// RowsEstimator is implemented by readers that can tell, once open, about
// how many rows they will give and how far they are on the same scale — the
// total of a progress bar. total is an estimate (0: unknown): the reader may
// give more rows or fewer.
type RowsEstimator interface {
	RowsEstimate() (total, done int64)
}

// TableReader streams one table as Arrow record batches. It is an
// array.RecordReader: Next advances, RecordBatch is valid until the next call
// to Next (Retain it to keep it), Err reports why Next returned false.
// Rejected rows are passed to the source's reject callback before the batch
// that follows them. Close (or the last Release) stops reading and frees
// everything; it is safe to call more than once. Stats may be called from
// any goroutine; the other methods from one goroutine at a time.
type TableReader interface {
	array.RecordReader
	Stats() Stats
	Close() error
}

// Defaults of CSVOptions. Batches of 16384 rows convert as fast as larger
// ones and keep what the pipeline holds small: snapshotting the demo
// customers table (25 columns, about 330 bytes a row) peaks at about 250 MB
// RSS with them, 400 MB with 65536-row batches.
const (
	DefaultSampleRows     = 10000
	DefaultBatchRows      = 16384
	DefaultMaxRecordBytes = 16 << 20
	DefaultMaxBatchBytes  = 16 << 20
)

// CSVOptions configures OpenCSV. Zero values take the defaults.
type CSVOptions struct {
	Table      string           // the table's name in messages; default: the file name without extension
	Encoding   string           // "auto" (default: BOM → utf-8; valid UTF-8 → utf-8; else gb18030), "utf-8", "gbk", "gb18030"
	Delimiter  rune             // default ','; one ASCII character other than '"', CR and LF; DelimiterAuto sniffs
	HeaderRow  int              // 1-based line of the header; 0: detected (title rows above it skipped)
	Header     HeaderMode       // HeaderAuto (default): a first row that looks like data is an error
	Location   *time.Location   // zone of timestamps written without one (default UTC)
	Types      map[string]Type  // declared column types (by header name); others inferred
	SampleRows int              // rows used for inference, default 10000
	BatchRows  int              // rows per record batch, default 16384
	Alloc      memory.Allocator // default memory.DefaultAllocator
	// OnReject receives each rejected row, in file order, on the goroutine
	// calling Next; an error stops reading (Next returns false, Err wraps
	// it). When nil, rejected rows are only counted in Stats.
	OnReject func(Reject) error
	// MaxRecordBytes bounds one record (default 16 MiB). A quoted field open
	// for longer is taken to be a stray quote: its line is rejected and
	// reading resumes on the next line. A single line longer than this is a
	// fatal ErrRecordTooLong.
	MaxRecordBytes int
	// MaxBatchBytes ends a batch early once its rows hold this much text
	// (default 16 MiB, at most 1 GiB), so wide rows keep memory bounded.
	MaxBatchBytes int
}

func (o CSVOptions) withDefaults(path string) (CSVOptions, charset, error) {
	enc, err := parseEncoding(o.Encoding)
	if err != nil {
		return o, enc, err
	}
	if o.Table == "" {
		o.Table = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if o.Delimiter == 0 {
		o.Delimiter = ','
	}
	if o.Delimiter != DelimiterAuto && (o.Delimiter < 0 || o.Delimiter >= utf8.RuneSelf || o.Delimiter == '"' || o.Delimiter == '\r' || o.Delimiter == '\n') {
		return o, enc, fmt.Errorf("%w: delimiter %q: want one ASCII character other than quote, CR and LF", ErrInvalidOption, o.Delimiter)
	}
	if o.SampleRows == 0 {
		o.SampleRows = DefaultSampleRows
	}
	if o.BatchRows == 0 {
		o.BatchRows = DefaultBatchRows
	}
	if o.MaxRecordBytes == 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if o.MaxBatchBytes == 0 {
		o.MaxBatchBytes = DefaultMaxBatchBytes
	}
	switch {
	case o.HeaderRow < 0:
		return o, enc, fmt.Errorf("%w: HeaderRow %d is negative", ErrInvalidOption, o.HeaderRow)
	case o.HeaderRow > 0 && o.Header == HeaderNo:
		return o, enc, fmt.Errorf("%w: HeaderRow with HeaderNo", ErrInvalidOption)
	case o.SampleRows < 0:
		return o, enc, fmt.Errorf("%w: SampleRows %d is negative", ErrInvalidOption, o.SampleRows)
	case o.BatchRows < 0:
		return o, enc, fmt.Errorf("%w: BatchRows %d is negative", ErrInvalidOption, o.BatchRows)
	case o.MaxRecordBytes < 0 || o.MaxRecordBytes > 256<<20:
		return o, enc, fmt.Errorf("%w: MaxRecordBytes %d is outside 1..256 MiB", ErrInvalidOption, o.MaxRecordBytes)
	case o.MaxBatchBytes < 0 || o.MaxBatchBytes > 1<<30:
		return o, enc, fmt.Errorf("%w: MaxBatchBytes %d is outside 1..1 GiB", ErrInvalidOption, o.MaxBatchBytes)
	}
	for name, t := range o.Types {
		if err := t.Validate(); err != nil {
			return o, enc, fmt.Errorf("column %q: %w", name, err)
		}
	}
	if o.Alloc == nil {
		o.Alloc = memory.DefaultAllocator
	}
	return o, enc, nil
}

const (
	chunkSize        = 1 << 20 // text per block
	maxPendingReject = 4096    // rejects held before a batch is sent early
	maxRejectBytes   = 8 << 20
)

// csvReader implements TableReader. Three goroutines form a pipeline:
// produce (read, decode, split into records) → build (convert fields, fill
// Arrow arrays) → the caller's Next. Only the inference sample is retained.
type csvReader struct {
	refs   atomic.Int64
	chunk  int
	path   string
	opts   CSVOptions
	schema *arrow.Schema

	f      *os.File
	opened os.FileInfo  // at open: the file must look the same at the end
	read   atomic.Int64 // bytes of the file read so far (BytesRead)

	// A CSV inside a zip (zip.go): f and opened are the zip's, statPath its
	// path, srcSize the entry's uncompressed size, srcCloser the entry.
	inZip     bool
	statPath  string
	srcSize   int64
	srcCloser io.Closer

	// Decided on the first block, by produce, before start reads them.
	prepared bool
	crOnly   bool // lines end in CR alone: CRs are read as line feeds
	delim    byte

	extraCols int // trailing unnamed header cells, dropped

	sheet        string       // xlsx: the sheet read
	sheetRows    atomic.Int64 // xlsx: the last row of the sheet's <dimension ref>; 0 unknown
	sheetRow     atomic.Int64 // xlsx: the sheet row scanned last
	sheetBytes   int64        // xlsx: uncompressed bytes of the sheet's XML (BytesTotal)
	hiddenRows   atomic.Int64 // xlsx: hidden rows seen (set at the end)
	hiddenCols   atomic.Int64 // xlsx: hidden columns
	merged       atomic.Int64 // xlsx: merged ranges
	mergedFilled atomic.Int64 // xlsx: single-column merged ranges filled down
	sp           *splitter
	sr           *source

	ctx     context.Context
	cancel  context.CancelCauseFunc
	wg      sync.WaitGroup
	blocks  chan *block
	free    chan *block
	out     chan *batchMsg
	started bool // the builder runs (and will close out)

	// Caller side.
	cur  arrow.RecordBatch
	err  error
	done bool

	mu    sync.Mutex
	stats Stats

	closeOnce sync.Once
	closeErr  error
}

// batchMsg is what the builder hands to Next.
type batchMsg struct {
	rec                                  arrow.RecordBatch
	rejects                              []Reject
	read, written, rejected, blank, size int64
	enc                                  string
	confidence                           float64
	err                                  error
	eof                                  bool
}

// OpenCSV opens one CSV file as a table. It reads the header and the
// inference sample before returning, so the schema is known; the rest is
// streamed by Next. Fatal problems (empty file, bad header, a declared type
// for a missing column) are returned as [*ParseError]s, all of them joined.
// Cancelling ctx stops reading: Next then returns false and Err the cause.
func OpenCSV(ctx context.Context, path string, opts CSVOptions) (TableReader, error) {
	return openCSV(ctx, path, opts, chunkSize)
}

// BytesRead is how many bytes of the file have been read so far, for
// progress against BytesTotal (reading runs a few blocks ahead of the
// batches returned).
func (r *csvReader) BytesRead() int64 { return r.read.Load() }

// BytesTotal is what BytesRead counts up to: the CSV file's size; for a CSV
// in a zip, the entry's uncompressed size; for an .xlsx sheet, the
// uncompressed size of the sheet's XML. 0 when unknown.
func (r *csvReader) BytesTotal() int64 {
	switch {
	case r.inZip:
		return r.srcSize
	case r.sheet != "":
		return r.sheetBytes
	case r.opened != nil:
		return r.opened.Size()
	}
	return 0
}

// RowsEstimate is, for an .xlsx sheet, the last row of the range its
// <dimension ref="A1:F1001"> declares (the used range the writing program
// recorded; unknown when absent or a single cell) and the sheet row the
// reader has scanned, title and header rows included on both sides. Zero
// for CSV, which reports progress by BytesRead.
func (r *csvReader) RowsEstimate() (total, done int64) {
	return r.sheetRows.Load(), r.sheetRow.Load()
}

// countingReader counts what it reads into n.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(b []byte) (int, error) {
	k, err := c.r.Read(b)
	c.n.Add(int64(k))
	return k, err
}

// openCSV is OpenCSV with a chosen block size (tests use tiny ones).
func openCSV(ctx context.Context, path string, opts CSVOptions, chunk int) (*csvReader, error) {
	opts, enc, err := opts.withDefaults(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	// Small files get small buffers (the sizes only affect speed).
	rawSize := rawBufSize
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("extract: %w", err)
	}
	if fi.Mode().IsRegular() && fi.Size() < int64(chunk) {
		chunk = max(int(fi.Size())+64, 64)
		rawSize = min(rawSize, chunk)
	}
	r := &csvReader{
		chunk:  chunk,
		path:   path,
		opts:   opts,
		f:      f,
		sp:     newSplitter(splitDelim(opts.Delimiter), opts.MaxRecordBytes),
		delim:  splitDelim(opts.Delimiter),
		blocks: make(chan *block, 4),
		free:   make(chan *block, 8),
		out:    make(chan *batchMsg, 1),
		opened: fi,
	}
	r.sr = newSource(countingReader{f, &r.read}, enc, rawSize)
	if err := r.launch(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *csvReader) recv() (*block, bool, error) {
	select {
	case blk, ok := <-r.blocks:
		return blk, ok, nil
	case <-r.ctx.Done():
		return nil, false, context.Cause(r.ctx)
	}
}

// start reads the header and the sample, infers the schema and starts the builder.
func (r *csvReader) start() error {
	var sample []*block
	var hdr *block
	var size int64
	for hdr == nil {
		blk, ok, err := r.recv()
		if err != nil {
			return err
		}
		if !ok {
			if size == 0 {
				return &ParseError{File: r.path, Err: ErrEmptyFile}
			}
			return &ParseError{File: r.path, Err: ErrNoHeader}
		}
		size += blk.bytes
		sample = append(sample, blk)
		if len(blk.recs) > 0 {
			hdr = blk
		} else if blk.err != nil {
			return blk.err
		}
	}
	// Where is the header? header_row, or after the title rows, or nowhere.
	hi := 0
	switch {
	case r.opts.HeaderRow > 0:
		for {
			for hi < len(hdr.recs) && hdr.recs[hi].line < int64(r.opts.HeaderRow) {
				hi++
			}
			if hi < len(hdr.recs) {
				break
			}
			r.stats.TitleRows += len(hdr.recs)
			hdr.skip = len(hdr.recs)
			var blk *block
			for blk == nil || len(blk.recs) == 0 {
				b, ok, err := r.recv()
				if err != nil {
					return err
				}
				if !ok {
					return &ParseError{File: r.path, Line: int64(r.opts.HeaderRow), Err: fmt.Errorf("%w: the file ends before header_row %d", ErrNoHeader, r.opts.HeaderRow)}
				}
				sample = append(sample, b)
				if b.err != nil && len(b.recs) == 0 {
					return b.err
				}
				blk = b
			}
			hdr, hi = blk, 0
		}
	case r.opts.Header == HeaderNo:
		hi = -1
	default:
		hi = titleRows(hdr)
	}
	var names []string
	if hi < 0 {
		hdr.skip = 0
		names = colNames(int(hdr.recs[0].nfields))
	} else {
		hdr.skip = hi + 1
		r.stats.TitleRows += hi
		if r.opts.Header == HeaderAuto {
			if err := r.checkHeaderNotData(hdr, hi); err != nil {
				return err
			}
		}
		var err error
		if names, err = r.header(hdr, hi); err != nil {
			return err
		}
	}
	r.stats.Delimiter = string(rune(r.delim))
	if r.crOnly {
		r.stats.Warnings = append(r.stats.Warnings, "lines end in CR alone (CSV for Macintosh); read as line feeds")
	}
	if r.stats.TitleRows > 0 {
		r.stats.Warnings = append(r.stats.Warnings, fmt.Sprintf("%d title or note rows above the header skipped", r.stats.TitleRows))
	}

	// Sample: the first SampleRows records after the header.
	count := len(hdr.recs) - 1
	for count < r.opts.SampleRows && hdr.err == nil {
		blk, ok, err := r.recv()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		sample = append(sample, blk)
		if blk.err != nil {
			return blk.err
		}
		count += len(blk.recs)
	}
	if hdr.err != nil {
		return hdr.err
	}
	infer := make([]inference, len(names))
	sci := make([]int, len(names))
	declared := make([]bool, len(names))
	for c, name := range names {
		_, declared[c] = r.opts.Types[name]
	}
	seen := 0
scan:
	for _, blk := range sample {
		for i := blk.skip; i < len(blk.recs); i++ {
			if seen == r.opts.SampleRows {
				break scan
			}
			seen++
			rec := &blk.recs[i]
			if rec.prob != probNone || int(rec.nfields) < len(names) || int(rec.nfields) > len(names)+r.extraCols {
				continue
			}
			for c, f := range blk.fields[rec.first : rec.first+int32(len(names))] {
				v := trimSpace(blk.value(f))
				if len(v) > 0 && (v[len(v)-1]-'0' < 10) && bytes.IndexAny(v, "Ee") > 0 && sciNotation(v) {
					sci[c]++
				}
				if declared[c] {
					continue
				}
				if len(v) > 0 {
					infer[c].observe(v)
				}
			}
		}
	}

	for c, n := range sci {
		if n > 0 {
			r.stats.Warnings = append(r.stats.Warnings, fmt.Sprintf("column %q: %d of the first %d rows hold numbers in Excel's scientific notation (like 1.2E+15): their digits were lost before the export; export the column as text", names[c], n, seen))
		}
	}
	cols := make([]column, len(names))
	fields := make([]arrow.Field, len(names))
	for c, name := range names {
		t := r.opts.Types[name]
		if !declared[c] {
			t = infer[c].result()
		}
		cols[c] = newColumn(name, t, !declared[c])
		if t.Kind == KindTimestamp {
			cols[c].zone = newZoneCache(r.opts.Location)
		}
		fields[c] = arrow.Field{Name: name, Type: cols[c].dt, Nullable: true}
	}
	r.schema = arrow.NewSchema(fields, nil)
	b := newBuilder(r, cols, seen)
	r.started = true
	r.wg.Add(1)
	go b.run(sample)
	return nil
}

// header validates the header record and returns the column names. Empty
// names at the end (Excel's "Save as CSV" of a sheet with stray cells) are
// dropped: their columns must then be empty in every row.
func (r *csvReader) header(blk *block, hi int) ([]string, error) {
	rec := &blk.recs[hi]
	if rec.prob != probNone {
		var why string
		switch rec.prob {
		case probEncoding:
			why = "undecodable bytes for encoding " + blk.encName
		case probLineTooLong, probCellTooLong:
			return nil, &ParseError{File: r.path, Line: rec.line, Err: fmt.Errorf("%w: the header is longer than %d bytes (MaxRecordBytes)", ErrRecordTooLong, r.opts.MaxRecordBytes)}
		default:
			why = problemText(rec.prob, "")
		}
		return nil, &ParseError{File: r.path, Line: rec.line, Column: positional(rec.probField), Err: fmt.Errorf("%w: %s", ErrMalformedHeader, why)}
	}
	var errs []error
	width := int(rec.nfields)
	if rec.nfields > 1 {
		width = max(recordWidth(blk, rec), 1)
	}
	if dropped := int(rec.nfields) - width; dropped > 0 {
		r.extraCols = dropped
		r.stats.DroppedColumns = dropped
		r.stats.Warnings = append(r.stats.Warnings, fmt.Sprintf("%d trailing columns without a name dropped (their cells must be empty)", dropped))
	}
	names := make([]string, width)
	byFold := make(map[string]int, len(names))
	for c, f := range blk.fields[rec.first : rec.first+int32(width)] {
		name := strings.TrimSpace(string(blk.value(f)))
		names[c] = name
		if name == "" {
			errs = append(errs, &ParseError{File: r.path, Line: rec.line, Column: positional(int32(c)), Err: ErrEmptyColumnName})
			continue
		}
		key := strings.ToLower(name)
		if prev, dup := byFold[key]; dup {
			err := fmt.Errorf("%w (also column %d)", ErrDuplicateColumn, prev+1)
			if names[prev] != name {
				err = fmt.Errorf("%w (column %d is %q; names that differ only in case clash in SQL engines)", ErrDuplicateColumn, prev+1, names[prev])
			}
			errs = append(errs, &ParseError{File: r.path, Line: rec.line, Column: name, Err: err})
			continue
		}
		byFold[key] = c
	}
	for name := range r.opts.Types {
		c, ok := byFold[strings.ToLower(name)]
		switch {
		case !ok:
			errs = append(errs, &ParseError{File: r.path, Line: rec.line, Column: name, Err: ErrUnknownColumn})
		case names[c] != name:
			errs = append(errs, &ParseError{File: r.path, Line: rec.line, Column: name,
				Err: fmt.Errorf("%w (the header has %q)", ErrUnknownColumn, names[c])})
		}
	}
	if len(errs) > 0 {
		sortParseErrors(errs)
		return nil, errors.Join(errs...)
	}
	return names, nil
}

// checkHeaderNotData stops a file whose header row looks like data: a cell
// that parses as the values below it do (numbers, dates, e-mail addresses,
// phone numbers, long IDs). Such a file has no header, and its first
// customer must not become column names. The error names positions only.
func (r *csvReader) checkHeaderNotData(blk *block, hi int) error {
	rec := &blk.recs[hi]
	if rec.prob != probNone {
		return nil
	}
	n := int(rec.nfields)
	infer := make([]inference, n)
	values := make([][][]byte, n)
	rows := 0
	for i := hi + 1; i < len(blk.recs) && rows < 1000; i++ {
		d := &blk.recs[i]
		if d.prob != probNone || int(d.nfields) != n {
			continue
		}
		rows++
		for c, f := range blk.fields[d.first : d.first+d.nfields] {
			if v := trimSpace(blk.value(f)); len(v) > 0 {
				infer[c].observe(v)
				if len(values[c]) < 200 {
					values[c] = append(values[c], v)
				}
			}
		}
	}
	if rows == 0 {
		return nil
	}
	var cols []string
	for c, f := range blk.fields[rec.first : rec.first+rec.nfields] {
		if dataLike(blk.value(f), infer[c].result(), values[c]) {
			cols = append(cols, positional(int32(c)))
		}
	}
	if len(cols) == 0 {
		return nil
	}
	return &ParseError{File: r.path, Line: rec.line, Err: fmt.Errorf("%w: column %s of the first row holds a value like those in the rows below, not a name; if the file has no header row set `header: false` (columns are then col1..colN), or `header: true` to use this row as the header anyway",
		ErrHeaderLooksLikeData, strings.Join(cols, ", "))}
}

// sortParseErrors puts unknown-column errors (found by ranging over a map)
// last, by name; header errors keep their order.
func sortParseErrors(errs []error) {
	key := func(e error) string {
		var pe *ParseError
		if errors.As(e, &pe) && errors.Is(pe.Err, ErrUnknownColumn) {
			return "1" + pe.Column
		}
		return "0"
	}
	sort.SliceStable(errs, func(i, j int) bool { return key(errs[i]) < key(errs[j]) })
}

// positional names a column by position ("#3") when no name is known.
func positional(i int32) string {
	if i < 0 {
		return ""
	}
	return "#" + strconv.Itoa(int(i)+1)
}

func problemText(p problem, col string) string {
	in := ""
	if col != "" {
		in = " in column " + strconv.Quote(col)
	}
	switch p {
	case probBareQuote:
		return "quote inside an unquoted field" + in + "; quote the whole field and double inner quotes"
	case probAfterQuote:
		return "unexpected character after a closing quote" + in
	case probUnterminated:
		return "quoted field" + in + " is not closed before the end of the file"
	}
	return "malformed record"
}

// produce reads the file and splits it into blocks of records.
func (r *csvReader) produce() {
	defer r.wg.Done()
	defer close(r.blocks)
	send := func(b *block) bool {
		select {
		case r.blocks <- b:
			return true
		case <-r.ctx.Done():
			return false
		}
	}
	var carry []byte
	var pending *block
	skipping := false
	for {
		if r.ctx.Err() != nil {
			return
		}
		blk := r.getBlock(len(carry))
		blk.text = append(blk.text, carry...)
		if pending != nil {
			if !send(pending) {
				return
			}
			pending = nil
		}
		before := r.sr.consumed
		eof := false
		var rerr error
		for cap(blk.text)-len(blk.text) >= 64 {
			n, err := r.sr.read(blk.text[len(blk.text):cap(blk.text)])
			blk.text = blk.text[:len(blk.text)+n]
			if err == io.EOF {
				eof = true
				break
			}
			if err != nil {
				rerr = err
				break
			}
		}
		blk.bytes = r.sr.consumed - before
		blk.enc = r.sr.enc
		blk.encName = r.sr.name()
		blk.confidence = r.sr.confidence
		blk.markers = blk.enc != encUTF8 && blk.enc != encUndecided
		if rerr != nil {
			blk.text = blk.text[:0]
			if errors.Is(rerr, ErrUnsupportedEncoding) || errors.Is(rerr, ErrAmbiguousEncoding) {
				blk.err = &ParseError{File: r.path, Line: 1, Err: rerr}
			} else {
				blk.err = fmt.Errorf("extract: read %s: %w", r.path, rerr)
			}
			send(blk)
			return
		}
		if !r.prepared {
			r.prepared = true
			if err := r.prepare(blk, eof); err != nil {
				blk.text = blk.text[:0]
				blk.err = err
				send(blk)
				return
			}
		}
		if r.crOnly {
			for i, c := range blk.text {
				if c == '\r' {
					blk.text[i] = '\n'
				}
			}
		}
		if skipping {
			// the rest of a line that was too long: drop it
			nl := bytes.IndexByte(blk.text, '\n')
			if nl < 0 {
				blk.text = blk.text[:0]
				if eof {
					if err := r.unchanged(); err != nil {
						blk.err = err
					}
					send(blk)
					return
				}
				carry, pending = nil, blk
				continue
			}
			skipping = false
			r.sp.line++
			blk.text = append(blk.text[:0], blk.text[nl+1:]...)
		}
		consumed, tooLong := r.sp.split(blk, eof)
		if tooLong != nil {
			// A line longer than MaxRecordBytes: reject it (keeping its
			// first bytes as the raw row) and resume on the next line.
			rest := blk.text[consumed:]
			keep := min(len(rest), maxTooLongRaw, r.opts.MaxRecordBytes)
			for keep > 0 && keep < len(rest) && !utf8.RuneStart(rest[keep]) {
				keep--
			}
			blk.recs = append(blk.recs, record{line: tooLong.line, first: int32(len(blk.fields)), rawStart: uint32(consumed), rawEnd: uint32(consumed + keep), prob: probLineTooLong, probField: -1})
			if nl := bytes.IndexByte(rest, '\n'); nl >= 0 {
				r.sp.line++
				carry = rest[nl+1:]
				if eof {
					// split the rest now, in a block of its own
					pending = blk
					nb := r.getBlock(len(carry))
					nb.text = append(nb.text, carry...)
					nb.enc, nb.encName, nb.confidence, nb.markers = blk.enc, blk.encName, blk.confidence, blk.markers
					if !send(pending) {
						return
					}
					pending = nil
					if _, tl := r.sp.split(nb, true); tl != nil {
						nb.err = &ParseError{File: r.path, Line: tl.line, Err: fmt.Errorf("%w: two lines over %d bytes at the end of the file", ErrRecordTooLong, r.opts.MaxRecordBytes)}
					} else if err := r.unchanged(); err != nil {
						nb.err = err
					}
					send(nb)
					return
				}
			} else {
				skipping, carry = !eof, nil
				if eof {
					if err := r.unchanged(); err != nil {
						blk.err = err
					}
					send(blk)
					return
				}
			}
			pending = blk
			continue
		}
		if eof {
			if err := r.unchanged(); err != nil {
				blk.err = err
			}
			send(blk)
			return
		}
		carry = blk.text[consumed:]
		pending = blk
	}
}

// unchanged checks, at the end of the file, that it is the file that was
// opened, as it was: same size (and every byte of it read), same
// modification time, and the path still names it. A file truncated,
// appended to, rewritten or replaced while it was read fails the table:
// what was read may mix two versions.
func (r *csvReader) unchanged() error {
	if !r.opened.Mode().IsRegular() {
		return nil
	}
	changed := func(why string) error {
		return &ParseError{File: r.path, Err: fmt.Errorf("%w: %s; nothing from it is kept, run again once the export is complete", ErrSourceChanged, why)}
	}
	now, err := r.f.Stat()
	if err != nil {
		return changed("cannot stat it again: " + err.Error())
	}
	switch {
	case now.Size() != r.opened.Size():
		return changed(fmt.Sprintf("its size went from %d to %d bytes", r.opened.Size(), now.Size()))
	case r.sr != nil && !r.inZip && r.sr.consumed != r.opened.Size():
		return changed(fmt.Sprintf("%d bytes were read, the file had %d", r.sr.consumed, r.opened.Size()))
	case r.sr != nil && r.inZip && r.sr.consumed != r.srcSize:
		return changed(fmt.Sprintf("%d bytes were read, the zip entry had %d", r.sr.consumed, r.srcSize))
	case !now.ModTime().Equal(r.opened.ModTime()):
		return changed("it was modified")
	}
	statPath := r.path
	if r.statPath != "" {
		statPath = r.statPath
	}
	byPath, err := os.Stat(statPath)
	if err != nil || !os.SameFile(byPath, r.opened) {
		return changed("the path now names another file (replaced or removed)")
	}
	return nil
}

func splitDelim(d rune) byte {
	if d == DelimiterAuto {
		return ','
	}
	return byte(d)
}

// prepare looks at the first block's text before it is split: a CR-only
// file, Excel's "sep=;" line (skipped), and the delimiter when it is sniffed.
func (r *csvReader) prepare(blk *block, eof bool) error {
	text := blk.text
	if crOnly(text) {
		r.crOnly = true
	}
	probe := text
	if r.crOnly {
		probe = bytes.ReplaceAll(text, []byte{'\r'}, []byte{'\n'})
	}
	if d, n := sepLine(probe); n > 0 {
		if r.opts.Delimiter != DelimiterAuto && byte(r.opts.Delimiter) != d {
			return &ParseError{File: r.path, Line: 1, Err: fmt.Errorf("%w: the file's first line says sep=%c but delimiter %q is configured", ErrInvalidOption, d, r.opts.Delimiter)}
		}
		blk.text = append(blk.text[:0], blk.text[n:]...)
		r.delim = d
		r.sp = newSplitter(d, r.opts.MaxRecordBytes)
		r.sp.line = 2
		return nil
	}
	if r.opts.Delimiter == DelimiterAuto {
		r.delim = sniffDelimiter(probe, eof)
		r.sp = newSplitter(r.delim, r.opts.MaxRecordBytes)
	}
	return nil
}

// getBlock returns an empty block with room for the carry and a chunk.
func (r *csvReader) getBlock(carry int) *block {
	var b *block
	select {
	case b = <-r.free:
	default:
		b = &block{}
	}
	b.reset()
	need := max(r.chunk, 2*carry+64)
	if cap(b.text) < need || cap(b.text) > 4*need {
		b.text = make([]byte, 0, need)
	}
	return b
}

func (r *csvReader) recycle(b *block) {
	select {
	case r.free <- b:
	default:
	}
}

// Schema returns the table's Arrow schema.
func (r *csvReader) Schema() *arrow.Schema { return r.schema }

// Next advances to the next record batch. It releases the previous batch.
func (r *csvReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	for !r.done {
		var m *batchMsg
		var ok bool
		select {
		case m, ok = <-r.out:
		case <-r.ctx.Done():
			r.fail(context.Cause(r.ctx))
			return false
		}
		if !ok {
			err := context.Cause(r.ctx)
			if err == nil {
				err = errors.New("extract: internal error: stream ended early")
			}
			r.fail(err)
			return false
		}
		if r.opts.OnReject != nil {
			for _, rj := range m.rejects {
				if err := r.opts.OnReject(rj); err != nil {
					if m.rec != nil {
						m.rec.Release()
					}
					r.fail(fmt.Errorf("extract: table %s: reject handler: %w", r.opts.Table, err))
					return false
				}
			}
		}
		r.account(m)
		if m.err != nil {
			r.fail(m.err)
			return false
		}
		if m.eof {
			r.done = true
		}
		if m.rec != nil {
			r.cur = m.rec
			return true
		}
	}
	return false
}

func (r *csvReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.done = true
	r.cancel(err)
}

func (r *csvReader) account(m *batchMsg) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stats.RowsRead += m.read
	r.stats.RowsWritten += m.written
	r.stats.RowsRejected += m.rejected
	r.stats.BlankLines += m.blank
	r.stats.Bytes += m.size
	if m.enc != "" {
		r.stats.Encoding, r.stats.EncodingConfidence = m.enc, m.confidence
	}
}

// RecordBatch returns the current batch; it is valid until the next call to Next.
func (r *csvReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch.
//
// Deprecated: Use RecordBatch.
func (r *csvReader) Record() arrow.RecordBatch { return r.cur }

// Err returns the error that ended reading, or nil at a clean end.
func (r *csvReader) Err() error { return r.err }

// Stats returns the counts so far.
func (r *csvReader) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats
	s.Warnings = append([]string(nil), s.Warnings...)
	if n := r.hiddenRows.Load(); n > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("sheet %q: %d hidden rows were read like the others", r.sheet, n))
	}
	if n := r.hiddenCols.Load(); n > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("sheet %q: %d hidden columns were read like the others", r.sheet, n))
	}
	if n := r.merged.Load(); n > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("sheet %q: %d merged ranges: %d one-column ranges were filled down with their top cell's value, the others keep it in their top-left cell only", r.sheet, n, r.mergedFilled.Load()))
	}
	if s.Encoding == "" {
		s.Encoding, s.EncodingConfidence = encUTF8.String(), 1
		if e, err := parseEncoding(r.opts.Encoding); err == nil && e.kind != encUndecided {
			s.Encoding = e.name
		}
	}
	return s
}

// Retain adds a reference.
func (r *csvReader) Retain() { r.refs.Add(1) }

// Release drops a reference; the last one closes the reader.
func (r *csvReader) Release() {
	if r.refs.Add(-1) == 0 {
		r.Close()
	}
}

// Close stops reading, releases the current batch and closes the file.
func (r *csvReader) Close() error {
	r.closeOnce.Do(func() {
		r.cancel(ErrClosed)
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.done = true
		if r.started {
			for m := range r.out {
				if m.rec != nil {
					m.rec.Release()
				}
			}
		}
		r.wg.Wait()
		if r.srcCloser != nil {
			r.srcCloser.Close()
		}
		if err := r.f.Close(); err != nil {
			r.closeErr = fmt.Errorf("extract: %w", err)
		}
	})
	return r.closeErr
}

// builder converts records into Arrow batches.
type builder struct {
	r       *csvReader
	cols    []column
	names   []string
	reasons []string // per column: why a value was rejected

	rows, textBytes int // in the current batch
	rejects         []Reject
	rejectBytes     int
	m               batchMsg // counts since the last message
}

func newBuilder(r *csvReader, cols []column, sampled int) *builder {
	b := &builder{r: r, cols: cols, names: make([]string, len(cols)), reasons: make([]string, len(cols))}
	for c := range cols {
		col := &cols[c]
		b.names[c] = col.name
		if col.strict {
			b.reasons[c] = fmt.Sprintf("value in column %q does not fit the inferred type %s (inferred from the first %d rows); declare the column's type in the config", col.name, col.typ, sampled)
		} else {
			b.reasons[c] = fmt.Sprintf("value in column %q is not a valid %s (the declared type)", col.name, col.typ)
		}
	}
	return b
}

func (b *builder) run(sample []*block) {
	defer b.r.wg.Done()
	defer close(b.r.out)
	for _, blk := range sample {
		if !b.process(blk) {
			return
		}
	}
	for blk := range b.r.blocks {
		if !b.process(blk) {
			return
		}
	}
	if b.r.ctx.Err() != nil {
		return
	}
	b.m.eof = true
	b.flush()
}

// process converts one block; false means stop.
func (b *builder) process(blk *block) bool {
	if b.r.ctx.Err() != nil {
		return false
	}
	b.m.enc, b.m.confidence = blk.encName, blk.confidence
	ncols := len(b.cols)
	maxRows, maxBytes := b.r.opts.BatchRows, b.r.opts.MaxBatchBytes
	for i := blk.skip; i < len(blk.recs); i++ {
		rec := &blk.recs[i]
		if b.r.extraCols > 0 && rec.prob == probNone && rec.nfields > 1 {
			// A sheet saved with a used range wider than its data: its
			// empty rows (",,,,") are not records.
			if f := blk.fields[rec.first]; f.start == f.end && allEmpty(blk, rec) {
				b.m.blank++
				continue
			}
		}
		b.m.read++
		switch {
		case rec.prob != probNone:
			b.rejectProblem(blk, rec)
		case int(rec.nfields) != ncols && !b.trailingEmpty(blk, rec):
			b.reject(blk, rec, "", fmt.Sprintf("record has %d fields, the header has %d", rec.nfields, ncols))
		default:
			fields := blk.fields[rec.first : rec.first+int32(ncols)]
			ok := true
			for c := range b.cols {
				col := &b.cols[c]
				v := blk.value(fields[c])
				if col.typ.Kind == KindString { // the common case, inlined
					if len(v) == 0 {
						col.valid = append(col.valid, 0)
						col.nulls++
					} else {
						col.valid = append(col.valid, 1)
						col.data = append(col.data, v...)
					}
					col.offs = append(col.offs, int32(len(col.data)))
					col.n++
					continue
				}
				if !col.append(v) {
					for k := 0; k < c; k++ {
						b.cols[k].pop()
					}
					b.reject(blk, rec, b.names[c], b.reasons[c])
					ok = false
					break
				}
			}
			if ok {
				b.m.written++
				b.rows++
				b.textBytes += int(rec.rawEnd-rec.rawStart) + 8*ncols
			}
		}
		if b.rows >= maxRows || b.textBytes >= maxBytes || len(b.rejects) >= maxPendingReject || b.rejectBytes >= maxRejectBytes {
			if !b.flush() {
				return false
			}
		}
	}
	b.m.blank += blk.blank
	b.m.size += blk.bytes
	if blk.err != nil {
		if !b.flush() {
			return false
		}
		b.send(&batchMsg{err: blk.err, enc: blk.encName, confidence: blk.confidence})
		return false
	}
	b.r.recycle(blk)
	return true
}

// trailingEmpty: a record with the header's unnamed trailing columns, empty.
func (b *builder) trailingEmpty(blk *block, rec *record) bool {
	ncols := len(b.cols)
	n := int(rec.nfields)
	if n <= ncols || n > ncols+b.r.extraCols {
		return false
	}
	for _, f := range blk.fields[rec.first+int32(ncols) : rec.first+rec.nfields] {
		if len(trimSpace(blk.value(f))) > 0 {
			return false
		}
	}
	return true
}

func allEmpty(blk *block, rec *record) bool {
	for _, f := range blk.fields[rec.first : rec.first+rec.nfields] {
		if f.start != f.end {
			return false
		}
	}
	return true
}

func (b *builder) rejectProblem(blk *block, rec *record) {
	col := ""
	if rec.probField >= 0 {
		if int(rec.probField) < len(b.names) {
			col = b.names[rec.probField]
		} else {
			col = positional(rec.probField)
		}
	}
	var reason string
	switch rec.prob {
	case probEncoding:
		reason = "undecodable bytes for encoding " + blk.encName
		if col != "" {
			reason += " at column " + strconv.Quote(col)
		}
	case probTooLong:
		reason = fmt.Sprintf("quoted field opened on line %d is not closed within %d bytes (MaxRecordBytes): a stray quote; this line was rejected and reading resumed on the next line", rec.line, b.r.opts.MaxRecordBytes)
	case probLineTooLong:
		reason = fmt.Sprintf("line longer than %d bytes (MaxRecordBytes) without a line feed; it was rejected (its first %d bytes kept) and reading resumed on the next line", b.r.opts.MaxRecordBytes, maxTooLongRaw)
	case probCellTooLong:
		reason = fmt.Sprintf("cell in column %s is longer than %d bytes (MaxRecordBytes); this row was rejected", strconv.Quote(col), b.r.opts.MaxRecordBytes)
	default:
		reason = problemText(rec.prob, col)
		if rec.prob == probUnterminated {
			if n := bytes.Count(blk.text[rec.rawStart:rec.rawEnd], nlBytes); n > 0 {
				reason += fmt.Sprintf(": the quote opened on line %d runs to the end of the file, so %d more lines were taken into this one rejected record; fix the stray quote", rec.line, n)
			}
		}
	}
	b.reject(blk, rec, col, reason)
}

func (b *builder) reject(blk *block, rec *record, col, reason string) {
	raw := renderRaw(blk.text[rec.rawStart:rec.rawEnd], blk.markers)
	b.rejects = append(b.rejects, Reject{File: b.r.path, Line: rec.line, Column: col, Reason: reason, Raw: raw})
	b.rejectBytes += len(raw)
	b.m.rejected++
}

// flush sends the current batch (if any rows), the pending rejects and the counts.
func (b *builder) flush() bool {
	m := b.m
	b.m = batchMsg{enc: m.enc, confidence: m.confidence}
	m.rejects, b.rejects, b.rejectBytes = b.rejects, nil, 0
	if b.rows > 0 {
		arrs := make([]arrow.Array, len(b.cols))
		for c := range b.cols {
			arrs[c] = b.cols[c].finish(b.r.opts.Alloc)
		}
		m.rec = array.NewRecordBatch(b.r.schema, arrs, int64(b.rows))
		for _, a := range arrs {
			a.Release()
		}
		b.rows, b.textBytes = 0, 0
	}
	return b.send(&m)
}

func (b *builder) send(m *batchMsg) bool {
	select {
	case b.r.out <- m:
		return true
	case <-b.r.ctx.Done():
		if m.rec != nil {
			m.rec.Release()
		}
		return false
	}
}

// renderRaw makes a record's text printable as UTF-8: undecodable bytes (and
// GBK/GB18030 markers) become \xNN.
func renderRaw(b []byte, markers bool) string {
	if utf8.Valid(b) {
		return string(b)
	}
	const hex = "0123456789ABCDEF"
	var sb strings.Builder
	sb.Grow(len(b) + 16)
	esc := func(c byte) {
		sb.WriteString(`\x`)
		sb.WriteByte(hex[c>>4])
		sb.WriteByte(hex[c&15])
	}
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			sb.WriteByte(c)
			i++
			continue
		}
		if markers && c == markerByte && i+2 < len(b) && b[i+1]&0xF0 == 0x80 && b[i+2]&0xF0 == 0x80 {
			esc(b[i+1]<<4 | b[i+2]&0x0F)
			i += 3
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			esc(c)
			i++
			continue
		}
		sb.Write(b[i : i+size])
		i += size
	}
	return sb.String()
}

// launch starts the reader's producer and reads up to the first batch
// (header, encoding and shape decided); on failure the reader is closed.
func (r *csvReader) launch(ctx context.Context) error {
	r.ctx, r.cancel = context.WithCancelCause(ctx)
	r.refs.Store(1)
	r.wg.Add(1)
	go r.produce()
	if err := r.start(); err != nil {
		r.Close()
		return err
	}
	return nil
}

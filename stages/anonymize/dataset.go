package anonymize

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/vigil-dg/vigil/internal/atomicfile"
)

// DatasetFormat is the format version of _vigil.json.
const DatasetFormat = "vigil.dataset/v1"

// MetadataFile is the name of the dataset description file.
const MetadataFile = "_vigil.json"

// DatasetRequest is the input of WriteDataset.
type DatasetRequest struct {
	Root  string // datasets root; the dataset goes to Root/<Table>/
	Table string
	// Open opens the table's record stream (e.g. from a decrypted
	// snapshot). It is called twice when a privacy model applies: pass 1
	// reads the quasi-identifiers, pass 2 writes. Both passes must see the
	// same records in the same order.
	Open      func(ctx context.Context) (array.RecordReader, error)
	Policy    Policy
	Classes   map[string]ColumnClass // column → class (from classification)
	Tokenizer Tokenizer              // pseudonyms and date shifting
	// PseudonymKeyID identifies the pseudonym key in _vigil.json (never
	// the key itself). Optional.
	PseudonymKeyID string
	Allocator      memory.Allocator // default memory.DefaultAllocator
	Logger         *slog.Logger     // default: discard
	Now            func() time.Time // default time.Now
	MaxRowsPerFile int64            // default 1,000,000
}

// DatasetReport is the content of _vigil.json: how each column was
// protected and the privacy level reached. It holds no data values.
type DatasetReport struct {
	Format         string         `json:"format"`
	Table          string         `json:"table"`
	Created        time.Time      `json:"created"`
	RowsIn         int64          `json:"rows_in"`
	RowsWritten    int64          `json:"rows_written"`
	RowsSuppressed int64          `json:"rows_suppressed"`
	Files          []DatasetFile  `json:"files"`
	Columns        []ColumnReport `json:"columns"`
	Privacy        *Result        `json:"privacy,omitempty"`
	PseudonymKeyID string         `json:"pseudonym_key_id,omitempty"`
	// Withheld lists the columns left out because nobody reviewed them
	// (no class, no policy); ReleaseHint says how to release one.
	Withheld    []string `json:"withheld,omitempty"`
	ReleaseHint string   `json:"release_hint,omitempty"`
	// Disclosure is the check every dataset passes before it is published.
	Disclosure *DisclosureReport `json:"disclosure,omitempty"`
}

// DatasetFile is one Parquet file of a dataset.
type DatasetFile struct {
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// ColumnReport says how one input column was protected.
type ColumnReport struct {
	Name            string     `json:"name"`
	Type            string     `json:"type,omitempty"` // output Arrow type; empty when dropped
	Class           string     `json:"class,omitempty"`
	Category        string     `json:"category,omitempty"`
	Source          string     `json:"source"` // policy | class default | quasi-identifier | unclassified
	Protection      Protection `json:"protection"`
	QuasiIdentifier bool       `json:"quasi_identifier,omitempty"`
	Level           *int       `json:"level,omitempty"` // quasi-identifiers: level chosen by the search
	Sensitive       bool       `json:"sensitive,omitempty"`
	CellsSuppressed int64      `json:"cells_suppressed,omitempty"` // values that could not be transformed and were written as "*"
	// Status: released, withheld: unreviewed, or dropped.
	Status string `json:"status"`
	// Note says what the policy engine changed (a capped mask, a column
	// that joined the privacy search).
	Note string `json:"note,omitempty"`
	// SuppressedByValue: for quasi-identifiers, records suppressed per
	// released value (values held by fewer than k records are pooled as
	// "(rare values)"), so that suppression falling on a small group shows.
	SuppressedByValue []ValueSuppression `json:"suppressed_by_value,omitempty"`
	// Distribution: quasi-identifiers, before and after anonymization at
	// the released grain.
	Distribution *QIDistribution `json:"distribution,omitempty"`
}

// ValueSuppression counts the records of one quasi-identifier value and
// how many of them were suppressed.
type ValueSuppression struct {
	Value      string  `json:"value"`
	Records    int64   `json:"records"`
	Suppressed int64   `json:"suppressed"`
	Share      float64 `json:"share"`
}

// WriteDataset writes the anonymized dataset of one table: plain Parquet
// files and _vigil.json, into a temporary directory renamed into place.
func WriteDataset(ctx context.Context, req DatasetRequest) (*DatasetReport, error) {
	if err := checkTableName(req.Table); err != nil {
		return nil, err
	}
	if req.Open == nil {
		return nil, &PolicyError{Table: req.Table, Reason: "no record stream to read"}
	}
	mem := req.Allocator
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	log := req.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := time.Now
	if req.Now != nil {
		now = req.Now
	}
	maxRows := req.MaxRowsPerFile
	if maxRows <= 0 {
		maxRows = 1_000_000
	}
	pol := req.Policy
	if pol.Table == "" {
		pol.Table = req.Table
	}

	rdr, err := req.Open(ctx)
	if err != nil {
		return nil, fmt.Errorf("anonymize: table %q: open: %w", req.Table, err)
	}
	schema := rdr.Schema()
	fields := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		fields[i] = f.Name
	}
	plans, priv, err := pol.resolve(fields, req.Classes)
	if err != nil {
		rdr.Release()
		return nil, err
	}
	needTokens := false
	for _, cp := range plans {
		if cp.prot.Method == MethodPseudonym || cp.prot.Method == MethodDateShift {
			needTokens = true
		}
	}
	if needTokens && req.Tokenizer == nil {
		rdr.Release()
		return nil, &PolicyError{Table: req.Table, Reason: "pseudonyms or date shifting need a tokenizer (pseudonym key)"}
	}

	report := &DatasetReport{Format: DatasetFormat, Table: req.Table, Created: now().UTC(), PseudonymKeyID: req.PseudonymKeyID}
	w := &datasetWriter{req: req, mem: mem, plans: plans, schema: schema, report: report, maxRows: maxRows}

	// Pass 1: quasi-identifiers, compactly, then the search.
	if priv != nil {
		ms, err := priv.normalize(req.Table)
		if err != nil {
			rdr.Release()
			return nil, err
		}
		t := newCollector(priv)
		err = w.collect(ctx, rdr, t, priv)
		rdr.Release()
		if err != nil {
			return nil, err
		}
		p, res, err := solve(ctx, req.Table, t, priv, ms)
		if err != nil {
			return nil, fmt.Errorf("anonymize: table %q: %w", req.Table, err)
		}
		w.plan, w.priv, report.Privacy = p, priv, res
		for _, cp := range plans {
			if cp.qi >= 0 && cp.offset > 0 && cp.qi < len(res.Transformation) {
				res.Transformation[cp.qi].Level += cp.offset
				res.Transformation[cp.qi].Levels += cp.offset
			}
		}
		log.Info("anonymize: privacy search done", "table", req.Table, "algorithm", res.Algorithm,
			"k", res.KReached, "classes", res.Classes, "suppressed", res.Suppressed, "metric", res.Metric,
			"information_loss", res.InformationLoss)
		if rdr, err = req.Open(ctx); err != nil {
			return nil, fmt.Errorf("anonymize: table %q: reopen: %w", req.Table, err)
		}
		if !rdr.Schema().Equal(schema) {
			rdr.Release()
			return nil, fmt.Errorf("%w: table %q: schema changed between passes", ErrInput, req.Table)
		}
	}

	// Pass 2: transform and write into a temporary directory.
	if err := os.MkdirAll(req.Root, 0o750); err != nil {
		rdr.Release()
		return nil, fmt.Errorf("anonymize: datasets root: %w", err)
	}
	// Unfinished directories of an earlier, interrupted write of this table
	// (the caller holds the job lock, so no other writer is running).
	for _, pat := range []string{".tmp-" + req.Table + "-*", ".old-" + req.Table + "-*"} {
		stale, _ := filepath.Glob(filepath.Join(req.Root, pat))
		for _, d := range stale {
			_ = os.RemoveAll(d)
		}
	}
	tmp, err := os.MkdirTemp(req.Root, ".tmp-"+req.Table+"-")
	if err != nil {
		rdr.Release()
		return nil, fmt.Errorf("anonymize: datasets root: %w", err)
	}
	w.dir = tmp
	err = w.write(ctx, rdr)
	rdr.Release()
	if err == nil {
		w.suppressionByValue()
		w.distributions()
		report.Disclosure = w.check.finish()
		for _, f := range report.Disclosure.Failures {
			log.Error("anonymize: disclosure check failed", "table", req.Table, "failure", f)
		}
		if !report.Disclosure.Passed {
			err = &DisclosureError{Table: req.Table, Failures: report.Disclosure.Failures}
		}
	}
	if err == nil {
		err = w.writeMetadata()
	}
	if err == nil {
		err = commitDir(req.Root, tmp, req.Table)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	log.Info("anonymize: dataset written", "table", req.Table, "rows_in", report.RowsIn,
		"rows_written", report.RowsWritten, "rows_suppressed", report.RowsSuppressed, "files", len(report.Files))
	return report, nil
}

func checkTableName(t string) error {
	if t == "" || t == "." || t == ".." || strings.ContainsAny(t, `/\`+"\x00") || strings.HasPrefix(t, ".") {
		return &PolicyError{Table: t, Reason: "table name is not a safe directory name"}
	}
	return nil
}

// commitDir renames tmp to root/name, replacing an existing dataset: the old
// directory is moved aside first and removed after the new one is in place.
func commitDir(root, tmp, name string) error {
	if err := atomicfile.SyncDir(tmp); err != nil {
		return err
	}
	final := filepath.Join(root, name)
	var old string
	if _, err := os.Stat(final); err == nil {
		// Swap atomically where the kernel can; tmp then holds the old dataset.
		ok, err := exchangeDirs(tmp, final)
		if err != nil {
			return fmt.Errorf("anonymize: replace dataset: %w", err)
		}
		if ok {
			if err := atomicfile.SyncDir(root); err != nil {
				return err
			}
			return os.RemoveAll(tmp)
		}
		old = filepath.Join(root, fmt.Sprintf(".old-%s-%d", name, time.Now().UnixNano()))
		if err := os.Rename(final, old); err != nil {
			return fmt.Errorf("anonymize: replace dataset: %w", err)
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		if old != "" {
			_ = os.Rename(old, final)
		}
		return fmt.Errorf("anonymize: commit dataset: %w", err)
	}
	if err := atomicfile.SyncDir(root); err != nil {
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// datasetWriter holds the state of one WriteDataset call.
type datasetWriter struct {
	req     DatasetRequest
	mem     memory.Allocator
	plans   []columnPlan
	schema  *arrow.Schema
	report  *DatasetReport
	plan    *plan
	priv    *PrivacyOptions
	dir     string
	maxRows int64

	outSchema *arrow.Schema
	outCols   []int // plan index per output field
	file      *os.File
	fw        *pqarrow.FileWriter
	hasher    hash.Hash
	counter   *countWriter
	fileRows  int64
	shiftMemo map[string]int
	check     *checker
}

// strAt returns the value of row i as text and whether it is null.
func strAt(a arrow.Array, i int) (string, bool) {
	if a.IsNull(i) {
		return "", true
	}
	switch s := a.(type) {
	case *array.String:
		return s.Value(i), false
	case *array.LargeString:
		return s.Value(i), false
	}
	return a.ValueStr(i), false
}

// collect is pass 1: it encodes the quasi-identifiers of every record.
func (w *datasetWriter) collect(ctx context.Context, rdr array.RecordReader, t *tupleTable, o *PrivacyOptions) error {
	qiField := make([]int, len(o.QuasiIdentifiers))
	for _, cp := range w.plans {
		if cp.qi >= 0 {
			qiField[cp.qi] = cp.index
		}
	}
	sensField := -1
	if o.Sensitive != "" {
		sensField = w.schema.FieldIndices(o.Sensitive)[0]
	}
	vals := make([]string, len(qiField))
	nulls := make([]bool, len(qiField))
	for rdr.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := rdr.RecordBatch()
		n := int(rec.NumRows())
		for i := 0; i < n; i++ {
			for d, f := range qiField {
				vals[d], nulls[d] = strAt(rec.Column(f), i)
			}
			var s string
			var sn bool
			if sensField >= 0 {
				s, sn = strAt(rec.Column(sensField), i)
			}
			t.add(vals, nulls, s, sn)
		}
	}
	if err := rdr.Err(); err != nil {
		return fmt.Errorf("anonymize: table %q: read: %w", w.req.Table, err)
	}
	return nil
}

// outputType is the Arrow type a protected column is written as.
func outputType(cp columnPlan, in arrow.DataType) arrow.DataType {
	switch cp.prot.Method {
	case MethodKeep:
		return in
	case MethodDateShift:
		switch in.ID() {
		case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP:
			return in
		}
	}
	return arrow.BinaryTypes.String
}

// write is pass 2.
func (w *datasetWriter) write(ctx context.Context, rdr array.RecordReader) error {
	var fields []arrow.Field
	for pi, cp := range w.plans {
		in := w.schema.Field(cp.index)
		cr := ColumnReport{Name: cp.name, Class: cp.class.ID, Category: string(cp.class.Category),
			Source: cp.source, Protection: cp.prot, QuasiIdentifier: cp.qi >= 0, Status: cp.status, Note: cp.note}
		if cp.status == StatusWithheld {
			w.report.Withheld = append(w.report.Withheld, cp.name)
			w.report.ReleaseHint = ReleaseHint
		}
		if w.priv != nil && w.priv.Sensitive == cp.name {
			cr.Sensitive = true
		}
		if cp.qi >= 0 && w.plan != nil && w.plan.lv != nil {
			l := w.plan.lv[cp.qi] + cp.offset
			cr.Level = &l
		}
		if cp.prot.Method == MethodDateShift {
			switch in.Type.ID() {
			case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP, arrow.STRING, arrow.LARGE_STRING:
			default:
				return &PolicyError{Table: w.req.Table, Column: cp.name, Reason: "date_shift needs a date, timestamp or text column, not " + in.Type.String()}
			}
		}
		if cp.prot.Method != MethodDrop {
			t := outputType(cp, in.Type)
			fields = append(fields, arrow.Field{Name: cp.name, Type: t, Nullable: true})
			w.outCols = append(w.outCols, pi)
			cr.Type = t.String()
		}
		w.report.Columns = append(w.report.Columns, cr)
	}
	w.outSchema = arrow.NewSchema(fields, nil)
	w.check = newChecker(w)

	qiField := []int(nil)
	sensField := -1
	if w.priv != nil {
		qiField = make([]int, len(w.priv.QuasiIdentifiers))
		for _, cp := range w.plans {
			if cp.qi >= 0 {
				qiField[cp.qi] = cp.index
			}
		}
		if w.priv.Sensitive != "" {
			sensField = w.schema.FieldIndices(w.priv.Sensitive)[0]
		}
	}
	vals := make([]string, len(qiField))
	nulls := make([]bool, len(qiField))
	var row int64
	for rdr.Next() {
		if err := ctx.Err(); err != nil {
			w.abortFile()
			return err
		}
		rec := rdr.RecordBatch()
		n := int(rec.NumRows())
		w.check.addInput(rec)
		keep := make([]bool, n)
		tuples := make([]int32, n)
		kept := 0
		for i := 0; i < n; i++ {
			keep[i] = true
			if w.plan != nil {
				for d, f := range qiField {
					vals[d], nulls[d] = strAt(rec.Column(f), i)
				}
				var s string
				var sn bool
				if sensField >= 0 {
					s, sn = strAt(rec.Column(sensField), i)
				}
				id, err := w.plan.t.tupleOf(vals, nulls, s, sn)
				if err != nil {
					w.abortFile()
					return &ValueError{Source: w.req.Table, Row: row + int64(i) + 1, Reason: err.Error(), Err: ErrInput}
				}
				tuples[i] = id
				keep[i] = !w.plan.suppressed[id]
			}
			if keep[i] {
				kept++
			}
		}
		w.report.RowsIn += int64(n)
		w.report.RowsSuppressed += int64(n - kept)
		if kept > 0 {
			if err := w.writeBatch(rec, keep, kept, tuples, row); err != nil {
				w.abortFile()
				return err
			}
		}
		row += int64(n)
	}
	if err := rdr.Err(); err != nil {
		w.abortFile()
		return fmt.Errorf("anonymize: table %q: read: %w", w.req.Table, err)
	}
	if w.fw == nil {
		// An empty dataset still gets one (empty) file with the schema.
		if err := w.openFile(); err != nil {
			return err
		}
	}
	return w.closeFile()
}

// writeBatch transforms the kept rows of one record batch and writes them.
func (w *datasetWriter) writeBatch(rec arrow.RecordBatch, keep []bool, kept int, tuples []int32, firstRow int64) error {
	cols := make([]arrow.Array, len(w.outCols))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for oi, pi := range w.outCols {
		cp := w.plans[pi]
		a, err := w.transformColumn(cp, rec, keep, kept, tuples, firstRow, pi)
		if err != nil {
			return err
		}
		cols[oi] = a
	}
	w.check.addOutput(cols, kept)
	out := array.NewRecordBatch(w.outSchema, cols, int64(kept))
	defer out.Release()
	if w.fw == nil {
		if err := w.openFile(); err != nil {
			return err
		}
	}
	if err := w.fw.Write(out); err != nil {
		return fmt.Errorf("anonymize: table %q: write parquet: %w", w.req.Table, err)
	}
	w.fileRows += int64(kept)
	w.report.RowsWritten += int64(kept)
	if w.fileRows >= w.maxRows {
		return w.closeFile()
	}
	return nil
}

// transformColumn builds the output array of one column.
func (w *datasetWriter) transformColumn(cp columnPlan, rec arrow.RecordBatch, keep []bool, kept int, tuples []int32, firstRow int64, pi int) (arrow.Array, error) {
	in := rec.Column(cp.index)
	switch cp.prot.Method {
	case MethodKeep:
		return filterArray(w.mem, in, keep, kept)
	case MethodDateShift:
		switch in.DataType().ID() {
		case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP:
			return w.shiftTyped(cp, rec, keep, kept, firstRow)
		}
	}
	b := array.NewStringBuilder(w.mem)
	defer b.Release()
	b.Reserve(kept)
	cr := &w.report.Columns[pi]
	for i := 0; i < int(rec.NumRows()); i++ {
		if !keep[i] {
			continue
		}
		if cp.qi >= 0 {
			// NULL stays NULL; "*" means generalized away or suppressed.
			if g := w.plan.generalized(tuples[i], cp.qi); g == nullValue {
				b.AppendNull()
			} else {
				b.Append(g)
			}
			continue
		}
		v, null := strAt(in, i)
		if null {
			b.AppendNull()
			continue
		}
		out, ok, err := w.transformValue(cp, rec, i, v)
		if err != nil {
			return nil, &ValueError{Source: w.req.Table, Row: firstRow + int64(i) + 1, Column: cp.name, Reason: err.Error(), Err: err}
		}
		if !ok {
			cr.CellsSuppressed++
			out = Suppressed
		}
		if out == "\x00null" {
			b.AppendNull()
			continue
		}
		b.Append(out)
	}
	return b.NewArray(), nil
}

// transformValue protects one non-null value. ok is false when the value
// cannot be transformed (it is then written as "*").
func (w *datasetWriter) transformValue(cp columnPlan, rec arrow.RecordBatch, i int, v string) (string, bool, error) {
	p := cp.prot
	switch p.Method {
	case MethodRedact:
		return p.Value, true, nil
	case MethodMask:
		ch := []rune(p.MaskChar)[0]
		return MaskValue(v, p.KeepPrefix, p.KeepSuffix, ch, p.Email), true, nil
	case MethodPseudonym:
		s, err := Pseudonym(w.req.Tokenizer, p, v)
		if err != nil {
			return "", false, err
		}
		return s, true, nil
	case MethodBucket:
		f, err := parseNumber(v)
		if err != nil {
			return "", false, nil
		}
		return bucketLabel(f, p.Interval), true, nil
	case MethodGeneralize:
		switch {
		case p.Hierarchy != nil:
			s, err := p.Hierarchy.Generalize(v, p.Level)
			if err != nil {
				return "", false, nil
			}
			return s, true, nil
		case p.Interval > 0:
			f, err := parseNumber(v)
			if err != nil {
				return "", false, nil
			}
			return bucketLabel(f, p.Interval), true, nil
		case p.DatePart != "":
			s, err := truncateDate(v, p.DatePart)
			if err != nil {
				return "", false, nil
			}
			return s, true, nil
		}
	case MethodDateShift:
		days, ok, err := w.shiftFor(cp, rec, i)
		if err != nil {
			return "", false, err
		}
		if !ok {
			return "\x00null", true, nil
		}
		s, err := shiftDateString(v, days)
		if err != nil {
			return "", false, nil
		}
		return s, true, nil
	}
	return "", false, fmt.Errorf("%w: method %q", ErrPolicy, p.Method)
}

// shiftFor returns the date offset of the record's subject; ok is false
// when the subject is null (the date is then written as null).
func (w *datasetWriter) shiftFor(cp columnPlan, rec arrow.RecordBatch, i int) (int, bool, error) {
	subj, null := strAt(rec.Column(cp.subject), i)
	if null {
		return 0, false, nil
	}
	key := cp.name + "\x00" + subj
	if d, ok := w.shiftMemo[key]; ok {
		return d, true, nil
	}
	d, err := ShiftDays(w.req.Tokenizer, subj, cp.prot.MaxShiftDays)
	if err != nil {
		return 0, false, err
	}
	if w.shiftMemo == nil || len(w.shiftMemo) > 1<<16 {
		w.shiftMemo = map[string]int{}
	}
	w.shiftMemo[key] = d
	return d, true, nil
}

// shiftTyped shifts a date32, date64 or timestamp column.
func (w *datasetWriter) shiftTyped(cp columnPlan, rec arrow.RecordBatch, keep []bool, kept int, firstRow int64) (arrow.Array, error) {
	in := rec.Column(cp.index)
	b := array.NewBuilder(w.mem, in.DataType())
	defer b.Release()
	b.Reserve(kept)
	for i := 0; i < int(rec.NumRows()); i++ {
		if !keep[i] {
			continue
		}
		if in.IsNull(i) {
			b.AppendNull()
			continue
		}
		days, ok, err := w.shiftFor(cp, rec, i)
		if err != nil {
			return nil, &ValueError{Source: w.req.Table, Row: firstRow + int64(i) + 1, Column: cp.name, Reason: err.Error(), Err: err}
		}
		if !ok {
			b.AppendNull()
			continue
		}
		switch a := in.(type) {
		case *array.Date32:
			b.(*array.Date32Builder).Append(a.Value(i) + arrow.Date32(days))
		case *array.Date64:
			b.(*array.Date64Builder).Append(a.Value(i) + arrow.Date64(int64(days)*86_400_000))
		case *array.Timestamp:
			unit := a.DataType().(*arrow.TimestampType).Unit
			per := int64(86_400) * int64(time.Second/unit.Multiplier())
			b.(*array.TimestampBuilder).Append(a.Value(i) + arrow.Timestamp(int64(days)*per))
		}
	}
	return b.NewArray(), nil
}

// filterArray keeps the rows marked in keep (slices of runs, concatenated).
func filterArray(mem memory.Allocator, a arrow.Array, keep []bool, kept int) (arrow.Array, error) {
	if kept == a.Len() {
		a.Retain()
		return a, nil
	}
	var parts []arrow.Array
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	for i := 0; i < len(keep); {
		if !keep[i] {
			i++
			continue
		}
		j := i
		for j < len(keep) && keep[j] {
			j++
		}
		parts = append(parts, array.NewSlice(a, int64(i), int64(j)))
		i = j
	}
	if len(parts) == 1 {
		parts[0].Retain()
		return parts[0], nil
	}
	return array.Concatenate(parts, mem)
}

func parseNumber(v string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
		err = errors.New("not a finite number")
	}
	return f, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (w *datasetWriter) openFile() error {
	name := fmt.Sprintf("part-%05d.parquet", len(w.report.Files))
	f, err := os.OpenFile(filepath.Join(w.dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("anonymize: table %q: %w", w.req.Table, err)
	}
	w.file = f
	w.hasher = sha256.New()
	w.counter = &countWriter{w: io.MultiWriter(f, w.hasher)}
	props := parquet.NewWriterProperties(parquet.WithAllocator(w.mem), parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithDictionaryDefault(true), parquet.WithDataPageVersion(parquet.DataPageV1))
	fw, err := pqarrow.NewFileWriter(w.outSchema, w.counter, props,
		pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(w.mem), pqarrow.WithStoreSchema()))
	if err != nil {
		f.Close()
		return fmt.Errorf("anonymize: table %q: parquet writer: %w", w.req.Table, err)
	}
	w.fw = fw
	w.fileRows = 0
	w.report.Files = append(w.report.Files, DatasetFile{Name: name})
	return nil
}

func (w *datasetWriter) closeFile() error {
	if w.fw == nil {
		return nil
	}
	err := w.fw.Close()
	w.fw = nil
	if err == nil {
		err = w.file.Sync()
	}
	if cerr := w.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("anonymize: table %q: close parquet: %w", w.req.Table, err)
	}
	fi := &w.report.Files[len(w.report.Files)-1]
	fi.Rows, fi.Bytes, fi.SHA256 = w.fileRows, w.counter.n, hex.EncodeToString(w.hasher.Sum(nil))
	return nil
}

func (w *datasetWriter) abortFile() {
	if w.fw != nil {
		_ = w.fw.Close()
		w.fw = nil
		w.file.Close()
	}
}

func (w *datasetWriter) writeMetadata() error {
	b, err := json.MarshalIndent(w.report, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(w.dir, MetadataFile), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	if _, err = f.Write(append(b, '\n')); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ReadDatasetReport reads _vigil.json of a dataset directory.
func ReadDatasetReport(dir string) (*DatasetReport, error) {
	b, err := os.ReadFile(filepath.Join(dir, MetadataFile))
	if err != nil {
		return nil, err
	}
	var r DatasetReport
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInput, MetadataFile, err)
	}
	if r.Format != DatasetFormat {
		return nil, fmt.Errorf("%w: %s: unsupported format %q", ErrInput, MetadataFile, r.Format)
	}
	return &r, nil
}

// suppressionByValue fills SuppressedByValue of every quasi-identifier from
// the plan's tuples (distinct quasi-identifier combinations with counts).
func (w *datasetWriter) suppressionByValue() {
	p := w.plan
	if p == nil || p.suppressed == nil || w.priv == nil {
		return
	}
	k := int64(max(w.priv.K, 2))
	for pi, cp := range w.plans {
		if cp.qi < 0 {
			continue
		}
		type tot struct{ n, s int64 }
		by := map[string]*tot{}
		var sup int64
		for id, cnt := range p.t.count {
			v := p.generalized(int32(id), cp.qi)
			if v == nullValue {
				v = "(null)"
			}
			t := by[v]
			if t == nil {
				t = &tot{}
				by[v] = t
			}
			t.n += int64(cnt)
			if p.suppressed[id] {
				t.s += int64(cnt)
				sup += int64(cnt)
			}
		}
		if sup == 0 {
			continue
		}
		var out []ValueSuppression
		rare := ValueSuppression{Value: "(rare values)"}
		for v, t := range by {
			if t.n < k {
				rare.Records += t.n
				rare.Suppressed += t.s
				continue
			}
			out = append(out, ValueSuppression{Value: v, Records: t.n, Suppressed: t.s, Share: float64(t.s) / float64(t.n)})
		}
		if rare.Records > 0 {
			rare.Share = float64(rare.Suppressed) / float64(rare.Records)
			out = append(out, rare)
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Share != out[j].Share {
				return out[i].Share > out[j].Share
			}
			return out[i].Value < out[j].Value
		})
		if len(out) > 50 {
			out = out[:50]
		}
		w.report.Columns[pi].SuppressedByValue = out
	}
}

package classify

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/vigil-dg/vigil/rules"
)

// Format is the version of classification.json.
const Format = 1

// Defaults for Options.
const (
	DefaultSampleSize  = 10000
	DefaultReviewBelow = 0.8
)

// Sentinel errors.
var (
	ErrOverride = errors.New("classify: bad override")
	ErrFormat   = errors.New("classify: unsupported classification format")
	ErrNoRules  = errors.New("classify: no rule set")
)

// Options tune Table.
type Options struct {
	SampleSize  int               // values sampled per column (non-null); 0 means DefaultSampleSize
	ReviewBelow float64           // columns below this confidence are marked for review; 0 means DefaultReviewBelow
	Overrides   map[string]string // column name → class id; wins over the classifier, reported as an override
	Seed        uint64            // seeds the reservoir samplers, so a run is reproducible
	Snapshot    string            // copied into the result
	Now         time.Time         // time recorded in the result; zero means time.Now()
	// ValueOnly ignores every header: columns are judged on their values
	// alone, as for headers that carry no meaning (col1, c2, F3, Unnamed: 0,
	// which are detected without this option).
	ValueOnly bool
	// Calibration maps evidence to confidence; nil means DefaultCalibration.
	Calibration *Calibration
}

// Column is the classification of one column.
type Column struct {
	Name       string      `json:"name"`
	Type       string      `json:"type"` // Arrow type
	Class      string      `json:"class"`
	Category   string      `json:"category"`
	Protection string      `json:"protection"` // rules.Protection text form
	Confidence float64     `json:"confidence"`
	Evidence   []string    `json:"evidence"` // counts, rule ids and header names only, never values
	Review     bool        `json:"review"`
	Override   bool        `json:"override"`
	Sampled    int64       `json:"sampled"`  // values in the sample
	NonNull    int64       `json:"non_null"` // non-null values in the rows read
	Candidates []Candidate `json:"candidates,omitempty"`
	// Basis is the evidence the confidence was computed from (not written).
	Basis Basis `json:"-"`
}

// Candidate is a class the classifier considered, with its score.
type Candidate struct {
	Class string  `json:"class"`
	Score float64 `json:"score"`
}

// TableResult is the classification of one table (classification.json).
type TableResult struct {
	Format      int              `json:"format"`
	Table       string           `json:"table"`
	Snapshot    string           `json:"snapshot,omitempty"`
	Created     time.Time        `json:"created"`
	Rows        int64            `json:"rows"` // rows read from the stream
	SampleSize  int              `json:"sample_size"`
	ReviewBelow float64          `json:"review_below"`
	Packs       []rules.PackInfo `json:"packs"`
	Columns     []Column         `json:"columns"`
}

// Column returns the result for the named column.
func (r *TableResult) Column(name string) (*Column, bool) {
	for i := range r.Columns {
		if r.Columns[i].Name == name {
			return &r.Columns[i], true
		}
	}
	return nil, false
}

// Table classifies every column of one table from the record stream rr: it
// keeps a reservoir sample of each column's non-null values and combines
// header and value evidence per class of set. The caller decides how much of
// the table to stream (a few row groups are plenty); rr is not released.
func Table(ctx context.Context, table string, rr array.RecordReader, set *rules.Set, opts Options) (*TableResult, error) {
	if set == nil {
		return nil, ErrNoRules
	}
	if opts.SampleSize <= 0 {
		opts.SampleSize = DefaultSampleSize
	}
	if opts.ReviewBelow <= 0 {
		opts.ReviewBelow = DefaultReviewBelow
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	cal := DefaultCalibration
	if opts.Calibration != nil {
		cal = *opts.Calibration
	}
	schema := rr.Schema()
	if err := checkOverrides(schema.Fields(), opts.Overrides, set); err != nil {
		return nil, err
	}
	res := make([]*reservoir, schema.NumFields())
	for i := range res {
		res[i] = newReservoir(opts.SampleSize, opts.Seed, uint64(i))
	}
	pairs := newRowSample(rowSampleSize, opts.Seed)
	var rows int64
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rec := rr.RecordBatch()
		if int(rec.NumCols()) != len(res) {
			return nil, fmt.Errorf("classify: read %s: batch has %d columns, schema %d", table, rec.NumCols(), len(res))
		}
		for i := range res {
			res[i].add(rec.Column(i))
		}
		pairs.add(rec.Columns())
		rows += rec.NumRows()
	}
	if err := rr.Err(); err != nil {
		return nil, fmt.Errorf("classify: read %s: %w", table, err)
	}

	out := &TableResult{
		Format: Format, Table: table, Snapshot: opts.Snapshot, Created: opts.Now.UTC(),
		Rows: rows, SampleSize: opts.SampleSize, ReviewBelow: opts.ReviewBelow, Packs: set.Packs(),
		Columns: make([]Column, schema.NumFields()),
	}
	// Columns are independent: classify them in parallel.
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, f := range schema.Fields() {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			c := classifyColumn(f.Name, res[i].vals, set, opts.ReviewBelow, opts.ValueOnly, cal)
			c.Type = f.Type.String()
			c.NonNull = res[i].nonNull
			if cls, ok := opts.Overrides[f.Name]; ok {
				applyOverride(&c, cls, set, opts.ReviewBelow)
			}
			out.Columns[i] = c
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	applyCountryHints(out, pairs.rows, set, opts.ReviewBelow, cal)
	tableContext(out, cal, opts.ReviewBelow)
	return out, nil
}

func checkOverrides(fields []arrow.Field, ov map[string]string, set *rules.Set) error {
	var errs []error
	names := map[string]bool{}
	for _, f := range fields {
		names[f.Name] = true
	}
	keys := make([]string, 0, len(ov))
	for k := range ov {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, col := range keys {
		cls := ov[col]
		if !names[col] {
			errs = append(errs, fmt.Errorf("%w: column %q is not in the table", ErrOverride, col))
		}
		if _, ok := set.Class(cls); !ok && cls != rules.ClassNone {
			errs = append(errs, fmt.Errorf("%w: column %q: %w %q", ErrOverride, col, rules.ErrUnknownClass, cls))
		}
	}
	return errors.Join(errs...)
}

func applyOverride(c *Column, cls string, set *rules.Set, reviewBelow float64) {
	was := fmt.Sprintf("override from config: %s (the classifier said %s at %.2f)", cls, c.Class, c.Confidence)
	c.Override = true
	c.Review = false
	c.Confidence = 1
	setClass(c, cls, set)
	c.Evidence = append([]string{was}, c.Evidence...)
}

func setClass(c *Column, cls string, set *rules.Set) {
	c.Class = cls
	if k, ok := set.Class(cls); ok {
		c.Category = string(k.Category)
		c.Protection = k.Protection.String()
		return
	}
	c.Class = rules.ClassNone
	c.Category = string(rules.CategoryNone)
	c.Protection = rules.ProtectPass
}

// count formats n with thousands separators.
func count(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// tableContext gives each value-only "none" the share of the table's other
// columns that hold personal data, and recomputes its confidence.
func tableContext(out *TableResult, cal Calibration, reviewBelow float64) {
	personal := 0
	for _, c := range out.Columns {
		if c.Class != rules.ClassNone {
			personal++
		}
	}
	if len(out.Columns) < 2 {
		return
	}
	for i := range out.Columns {
		c := &out.Columns[i]
		if c.Override || c.Basis.Kind != KindNone || !c.Basis.ValueOnly {
			continue
		}
		c.Basis.TablePersonal = float64(personal) / float64(len(out.Columns)-1)
		c.Confidence = cal.Confidence(c.Basis)
		c.Review = c.Confidence < reviewBelow
	}
}

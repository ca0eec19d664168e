package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vigil-dg/vigil/internal/atomicfile"
)

// MaxRows is the largest customers table Generate writes (customer ids keep
// eight digits).
const MaxRows = 10_000_000

// Table file names, fixed.
const (
	CustomersFile   = "customers.csv"
	StaffFile       = "staff.csv"
	OwnershipFile   = "ownership.csv"
	OrdersFile      = "orders.csv"
	EnrollmentsFile = "enrollments.csv"
	GroundTruthFile = "ground_truth.json"
)

// Options configures Generate.
type Options struct {
	Rows int       // customers to generate, 1..MaxRows
	Seed uint64    // the same seed and options give the same bytes
	Out  string    // output directory, created if missing
	GBK  bool      // write every CSV in GBK instead of UTF-8 (customers.csv then has no BOM)
	Now  time.Time // reference date (its wall clock is taken as China time); zero means DefaultNow()
}

// DefaultNow returns the reference date used when Options.Now is zero:
// 2026-11-01 00:00 China Standard Time.
func DefaultNow() time.Time {
	return time.Date(2026, time.November, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
}

// TableFile describes one written table.
type TableFile struct {
	Table string `json:"table"` // table name (file name without .csv), the key in the ground truth
	Path  string `json:"path"`
	Rows  int    `json:"rows"` // data rows, the header not counted
}

// Summary describes what Generate wrote.
type Summary struct {
	Dir         string      `json:"dir"`
	Tables      []TableFile `json:"tables"`       // customers, staff, ownership, orders, enrollments
	GroundTruth string      `json:"ground_truth"` // path of ground_truth.json
}

// ErrInvalidOptions is returned (wrapped, one error per problem) for options
// Generate cannot use.
var ErrInvalidOptions = errors.New("demo: invalid options")

// OptionError names the option at fault.
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("%s: %s: %s", ErrInvalidOptions, e.Option, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalidOptions) hold.
func (e *OptionError) Unwrap() error { return ErrInvalidOptions }

func (o Options) validate() error {
	var errs []error
	if o.Rows < 1 || o.Rows > MaxRows {
		errs = append(errs, &OptionError{"rows", fmt.Sprintf("%d is outside 1..%d", o.Rows, MaxRows)})
	}
	if o.Out == "" {
		errs = append(errs, &OptionError{"out", "no output directory"})
	}
	return errors.Join(errs...)
}

// Generate writes the demo CRM export into opts.Out: customers.csv with
// ownership.csv beside it, staff.csv, orders.csv, enrollments.csv and
// ground_truth.json. Every file is written to a temporary name and renamed
// into place once all tables are complete; ground_truth.json comes last.
func Generate(ctx context.Context, opts Options) (*Summary, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = DefaultNow()
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	g := newGen(opts.Seed, opts.Rows, now)

	names := []string{CustomersFile, StaffFile, OwnershipFile, OrdersFile, EnrollmentsFile}
	files := make([]*csvFile, 0, len(names))
	defer func() {
		for _, f := range files {
			f.abort() // removes what was not published
		}
	}()
	for _, name := range names {
		f, err := createCSV(opts.Out, name)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	out := &outputs{customers: files[0], ownership: files[2], orders: files[3], enrollments: files[4]}

	// Headers and the small staff table first, then the chunked tables.
	staff := g.makeStaff()
	e := newEncoder(opts.GBK)
	var rb rowBuf
	heads := [][]string{g.l.customerHeader(), staffHeader, ownershipHeader, g.l.orderHeader[:], g.l.enrHeader[:]}
	for i, f := range files {
		rb.reset()
		if i == 0 && !opts.GBK {
			rb.b = append(rb.b, utf8BOM...)
		}
		for _, h := range heads[i] {
			rb.fieldString(h)
		}
		rb.end()
		rows := 0
		if f.name == StaffFile {
			staffRows(&rb, staff)
			rows = len(staff)
		}
		b, err := e.encode(nil, rb.b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		if err := f.write(b, rows); err != nil {
			return nil, err
		}
	}
	if err := g.runChunks(ctx, out, staff, opts.GBK); err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := f.commit(); err != nil {
			return nil, err
		}
	}

	gt, err := json.MarshalIndent(g.l.groundTruth(opts.Seed, opts.Rows), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("demo: ground truth: %w", err)
	}
	gtPath := filepath.Join(opts.Out, GroundTruthFile)
	for _, f := range files {
		if err := f.publish(); err != nil {
			return nil, err
		}
	}
	if err := atomicfile.WriteFile(gtPath, append(gt, '\n'), 0o600); err != nil {
		return nil, err
	}
	if err := atomicfile.SyncDir(opts.Out); err != nil {
		return nil, err
	}
	sum := &Summary{Dir: opts.Out, GroundTruth: gtPath}
	for _, f := range files {
		sum.Tables = append(sum.Tables, TableFile{Table: f.name[:len(f.name)-len(".csv")], Path: f.final, Rows: f.rows})
	}
	return sum, nil
}

func newGen(seed uint64, rows int, now time.Time) *gen {
	y, m, d := now.Date()
	day := daysFromCivil(y, int(m), d)
	hh, mm, ss := now.Clock()
	nowSec := int64(day)*86400 + int64(hh*3600+mm*60+ss)
	start := int64(day-8*365) * 86400
	return &gen{
		seed:        seed,
		rows:        rows,
		l:           newLayout(seed),
		t:           newTables(),
		nowDay:      day,
		nowSec:      nowSec,
		idMix:       mix(seed ^ mix(saltIDs)),
		signupStart: start,
		signupSpan:  int64(day-1)*86400 - start,
	}
}

package accesslogs

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigil-dg/vigil/internal/atomicfile"
)

// Sentinel errors.
var (
	// ErrInput is a staff or ownership file that cannot be used.
	ErrInput = errors.New("accesslogs: invalid input")
	// ErrOptions is an invalid Options value.
	ErrOptions = errors.New("accesslogs: invalid options")
)

// Files written by Generate.
const (
	GroundTruthFile   = "access_ground_truth.json"
	GroundTruthFormat = "vigil.access-ground-truth/v1"
	// TimeZone is where the demo company works.
	TimeZone = "Asia/Shanghai"
)

// Options configure Generate.
type Options struct {
	Seed         int64
	Days         int       // days of logs; default 30
	Start        time.Time // first day (its date in Asia/Shanghai); default: the month that ends on the latest date in staff.csv
	StaffCSV     string    // staff.csv from the demo generator
	OwnershipCSV string    // ownership.csv from the demo generator
	Out          string    // directory for the log files and the ground truth
	// EventsPerDay scales the volume (scale mode, e.g. 333334 for 10M events
	// in 30 days); 0 gives a realistic volume for the staff size.
	EventsPerDay int
	Gzip         bool // write .jsonl.gz files
	Logger       *slog.Logger
}

// Incident is one injected, labelled incident.
type Incident struct {
	ID        string    `json:"id"`
	Detection string    `json:"detection"`      // the detection that must find it
	Also      []string  `json:"also,omitempty"` // other detections that rightly fire on it too
	Kind      string    `json:"kind"`
	User      string    `json:"user,omitempty"` // account the detection names
	Key       string    `json:"key,omitempty"`  // source IP of a spray, target account of a grant
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Note      string    `json:"note,omitempty"`
}

// GroundTruth is the content of access_ground_truth.json.
type GroundTruth struct {
	Format    string     `json:"format"`
	Seed      int64      `json:"seed"`
	TimeZone  string     `json:"time_zone"`
	Start     time.Time  `json:"start"` // period [Start, End)
	End       time.Time  `json:"end"`
	Events    int64      `json:"events"`
	Files     []string   `json:"files"` // relative to the ground truth file
	Incidents []Incident `json:"incidents"`
	Skipped   []string   `json:"skipped,omitempty"` // incident kinds the staff list could not support
}

// Result describes what Generate wrote.
type Result struct {
	Files       []string // log files, one per day
	GroundTruth string   // path of access_ground_truth.json
	Events      int64
	Start, End  time.Time
	Incidents   []Incident
	Skipped     []string
}

// ReadGroundTruth reads access_ground_truth.json.
func ReadGroundTruth(path string) (*GroundTruth, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var gt GroundTruth
	if err := json.Unmarshal(data, &gt); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if gt.Format != GroundTruthFormat {
		return nil, fmt.Errorf("%s: format %q is not %s", path, gt.Format, GroundTruthFormat)
	}
	return &gt, nil
}

// Generate writes Salesforce-shaped access logs (one JSON-lines file per
// day) with injected incidents, and the ground truth that labels them.
// Output is a deterministic function of the options and input files.
func Generate(ctx context.Context, opts Options) (*Result, error) {
	if opts.Days == 0 {
		opts.Days = 30
	}
	if opts.Days < 1 || opts.Days > 3660 {
		return nil, fmt.Errorf("%w: days %d", ErrOptions, opts.Days)
	}
	if opts.Out == "" || opts.StaffCSV == "" || opts.OwnershipCSV == "" {
		return nil, fmt.Errorf("%w: StaffCSV, OwnershipCSV and Out are required", ErrOptions)
	}
	if opts.EventsPerDay < 0 {
		return nil, fmt.Errorf("%w: events per day %d", ErrOptions, opts.EventsPerDay)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	staff, err := ReadStaff(opts.StaffCSV)
	if err != nil {
		return nil, err
	}
	owners, err := ReadOwnership(opts.OwnershipCSV)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(TimeZone)
	if err != nil {
		return nil, fmt.Errorf("accesslogs: %w", err)
	}
	g := newGen(opts, staff, owners, loc)
	if len(g.people) == 0 {
		return nil, fmt.Errorf("%w: %s has no usable staff", ErrInput, opts.StaffCSV)
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, err
	}
	g.makePlan()
	g.calibrate()
	for _, s := range g.plan.skipped {
		log.Warn("accesslogs: incident skipped", "kind", s)
	}

	res := &Result{Start: g.start.UTC(), End: g.start.AddDate(0, 0, g.days).UTC(), Skipped: g.plan.skipped}
	// Days are independent (each has its own random streams), so they are
	// generated in parallel; the output does not depend on the schedule.
	res.Files = make([]string, g.days)
	counts := make([]int64, g.days)
	eg, ectx := errgroup.WithContext(ctx)
	eg.SetLimit(runtime.GOMAXPROCS(0))
	for d := 0; d < g.days; d++ {
		eg.Go(func() error {
			if err := ectx.Err(); err != nil {
				return err
			}
			path, n, err := g.writeDay(d)
			res.Files[d], counts[d] = path, n
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	for _, n := range counts {
		res.Events += n
	}
	incidents := slices.Clone(g.plan.incidents)
	sort.Slice(incidents, func(i, j int) bool { return incidents[i].Start.Before(incidents[j].Start) })
	for i := range incidents {
		incidents[i].ID = fmt.Sprintf("inc-%02d", i+1)
	}
	res.Incidents = incidents
	gt := GroundTruth{Format: GroundTruthFormat, Seed: opts.Seed, TimeZone: TimeZone, Start: res.Start, End: res.End,
		Events: res.Events, Incidents: incidents, Skipped: g.plan.skipped}
	for _, f := range res.Files {
		gt.Files = append(gt.Files, filepath.Base(f))
	}
	data, err := json.MarshalIndent(gt, "", "  ")
	if err != nil {
		return nil, err
	}
	res.GroundTruth = filepath.Join(opts.Out, GroundTruthFile)
	if err := atomicfile.WriteFile(res.GroundTruth, append(data, '\n'), 0o600); err != nil {
		return nil, err
	}
	log.Info("accesslogs: generated", "days", g.days, "events", res.Events, "incidents", len(incidents))
	return res, nil
}

// writeDay generates one day and writes its file.
func (g *gen) writeDay(d int) (string, int64, error) {
	events := g.day(d)
	name := "salesforce-" + g.start.AddDate(0, 0, d).Format("2006-01-02") + ".jsonl"
	if g.opts.Gzip {
		name += ".gz"
	}
	path := filepath.Join(g.opts.Out, name)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return "", 0, err
	}
	var w io.Writer = f
	var gz *gzip.Writer
	if g.opts.Gzip {
		gz = gzip.NewWriter(f)
		w = gz
	}
	buf := make([]byte, 0, 1<<20)
	r := rand.New(rand.NewPCG(uint64(g.opts.Seed)^uint64(d), saltIDs))
	for i := range events {
		buf = events[i].appendJSON(buf, r)
		if len(buf) > 1<<20-4096 {
			if _, err := w.Write(buf); err != nil {
				f.Close()
				return "", 0, err
			}
			buf = buf[:0]
		}
	}
	_, err = w.Write(buf)
	if gz != nil {
		err = errors.Join(err, gz.Close())
	}
	if err = errors.Join(err, f.Close()); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", 0, err
	}
	return path, int64(len(events)), nil
}

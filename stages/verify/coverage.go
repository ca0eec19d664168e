package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"sort"
	"time"
)

// LocationLocal names the local store in coverage records; backup targets
// appear under their configured names.
const LocationLocal = "local"

// CoverageFormat is the format version of a coverage record.
const CoverageFormat = 1

// Coverage records, per location (the local store or a backup target) and
// snapshot ("table/id"), when the snapshot was last read in full and
// whether that read found it intact. It is what drives sampled verification
// (Plan) and what status and the metrics report (Summarize).
type Coverage struct {
	Format    int                        `json:"format"`
	Locations map[string]map[string]Read `json:"locations"`
}

// Read is the last full read of one snapshot at one location.
type Read struct {
	Time time.Time `json:"time"`
	OK   bool      `json:"ok"`
	// LastOK is the last read that found the snapshot intact (zero if none).
	LastOK time.Time `json:"last_ok,omitzero"`
}

// Candidate is a snapshot that sampled verification may read.
type Candidate struct {
	Location string    `json:"location"`
	Ref      string    `json:"snapshot"` // table/id
	Created  time.Time `json:"created"`  // commit time; zero when unknown (unreadable)
}

func (c Candidate) key() string { return c.Location + "\x00" + c.Ref }

// LoadCoverage reads a coverage record; a missing file is an empty record.
func LoadCoverage(path string) (*Coverage, error) {
	c := &Coverage{Format: CoverageFormat, Locations: map[string]map[string]Read{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, c); err != nil {
		return nil, fmt.Errorf("verify: coverage record %s: %w", path, err)
	}
	if c.Format != CoverageFormat {
		return nil, fmt.Errorf("verify: coverage record %s: format %d, want %d", path, c.Format, CoverageFormat)
	}
	if c.Locations == nil {
		c.Locations = map[string]map[string]Read{}
	}
	return c, nil
}

// Record notes a finished check of ref at location. Checks that did not
// finish (Result.NotVerified) are not reads and change nothing.
func (c *Coverage) Record(location string, r *Result, at time.Time) {
	if r == nil || r.NotVerified != "" || r.ID == "latest" {
		return
	}
	m := c.Locations[location]
	if m == nil {
		m = map[string]Read{}
		c.Locations[location] = m
	}
	prev := m[r.Snapshot]
	rd := Read{Time: at.UTC(), OK: r.OK, LastOK: prev.LastOK}
	if r.OK {
		rd.LastOK = rd.Time
	}
	m[r.Snapshot] = rd
}

// Prune drops the records of snapshots that are no longer candidates
// (forgotten) at the locations present in cands; other locations (a
// target left out of this run) are kept.
func (c *Coverage) Prune(cands []Candidate) {
	live := map[string]bool{}
	locs := map[string]bool{}
	for _, k := range cands {
		live[k.key()] = true
		locs[k.Location] = true
	}
	for loc, m := range c.Locations {
		if !locs[loc] {
			continue
		}
		for ref := range m {
			if !live[loc+"\x00"+ref] {
				delete(m, ref)
			}
		}
	}
}

// lastGood is when a candidate was last found intact; zero if never.
func (c *Coverage) lastGood(k Candidate) time.Time {
	return c.Locations[k.Location][k.Ref].LastOK
}

// Plan chooses the snapshots one sampled run reads. Unlike a random subset
// (restic's check --read-data-subset x%, Kopia's --verify-files-percent) or
// a fixed slice the operator must advance (restic's n/t), it is
// deterministic and remembers: every candidate not found intact within the
// window of now ("overdue") is read, then the least recently verified ones
// fill the run up to ceil(share × candidates). Never-verified snapshots come
// first, oldest first; ties go by location and snapshot. A run a day with
// share × window-in-days ≥ 1 therefore reads every snapshot within the
// window, and a missed night is made up by the next run.
func Plan(cands []Candidate, cov *Coverage, share float64, window time.Duration, now time.Time) []Candidate {
	if len(cands) == 0 {
		return nil
	}
	order := append([]Candidate(nil), cands...)
	sort.SliceStable(order, func(i, j int) bool {
		a, b := cov.lastGood(order[i]), cov.lastGood(order[j])
		if !a.Equal(b) {
			return a.Before(b) // zero (never) sorts first
		}
		if !order[i].Created.Equal(order[j].Created) {
			return order[i].Created.Before(order[j].Created)
		}
		if order[i].Location != order[j].Location {
			return order[i].Location < order[j].Location
		}
		return order[i].Ref < order[j].Ref
	})
	n := int(math.Ceil(share * float64(len(order))))
	var out []Candidate
	for i, k := range order {
		if i < n || overdue(cov, k, window, now) {
			out = append(out, k)
		}
	}
	return out
}

// overdue reports whether k has not been found intact within window of now
// (a never-verified snapshot counts from its creation).
func overdue(cov *Coverage, k Candidate, window time.Duration, now time.Time) bool {
	if window <= 0 {
		return false
	}
	since := cov.lastGood(k)
	if since.IsZero() {
		since = k.Created
	}
	return !since.After(now.Add(-window))
}

// CoverageSummary is what status and the metrics show of a coverage
// record.
type CoverageSummary struct {
	Window    time.Duration `json:"window_ns"`
	Snapshots int           `json:"snapshots"` // candidates, all locations
	// Verified is how many were found intact within the window.
	Verified int     `json:"verified_in_window"`
	Percent  float64 `json:"percent"`
	// Oldest is the candidate verified longest ago (or never), with the
	// time of that verification (zero: never).
	Oldest         *Candidate `json:"oldest,omitempty"`
	OldestVerified time.Time  `json:"oldest_verified,omitzero"`
	// Overdue counts candidates not found intact within the window of now,
	// counting a never-verified one from its creation.
	Overdue int `json:"overdue"`
	// PerLocation is Verified and Snapshots per location.
	PerLocation map[string][2]int `json:"per_location"`
}

// Summarize reports coverage of cands within window of now.
func Summarize(cands []Candidate, cov *Coverage, window time.Duration, now time.Time) CoverageSummary {
	s := CoverageSummary{Window: window, Snapshots: len(cands), PerLocation: map[string][2]int{}}
	for _, k := range cands {
		pl := s.PerLocation[k.Location]
		pl[1]++
		last := cov.lastGood(k)
		if !last.IsZero() && last.After(now.Add(-window)) {
			s.Verified++
			pl[0]++
		}
		s.PerLocation[k.Location] = pl
		if overdue(cov, k, window, now) {
			s.Overdue++
		}
		if s.Oldest == nil || last.Before(s.OldestVerified) || (last.Equal(s.OldestVerified) && k.Created.Before(s.Oldest.Created)) {
			kk := k
			s.Oldest, s.OldestVerified = &kk, last
		}
	}
	if s.Snapshots > 0 {
		s.Percent = 100 * float64(s.Verified) / float64(s.Snapshots)
	} else {
		s.Percent = 100
	}
	return s
}

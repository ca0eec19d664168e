package verify

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestPlanRotation simulates a year of nightly sampled runs over a store
// that gains a snapshot a night and forgets those older than 60 days, on
// two locations: after the first run no snapshot is ever overdue, every
// run reads about share × snapshots, and the choice is deterministic.
func TestPlanRotation(t *testing.T) {
	const window = 30 * 24 * time.Hour
	start := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	cov := &Coverage{Format: CoverageFormat, Locations: map[string]map[string]Read{}}
	var cands []Candidate
	for i := 0; i < 60; i++ { // 60 nights of history before sampling starts
		at := start.Add(time.Duration(i-60) * 24 * time.Hour)
		for _, loc := range []string{LocationLocal, "offsite"} {
			cands = append(cands, Candidate{Location: loc, Ref: fmt.Sprintf("customers/%03d", i), Created: at})
		}
	}
	maxRead := 0
	for day := 0; day < 365; day++ {
		now := start.Add(time.Duration(day) * 24 * time.Hour)
		for _, loc := range []string{LocationLocal, "offsite"} {
			cands = append(cands, Candidate{Location: loc, Ref: fmt.Sprintf("customers/%03d", 60+day), Created: now.Add(-time.Hour)})
		}
		for len(cands) > 0 && cands[0].Created.Before(now.Add(-60*24*time.Hour)) {
			cands = cands[1:]
		}
		plan := Plan(cands, cov, 0.05, window, now)
		if again := Plan(cands, cov, 0.05, window, now); fmt.Sprint(again) != fmt.Sprint(plan) {
			t.Fatalf("day %d: plan not deterministic", day)
		}
		if day > 0 && len(plan) > maxRead {
			maxRead = len(plan)
		}
		for _, k := range plan {
			cov.Record(k.Location, &Result{Snapshot: k.Ref, ID: "x", OK: true}, now)
		}
		cov.Prune(cands)
		s := Summarize(cands, cov, window, now)
		// Snapshots younger than the window may still be unread, but
		// none is ever overdue, and after one window all are verified.
		if s.Overdue != 0 || (day >= 30 && s.Percent != 100) {
			t.Fatalf("day %d: %d overdue, %.1f%% covered (%d snapshots, %d read)", day, s.Overdue, s.Percent, len(cands), len(plan))
		}
	}
	// 5% of ~122 candidates is 7; new snapshots come first, so never more.
	if maxRead > 7 {
		t.Errorf("a nightly run read %d snapshots, want at most 7", maxRead)
	}
	for loc, m := range cov.Locations {
		if len(m) > 122 {
			t.Errorf("%s: %d coverage records kept, forgotten snapshots not pruned", loc, len(m))
		}
	}
}

func TestPlanPrefersLeastRecentlyVerified(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	old := now.Add(-10 * 24 * time.Hour)
	cands := []Candidate{
		{LocationLocal, "t/a", old}, {LocationLocal, "t/b", old}, {"s3", "t/a", old}, {"s3", "t/b", old},
	}
	cov := &Coverage{Format: CoverageFormat, Locations: map[string]map[string]Read{}}
	cov.Record(LocationLocal, &Result{Snapshot: "t/a", ID: "a", OK: true}, now.Add(-time.Hour))
	cov.Record("s3", &Result{Snapshot: "t/a", ID: "a", OK: true}, now.Add(-2*time.Hour))
	cov.Record("s3", &Result{Snapshot: "t/b", ID: "b", OK: true}, now.Add(-3*time.Hour))
	// local t/b was never verified: it goes first, then the oldest s3 read.
	got := Plan(cands, cov, 0.5, 30*24*time.Hour, now)
	if len(got) != 2 || got[0] != cands[1] || got[1] != cands[3] {
		t.Fatalf("plan = %v", got)
	}
	// A failed read does not count as verified: it is read again first.
	cov.Record(LocationLocal, &Result{Snapshot: "t/b", ID: "b", OK: false}, now)
	if got := Plan(cands, cov, 0.25, 30*24*time.Hour, now); got[0] != cands[1] {
		t.Fatalf("after a failed read, plan = %v", got)
	}
	// Interrupted checks are not reads.
	cov.Record(LocationLocal, &Result{Snapshot: "t/b", ID: "b", OK: false, NotVerified: "interrupted"}, now)
	if r := cov.Locations[LocationLocal]["t/b"]; r.OK || !r.LastOK.IsZero() {
		t.Fatalf("interrupted check recorded: %+v", r)
	}
	s := Summarize(cands, cov, 30*24*time.Hour, now)
	if s.Verified != 3 || s.Snapshots != 4 || s.Oldest == nil || *s.Oldest != cands[1] || !s.OldestVerified.IsZero() || s.PerLocation["s3"] != [2]int{2, 2} {
		t.Fatalf("summary = %+v", s)
	}
}

func TestCoverageFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "coverage.json")
	c, err := LoadCoverage(p)
	if err != nil || len(c.Locations) != 0 {
		t.Fatalf("missing file: %v %v", c, err)
	}
	if err := os.WriteFile(p, []byte(`{"format":99,"locations":{}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCoverage(p); err == nil {
		t.Fatal("unknown format accepted")
	}
	if err := os.WriteFile(p, []byte(`{"format":1,`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCoverage(p); err == nil {
		t.Fatal("truncated record accepted")
	}
}

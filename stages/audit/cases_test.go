package audit

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEmptyMonthResolvesNothing is the empty-month case: an audit over a
// month without events resolves no case; every open case, the critical
// leaver finding included, stays open ("not observed in this period") until
// a person closes it.
func TestEmptyMonthResolvesNothing(t *testing.T) {
	ctx := context.Background()
	opts := smallOptions()
	opts.Cases = NewCaseFile()
	first, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	cf := first.CaseFile
	if cf == nil || len(cf.Cases) != len(first.Findings) {
		t.Fatalf("cases after the first audit: %+v", cf)
	}
	openBefore := first.Summary.OpenFindings
	var leaver string
	for _, c := range cf.Cases {
		if c.Detection == "disabled_account_activity" {
			leaver = c.Fingerprint
			if c.Severity != "critical" || c.State != CaseOpen {
				t.Fatalf("leaver case = %+v", c)
			}
		}
	}
	if leaver == "" {
		t.Fatal("no leaver case")
	}

	// A month later, with no events at all.
	empty := smallOptions()
	empty.From, empty.To = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	empty.Now = func() time.Time { return empty.To }
	empty.Cases = cf
	rep, err := Run(ctx, empty)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.EventsInPeriod != 0 {
		t.Fatalf("events in the empty month: %d", rep.Summary.EventsInPeriod)
	}
	if rep.Cases.ResolvedNow != 0 || rep.Cases.ByState[CaseResolved] != 0 {
		t.Errorf("empty month resolved %d cases", rep.Cases.ResolvedNow)
	}
	if rep.Summary.OpenFindings != openBefore || rep.Summary.NotObserved != openBefore {
		t.Errorf("open findings %d (not observed %d), want %d carried over", rep.Summary.OpenFindings, rep.Summary.NotObserved, openBefore)
	}
	found := false
	for _, f := range rep.Findings {
		if f.Fingerprint == leaver {
			found = true
			if f.Suppressed || !f.NotObserved() || f.Case.State != CaseOpen {
				t.Errorf("leaver finding in the empty month: %+v / %+v", f, f.Case)
			}
		}
	}
	if !found {
		t.Fatal("the leaver finding vanished from the empty month")
	}
	for _, c := range rep.Controls {
		if c.ID == "ISO27001:A.5.18" && c.Status != StatusFail {
			t.Errorf("A.5.18 with an open critical leaver case: %s", c.Status)
		}
	}
	for _, c := range rep.Checks {
		if c.ID == CheckIncidents && c.Status == StatusPass {
			t.Errorf("incident assessment passes with open critical cases: %+v", c)
		}
	}

	// A person closes the case; the next empty month no longer lists it as open.
	cf = rep.CaseFile
	c, err := cf.Find(leaver[:10])
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetState(CaseRemediated, "dpo@example.cn", "", empty.To); err == nil {
		t.Error("closing without a note was accepted")
	}
	if err := c.SetState(CaseResolved, "dpo@example.cn", "x", empty.To); err == nil {
		t.Error("a person set resolved")
	}
	if err := c.SetState(CaseRemediated, "dpo@example.cn", "account disabled, sessions revoked (ticket SEC-12)", empty.To.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	empty.Cases = cf
	empty.Now = func() time.Time { return empty.To.Add(2 * time.Hour) }
	rep2, err := Run(ctx, empty)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep2.Findings {
		if f.Fingerprint == leaver {
			t.Errorf("closed leaver case still listed: %+v", f.Case)
		}
	}
	if rep2.Summary.OpenFindings != openBefore-1 || rep2.Cases.Remediated != 1 || rep2.Cases.MedianToClose == "" {
		t.Errorf("after closing: open %d, stats %+v", rep2.Summary.OpenFindings, rep2.Cases)
	}
	// One trend point per report period: the first month's audit, then
	// the empty month's two audits (same period: the later one counts).
	if n := len(rep2.Cases.Periods); n != 2 {
		t.Errorf("trend has %d points, want 2 (one per report period): %+v", n, rep2.Cases.Periods)
	} else if p := rep2.Cases.Periods[1]; p.Period == nil || !p.Period.To.Equal(empty.To) || p.BySeverity["critical"] != 0 {
		t.Errorf("last point %+v: want the empty month with the leaver case closed", p)
	}
	if tt := rep2.Cases.TimeToRemediate; len(tt) != 1 || tt[0].Severity != "critical" || tt[0].Closed != 1 || tt[0].MedianH != tt[0].P90H {
		t.Errorf("time to remediate %+v: want the one critical case", tt)
	}
}

func TestOpenPerPeriodAndTTR(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 12, d, 0, 0, 0, 0, time.UTC) }
	open := func(at time.Time) CaseEvent { return CaseEvent{At: at, By: CaseAuditor, To: CaseOpen} }
	closeAt := func(at time.Time) CaseEvent { return CaseEvent{At: at, By: "dpo", From: CaseOpen, To: CaseRemediated} }
	cases := []Case{
		{Severity: "high", History: []CaseEvent{open(day(2)), closeAt(day(10))}},
		{Severity: "high", History: []CaseEvent{open(day(2))}},
		{Severity: "low", History: []CaseEvent{open(day(9)), {At: day(9), By: "dpo", Note: "looked"}}},
	}
	var audits []AuditPoint
	for _, d := range []int{8, 1, 15, 8} { // out of order, 8 twice
		audits = addAuditPoint(audits, AuditPoint{At: day(d).Add(time.Hour), Period: Period{From: day(d).AddDate(0, 0, -7), To: day(d)}})
	}
	got := openPerPeriod(cases, audits)
	want := []map[string]int{{}, {"high": 2}, {"high": 1, "low": 1}}
	if len(got) != len(want) {
		t.Fatalf("got %d points, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if len(got[i].BySeverity) != len(want[i]) {
			t.Errorf("point %d: %v, want %v", i, got[i].BySeverity, want[i])
		}
		for k, v := range want[i] {
			if got[i].BySeverity[k] != v {
				t.Errorf("point %d: %v, want %v", i, got[i].BySeverity, want[i])
			}
		}
	}
	h := time.Hour
	ttr := ttrBySeverity(map[string][]time.Duration{
		"low":  {10 * h},
		"high": {1 * h, 2 * h, 3 * h, 4 * h, 5 * h, 6 * h, 7 * h, 8 * h, 9 * h, 100 * h},
	})
	if len(ttr) != 2 || ttr[0].Severity != "high" || ttr[0].MedianH != 5.5 || ttr[0].P90H != 9 || ttr[1].MedianH != 10 || ttr[1].P90H != 10 {
		t.Errorf("time to remediate: %+v", ttr)
	}
}

// TestCaseResolvedOnlyWhenReevaluated: re-auditing the same period (data
// covers the window) with the condition gone marks the case resolved; the
// condition coming back reopens it.
func TestCaseResolvedOnlyWhenReevaluated(t *testing.T) {
	ctx := context.Background()
	opts := smallOptions()
	opts.Cases = NewCaseFile()
	first, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	var bf string
	for _, f := range first.Findings {
		if f.Detection == "brute_force" {
			bf = f.Fingerprint
		}
	}
	again := smallOptions()
	again.Cases = first.CaseFile
	again.Params = map[string]map[string]any{"brute_force": {"threshold": 1000}} // the condition is gone
	rep, err := Run(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := rep.CaseFile.Find(bf)
	if c.State != CaseResolved || rep.Cases.ResolvedNow != 1 {
		t.Fatalf("brute_force case after re-evaluation: %s (resolved now %d)", c.State, rep.Cases.ResolvedNow)
	}
	last := c.History[len(c.History)-1]
	if last.By != CaseAuditor || !strings.Contains(last.Note, "condition gone") {
		t.Errorf("history: %+v", last)
	}
	back := smallOptions()
	back.Cases = rep.CaseFile
	rep3, err := Run(ctx, back)
	if err != nil {
		t.Fatal(err)
	}
	c, _ = rep3.CaseFile.Find(bf)
	if c.State != CaseOpen {
		t.Errorf("found again but state %s", c.State)
	}
}

func TestCaseFileRoundTripAndErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cases.json")
	cf, err := LoadCases(path)
	if err != nil || len(cf.Cases) != 0 {
		t.Fatalf("missing file: %v %+v", err, cf)
	}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	cf.Cases = append(cf.Cases, Case{Fingerprint: strings.Repeat("ab", 16), Detection: "brute_force", Severity: "medium", State: CaseOpen, Opened: now,
		History: []CaseEvent{{At: now, By: CaseAuditor, To: CaseOpen}}})
	if err := cf.Cases[0].SetState(CaseInProgress, "ops@example.cn", "", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := cf.Cases[0].AddNote("ops@example.cn", "password reset", now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := SaveCases(path, cf, now); err != nil {
		t.Fatal(err)
	}
	back, err := LoadCases(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Revision != 1 || len(back.Cases[0].History) != 3 || back.Cases[0].State != CaseInProgress {
		t.Errorf("round trip: %+v", back)
	}
	for name, bad := range map[string]string{
		"format":  `{"format":"x","cases":[]}`,
		"unknown": `{"format":"vigil.cases/v1","cases":[],"extra":1}`,
		"state":   `{"format":"vigil.cases/v1","cases":[{"fingerprint":"` + strings.Repeat("ab", 16) + `","detection":"d","state":"closed","history":[]}]}`,
		"dup":     `{"format":"vigil.cases/v1","cases":[{"fingerprint":"` + strings.Repeat("ab", 16) + `","detection":"d","state":"open","history":[]},{"fingerprint":"` + strings.Repeat("ab", 16) + `","detection":"d","state":"open","history":[]}]}`,
		"fp":      `{"format":"vigil.cases/v1","cases":[{"fingerprint":"xyz","detection":"d","state":"open","history":[]}]}`,
		"trail":   `{"format":"vigil.cases/v1","cases":[]} {}`,
	} {
		if _, err := ParseCases("c.json", []byte(bad)); !errors.Is(err, ErrCases) {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

func FuzzParseCases(f *testing.F) {
	f.Add([]byte(`{"format":"vigil.cases/v1","revision":2,"cases":[]}`))
	f.Add([]byte(`{"format":"vigil.cases/v1","cases":[{"fingerprint":"` + strings.Repeat("ab", 16) + `","detection":"d","state":"open","history":[{"at":"2025-01-01T00:00:00Z","by":"x","to":"open"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cf, err := ParseCases("fuzz", data)
		if err == nil && cf.Format != CasesFormat {
			t.Fatal("accepted a wrong format")
		}
	})
}

package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigil-dg/vigil/demo/accesslogs"
	"github.com/vigil-dg/vigil/stages/audit"
)

type score struct{ tp, fp, incidents, found int }

// matches reports whether finding f is (part of) incident in.
func matches(f audit.Finding, in accesslogs.Incident, slack time.Duration) bool {
	if f.Detection != in.Detection && !slices.Contains(in.Also, f.Detection) {
		return false
	}
	who := (in.User != "" && strings.EqualFold(f.User, in.User)) || (in.Key != "" && f.Key == in.Key)
	return who && !f.WindowEnd.Before(in.Start.Add(-slack)) && !f.WindowStart.After(in.End.Add(slack))
}

func evaluate(rep *audit.Report, gt *accesslogs.GroundTruth) (map[string]*score, []string) {
	scores := map[string]*score{}
	get := func(id string) *score {
		if scores[id] == nil {
			scores[id] = &score{}
		}
		return scores[id]
	}
	for _, d := range rep.Detections {
		get(d.ID)
	}
	found := make([]bool, len(gt.Incidents))
	var fps []string
	for _, f := range rep.Findings {
		tp := false
		for i, in := range gt.Incidents {
			if matches(f, in, time.Hour) {
				tp = true
				if f.Detection == in.Detection {
					found[i] = true
				}
			}
		}
		if tp {
			get(f.Detection).tp++
		} else {
			get(f.Detection).fp++
			fps = append(fps, fmt.Sprintf("%s %s %s %s..%s %s", f.Detection, f.User, f.Key, f.WindowStart.Format(time.RFC3339), f.WindowEnd.Format(time.RFC3339), f.Detail))
		}
	}
	for i, in := range gt.Incidents {
		s := get(in.Detection)
		s.incidents++
		if found[i] {
			s.found++
		}
	}
	return scores, fps
}

func TestDemoPrecisionRecall(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a month of logs")
	}
	staff, own := filepath.Join("testdata", "staff.csv"), filepath.Join("testdata", "ownership.csv")
	for _, seed := range []int64{1, 2} {
		dir := t.TempDir()
		res, err := accesslogs.Generate(context.Background(), accesslogs.Options{Seed: seed, StaffCSV: staff, OwnershipCSV: own, Out: dir})
		if err != nil {
			t.Fatal(err)
		}
		gt, err := accesslogs.ReadGroundTruth(res.GroundTruth)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := audit.Run(context.Background(), audit.Options{
			From: gt.Start, To: gt.End, TimeZone: gt.TimeZone,
			Sources:   []audit.LogSource{{Name: "salesforce", Paths: []string{filepath.Join(dir, "salesforce-*.jsonl")}, Mapping: audit.MappingSalesforce}},
			Staff:     &audit.Reference{Path: staff},
			Ownership: &audit.Reference{Path: own},
		})
		if err != nil {
			t.Fatal(err)
		}
		scores, fps := evaluate(rep, gt)
		assertNoCustomerIDs(t, rep, own)
		ids := make([]string, 0, len(scores))
		for id := range scores {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		var b strings.Builder
		fmt.Fprintf(&b, "seed %d: %d events, %d incidents, %d findings\n", seed, res.Events, len(gt.Incidents), len(rep.Findings))
		fmt.Fprintf(&b, "%-26s %9s %9s %4s %4s %9s %9s\n", "detection", "incidents", "found", "tp", "fp", "recall", "precision")
		var tp, fp, inc, fnd int
		for _, id := range ids {
			s := scores[id]
			tp, fp, inc, fnd = tp+s.tp, fp+s.fp, inc+s.incidents, fnd+s.found
			fmt.Fprintf(&b, "%-26s %9d %9d %4d %4d %9s %9s\n", id, s.incidents, s.found, s.tp, s.fp, ratio(s.found, s.incidents), ratio(s.tp, s.tp+s.fp))
			if s.found < s.incidents {
				t.Errorf("seed %d: %s recall %d/%d", seed, id, s.found, s.incidents)
			}
			if s.tp+s.fp > 0 && float64(s.tp)/float64(s.tp+s.fp) < 0.9 {
				t.Errorf("seed %d: %s precision %d/%d", seed, id, s.tp, s.tp+s.fp)
			}
		}
		fmt.Fprintf(&b, "%-26s %9d %9d %4d %4d %9s %9s\n", "all", inc, fnd, tp, fp, ratio(fnd, inc), ratio(tp, tp+fp))
		t.Log("\n" + b.String())
		for _, f := range fps {
			t.Log("false positive: " + f)
		}
		if len(gt.Skipped) > 0 {
			t.Errorf("seed %d: incidents skipped: %v", seed, gt.Skipped)
		}
	}
}

// assertNoCustomerIDs checks that no customer id of ownership.csv appears
// in the report.
func assertNoCustomerIDs(t *testing.T, rep *audit.Report, ownership string) {
	t.Helper()
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	owners, err := accesslogs.ReadOwnership(ownership)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range owners {
		if bytes.Contains(data, []byte(`"`+o.CustomerID+`"`)) {
			t.Fatalf("report contains customer id %s", o.CustomerID)
		}
	}
}

func ratio(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

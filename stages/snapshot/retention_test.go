package snapshot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nightly returns one candidate per table per day for days days, the last
// on 2026-11-22, as a nightly job writes them.
func nightly(days int, tables ...string) []Candidate {
	end := time.Date(2026, 11, 22, 2, 15, 0, 0, time.UTC)
	var out []Candidate
	for d := 0; d < days; d++ {
		at := end.AddDate(0, 0, d-days+1)
		for _, t := range tables {
			out = append(out, Candidate{Table: t, ID: fmt.Sprintf("%s-%03d", t, d), Seq: int64(d + 1), RunID: fmt.Sprintf("run-%03d", d),
				Created: at, Committed: at, Intact: true})
		}
	}
	return out
}

func keptRuns(ds []Decision, table string) []string {
	var out []string
	for _, d := range ds {
		if d.Keep && d.Table == table {
			out = append(out, d.RunID)
		}
	}
	return out
}

func TestPlanForgetGFS(t *testing.T) {
	cases := []struct {
		name   string
		cands  []Candidate
		policy Policy
		want   []string // kept run ids of table a, oldest first
	}{
		{"last 1", nightly(10, "a"), Policy{Last: 1}, []string{"run-009"}},
		{"last 3", nightly(10, "a"), Policy{Last: 3}, []string{"run-007", "run-008", "run-009"}},
		{"daily 2 + weekly 2", nightly(20, "a"), Policy{Daily: 2, Weekly: 2},
			// 2026-11-22 is a Sunday: week 47 ends with run-019; week 46 with run-012.
			[]string{"run-012", "run-018", "run-019"}},
		{"monthly 2", nightly(60, "a"), Policy{Monthly: 2}, []string{"run-037", "run-059"}},
		{"yearly 5 keeps the oldest too", nightly(3, "a"), Policy{Yearly: 5}, []string{"run-000", "run-002"}},
		{"within 3d", nightly(10, "a"), Policy{Within: 3 * 24 * time.Hour}, []string{"run-006", "run-007", "run-008", "run-009"}},
		{"sets span tables", nightly(5, "a", "b"), Policy{Last: 2}, []string{"run-003", "run-004"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := PlanForget(tc.cands, tc.policy, ForgetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := keptRuns(ds, "a")
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("kept %v, want %v", got, tc.want)
			}
			for _, d := range ds {
				if len(d.Reasons) == 0 {
					t.Errorf("%s has no reason", d.Ref())
				}
			}
			if tc.name == "sets span tables" && strings.Join(keptRuns(ds, "b"), ",") != strings.Join(tc.want, ",") {
				t.Errorf("table b kept %v: a set is kept or removed whole", keptRuns(ds, "b"))
			}
		})
	}
}

func TestPlanForgetProtections(t *testing.T) {
	if _, err := PlanForget(nightly(3, "a"), Policy{}, ForgetOptions{}); !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("empty policy = %v", err)
	}
	// The newest snapshot is damaged: it is kept (evidence), and so is the
	// newest intact one, whatever the policy says.
	cands := nightly(5, "a")
	cands[4].Intact, cands[4].Damage = false, "manifest unreadable"
	ds, err := PlanForget(cands, Policy{Last: 1}, ForgetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := keptRuns(ds, "a"); strings.Join(got, ",") != "run-003,run-004" {
		t.Fatalf("kept %v", got)
	}
	// An incomplete newest set (table b missing) with keep-last 1: b's
	// newest snapshot survives although its set is not kept.
	cands = append(nightly(3, "a", "b"), Candidate{Table: "a", ID: "a-x", Seq: 4, RunID: "run-x",
		Created: time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC), Committed: time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC), Intact: true})
	ds, _ = PlanForget(cands, Policy{Last: 1}, ForgetOptions{})
	if got := keptRuns(ds, "b"); strings.Join(got, ",") != "run-002" {
		t.Fatalf("b kept %v", got)
	}
	// Depends keeps what a kept snapshot needs (incremental chains).
	ds, _ = PlanForget(nightly(4, "a"), Policy{Last: 1}, ForgetOptions{Depends: func(c Candidate) []string {
		if c.ID == "a-003" {
			return []string{"a/a-001"}
		}
		return nil
	}})
	if got := keptRuns(ds, "a"); strings.Join(got, ",") != "run-001,run-003" {
		t.Fatalf("with a dependency kept %v", got)
	}
}

// A crash after the forget records but before the directories went: the
// ledger never names them as live, and the next forget removes them.
func TestForgetInterruptedIsCompleted(t *testing.T) {
	store := t.TempDir()
	ms := twelveInOneSecond(t, store)
	auth := newTestAuth("a1")
	cands, err := Candidates(store, nil, auth)
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := PlanForget(cands, Policy{Last: 2}, ForgetOptions{})
	// Write only the forget records (what ApplyForget does first).
	for _, d := range ds {
		if !d.Keep {
			rec := &LedgerRecord{Kind: LedgerForget, Table: d.Table, ID: d.ID, Seq: d.Seq, RunID: d.RunID, Reason: "test"}
			if err := appendLedger(store, rec, auth); err != nil {
				t.Fatal(err)
			}
		}
	}
	if m, err := LatestOf(store, "customers", auth); err != nil || m.ID != ms[11].ID {
		t.Fatalf("latest after interrupted forget = %v", err)
	}
	items, _ := Inventory(store)
	forgotten := 0
	for _, it := range items {
		if it.Status == StatusForgotten {
			forgotten++
		}
	}
	if forgotten != 10 {
		t.Fatalf("%d forgotten snapshots listed, want 10", forgotten)
	}
	// A deletion killed half-way: the directory renamed aside, partly
	// removed. It is cleared too.
	half := filepath.Join(TableDir(store, "customers"), tmpPrefix+"del-"+ms[0].ID)
	if err := os.Rename(filepath.Join(TableDir(store, "customers"), ms[0].ID), half); err != nil {
		t.Fatal(err)
	}
	if err := RemoveForgotten(store); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(TableDir(store, "customers"))
	if len(ents) != 2 {
		t.Fatalf("%d directories left, want 2", len(ents))
	}
	if _, err := Open(context.Background(), store, "customers/latest", newTestKeys("k1"), auth); err != nil {
		t.Fatal(err)
	}
}

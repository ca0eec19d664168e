package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/vigil-dg/vigil/stages/audit"
)

// publicSet is a labelled set of real logs nobody on the team wrote.
type publicSet struct {
	name, source, licence string
	file                  string
	mapping               string
	// incidents: detection -> keys (finding user or key) the labels name.
	incidents map[string][]string
}

// otrfSets are the OTRF Security-Datasets Microsoft 365 attack simulations
// (github.com/OTRF/Security-Datasets PR #64, MIT) kept in shared/data/logs;
// see its README.txt for the ground truth of each file. Every record is
// attacker activity.
var otrfSets = []publicSet{
	{"o365spray_default", "OTRF Security-Datasets (PR #64)", "MIT", "o365spray_default.jsonl", audit.MappingAuto,
		map[string][]string{"password_spray": {"2a09:bac5:114:105::1a:9b"}}},
	{"o365spray_reporting", "OTRF Security-Datasets (PR #64)", "MIT", "o365spray_reporting.jsonl", audit.MappingAuto,
		map[string][]string{"password_spray": {"2a09:bac1:820:8::1a:9c"}}},
	{"add_user_to_company_admin_role", "OTRF Security-Datasets (PR #64)", "MIT", "add_user_to_company_admin_role.jsonl", audit.MappingAuto,
		map[string][]string{"admin_grant": {"alex@contoso.onmicrosoft.com"}}},
	{"disable_strong_authentication", "OTRF Security-Datasets (PR #64)", "MIT", "disable_strong_authentication.jsonl", audit.MappingAuto,
		map[string][]string{"mfa_disabled": {"stinger@contoso.onmicrosoft.com"}}},
}

type prScore struct{ incidents, found, tp, fp int }

// publicEval audits each labelled public set and prints per-detection
// recall and precision. A finding matching a label is a true positive; a
// finding of a detection that has labels in the set but matches none is a
// false positive; findings of other detections on these attack-only
// samples are listed, not scored (no benign background to judge them by).
func publicEval(ctx context.Context, dir string) error {
	fmt.Printf("public labelled events: %s\n", dir)
	scores := map[string]*prScore{}
	get := func(id string) *prScore {
		if scores[id] == nil {
			scores[id] = &prScore{}
		}
		return scores[id]
	}
	var events int64
	for _, set := range otrfSets {
		path := filepath.Join(dir, "otrf-m365-attacks", set.file)
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("public set %s: %w", set.name, err)
		}
		rep, err := audit.Run(ctx, audit.Options{
			From: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), TimeZone: "UTC",
			Sources: []audit.LogSource{{Name: set.name, Paths: []string{path}, Mapping: set.mapping}},
		})
		if err != nil {
			return fmt.Errorf("public set %s: %w", set.name, err)
		}
		src := rep.Sources[0]
		events += src.Read
		fmt.Printf("  %-32s %s, %s: %d events read, %d mapped (%s)\n", set.name, set.source, set.licence, src.Read, src.Mapped, src.Mapping)
		found := map[string]map[string]bool{}
		for _, f := range rep.Findings {
			keys, labelled := set.incidents[f.Detection]
			if !labelled {
				fmt.Printf("    unscored finding: %s (%s)\n", f.Detection, f.Detail)
				continue
			}
			hit := false
			for _, k := range keys {
				if f.Key == k || f.User == k {
					hit = true
					if found[f.Detection] == nil {
						found[f.Detection] = map[string]bool{}
					}
					found[f.Detection][k] = true
				}
			}
			if hit {
				get(f.Detection).tp++
			} else {
				get(f.Detection).fp++
			}
		}
		for det, keys := range set.incidents {
			s := get(det)
			s.incidents += len(keys)
			s.found += len(found[det])
		}
	}
	ids := make([]string, 0, len(scores))
	for id := range scores {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	fmt.Printf("  %d events in %d files; per detection:\n", events, len(otrfSets))
	fmt.Printf("  %-24s %9s %6s %4s %4s %7s %9s\n", "detection", "incidents", "found", "tp", "fp", "recall", "precision")
	for _, id := range ids {
		s := scores[id]
		fmt.Printf("  %-24s %9d %6d %4d %4d %7s %9s\n", id, s.incidents, s.found, s.tp, s.fp, frac(s.found, s.incidents), frac(s.tp, s.tp+s.fp))
	}
	fmt.Println("  (attack-only samples: precision counts findings of the labelled detections only; the other detections have no labelled public events yet)")
	return nil
}

func frac(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

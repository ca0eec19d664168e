package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/stages/audit"
)

// pantherRules names, for the panther-analysis rules whose intent a Vigil
// detection shares, that detection. Tests of the other staged rules are
// still audited: their events must map, and any finding on them is listed
// (they are labelled for another rule, so they are not scored).
var pantherRules = map[string]string{
	"Azure.Audit.MFADisabled":                    "mfa_disabled",
	"Microsoft365.MFA.Disabled":                  "mfa_disabled",
	"Azure.Audit.ManyFailedSignIns":              "brute_force",
	"Azure.Audit.ExcessiveAccountLockouts":       "brute_force",
	"Microsoft365.Brute.Force.Login.by.User":     "brute_force",
	"Microsoft365.External.Document.Sharing":     "external_sharing",
	"Microsoft365.Exchange.External.Forwarding":  "mail_forwarding",
	"Azure.Audit.RoleChangedPIM":                 "admin_grant",
	"Azure.Audit.ElevateUserAccessAdministrator": "admin_grant",
	"Salesforce.Admin.Login.As.User":             "impersonation",
}

type pantherLabels struct {
	Source  string `json:"source"`
	Commit  string `json:"commit"`
	Licence string `json:"licence"`
	Tests   []struct {
		RuleID   string `json:"rule_id"`
		LogType  string `json:"log_type"`
		Test     string `json:"test"`
		Expected bool   `json:"expected"`
		File     string `json:"file"`
		Events   int    `json:"events"`
	} `json:"tests"`
}

type confusion struct{ pos, neg, tp, fn, fp, tn int }

// pantherEval audits every staged panther-analysis test log on its own and
// prints, per Vigil detection, precision and recall against the tests'
// ExpectedResult: a positive test of a rule mapped to detection D must
// raise D (true positive, else a false negative); a negative test of such a
// rule must not (else a false positive).
func pantherEval(ctx context.Context, dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, "labels.json"))
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Printf("panther-analysis test events: %s not staged (python3 bench/audit/corpus/stage_public.py %s); skipped\n", dir, dir)
		return nil
	}
	if err != nil {
		return err
	}
	var lab pantherLabels
	if err := json.Unmarshal(data, &lab); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	scores := map[string]*confusion{}
	for _, d := range pantherRules {
		if scores[d] == nil {
			scores[d] = &confusion{}
		}
	}
	var read, mapped, pos, neg int64
	unmappedTypes := map[string]int{}
	var other []string
	for _, t := range lab.Tests {
		if t.Expected {
			pos++
		} else {
			neg++
		}
		rep, err := audit.Run(ctx, audit.Options{
			From: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), TimeZone: "UTC",
			Sources: []audit.LogSource{{Name: "panther", Paths: []string{filepath.Join(dir, t.File)}, Mapping: audit.MappingAuto}},
		})
		fired := map[string]bool{}
		if err != nil {
			read += int64(t.Events)
			unmappedTypes[t.LogType+" (no mapping)"] += t.Events
		} else {
			src := rep.Sources[0]
			read += src.Read
			mapped += src.Mapped
			if src.Unmapped > 0 {
				unmappedTypes[t.LogType] += int(src.Unmapped)
			}
			for _, f := range rep.Findings {
				fired[f.Detection] = true
			}
		}
		det, scored := pantherRules[t.RuleID]
		if scored {
			s := scores[det]
			switch {
			case t.Expected && fired[det]:
				s.pos, s.tp = s.pos+1, s.tp+1
			case t.Expected:
				s.pos, s.fn = s.pos+1, s.fn+1
			case fired[det]:
				s.neg, s.fp = s.neg+1, s.fp+1
			default:
				s.neg, s.tn = s.neg+1, s.tn+1
			}
		}
		for d := range fired {
			if d != det {
				other = append(other, fmt.Sprintf("%s on %s test %q (expected %v)", d, t.RuleID, t.Test, t.Expected))
			}
		}
	}
	fmt.Printf("panther-analysis rule tests: %s @ %.12s (%s), %s\n", lab.Source, lab.Commit, lab.Licence, dir)
	fmt.Printf("  %d test logs (%d positive, %d negative), %d events read, %d mapped (%.1f%%)\n",
		len(lab.Tests), pos, neg, read, mapped, 100*float64(mapped)/float64(max(read, 1)))
	for _, k := range sortedKeys(unmappedTypes) {
		fmt.Printf("    unmapped: %d events of %s\n", unmappedTypes[k], k)
	}
	fmt.Printf("  %-18s %4s %4s %4s %4s %4s %4s %7s %9s\n", "detection", "pos", "neg", "tp", "fn", "fp", "tn", "recall", "precision")
	for _, d := range sortedKeys(scores) {
		s := scores[d]
		fmt.Printf("  %-18s %4d %4d %4d %4d %4d %4d %7s %9s\n", d, s.pos, s.neg, s.tp, s.fn, s.fp, s.tn, frac(s.tp, s.pos), frac(s.tp, s.tp+s.fp))
	}
	rules := map[string][]string{}
	for r, d := range pantherRules {
		rules[d] = append(rules[d], r)
	}
	for _, d := range sortedKeys(rules) {
		sort.Strings(rules[d])
		fmt.Printf("    %s ← %s\n", d, strings.Join(rules[d], ", "))
	}
	sort.Strings(other)
	for _, o := range other {
		fmt.Printf("    unscored finding: %s\n", o)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

package audit

import (
	"strings"
	"testing"
)

// TestDisclosureCheckNeedsPositiveEvidence: the anonymization controls'
// disclosure check passes only when every dataset recorded a passed check.
func TestDisclosureCheckNeedsPositiveEvidence(t *testing.T) {
	prot := []ProtectionEvidence{{Dataset: "customers", PersonalColumns: 3, ProtectedColumns: 3}}
	for _, c := range []struct {
		name string
		in   PostureInput
		want string
		says string
	}{
		{"no datasets", PostureInput{}, StatusNA, ""},
		{"datasets without a check", PostureInput{Protection: prot}, StatusFail, "no dataset records"},
		{"one dataset not checked", PostureInput{Protection: prot, Disclosure: []DisclosureEvidence{
			{Dataset: "customers", Checked: true, Passed: true}, {Dataset: "orders"}}}, StatusFail, "orders: no disclosure check"},
		{"one failed", PostureInput{Protection: prot, Disclosure: []DisclosureEvidence{
			{Dataset: "customers", Checked: true, Failures: []string{`column "tel": 95 rows (95.0%) in classes smaller than k=5`}}}},
			StatusFail, `column "tel": 95 rows`},
		{"all passed", PostureInput{Protection: prot, Disclosure: []DisclosureEvidence{
			{Dataset: "customers", Checked: true, Passed: true, K: 5, Rows: 100, MinClass: 5, Columns: 4}}}, StatusPass, "k=5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.in.disclosureCheck()
			if got.Status != c.want || !strings.Contains(strings.Join(got.Evidence, "\n"), c.says) {
				t.Fatalf("status %s evidence %q, want %s with %q", got.Status, got.Evidence, c.want, c.says)
			}
			for _, ctl := range []string{"ISO27001:A.8.11", "GDPR:Art.25", "GDPR:Art.32", "PIPL:Art.51"} {
				if !strings.Contains(strings.Join(got.Controls, ","), ctl) {
					t.Errorf("check does not map to %s", ctl)
				}
			}
		})
	}
}

package audit

import (
	"strings"
	"testing"
	"time"
)

func TestCustodyChecks(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	keys := []KeyEvidence{{ID: "wrap-1", Purpose: "wrap", Created: now.AddDate(0, -6, 0)}, {ID: "mac-1", Purpose: "mac", Created: now.AddDate(0, -6, 0)}}
	held := []ErasureBackupEvidence{{Subject: "ab12", Table: "customers", Column: "customer_id", Time: now.AddDate(0, 0, -3), Reason: "DSR-1", StillIn: []string{"customers/a", "customers/b"}}}
	for _, tc := range []struct {
		name           string
		in             PostureInput
		escrow, erased string
		evidence       string
	}{
		{"no keyset, no erasures", PostureInput{}, StatusNA, StatusNA, ""},
		{"never escrowed fails closed", PostureInput{Keys: keys}, StatusFail, StatusNA, "never escrowed"},
		{"escrowed recently", PostureInput{Keys: keys, Escrow: EscrowEvidence{Recorded: true, LastExport: now.AddDate(0, 0, -5)}}, StatusPass, StatusNA, "last escrow export 2026-11-27"},
		{"escrow too old", PostureInput{Keys: keys, Escrow: EscrowEvidence{Recorded: true, LastExport: now.AddDate(0, 0, -91)}}, StatusFail, StatusNA, "limit 90d"},
		{"key rotated after the escrow", PostureInput{Keys: append(keys, KeyEvidence{ID: "wrap-2", Purpose: "wrap", Created: now.AddDate(0, 0, -1)}),
			Escrow: EscrowEvidence{Recorded: true, LastExport: now.AddDate(0, 0, -5)}}, StatusFail, StatusNA, "wrap-2 (wrap): created 2026-12-01, 24 h ago - created after the last escrow export"},
		{"erased subject still in backups", PostureInput{ErasureBackups: held}, StatusNA, StatusPass, "still in 2 snapshots until retention removes them: customers/a, customers/b"},
		{"erased subject held for over a year", PostureInput{ErasureBackups: []ErasureBackupEvidence{{Subject: "ab12", Table: "t", Column: "c", Time: now.AddDate(-2, 0, 0), Reason: "r", StillIn: []string{"t/x"}}}}, StatusNA, StatusWarn, "limit 365d"},
		{"erased subject gone from backups", PostureInput{ErasureBackups: []ErasureBackupEvidence{{Subject: "ab12", Table: "t", Column: "c", Time: now.AddDate(-2, 0, 0), Reason: "r"}}}, StatusNA, StatusPass, "in no kept snapshot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := tc.in.custodyChecks(now)
			if cs[0].ID != CheckKeyEscrow || cs[0].Status != tc.escrow || cs[1].ID != CheckErasureBackups || cs[1].Status != tc.erased {
				t.Fatalf("statuses %s=%s %s=%s, want %s %s", cs[0].ID, cs[0].Status, cs[1].ID, cs[1].Status, tc.escrow, tc.erased)
			}
			all := strings.Join(append(cs[0].Evidence, cs[1].Evidence...), "\n")
			if !strings.Contains(all, tc.evidence) {
				t.Fatalf("evidence lacks %q:\n%s", tc.evidence, all)
			}
		})
	}
}

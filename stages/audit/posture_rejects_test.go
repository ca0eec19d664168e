package audit

import (
	"strings"
	"testing"
)

func TestRejectsCheck(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []RejectsEvidence
		want string
		ev   string
	}{
		{"none", nil, StatusNA, ""},
		{"clean", []RejectsEvidence{{Table: "a", ID: "s1", RowsRead: 10}}, StatusPass, "1 tables: no rows rejected"},
		{"committed with rejects", []RejectsEvidence{{Table: "a", ID: "s1", RowsRead: 1000, RowsRejected: 1}, {Table: "b", RowsRead: 5}}, StatusWarn, "a: snapshot s1 rejected 1 of 1000 rows (0.10%)"},
		{"failed", []RejectsEvidence{{Table: "orders", ID: "f1", Failed: true, RowsRead: 100, RowsRejected: 22}, {Table: "a", RowsRead: 1000, RowsRejected: 1}}, StatusFail, "orders: last extraction f1 failed: 22 of 100 rows rejected (22.00%)"},
	} {
		got := PostureInput{Rejects: c.in}.rejectsCheck()
		if got.Status != c.want || !strings.Contains(strings.Join(got.Evidence, "\n"), c.ev) {
			t.Errorf("%s: %s %q", c.name, got.Status, got.Evidence)
		}
		if got.Title == "" || got.Rule == "" || len(got.Controls) == 0 {
			t.Errorf("%s: check lacks its title, rule or controls: %+v", c.name, got)
		}
	}
}

package audit

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestReferenceValues: a CRM export's status values (Salesforce
// User.IsActive true/false) become the canonical active/disabled; values
// the map does not know become NULL.
func TestReferenceValues(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "User.csv")
	csv := "Id,Username,IsActive\n005A,a@x.cn,true\n005B,b@x.cn, FALSE \n005C,c@x.cn,maybe\n"
	if err := os.WriteFile(p, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	eng := newTestEngine(t)
	ref := &Reference{Path: p, Columns: map[string]string{"staff_id": "Id", "user": "Username", "status": "IsActive"},
		Values: map[string]map[string]string{"status": {"true": "active", "false": "disabled"}}}
	if _, err := eng.loadReferences(context.Background(), ref, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := eng.conn.QueryContext(context.Background(), `SELECT staff_id, coalesce(status, 'NULL') FROM staff ORDER BY staff_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id, st string
		if err := rows.Scan(&id, &st); err != nil {
			t.Fatal(err)
		}
		got = append(got, id+"="+st)
	}
	if want := "005A=active 005B=disabled 005C=NULL"; joinSpace(got) != want {
		t.Errorf("status %q, want %q", joinSpace(got), want)
	}
}

func joinSpace(xs []string) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += " "
		}
		s += x
	}
	return s
}

package extract

import (
	"testing"
	"time"
)

// TestNaiveTimestampsInSourceZone: a naive 2026-11-03 09:15 under
// Asia/Shanghai is the instant 01:15 UTC; values with Z or an offset keep
// theirs; DST is followed (New York).
func TestNaiveTimestampsInSourceZone(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	in := "id,at\n1,2026-11-03 09:15\n2,2026-11-03T09:15:00+08:00\n3,2026-11-03T09:15:00Z\n4,2026-11-03 09:15:30.5\n"
	res := mustRead(t, writeFile(t, "t.csv", in), CSVOptions{Location: sh})
	want := []string{"2026-11-03T01:15:00Z", "2026-11-03T01:15:00Z", "2026-11-03T09:15:00Z", "2026-11-03T01:15:30.5Z"}
	for i, row := range res.rows {
		if row[1] != want[i] {
			t.Errorf("row %d: %s, want %s", i+1, row[1], want[i])
		}
	}
	res = mustRead(t, writeFile(t, "u.csv", "id,at\n1,2026-07-01 12:00:00\n2,2026-12-01 12:00:00\n"), CSVOptions{Location: ny})
	if res.rows[0][1] != "2026-07-01T16:00:00Z" || res.rows[1][1] != "2026-12-01T17:00:00Z" {
		t.Errorf("New York: %q", res.rows)
	}
	res = mustRead(t, writeFile(t, "v.csv", "id,at\n1,2026-11-03 09:15\n"), CSVOptions{})
	if res.rows[0][1] != "2026-11-03T09:15:00Z" {
		t.Errorf("no zone: %q", res.rows)
	}
}

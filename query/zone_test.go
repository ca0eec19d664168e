package query

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// Timestamps show in the configured zone; SET TimeZone changes the zone
// of the display and of DuckDB (casts, ::DATE); RESET goes back; a bad
// zone is an error; other settings stay locked.
func TestTimeZone(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{Format: "csv", TimeZone: "Asia/Shanghai"})
	q := "SELECT last_seen, CAST(last_seen AS VARCHAR) AS s, current_setting('TimeZone') AS tz FROM customers ORDER BY id LIMIT 1"
	utc, _ := run(t, open(t, h, Options{Format: "csv"}), q)
	sh, _ := run(t, s, q)
	if !strings.Contains(utc, "+00") || !strings.Contains(sh, "+08,") || !strings.Contains(sh, "+08,Asia/Shanghai") {
		t.Fatalf("utc:\n%s\nshanghai:\n%s", utc, sh)
	}
	if _, st := run(t, s, "SET TimeZone = 'America/St_Johns'"); st.Statement != "SET" {
		t.Errorf("statement %q", st.Statement)
	}
	nf, _ := run(t, s, q)
	if !strings.Contains(nf, "-03:30,") && !strings.Contains(nf, "-02:30,") {
		t.Errorf("St John's:\n%s", nf)
	}
	run(t, s, "set time zone 'UTC';")
	if u, _ := run(t, s, q); u != utc {
		t.Errorf("after SET TIME ZONE 'UTC':\n%s\nwant\n%s", u, utc)
	}
	run(t, s, "RESET TimeZone")
	if again, _ := run(t, s, q); again != sh {
		t.Errorf("after RESET:\n%s\nwant\n%s", again, sh)
	}
	var se *SQLError
	if _, err := s.Exec(context.Background(), "SET TimeZone = 'Mars/Olympus'", &strings.Builder{}); !errors.As(err, &se) || !strings.Contains(err.Error(), "Mars/Olympus") {
		t.Errorf("bad zone: %v", err)
	}
	for _, bad := range []string{"SET threads = 1", "SET TimeZone = 'UTC'; SET enable_external_access = true", "SET lock_configuration = false"} {
		if _, err := s.Exec(context.Background(), bad, &strings.Builder{}); err == nil {
			t.Errorf("%q ran", bad)
		}
	}
	if _, err := Open(context.Background(), Options{Datasets: h.datasets, LogPath: h.logPath, TimeZone: "../etc/passwd"}); !errors.Is(err, ErrOptions) {
		t.Errorf("bad configured zone: %v", err)
	}
}

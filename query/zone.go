package query

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Time zones. Snapshots store instants (TIMESTAMP WITH TIME ZONE); a
// session shows them in its zone, the config's timezone unless the analyst
// says SET TimeZone = 'Zone'. DuckDB's TimeZone setting follows (its ICU
// extension is statically linked in duckdb-go's build), so casts, date
// parts and ::DATE use the same zone. The configuration stays locked: SET
// TimeZone is taken by the session, which checks the name and rebuilds its
// engine with the new zone; no other SET reaches DuckDB.

// setTimeZone matches SET [SESSION|LOCAL] TimeZone|TIME ZONE [=|TO] 'Zone'
// and RESET TimeZone.
var (
	setTimeZone   = regexp.MustCompile(`(?is)^\s*SET\s+(?:SESSION\s+|LOCAL\s+)?(?:TIMEZONE|TIME\s+ZONE)\s*(?:=|\s+TO\s+|\s)\s*'([^']{1,64})'\s*;?\s*$`)
	resetTimeZone = regexp.MustCompile(`(?is)^\s*(?:RESET\s+(?:TIMEZONE|TIME\s+ZONE)|SET\s+(?:TIMEZONE|TIME\s+ZONE)\s*(?:=|\s+TO\s+)\s*DEFAULT)\s*;?\s*$`)
)

// parseSetTimeZone recognises a time-zone statement: the zone name, or ""
// for RESET (back to the configured zone).
func parseSetTimeZone(sql string) (string, bool) {
	if m := setTimeZone.FindStringSubmatch(sql); m != nil {
		return m[1], true
	}
	if resetTimeZone.MatchString(sql) {
		return "", true
	}
	return "", false
}

// loadZone loads an IANA zone name ("" is UTC).
func loadZone(name string) (*time.Location, error) {
	switch name {
	case "":
		return time.UTC, nil
	case "Local":
		return time.Local, nil
	}
	if strings.ContainsAny(name, "'\\") || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return nil, fmt.Errorf("time zone %q is not an IANA zone name", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q (use an IANA name such as Asia/Shanghai or UTC)", name)
	}
	return loc, nil
}

// duckZoneName is the name DuckDB gets for loc: its IANA name; for Local,
// $TZ or the zone /etc/localtime links to, else UTC.
func duckZoneName(loc *time.Location) string {
	if n := loc.String(); n != "Local" {
		return n
	}
	if tz := strings.TrimPrefix(os.Getenv("TZ"), ":"); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil && !strings.HasPrefix(tz, "/") {
			return tz
		}
	}
	if p, err := filepath.EvalSymlinks("/etc/localtime"); err == nil {
		if _, rest, ok := strings.Cut(p, "zoneinfo/"); ok {
			if _, err := time.LoadLocation(rest); err == nil {
				return rest
			}
		}
	}
	return "UTC"
}

// setZone changes the session's zone ("" is the configured one) and
// rebuilds the engine so that DuckDB uses it too.
func (s *Session) setZone(ctx context.Context, name string) error {
	loc := s.defaultZone
	if name != "" {
		l, err := loadZone(name)
		if err != nil {
			return &SQLError{Type: "Invalid Input", Err: err}
		}
		loc = l
	}
	prev := s.zone
	s.zone = loc
	if err := s.load(ctx, s.scanned); err != nil {
		s.zone = prev
		return err
	}
	return nil
}

func isZonedType(dbType string) bool {
	switch strings.ToUpper(dbType) {
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		return true
	}
	return false
}

// zoneOffset is t's UTC offset as DuckDB prints it: +08, -03, +05:30.
func zoneOffset(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	if off%3600 == 0 {
		return fmt.Sprintf("%c%02d", sign, off/3600)
	}
	return fmt.Sprintf("%c%02d:%02d", sign, off/3600, off%3600/60)
}

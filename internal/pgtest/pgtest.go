// Package pgtest starts a throwaway PostgreSQL server (internal/pglocal, from
// the system's binaries) for tests that need a real one (no mocks). A test on
// a machine without the binaries is skipped, unless CI is set, where it fails.
package pgtest

import (
	"errors"
	"net"
	"os"
	"testing"

	"github.com/vigil-dg/vigil/internal/pglocal"
)

// FreePort returns a loopback TCP port nothing listens on (at the time of the call).
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs a throwaway server in a temporary directory, listening on a
// free loopback port, with trust authentication for user "vigil", and stops
// it when the test ends. It returns a DSN.
func Start(t testing.TB) string {
	t.Helper()
	s, err := pglocal.Start(t.TempDir())
	if errors.Is(err, pglocal.ErrNoBinaries) {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v, and CI is set", err)
		}
		t.Skipf("%v; skipping", err)
	}
	if err != nil {
		t.Fatalf("starting PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stopping PostgreSQL: %v", err)
		}
	})
	return s.DSN
}

// Package pgtest starts a throwaway PostgreSQL server from the system's
// binaries for tests that need a real one (no mocks). A test on a machine
// without the binaries is skipped, unless CI is set, where it fails.
package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// pgBinDir finds a directory holding initdb and pg_ctl.
func pgBinDir() string {
	dirs := []string{}
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	dirs = append(dirs, "/usr/local/bin")
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(found))) // newest first (good enough for 1-2 digit majors)
	dirs = append(dirs, found...)
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d
		}
	}
	return ""
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

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

// Start runs a throwaway server in a temporary directory, listening
// on a free loopback port (and a unix socket in the same directory), with
// trust authentication for user "vigil". It returns a DSN. As root, the
// server runs as user postgres (or nobody), since PostgreSQL refuses root.
func Start(t testing.TB) string {
	t.Helper()
	bin := pgBinDir()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("PostgreSQL binaries (initdb, pg_ctl) not found, and CI is set")
		}
		t.Skip("PostgreSQL binaries (initdb, pg_ctl) not found in PATH, /usr/local/bin or /usr/lib/postgresql/*/bin; skipping")
	}
	dir := t.TempDir()
	owner := [2]int{os.Geteuid(), os.Getegid()} // of the server's files
	run := func(name string, args ...string) *exec.Cmd {
		return exec.Command(filepath.Join(bin, name), args...)
	}
	if os.Geteuid() == 0 {
		var u *user.User
		var err error
		for _, name := range []string{"postgres", "nobody"} {
			if u, err = user.Lookup(name); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("running as root and neither user postgres nor nobody exists: %v", err)
		}
		owner[0], _ = strconv.Atoi(u.Uid)
		owner[1], _ = strconv.Atoi(u.Gid)
		// t.TempDir's parent is private to root: let the server user through.
		if err := os.Chmod(filepath.Dir(dir), 0o711); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, owner[0], owner[1]); err != nil {
			t.Fatal(err)
		}
		runuser, rerr := exec.LookPath("runuser")
		run = func(name string, args ...string) *exec.Cmd {
			path := filepath.Join(bin, name)
			if rerr == nil {
				return exec.Command(runuser, append([]string{"-u", u.Username, "--", path}, args...)...)
			}
			quoted := []string{shellQuote(path)}
			for _, a := range args {
				quoted = append(quoted, shellQuote(a))
			}
			return exec.Command("su", u.Username, "-s", "/bin/sh", "-c", strings.Join(quoted, " "))
		}
	}
	exe := func(cmd *exec.Cmd) error {
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
		}
		return nil
	}
	data, sock, logf := filepath.Join(dir, "data"), filepath.Join(dir, "sock"), filepath.Join(dir, "server.log")
	if err := exe(run("initdb", "-D", data, "-U", "vigil", "-A", "trust", "-E", "UTF8", "--no-locale", "-N")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(sock, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(sock, owner[0], owner[1]); err != nil {
		t.Fatal(err)
	}
	var port int
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		port = FreePort(t)
		opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c shared_buffers=16MB -c max_connections=20", port, sock)
		if err = exe(run("pg_ctl", "-D", data, "-l", logf, "-w", "-t", "15", "-o", opts, "start")); err == nil {
			break
		}
	}
	if err != nil {
		logText, _ := os.ReadFile(logf)
		t.Fatalf("starting PostgreSQL: %v\nserver log:\n%s", err, logText)
	}
	t.Cleanup(func() {
		if err := exe(run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")); err != nil {
			t.Errorf("stopping PostgreSQL: %v", err)
		}
	})
	return fmt.Sprintf("host=127.0.0.1 port=%d user=vigil dbname=postgres sslmode=disable", port)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Package pglocal runs a throwaway PostgreSQL server from the system's
// binaries (initdb, pg_ctl), listening on a free loopback port only, with
// trust authentication for user "vigil". vigil demo --postgres uses it; tests
// use it through internal/pgtest.
package pglocal

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrNoBinaries means initdb and pg_ctl were not found.
var ErrNoBinaries = errors.New("pglocal: PostgreSQL server binaries (initdb, pg_ctl) not found in PATH, /usr/local/bin or /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)")

// Server is a running throwaway server.
type Server struct {
	DSN  string // no password (trust on loopback)
	dir  string
	data string
	run  func(name string, args ...string) *exec.Cmd
}

func binDir() string {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	dirs = append(dirs, "/usr/local/bin")
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(found)))
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

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start creates a cluster in dir (which must not hold one) and starts it.
// As root the server runs as user postgres (or nobody).
func Start(dir string) (*Server, error) {
	bin := binDir()
	if bin == "" {
		return nil, ErrNoBinaries
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	owner := [2]int{os.Geteuid(), os.Getegid()}
	run := func(name string, args ...string) *exec.Cmd { return exec.Command(filepath.Join(bin, name), args...) }
	if os.Geteuid() == 0 {
		var u *user.User
		var err error
		for _, name := range []string{"postgres", "nobody"} {
			if u, err = user.Lookup(name); err == nil {
				break
			}
		}
		if err != nil {
			return nil, fmt.Errorf("pglocal: running as root and neither user postgres nor nobody exists: %w", err)
		}
		owner[0], _ = strconv.Atoi(u.Uid)
		owner[1], _ = strconv.Atoi(u.Gid)
		for d := filepath.Dir(dir); d != "/" && d != "."; d = filepath.Dir(d) {
			if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o001 == 0 {
				_ = os.Chmod(d, fi.Mode().Perm()|0o001) // let the server user through
			}
		}
		if err := os.Chown(dir, owner[0], owner[1]); err != nil {
			return nil, err
		}
		runuser, rerr := exec.LookPath("runuser")
		if rerr != nil {
			return nil, fmt.Errorf("pglocal: running as root needs runuser: %w", rerr)
		}
		run = func(name string, args ...string) *exec.Cmd {
			return exec.Command(runuser, append([]string{"-u", u.Username, "--", filepath.Join(bin, name)}, args...)...)
		}
	}
	s := &Server{dir: dir, data: filepath.Join(dir, "data"), run: run}
	sock := filepath.Join(dir, "sock")
	if err := s.exe(run("initdb", "-D", s.data, "-U", "vigil", "-A", "trust", "-E", "UTF8", "--no-locale", "-N")); err != nil {
		return nil, err
	}
	if err := os.Mkdir(sock, 0o700); err != nil {
		return nil, err
	}
	if err := os.Chown(sock, owner[0], owner[1]); err != nil {
		return nil, err
	}
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var port int
		if port, err = freePort(); err != nil {
			continue
		}
		opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s -c fsync=off -c synchronous_commit=off -c max_connections=20", port, sock)
		if err = s.exe(run("pg_ctl", "-D", s.data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "30", "-o", opts, "start")); err == nil {
			s.DSN = fmt.Sprintf("host=127.0.0.1 port=%d user=vigil dbname=postgres sslmode=disable", port)
			return s, nil
		}
	}
	return nil, err
}

func (s *Server) exe(cmd *exec.Cmd) error {
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pglocal: %s: %v\n%s", filepath.Base(cmd.Args[len(cmd.Args)-1]), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Stop stops the server immediately.
func (s *Server) Stop() error {
	return s.exe(s.run("pg_ctl", "-D", s.data, "-m", "fast", "-w", "stop"))
}

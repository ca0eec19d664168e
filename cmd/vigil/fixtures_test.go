package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Shared fixtures for the end-to-end tests.
//
// A demo home (vigil demo: data, keys, the nightly run, the audit) takes
// seconds to build, much more under -race, and most tests only read or
// change one. So each kind of home is built once per test binary and every
// test gets its own copy (copyTree: a plain recursive copy that keeps modes
// and times; the demo's vigil.yaml uses relative paths, so a copy is a
// complete home of its own). Use:
//
//	d := demoHome(t, demoSpec{Rows: 3000, Seed: 5}) // a copy, yours to change
//	mustRun(t, d.Dir, nil, "-c", d.Config, "status")
//	d.Out // what "vigil demo" printed when the shared home was built
//
// Tests that ask for the same demoSpec share one build; prefer the specs
// already in use (sharedDemoSpec, smallDemoSpec) unless the rows or the seed
// are the point of the test. For data and a keyset without any run, use
// setupDir (also built once per row count and copied).
//
// Fixtures live under fixtureRoot, removed by TestMain when the tests end.

// demoSpec names one kind of demo home: vigil demo --rows Rows --seed Seed
// plus Args (e.g. "--log-level", "debug").
type demoSpec struct {
	Rows int
	Seed int
	Args []string
}

var (
	// sharedDemoSpec is the general-purpose demo home (3,000 rows): large
	// enough for every injected audit incident and for k-anonymity to bite.
	// Its debug logs are what TestNoPersonalDataInOutput scans.
	sharedDemoSpec = demoSpec{Rows: 3000, Seed: 5, Args: []string{"--log-level", "debug"}}
	// smallDemoSpec is the smallest full demo, for tests that need a home
	// but not its size. Out is the --json summary (TestCLIContract's).
	smallDemoSpec = demoSpec{Rows: 300, Seed: 7, Args: []string{"--json"}}
)

func (s demoSpec) key() string {
	return strconv.Itoa(s.Rows) + "/" + strconv.Itoa(s.Seed) + "/" + strings.Join(s.Args, " ")
}

// demoCopy is one test's copy of a shared demo home.
type demoCopy struct {
	Dir    string // the test's directory; the demo is Dir/demo
	Demo   string // the demo directory (vigil.yaml, data/, home/, master.key)
	Config string // Demo/vigil.yaml
	Out    result // what "vigil demo" printed when the shared home was built
}

// built is a fixture built once: its directory, what building it printed,
// or why it failed.
type built struct {
	once sync.Once
	dir  string
	out  result
	err  error
}

var (
	fixtureMu   sync.Mutex
	fixtureRoot string
	fixtures    = map[string]*built{}
)

// buildOnce builds the fixture named key once per test binary with make,
// which gets an empty directory to fill, and returns it.
func buildOnce(key string, make func(dir string) (result, error)) *built {
	fixtureMu.Lock()
	if fixtureRoot == "" {
		root, err := os.MkdirTemp("", "vigil-fixtures-")
		if err != nil {
			fixtureMu.Unlock()
			return &built{err: err}
		}
		fixtureRoot = root
	}
	b := fixtures[key]
	if b == nil {
		b = &built{}
		fixtures[key] = b
	}
	root := fixtureRoot
	fixtureMu.Unlock()
	b.once.Do(func() {
		start := time.Now()
		b.dir = filepath.Join(root, strconv.Itoa(len(key))+"-"+fixtureDirName(key))
		if b.err = os.MkdirAll(b.dir, 0o700); b.err == nil {
			b.out, b.err = make(b.dir)
		}
		if b.err != nil {
			b.err = fmt.Errorf("fixture %s: %w", key, b.err)
		}
		fixtureLog("fixture %s built in %s", key, time.Since(start).Round(time.Millisecond))
	})
	return b
}

// fixtureLog notes fixture builds when VIGIL_TEST_FIXTURE_LOG is set.
func fixtureLog(format string, args ...any) {
	if os.Getenv("VIGIL_TEST_FIXTURE_LOG") != "" {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	}
}

func fixtureDirName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// removeFixtures deletes every shared fixture (TestMain, after the tests).
func removeFixtures() {
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	if fixtureRoot != "" {
		os.RemoveAll(fixtureRoot)
	}
}

// demoHome returns the test's own copy of the demo home of spec, built once
// per test binary (see the comment at the top of this file).
func demoHome(t testing.TB, spec demoSpec) demoCopy {
	t.Helper()
	dir := t.TempDir()
	return copyDemo(t, spec, dir)
}

// copyDemo is demoHome into a directory of the caller's choice: the demo
// is copied to dir/demo.
func copyDemo(t testing.TB, spec demoSpec, dir string) demoCopy {
	t.Helper()
	d, err := tryCopyDemo(spec, dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// tryCopyDemo is copyDemo without a test, for fixtures built from fixtures.
func tryCopyDemo(spec demoSpec, dir string) (demoCopy, error) {
	b := buildOnce("demo/"+spec.key(), func(dir string) (result, error) {
		return runSteps(dir, append([]string{"demo", "--dir", filepath.Join(dir, "demo"), "--rows", strconv.Itoa(spec.Rows), "--seed", strconv.Itoa(spec.Seed)}, spec.Args...))
	})
	if b.err != nil {
		return demoCopy{}, b.err
	}
	demo := filepath.Join(dir, "demo")
	if err := copyTree(filepath.Join(b.dir, "demo"), demo); err != nil {
		return demoCopy{}, err
	}
	return demoCopy{Dir: dir, Demo: demo, Config: filepath.Join(demo, "vigil.yaml"), Out: b.out}, nil
}

// runSteps runs vigil commands in dir one after another, for fixtures: the
// first that cannot run or exits non-zero is the error.
func runSteps(dir string, steps ...[]string) (result, error) {
	var r result
	for _, args := range steps {
		var err error
		r, err = runVigil(dir, nil, args...)
		countCPU("fixture "+args[0], r.cpu)
		if err == nil && r.code != 0 {
			err = fmt.Errorf("vigil %s: %s", strings.Join(args, " "), r)
		}
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

// copyTree copies the directory src to dst (which must not exist): files,
// directories and symlinks, with their modes, times and — when run as root
// — owners. File contents go through io.Copy, which uses copy_file_range
// (a reflink on filesystems that have them).
func copyTree(src, dst string) error {
	type dirTime struct {
		path string
		info fs.FileInfo
	}
	var dirs []dirTime
	root := os.Geteuid() == 0
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.Mkdir(target, info.Mode().Perm()|0o700); err != nil {
				return err
			}
			dirs = append(dirs, dirTime{target, info})
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case info.Mode().IsRegular():
			if err := copyFile(path, target, info); err != nil {
				return err
			}
		default:
			return nil // sockets, FIFOs: nothing a test needs
		}
		if root {
			if st, ok := info.Sys().(*syscall.Stat_t); ok {
				if err := os.Lchown(target, int(st.Uid), int(st.Gid)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Directories last, deepest first: their modes (which may drop the
	// owner's write bit) and times, now that nothing more is written in them.
	for i := len(dirs) - 1; i >= 0; i-- {
		d := dirs[i]
		if err := os.Chmod(d.path, d.info.Mode()&(fs.ModePerm|fs.ModeSetgid|fs.ModeSetuid|fs.ModeSticky)); err != nil {
			return err
		}
		if err := os.Chtimes(d.path, d.info.ModTime(), d.info.ModTime()); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string, info fs.FileInfo) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if err := os.Chmod(dst, info.Mode()&(fs.ModePerm|fs.ModeSetgid|fs.ModeSetuid|fs.ModeSticky)); err != nil {
		return err
	}
	return os.Chtimes(dst, info.ModTime(), info.ModTime())
}

// jsonField decodes the member key of the one JSON object a --json command
// printed into v.
func jsonField(t *testing.T, stdout, key string, v any) error {
	t.Helper()
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		return err
	}
	raw, ok := doc[key]
	if !ok {
		return fmt.Errorf("no %q in the --json object", key)
	}
	return json.Unmarshal(raw, v)
}

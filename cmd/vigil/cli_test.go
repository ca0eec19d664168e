package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// vigilBin is the vigil program the end-to-end tests run, so they use the
// CLI exactly as a user does: a separate process, real exit codes. It is a
// copy of this test binary named "vigil", which TestMain turns into the CLI
// (main) when it is started under that name: no second link of the whole
// program (about 10 s before the first test could start), and the same
// -race instrumentation as the tests.
var vigilBin string

func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "vigil" {
		main() // exits
	}
	// The end-to-end tests mostly wait for vigil processes: run four at a
	// time unless -parallel says otherwise.
	flag.Parse()
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		_ = flag.Set("test.parallel", "4")
	}
	dir, err := os.MkdirTemp("", "vigil-e2e-bin-")
	if err != nil {
		panic(err)
	}
	vigilBin = filepath.Join(dir, "vigil")
	if err := copyExecutable(vigilBin); err != nil {
		panic("copying the test binary as vigil: " + err.Error())
	}
	code := m.Run()
	printCPU()
	removeFixtures()
	if fixture.dir != "" {
		os.RemoveAll(fixture.dir)
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one CLI invocation printed and returned.
type result struct {
	stdout, stderr string
	code           int
	cpu            time.Duration // user + system CPU time of the process
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + "\nstdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

// vigil runs the binary in dir with env added to a minimal environment.
func vigil(t testing.TB, dir string, env []string, args ...string) result {
	t.Helper()
	r, err := runVigil(dir, env, args...)
	if err != nil {
		t.Fatalf("vigil %v: %v", args, err)
	}
	countCPU(t.Name(), r.cpu)
	return r
}

// cpuByTest adds up the CPU time of the vigil processes each top-level test
// ran through vigil(); VIGIL_TEST_CPU=1 prints it at the end (where the
// package's time goes).
var cpuByTest sync.Map // test name -> *cpuCount

type cpuCount struct {
	ns, procs atomic.Int64
}

func countCPU(name string, d time.Duration) {
	name, _, _ = strings.Cut(name, "/")
	v, _ := cpuByTest.LoadOrStore(name, new(cpuCount))
	v.(*cpuCount).ns.Add(int64(d))
	v.(*cpuCount).procs.Add(1)
}

func printCPU() {
	if os.Getenv("VIGIL_TEST_CPU") == "" {
		return
	}
	type row struct {
		name  string
		d     time.Duration
		procs int64
	}
	var rows []row
	var total time.Duration
	var procs int64
	cpuByTest.Range(func(k, v any) bool {
		c := v.(*cpuCount)
		d := time.Duration(c.ns.Load())
		rows = append(rows, row{k.(string), d, c.procs.Load()})
		total += d
		procs += c.procs.Load()
		return true
	})
	sort.Slice(rows, func(i, j int) bool { return rows[i].d > rows[j].d })
	fmt.Fprintf(os.Stderr, "CPU of the %d vigil processes run through vigil() and fixtures: %s\n", procs, total.Round(time.Millisecond))
	var self, children syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) == nil && syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children) == nil {
		tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()).Round(time.Millisecond) }
		fmt.Fprintf(os.Stderr, "test process: user %s sys %s; all waited-for children: user %s sys %s\n",
			tv(self.Utime), tv(self.Stime), tv(children.Utime), tv(children.Stime))
	}
	for _, r := range rows {
		fmt.Fprintf(os.Stderr, "  %-60s %10s %4d processes\n", r.name, r.d.Round(time.Millisecond), r.procs)
	}
}

// runVigil is vigil without a test: err is set only when the binary could
// not be run at all (an exit code is not an error).
func runVigil(dir string, env []string, args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, vigilBin, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + os.TempDir()}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if cmd.ProcessState != nil {
		r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			return r, err
		}
		r.code = ee.ExitCode()
	}
	return r, nil
}

// copyExecutable copies the running test binary to path, mode 0755 (the
// roles test runs it as other OS users).
func copyExecutable(path string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	src, err := os.Open(self)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

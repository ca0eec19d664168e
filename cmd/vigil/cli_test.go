package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// vigilBin is the vigil binary built once for the end-to-end tests, so they
// run the CLI exactly as a user does: a separate process, real exit codes.
var vigilBin string

func TestMain(m *testing.M) {
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
	args := []string{"build", "-o", vigilBin}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("building vigil: " + err.Error())
	}
	code := m.Run()
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
	return r
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
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			return r, err
		}
		r.code = ee.ExitCode()
	}
	return r, nil
}

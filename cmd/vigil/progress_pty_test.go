package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestProgressOnATerminal runs vigil demo under script(1), which gives it a
// pseudo-terminal, and checks that every stage drew progress — a bar with a
// percentage where the total is known (snapshot of a CSV file by bytes,
// classify and anonymize by rows, verify by bytes, the audit's reading of
// the logs by bytes), a spinner elsewhere (the audit's detections) —
// and that no log line starts on the progress line (each log line that
// follows progress on the same terminal line is preceded by the erase
// sequence). The measure is 300,000 rows: under -race (the README's
// test command, CI) the test runs at that size; plain `go test` uses 3,000 to
// keep the package fast (every bar draws its 0% state at once, so the checks
// hold at any size); VIGIL_PTY_ROWS sets any size.
func TestProgressOnATerminal(t *testing.T) {
	t.Parallel()
	script, err := exec.LookPath("script")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("script (util-linux) is needed")
		}
		t.Skip("script (util-linux) not installed")
	}
	rows := 3000
	if raceBuild {
		rows = 300000 // the README's test command (CI) runs the measure
	}
	if v, err := strconv.Atoi(os.Getenv("VIGIL_PTY_ROWS")); err == nil && v > 0 {
		rows = v
	}
	dir := t.TempDir()
	typescript := filepath.Join(dir, "typescript")
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	line := vigilBin + " demo --dir " + filepath.Join(dir, "demo") + " --rows " + strconv.Itoa(rows)
	cmd := exec.CommandContext(ctx, script, "-qfec", line, typescript)
	cmd.Dir = dir
	// CI unset: the bar is drawn only on a terminal outside CI.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + os.TempDir(), "TERM=xterm"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, err := os.ReadFile(typescript)
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	for _, stage := range []string{"snapshot customers", "classify", "anonymize", "verify", "audit: reading logs"} {
		if !regexp.MustCompile(regexp.QuoteMeta(stage) + ` +\d+% \|`).MatchString(out) {
			t.Errorf("no progress bar with a percentage for %s", stage)
		}
	}
	for _, stage := range []string{"audit"} {
		if !regexp.MustCompile(`[⠀-⣿] ` + regexp.QuoteMeta(stage) + `[ (]`).MatchString(out) {
			t.Errorf("no progress spinner for %s", stage)
		}
	}
	logs := 0
	for _, l := range strings.Split(out, "\n") {
		i := strings.Index(l, "time=")
		if i < 0 {
			continue
		}
		logs++
		if before := l[:i]; before != "" && !strings.HasSuffix(before, "\r\x1b[K") {
			t.Errorf("a log line starts on the progress line: %q", l[:min(len(l), 160)])
		}
	}
	if logs == 0 {
		t.Fatal("no log lines captured")
	}
}

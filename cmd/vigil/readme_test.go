package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readmeBlock returns the lines of the first ```sh block after heading.
func readmeBlock(t *testing.T, readme, heading string) []string {
	t.Helper()
	i := strings.Index(readme, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("README has no %q section", heading)
	}
	rest := readme[i:]
	start := strings.Index(rest, "```sh\n")
	if start < 0 {
		t.Fatalf("%s: no sh block", heading)
	}
	rest = rest[start+len("```sh\n"):]
	end := strings.Index(rest, "```")
	var lines []string
	for _, l := range strings.Split(rest[:end], "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestREADMETour runs the README's tour and "With your own configuration"
// commands verbatim (only /tmp/vd and /tmp/own become directories of the
// test) with the built binary first on PATH, so the README cannot drift from
// the product. The endless "vigil schedule" is the one line left out.
func TestREADMETour(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(vigilBin, filepath.Join(bin, "vigil")); err != nil {
		t.Fatal(err)
	}
	tour := readmeBlock(t, readme, "## A tour")
	own := readmeBlock(t, readme, "### With your own configuration")
	// The demo's audit period and the tour's audit dates agree.
	m := regexp.MustCompile(`audit --from (\S+) --to (\S+)`).FindStringSubmatch(strings.Join(tour, "\n"))
	if m == nil {
		t.Fatal("the tour has no audit --from … --to … line")
	}
	rep := strings.NewReplacer("/tmp/vd", filepath.Join(dir, "vd"), "/tmp/own", filepath.Join(dir, "own"))
	// The two blocks are independent (their own directories): run them at
	// the same time, each as one script.
	for _, block := range []struct {
		name  string
		lines []string
	}{{"tour", tour}, {"own_configuration", own}} {
		t.Run(block.name, func(t *testing.T) {
			t.Parallel()
			var script strings.Builder
			script.WriteString("set -eu\n")
			for _, l := range block.lines {
				if strings.HasPrefix(strings.TrimSpace(l), "vigil schedule") {
					continue // runs until stopped
				}
				script.WriteString("echo '+ " + strings.ReplaceAll(rep.Replace(l), "'", "'\\''") + "' >&2\n")
				script.WriteString(rep.Replace(l) + "\n")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "sh", "-c", script.String())
			cmd.Dir = dir
			cmd.Env = []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + os.TempDir()}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the README's commands failed: %v\n%s", err, out)
			}
			text := string(out)
			if block.name == "tour" && (!strings.Contains(text, "AUDIT: ") || !strings.Contains(text, "in the logs of "+m[1]+" – "+m[2])) {
				t.Errorf("the demo's audit period differs from the tour's --from %s --to %s:\n%s", m[1], m[2], text)
			}
		})
	}
}

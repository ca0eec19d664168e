package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/vigil-dg/vigil/pipeline"
)

// plaintextLeftovers are the glob patterns, under the home's tmp directory,
// of temporary plaintext a Vigil process writes and removes when it ends
// (restore drills). A process killed with SIGKILL cannot remove them, so
// every Vigil command that loads the config clears them first: no
// plaintext copy outlives the next command.
var plaintextLeftovers = []string{"vigil-drill-*"}

// clearLeftovers removes plaintext left by an interrupted process. It never
// fails a command; a leftover that cannot be removed is retried next time.
// A drill directory is named vigil-drill-<pid>-…; one whose process still
// runs (another Vigil drilling right now) is left alone.
func clearLeftovers(cfg *pipeline.Config) {
	dir := filepath.Join(cfg.Paths().Home, "tmp")
	for _, pat := range plaintextLeftovers {
		matches, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, m := range matches {
			if ownerAlive(filepath.Base(m)) {
				continue
			}
			_ = os.RemoveAll(m)
		}
	}
}

// ownerAlive reports whether the process named in vigil-drill-<pid>-… runs.
func ownerAlive(name string) bool {
	rest, ok := strings.CutPrefix(name, "vigil-drill-")
	if !ok {
		return false
	}
	p, _, _ := strings.Cut(rest, "-")
	pid, err := strconv.Atoi(p)
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return syscall.Kill(pid, 0) == nil
}

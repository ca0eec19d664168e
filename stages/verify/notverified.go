package verify

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// ErrNotVerified: the check could not finish for a reason that says nothing
// about the snapshot — the run was interrupted, or the machine running the
// check ran out of disk space or quota for the restore drill. The snapshot
// is then neither verified nor failed: Result.NotVerified says why, and the
// check is due again.
var ErrNotVerified = errors.New("verify: not verified")

// localResource reports whether err is a shortage of the checking machine
// (disk full, quota, read-only temporary directory), not a property of the
// snapshot.
func localResource(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EROFS) {
		return true
	}
	// DuckDB and some writers report the condition as text only.
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "no space left on device") || strings.Contains(msg, "disk quota exceeded")
}

// notVerified wraps a local-resource error of step in ErrNotVerified.
func notVerified(step string, err error) error {
	return fmt.Errorf("%w: %s: %v", ErrNotVerified, step, err)
}

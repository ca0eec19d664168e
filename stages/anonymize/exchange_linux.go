package anonymize

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchangeDirs atomically swaps two existing directories (renameat2 with
// RENAME_EXCHANGE), so a reader or a crash sees either the old dataset or
// the new one, never none. ok is false where the file system cannot do it.
func exchangeDirs(a, b string) (ok bool, err error) {
	err = unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.ENOTSUP) {
		return false, nil
	}
	return err == nil, err
}

package pipeline

import (
	"fmt"
	"os"
	"runtime"
)

// checkConfigFile applies checkConfigMode to the file at path.
func checkConfigFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return &ConfigError{Problems: []Problem{{File: path, Msg: fmt.Sprintf("cannot read: %v", unwrapPathError(err))}}}
	}
	return checkConfigMode(path, fi)
}

// checkConfigMode refuses a configuration file that group or others may
// write: the file names the commands Vigil runs (notify.command) and where
// keys and data go, so whoever can edit it can act as the service account.
// It is refused as an insecure key file is.
func checkConfigMode(path string, fi os.FileInfo) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return &ConfigError{Problems: []Problem{{File: path, Msg: fmt.Sprintf(
			"has mode %04o and is writable by group or others, who could make vigil run their commands; run chmod go-w %s",
			perm, path)}}}
	}
	return nil
}

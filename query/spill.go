package query

import (
	"os"
	"path/filepath"
)

// MaxSpill bounds what one analyst session may spill to disk (DuckDB's
// default is 90% of the free space of the disk holding the temporary
// directory, which one query could fill for everyone on the host).
const MaxSpill = "2GiB"

// spillDir returns the session's temporary directory relative to the working
// directory when it can, so that duckdb_settings() shows analysts no
// absolute host path; else the absolute path.
func spillDir(tmp string) string {
	wd, err := os.Getwd()
	if err != nil {
		return tmp
	}
	rel, err := filepath.Rel(wd, tmp)
	if err != nil {
		return tmp
	}
	return rel
}

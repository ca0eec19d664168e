package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	duckdb "github.com/duckdb/duckdb-go-bindings"
	"github.com/spf13/cobra"
)

// buildInfo is what "vigil --version" and "vigil version" report.
type buildInfo struct {
	Version   string `json:"version"`          // module version, "(devel)" for a build from a checkout
	Commit    string `json:"commit,omitempty"` // VCS revision the binary was built from
	Modified  bool   `json:"modified"`         // the checkout had uncommitted changes
	BuildTime string `json:"commit_time,omitempty"`
	Go        string `json:"go"`
	DuckDB    string `json:"duckdb"`
	Platform  string `json:"platform"`
}

// version reads the build information the Go toolchain embeds (module
// version; VCS commit for builds from a checkout, "go install ./cmd/vigil"
// included).
func version() buildInfo {
	v := buildInfo{Version: "(unknown)", Go: runtime.Version(), DuckDB: duckdb.LibraryVersion(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Version = bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.BuildTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// short is the one-line form: vigil v1.2.3 (commit abc123, go1.24, duckdb v1.3.0).
func (v buildInfo) short() string {
	commit := v.Commit
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if commit == "" {
		commit = "unknown"
	}
	if v.Modified {
		commit += "+dirty"
	}
	return fmt.Sprintf("vigil %s (commit %s, %s, DuckDB %s, %s)", v.Version, commit, v.Go, v.DuckDB, v.Platform)
}

func versionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, Go and DuckDB versions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := version()
			if g.jsonOut {
				return g.printJSON(v)
			}
			fmt.Fprintln(g.stdout, v.short())
			return nil
		},
	}
}

package main

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/stages/audit"
)

// errLogsUnmapped is returned when vigil logs check found events that do
// not map.
var errLogsUnmapped = errors.New("some events do not map")

func logsCmd(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "logs",
		Short: "Inspect access logs before auditing them",
	}
	c.AddCommand(logsCheckCmd(g))
	return c
}

func logsCheckCmd(g *globals) *cobra.Command {
	var mapping string
	c := &cobra.Command{
		Use:   "check FILE...",
		Short: "Show which mapping reads a log and how many of its events map",
		Long: `Read access-log files (JSON lines or CSV, .gz allowed) the way the audit
does and report, per file, its format, the built-in mapping its content
matches and the names of its fields (never their values); then the events
read, mapped and unmapped with the reasons (unparsable, no_time, bad_time,
no_action, unknown_action) and the most frequent unknown actions.

--mapping auto (the default) chooses a built-in mapping per file by content;
name a built-in (` + strings.Join(audit.BuiltinMappingNames(), ", ") + `) or
a mapping from the configuration's audit.mappings to force one.

Exit status 0 when every event maps, 1 when some do not.`,
		Example: `  vigil logs check exports/EventLogFile-*.csv
  vigil logs check --mapping m365 audit.jsonl
  vigil logs check --json signins.jsonl`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var custom *audit.Mapping
			if mapping != audit.MappingAuto && !slices.Contains(audit.BuiltinMappingNames(), mapping) {
				cfg, err := g.loadConfig()
				if err != nil {
					return err
				}
				m, ok := cfg.Audit.Mappings[mapping]
				if !ok || m == nil {
					return usageError{fmt.Errorf("--mapping %q: not a built-in (auto, %s) nor in audit.mappings of %s",
						mapping, strings.Join(audit.BuiltinMappingNames(), ", "), g.configPath)}
				}
				tf := m.TimeFormat
				if tf == "iso8601" || tf == "rfc3339" {
					tf = ""
				}
				format := "json"
				for _, l := range cfg.Audit.Logs {
					if l.Mapping == mapping {
						format = l.Format
					}
				}
				custom = &audit.Mapping{Name: mapping, Format: format, Fields: m.Fields, Values: m.Values, TimeFormat: tf,
					TimeZone: m.TimeZone, Delimiter: m.Delimiter, Columns: m.Columns}
			}
			lc, err := audit.CheckLogs(cmd.Context(), args, mapping, custom)
			if lc == nil {
				return err
			}
			if g.jsonOut {
				if perr := g.printJSON(lc); perr != nil {
					return perr
				}
			} else {
				printLogCheck(g, lc, err)
			}
			if err != nil {
				return err
			}
			if lc.Stats.Unmapped > 0 {
				return fmt.Errorf("%w: %d of %d", errLogsUnmapped, lc.Stats.Unmapped, lc.Stats.Read)
			}
			return nil
		},
	}
	c.Flags().StringVar(&mapping, "mapping", audit.MappingAuto, "mapping: auto, a built-in or a name from audit.mappings")
	return c
}

func printLogCheck(g *globals, lc *audit.LogCheck, err error) {
	w := g.stdout
	for _, f := range lc.Files {
		m := f.Mapping
		if m == "" {
			m = "no built-in shape"
		}
		fmt.Fprintf(w, "%s\n  format: %s   matches: %s\n  fields (%d): %s\n", f.File, orDash(f.Format), m, len(f.Fields), strings.Join(f.Fields, ", "))
	}
	if err != nil {
		fmt.Fprintf(w, "\nnot read: %v\n", err)
		return
	}
	st := lc.Stats
	fmt.Fprintf(w, "\nmapping: %s (asked: %s)\nevents read: %d   mapped: %d (%.1f%%)   unmapped: %d\n",
		orDash(st.Mapping), lc.Mapping, st.Read, st.Mapped, lc.MappedPercent, st.Unmapped)
	if len(st.Reasons) > 0 {
		keys := make([]string, 0, len(st.Reasons))
		for k := range st.Reasons {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %-15s %d\n", k, st.Reasons[k])
		}
	}
	for _, vc := range st.UnknownActions {
		fmt.Fprintf(w, "  unknown action %q: %d\n", vc.Value, vc.Count)
	}
	for _, fl := range st.UnparsableLines {
		fmt.Fprintf(w, "  unparsable: %s:%d\n", fl.File, fl.Line)
	}
	if st.FirstEvent != nil {
		fmt.Fprintf(w, "first event: %s   last event: %s\n", st.FirstEvent.Format("2006-01-02T15:04:05Z"), st.LastEvent.Format("2006-01-02T15:04:05Z"))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

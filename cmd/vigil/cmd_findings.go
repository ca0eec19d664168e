package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/stages/audit"
)

// findingsCmd edits the case register: the state and history of every
// finding across reports.
func findingsCmd(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "findings",
		Short: "List findings' cases and change their state (open, acknowledged, in_progress, notified, remediated, risk_accepted, false_positive)",
		Long: `Every finding an audit reports gets a case in the case register
(report.cases, default cases.json beside audit.suppressions). A case keeps
its state and history (who, when, note) across reports. An open case stays
open until a person closes it here, or an audit re-runs the detection over
logs that cover the finding's window and does not find it again
("resolved"). Cases are named by their fingerprint or its first 8+ digits.`,
	}
	c.AddCommand(findingsListCmd(g), findingsShowCmd(g), findingsSetStateCmd(g), findingsNoteCmd(g))
	return c
}

func loadCaseFile(g *globals) (string, *audit.CaseFile, *time.Location, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return "", nil, nil, err
	}
	cf, err := audit.LoadCases(cfg.Report.Cases)
	return cfg.Report.Cases, cf, cfg.Location, err
}

func findingsListCmd(g *globals) *cobra.Command {
	var state string
	var all bool
	c := &cobra.Command{
		Use:   "list [--state STATE | --all]",
		Short: "List cases (default: the open ones)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if state != "" && !slices.Contains(audit.CaseStates, state) {
				return usageError{fmt.Errorf("--state %q: want one of %s", state, strings.Join(audit.CaseStates, ", "))}
			}
			_, cf, loc, err := loadCaseFile(g)
			if err != nil {
				return err
			}
			var out []audit.Case
			for _, cs := range cf.Cases {
				switch {
				case state != "" && cs.State != state:
				case state == "" && !all && audit.CaseClosed(cs.State):
				default:
					out = append(out, cs)
				}
			}
			if g.jsonOut {
				if out == nil {
					out = []audit.Case{}
				}
				return g.printJSON(map[string]any{"cases": out, "revision": cf.Revision})
			}
			if len(out) == 0 {
				fmt.Fprintf(g.stdout, "no cases (register revision %d, %d cases in all)\n", cf.Revision, len(cf.Cases))
				return nil
			}
			tw := tabwriter.NewWriter(g.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CASE\tSEVERITY\tSTATE\tDETECTION\tUSER\tOPENED\tLAST FOUND")
			for _, cs := range out {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cs.Fingerprint[:12], cs.Severity, cs.State, cs.Detection,
					orDash(cs.User), day(cs.Opened, loc), day(cs.LastObserved, loc))
			}
			return tw.Flush()
		},
	}
	c.Flags().StringVar(&state, "state", "", "only cases in this state")
	c.Flags().BoolVar(&all, "all", false, "closed cases too")
	return c
}

func findingsShowCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show CASE",
		Short: "Show a case and its history",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, cf, loc, err := loadCaseFile(g)
			if err != nil {
				return err
			}
			cs, err := cf.Find(args[0])
			if err != nil {
				return usageError{err}
			}
			if g.jsonOut {
				return g.printJSON(cs)
			}
			w := g.stdout
			fmt.Fprintf(w, "case %s\n  %s (%s, %s)\n  state: %s\n", cs.Fingerprint, cs.Title, cs.Detection, cs.Severity, cs.State)
			if cs.User != "" || cs.Key != "" {
				fmt.Fprintf(w, "  user: %s  key: %s\n", orDash(cs.User), orDash(cs.Key))
			}
			fmt.Fprintf(w, "  window: %s – %s\n  opened %s, last found %s, last re-evaluated %s\n", stamp(cs.WindowStart, loc), stamp(cs.WindowEnd, loc),
				stamp(cs.Opened, loc), stamp(cs.LastObserved, loc), stamp(cs.LastEvaluated, loc))
			if d, ok := cs.TimeToClose(); ok {
				fmt.Fprintf(w, "  closed %s after %s\n", stamp(*cs.Closed, loc), d.Round(time.Minute))
			}
			fmt.Fprintln(w, "  history:")
			for _, h := range cs.History {
				what := "note"
				if h.To != "" {
					what = orDash(h.From) + " → " + h.To
				}
				fmt.Fprintf(w, "    %s  %-22s %s", stamp(h.At, loc), what, h.By)
				if h.Note != "" {
					fmt.Fprintf(w, ": %s", h.Note)
				}
				fmt.Fprintln(w)
			}
			return nil
		},
	}
}

func findingsSetStateCmd(g *globals) *cobra.Command {
	var by, note string
	c := &cobra.Command{
		Use:   "set-state CASE STATE --note TEXT [--by WHO]",
		Short: "Move a case to another state (closing or notifying needs --note)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return editCase(g, args[0], by, func(cs *audit.Case, who string, now time.Time) error {
				return cs.SetState(args[1], who, note, now)
			})
		},
	}
	c.Flags().StringVar(&by, "by", "", "who makes the change (default the OS user)")
	c.Flags().StringVar(&note, "note", "", "reason, ticket or notification reference")
	return c
}

func findingsNoteCmd(g *globals) *cobra.Command {
	var by string
	c := &cobra.Command{
		Use:   "note CASE TEXT [--by WHO]",
		Short: "Add a note to a case's history",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return editCase(g, args[0], by, func(cs *audit.Case, who string, now time.Time) error {
				return cs.AddNote(who, args[1], now)
			})
		},
	}
	c.Flags().StringVar(&by, "by", "", "who writes the note (default the OS user)")
	return c
}

func editCase(g *globals, id, by string, change func(*audit.Case, string, time.Time) error) error {
	path, cf, loc, err := loadCaseFile(g)
	if err != nil {
		return err
	}
	cs, err := cf.Find(id)
	if err != nil {
		return usageError{err}
	}
	if by == "" {
		by = osUser()
	}
	now := time.Now().UTC()
	if err := change(cs, by, now); err != nil {
		if errors.Is(err, audit.ErrCases) {
			return usageError{err}
		}
		return err
	}
	fp, state := cs.Fingerprint, cs.State
	if err := audit.SaveCases(path, cf, now); err != nil {
		return err
	}
	if g.jsonOut {
		c, _ := cf.Find(fp)
		return g.printJSON(c)
	}
	fmt.Fprintf(g.stdout, "case %s: %s (register revision %d, %s)\n", fp[:12], state, cf.Revision, stamp(now, loc))
	return nil
}

func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return ""
}

func day(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("2006-01-02")
}

func stamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

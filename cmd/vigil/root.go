package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/vigil-dg/vigil/stages/verify"
)

// globals are the flags every command shares.
type globals struct {
	configPath string
	logFormat  string
	logLevel   string
	jsonOut    bool
	noProgress bool
	// started is set once cobra has parsed the command line and runs the
	// command: an error before that is a usage error.
	started bool

	stdin          io.Reader
	stdout, stderr io.Writer
	log            *slog.Logger
	bar            *progress

	// verifyOut receives the results of a verify stage run by the verify command.
	verifyOut *[]*verify.Result
	// coverageOut receives the verify coverage summary of that run.
	coverageOut **verify.CoverageSummary
	// auditOut receives the outcome of an audit stage run by the audit command.
	auditOut *auditOutcome
	// auditFrom and auditTo fix the audit period (vigil demo: the period of its logs).
	auditFrom, auditTo time.Time
}

// execute runs the CLI and returns the process exit code. It is the one place
// that turns an error into what the user sees (see contract.go): every
// command, present and future, gets the same exit codes, the same human error
// on stderr and, with --json, the same error object on stdout.
func execute(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := &countingWriter{w: terminalSafe(stdout)}
	g := &globals{stdin: stdin, stdout: out, stderr: stderr}
	root := newRoot(g)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil && !g.started {
		// Cobra failed before the command ran: an unknown command or flag,
		// a wrong number of arguments, a missing required flag.
		err = asUsage(err)
		g.jsonOut = g.jsonOut || wantsJSON(args)
	}
	return finish(ctx, g, cmd, out, err)
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "vigil",
		Short: "Data-governance batch pipeline for CRM data",
		Long: `Vigil takes a consistent, encrypted copy of CRM data every night, finds the
personal data in it, protects it for analysts, proves that the backups
restore, and writes the compliance audit a data-protection officer signs.

Start with "vigil demo" (no configuration needed) or "vigil init".`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			g.started = true
			if err := cmd.ValidateRequiredFlags(); err != nil {
				return usageError{err}
			}
			if err := cmd.ValidateFlagGroups(); err != nil {
				return usageError{err}
			}
			return g.setup()
		},
		Version: version().short(),
	}
	pf := root.PersistentFlags()
	def := os.Getenv("VIGIL_CONFIG")
	if def == "" {
		def = "vigil.yaml"
	}
	pf.StringVarP(&g.configPath, "config", "c", def, "configuration file (env VIGIL_CONFIG)")
	pf.StringVar(&g.logFormat, "log-format", "text", "log format: text or json")
	pf.StringVar(&g.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	pf.BoolVar(&g.jsonOut, "json", false, "print machine-readable JSON on stdout")
	pf.BoolVar(&g.noProgress, "no-progress", false, "never draw a progress bar")
	root.AddCommand(commands(g)...)
	root.AddCommand(versionCmd(g))
	root.SetFlagErrorFunc(flagError)
	root.SetVersionTemplate("{{.Version}}\n")
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	enforceContract(root)
	root.AddCommand(rejectsCmd(g))
	return root
}

// setup builds the logger and the progress bar from the global flags.
func (g *globals) setup() error {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(g.logLevel)); err != nil {
		return usageError{fmt.Errorf("--log-level %q: want debug, info, warn or error", g.logLevel)}
	}
	opts := &slog.HandlerOptions{Level: lvl}
	g.bar = newProgress(g.stderr, !g.noProgress && g.logFormat == "text")
	logTo := g.bar.logWriter() // a log line never starts on the progress line
	switch g.logFormat {
	case "text":
		g.log = slog.New(slog.NewTextHandler(logTo, opts))
	case "json":
		g.log = slog.New(slog.NewJSONHandler(logTo, opts))
	default:
		return usageError{fmt.Errorf("--log-format %q: want text or json", g.logFormat)}
	}
	return nil
}

// printJSON writes v as indented JSON on stdout.
func (g *globals) printJSON(v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// interactive reports whether stdin is a terminal.
func (g *globals) interactive() bool {
	f, ok := g.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// usageError marks a mistake in the command line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

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

	stdin          io.Reader
	stdout, stderr io.Writer
	log            *slog.Logger
	bar            *progress

	// verifyOut receives the results of a verify stage run by the verify command.
	verifyOut *[]*verify.Result
	// auditOut receives the outcome of an audit stage run by the audit command.
	auditOut *auditOutcome
	// auditFrom and auditTo fix the audit period (vigil demo: the period of its logs).
	auditFrom, auditTo time.Time
}

// execute runs the CLI and returns the process exit code.
func execute(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := &globals{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRoot(g)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(ctx, err)
	if g.log != nil {
		g.log.Error("vigil failed", "error", err.Error(), "exit_code", code)
	} else {
		fmt.Fprintf(stderr, "vigil: %v\n", err)
	}
	return code
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
			return g.setup()
		},
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
	root.AddCommand(rejectsCmd(g))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	return root
}

// setup builds the logger and the progress bar from the global flags.
func (g *globals) setup() error {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(g.logLevel)); err != nil {
		return usageError{fmt.Errorf("--log-level %q: want debug, info, warn or error", g.logLevel)}
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch g.logFormat {
	case "text":
		g.log = slog.New(slog.NewTextHandler(g.stderr, opts))
	case "json":
		g.log = slog.New(slog.NewJSONHandler(g.stderr, opts))
	default:
		return usageError{fmt.Errorf("--log-format %q: want text or json", g.logFormat)}
	}
	g.bar = newProgress(g.stderr, !g.noProgress && g.logFormat == "text")
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

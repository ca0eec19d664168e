package main

// The CLI contract (README, "Exit codes" and "Machine-readable output"):
//
//   - the exit code comes from exitCode, the one map from errors to codes;
//   - an error is printed for humans on stderr, as "vigil: " and the
//     message, multi-line messages intact, control characters made visible;
//     it is not squeezed into a log line;
//   - with --json, stdout holds exactly one JSON document: the command's
//     result, or, when the command failed before it printed one, an error
//     object {"error": {...}} whose schema is errorDoc;
//   - a mistake in the command line (unknown command or flag, wrong number
//     of arguments, missing subcommand) is a usage error, exit code 2, with
//     "did you mean" suggestions where a name is close.
//
// All of it is applied here, centrally, so a new command inherits it by being
// registered in commands().

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/vigil-dg/vigil/internal/termsafe"
)

// errorDoc is the JSON object printed on stdout with --json when a command
// fails without having printed its own result. Its fields are stable.
type errorDoc struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	// Kind names the exit code: usage, failed, verify, keys, locked,
	// timeout, findings or interrupted.
	Kind string `json:"kind"`
	// ExitCode is the process exit code.
	ExitCode int `json:"exit_code"`
	// Command is the command that failed, e.g. "vigil config validate".
	Command string `json:"command"`
	// Message is the whole error text, as printed on stderr.
	Message string `json:"message"`
	// Lines is Message split into its lines (a config with several
	// problems gives one line per problem).
	Lines []string `json:"lines"`
	// Suggestions are close command names, for an unknown command.
	Suggestions []string `json:"suggestions,omitempty"`
}

// exitKinds names each exit code in errorBody.Kind.
var exitKinds = map[int]string{
	exitOK: "ok", exitFailed: "failed", exitUsage: "usage", exitVerify: "verify", exitKeys: "keys",
	exitLocked: "locked", exitTimeout: "timeout", exitFindings: "findings", exitInterrupted: "interrupted",
}

// finish prints err for humans (and, with --json, as an error object if the
// command printed nothing on stdout) and returns the exit code.
func finish(ctx context.Context, g *globals, cmd *cobra.Command, out *countingWriter, err error) int {
	if err == nil {
		if g.jsonOut && out.n == 0 && g.started {
			// Every command answers --json with one document.
			if jerr := g.printJSON(map[string]any{"ok": true, "command": commandPath(cmd)}); jerr != nil {
				return exitFailed
			}
		}
		return exitOK
	}
	code := exitCode(ctx, err)
	msg := termsafe.String(err.Error(), true)
	fmt.Fprintf(g.stderr, "vigil: %s\n", msg)
	var ue usageError
	if errors.As(err, &ue) && cmd != nil && !g.jsonOut {
		fmt.Fprintf(g.stderr, "Run '%s --help' for usage.\n", commandPath(cmd))
	}
	if g.log != nil && g.logFormat == "json" {
		// Machines reading JSON logs get the error as a record too; a
		// stop by SIGTERM/SIGINT is a normal end, not an error.
		if code == exitInterrupted {
			g.log.Info("vigil stopped", "reason", err.Error(), "exit_code", code)
		} else {
			g.log.Error("vigil failed", "error", err.Error(), "exit_code", code)
		}
	}
	if g.jsonOut && out.n == 0 {
		kind := exitKinds[code]
		if kind == "" {
			kind = "failed"
		}
		doc := errorDoc{Error: errorBody{Kind: kind, ExitCode: code, Command: commandPath(cmd), Message: msg,
			Lines: strings.Split(msg, "\n")}}
		var se suggestError
		if errors.As(err, &se) {
			doc.Error.Suggestions = se.suggestions
		}
		_ = g.printJSON(doc)
	}
	return code
}

func commandPath(cmd *cobra.Command) string {
	if cmd == nil {
		return "vigil"
	}
	return cmd.CommandPath()
}

// asUsage marks an error cobra returned before running a command as a usage
// error (exit code 2).
func asUsage(err error) error {
	var ue usageError
	if errors.As(err, &ue) {
		return err
	}
	return usageError{err}
}

// suggestError is an unknown command with the close names.
type suggestError struct {
	msg         string
	suggestions []string
}

func (e suggestError) Error() string { return e.msg }

// enforceContract walks the command tree: every command that only groups
// subcommands rejects a missing or unknown subcommand with a usage error and
// suggestions (cobra prints help and exits 0 there), and required flags are
// checked before the command runs, as usage errors.
func enforceContract(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.SuggestionsMinimumDistance = 2
		if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
			c.Args = cobra.ArbitraryArgs
			c.RunE = groupRunE
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// groupRunE runs for a command that only groups subcommands.
func groupRunE(c *cobra.Command, args []string) error {
	var names []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	sort.Strings(names)
	if len(args) == 0 {
		if c.HasParent() {
			return usageError{fmt.Errorf("%q needs a subcommand: %s", c.CommandPath(), strings.Join(names, ", "))}
		}
		return usageError{fmt.Errorf("no command given; commands: %s (vigil --help explains them)", strings.Join(names, ", "))}
	}
	sugg := c.SuggestionsFor(args[0])
	msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
	if len(sugg) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(sugg, "\n\t")
	}
	msg += "\n\nCommands: " + strings.Join(names, ", ")
	return usageError{suggestError{msg: msg, suggestions: sugg}}
}

// flagError is the root's flag error function: a usage error, with the
// close flag names for an unknown flag.
func flagError(c *cobra.Command, err error) error {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return usageError{err}
	}
	var sugg []string
	seen := map[string]bool{}
	visit := func(f *pflag.Flag) {
		if !seen[f.Name] && !f.Hidden && (distance(name, f.Name) <= 2 || strings.HasPrefix(f.Name, name)) {
			seen[f.Name] = true
			sugg = append(sugg, "--"+f.Name)
		}
	}
	c.Flags().VisitAll(visit)
	c.InheritedFlags().VisitAll(visit)
	if len(sugg) == 0 {
		return usageError{err}
	}
	sort.Strings(sugg)
	return usageError{suggestError{msg: err.Error() + "\n\nDid you mean this?\n\t" + strings.Join(sugg, "\n\t"), suggestions: sugg}}
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// wantsJSON reports whether args ask for --json, for errors found before
// the flags were parsed.
func wantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "--json" || a == "--json=true" {
			return true
		}
	}
	return false
}

// terminalSafe wraps w, when it is a terminal, so that control and format
// characters from data (a CSV header holding "\x1b[2J", a bidi override) are
// shown escaped instead of acted upon. Newlines and tabs pass.
func terminalSafe(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &safeWriter{w: w}
	}
	return w
}

// safeWriter applies termsafe.String to everything written, keeping an
// incomplete UTF-8 sequence at the end of a write for the next one.
type safeWriter struct {
	w    io.Writer
	tail []byte
}

func (s *safeWriter) Write(p []byte) (int, error) {
	buf := append(s.tail, p...)
	cut := len(buf)
	// Keep back at most 3 bytes of a rune that is not complete yet.
	for i := len(buf) - 1; i >= 0 && i >= len(buf)-3; i-- {
		if utf8.RuneStart(buf[i]) {
			if !utf8.FullRune(buf[i:]) {
				cut = i
			}
			break
		}
	}
	s.tail = append([]byte(nil), buf[cut:]...)
	if _, err := io.WriteString(s.w, termsafe.String(string(buf[:cut]), true)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// countingWriter counts what a command printed on stdout, so that --json
// prints an error object only when the command has not printed its result.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

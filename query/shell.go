package query

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Prompts of the interactive shell.
const (
	Prompt     = "vigil> "
	PromptMore = "   ...> "
)

// ShellOptions configure Shell.
type ShellOptions struct {
	In  io.Reader
	Out io.Writer // results and prompts
	Err io.Writer // errors and notes
	// Interactive prompts for input and goes on after an error. Otherwise
	// In is a script: the first failing statement ends it with a
	// *ScriptError naming its line.
	Interactive bool
	Name        string // the script's name in errors; default "stdin"
}

// shellHelp lists the dot commands.
const shellHelp = `Statements end with ';' and may span lines. Only reading statements run.
  .tables           list the datasets
  .schema [TABLE]   columns, types and protections of one or all datasets
  .mode [FORMAT]    show or set the output format: table, csv, json, ndjson
  .help             this text
  .quit             leave (also .exit or end of input)
`

// Shell reads statements from In and runs each with Exec: an interactive
// shell (a prompt, statements that end with ';', dot commands) or a
// script. Lines starting with '.' outside a statement are dot commands.
func (s *Session) Shell(ctx context.Context, o ShellOptions) error {
	if o.Name == "" {
		o.Name = "stdin"
	}
	if o.Err == nil {
		o.Err = io.Discard
	}
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		defer close(lines)
		br := bufio.NewReader(o.In)
		for {
			line, err := br.ReadString('\n')
			if line != "" {
				select {
				case lines <- line:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				if err != io.EOF {
					readErr <- err
				}
				return
			}
		}
	}()

	if o.Interactive {
		fmt.Fprintf(o.Out, "vigil query: %d datasets (%s). Every query is logged. Type .help for help.\n",
			len(s.Tables()), strings.Join(s.Tables(), ", "))
	}
	var buf strings.Builder
	bufLine, lineNo := 1, 0

	// run executes one statement; a non-nil error ends the shell.
	run := func(st stmt) error {
		stats, err := s.Exec(ctx, st.text, o.Out)
		if err == nil {
			if stats.Truncated && s.Format() != FormatTable {
				fmt.Fprintf(o.Err, "note: only the first %d rows were written (row limit)\n", stats.Rows)
			}
			return nil
		}
		if errors.Is(err, ErrAccessLog) || ctx.Err() != nil {
			return err
		}
		line := bufLine + st.line - 1
		if !o.Interactive {
			return &ScriptError{Name: o.Name, Line: line, Err: err}
		}
		fmt.Fprintf(o.Err, "Error: %v\n", err)
		return nil
	}

	for {
		if o.Interactive {
			if blank(buf.String()) {
				io.WriteString(o.Out, Prompt)
			} else {
				io.WriteString(o.Out, PromptMore)
			}
		}
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return ctx.Err()
		case line, ok = <-lines:
		}
		if !ok {
			select {
			case err := <-readErr:
				return fmt.Errorf("query: reading %s: %w", o.Name, err)
			default:
			}
			if o.Interactive {
				io.WriteString(o.Out, "\n")
			}
			for _, st := range statements(buf.String()) {
				if err := run(st); err != nil {
					return err
				}
			}
			return nil
		}
		lineNo++
		if blank(buf.String()) && strings.HasPrefix(strings.TrimSpace(line), ".") {
			buf.Reset()
			bufLine = lineNo + 1
			quit, err := s.dot(ctx, strings.TrimSpace(line), o)
			if err != nil {
				if errors.Is(err, ErrAccessLog) || ctx.Err() != nil {
					return err
				}
				if !o.Interactive {
					return &ScriptError{Name: o.Name, Line: lineNo, Err: err}
				}
				fmt.Fprintf(o.Err, "Error: %v\n", err)
			}
			if quit {
				return nil
			}
			continue
		}
		buf.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			buf.WriteByte('\n')
		}
		text := buf.String()
		stmts, rest := split(text)
		for _, st := range stmts {
			if err := run(st); err != nil {
				return err
			}
		}
		if len(stmts) > 0 {
			bufLine += strings.Count(text[:rest], "\n")
			buf.Reset()
			buf.WriteString(text[rest:])
		}
		if blank(buf.String()) {
			buf.Reset()
			bufLine = lineNo + 1
		}
	}
}

// dot runs a dot command; quit reports .quit.
func (s *Session) dot(ctx context.Context, line string, o ShellOptions) (quit bool, err error) {
	f := strings.Fields(line)
	switch f[0] {
	case ".quit", ".exit", ".q":
		return true, nil
	case ".help", ".h":
		_, err = io.WriteString(o.Out, shellHelp)
	case ".tables":
		for _, t := range s.Tables() {
			fmt.Fprintln(o.Out, printable(t))
		}
	case ".schema":
		tables := f[1:]
		if len(tables) == 0 {
			tables = s.Tables()
		}
		for i, t := range tables {
			if i > 0 {
				fmt.Fprintln(o.Out)
			}
			if err := s.Schema(ctx, t, o.Out); err != nil {
				return false, err
			}
		}
	case ".mode":
		if len(f) == 1 {
			fmt.Fprintln(o.Out, s.Format())
			return false, nil
		}
		return false, s.SetFormat(f[1])
	default:
		return false, fmt.Errorf("query: unknown command %s (try .help)", f[0])
	}
	return false, err
}

package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/query"
)

func queryCmd(g *globals) *cobra.Command {
	var format string
	var maxRows int
	c := &cobra.Command{
		Use:   "query [SQL]",
		Short: "Query the anonymized datasets with SQL (every query is logged)",
		Long: `Open the anonymized datasets (<home>/datasets/<table>/) in DuckDB as views named
after their tables and run SQL over them. Raw snapshots and every other file
stay out of reach: only statements that read (SELECT, WITH, FROM, DESCRIBE,
SHOW, SUMMARIZE, EXPLAIN) run, and the engine is locked so that SQL can open
no file but the datasets' Parquet files.

With SQL as the argument, run it and print the result. Without it, read
statements from standard input: an interactive shell on a terminal
(statements end with ';'; .tables, .schema TABLE, .mode FORMAT, .quit), else
a script that stops at the first failing statement.

Every statement is appended to <home>/logs/query.jsonl: time, user (the OS
account of the process; $VIGIL_USER is only a display label beside it), host,
session, statement type, tables, rows returned, status and a SHA-256 of the
SQL (never its text). The audit counts the rows returned as exported records.`,
		Example: `  vigil query "SELECT city, count(*) FROM customers GROUP BY ALL"
  vigil query --format csv "FROM orders" > orders.csv
  vigil query < report.sql
  vigil query`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("format") && g.jsonOut {
				format = query.FormatResult
			}
			f, err := query.ParseFormat(format)
			if err != nil {
				return usageError{fmt.Errorf("--format %q: want %s", format, strings.Join(query.Formats, ", "))}
			}
			cfg, err := g.loadConfigAsReader()
			if err != nil {
				return err
			}
			// A reader that stops early (vigil query ... | head) must not
			// kill the process before the query is logged: with SIGPIPE
			// ignored the write fails with EPIPE and Exec still logs.
			signal.Ignore(syscall.SIGPIPE)
			p := cfg.Paths()
			s, err := query.Open(cmd.Context(), query.Options{
				Datasets: p.Datasets,
				LogPath:  query.LogPath(p.Home),
				Label:    os.Getenv("VIGIL_USER"),
				Format:   f,
				MaxRows:  maxRows,
				Logger:   g.log,
				TimeZone: cfg.Location.String(), // timestamps shown in the config's zone
			})
			if err != nil {
				return err
			}
			err = runQuery(cmd, g, s, strings.Join(args, " "))
			return errors.Join(err, s.Close())
		},
	}
	c.Flags().StringVar(&format, "format", query.FormatTable, "output format: "+strings.Join(query.Formats, ", ")+" (--json: json)")
	c.Flags().IntVar(&maxRows, "max-rows", 0, fmt.Sprintf("rows to print at most; 0: %d for table, all otherwise; -1: all", query.DefaultTableRows))
	return c
}

// runQuery runs one statement, the interactive shell or a script.
func runQuery(cmd *cobra.Command, g *globals, s *query.Session, sql string) error {
	ctx := cmd.Context()
	switch {
	case strings.TrimSpace(sql) != "":
		st, err := s.Exec(ctx, sql, g.stdout)
		if errors.Is(err, syscall.EPIPE) {
			return nil // the reader stopped early (| head); the log has the query
		}
		if errors.Is(err, query.ErrMultipleStatements) {
			return fmt.Errorf("%w: give one statement as the argument, or several on standard input", err)
		}
		if err != nil {
			return err
		}
		if st.Truncated && s.Format() != query.FormatTable {
			fmt.Fprintf(g.stderr, "vigil: only the first %d rows were written (--max-rows)\n", st.Rows)
		}
		return nil
	case g.interactive():
		return s.Shell(ctx, query.ShellOptions{In: g.stdin, Out: g.stdout, Err: g.stderr, Interactive: true})
	default:
		return s.Shell(ctx, query.ShellOptions{In: g.stdin, Out: g.stdout, Err: g.stderr, Name: "stdin"})
	}
}

package query

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestShellInteractive(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{})
	in := strings.Join([]string{
		".tables",
		".mode",
		"SELECT order_id, amount",
		"  FROM orders",
		"  ORDER BY order_id LIMIT 2; SELECT 'a;b' AS s;",
		"SELEC 1;",
		".mode csv",
		"SELECT count(*) AS n FROM customers;",
		".mode xml",
		".nope",
		"DROP VIEW orders;",
		".schema orders",
		".quit",
		"SELECT 'never run';",
	}, "\n") + "\n"
	var out, errs bytes.Buffer
	err := s.Shell(context.Background(), ShellOptions{In: strings.NewReader(in), Out: &out, Err: &errs, Interactive: true})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "shell.out", out.String())
	golden(t, "shell.err", errs.String())
	if n := len(logEntries(t, h.logPath)); n != 5 {
		t.Errorf("%d log lines, want 5 (dot commands are not logged)", n)
	}
}

func TestShellScript(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{Format: FormatCSV})
	var out bytes.Buffer
	script := "-- report\nSELECT count(*) AS n FROM orders;\n\nSELECT 1 AS one;\nSELECT\n  nope\nFROM orders;\nSELECT 'not reached';\n"
	err := s.Shell(context.Background(), ShellOptions{In: strings.NewReader(script), Out: &out, Name: "report.sql"})
	var se *ScriptError
	if !errors.As(err, &se) || se.Line != 5 || se.Name != "report.sql" || !errors.Is(err, ErrSQL) {
		t.Fatalf("got %v, want a ScriptError at report.sql:5", err)
	}
	if !strings.HasPrefix(err.Error(), "report.sql:5: Binder Error") {
		t.Errorf("message: %v", err)
	}
	if out.String() != "n\r\n5\r\none\r\n1\r\n" {
		t.Errorf("output %q", out.String())
	}

	// A last statement without ';' still runs; blank input is fine.
	out.Reset()
	if err := s.Shell(context.Background(), ShellOptions{In: strings.NewReader("SELECT 1 AS x;\nSELECT 2 AS y"), Out: &out}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "x\r\n1\r\ny\r\n2\r\n" {
		t.Errorf("output %q", out.String())
	}
	if err := s.Shell(context.Background(), ShellOptions{In: strings.NewReader("\n-- nothing\n"), Out: &out}); err != nil {
		t.Fatal(err)
	}
}

func TestShellCanceled(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, w := ioPipe()
	defer w.Close()
	err := s.Shell(ctx, ShellOptions{In: r, Out: &bytes.Buffer{}, Interactive: true})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v", err)
	}
}

package query

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestOpenViews(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{})
	if got := s.Tables(); !slices.Equal(got, []string{"customers", "orders"}) {
		t.Fatalf("tables %v, want customers and orders (hidden and undescribed directories skipped)", got)
	}
	out, st := run(t, s, "SELECT count(*) AS n FROM orders")
	if st.Rows != 1 || !strings.Contains(out, " 5\n") {
		t.Errorf("orders over two files: %q", out)
	}
	if !slices.Equal(st.Tables, []string{"orders"}) || st.Statement != "SELECT" || st.Columns != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		opts Options
		want error
	}{
		{"no datasets option", Options{LogPath: filepath.Join(dir, "q.jsonl")}, ErrOptions},
		{"no log", Options{Datasets: dir}, ErrOptions},
		{"missing root", Options{Datasets: filepath.Join(dir, "nope"), LogPath: filepath.Join(dir, "q.jsonl")}, ErrNoDatasets},
		{"empty root", Options{Datasets: dir, LogPath: filepath.Join(dir, "q.jsonl")}, ErrNoDatasets},
		{"bad format", Options{Datasets: dir, LogPath: filepath.Join(dir, "q.jsonl"), Format: "xml"}, ErrOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(ctx, tc.opts)
			if err == nil {
				s.Close()
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestFormatsGolden pins the output of each format.
func TestFormatsGolden(t *testing.T) {
	h := newHome(t)
	const q = "SELECT * FROM customers ORDER BY id"
	for _, f := range Formats {
		t.Run(f, func(t *testing.T) {
			s := open(t, h, Options{Format: f})
			out, st := run(t, s, q)
			if st.Rows != 5 || st.Truncated {
				t.Errorf("stats %+v", st)
			}
			golden(t, "customers."+f, out)
		})
	}
	t.Run("types", func(t *testing.T) {
		s := open(t, h, Options{Format: FormatJSON})
		out, _ := run(t, s, `SELECT 1.5::DECIMAL(10,2) AS dec, 170141183460469231731687303715884105727::HUGEINT AS huge,
			TIME '01:02:03.5' AS t, TIMESTAMPTZ '2024-01-02 03:04:05+02' AS tz, INTERVAL '1 year 2 months 3 days 04:05:06' AS iv,
			'\x00\xFFab'::BLOB AS blob, '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID AS id, [1, NULL, 3] AS list,
			{'a': 1, 'b': 'x'} AS st, MAP {'k': 1} AS m, 'nan'::DOUBLE AS nan, 'inf'::FLOAT AS inf, NULL AS nothing,
			1 AS dup, 2 AS dup, amount FROM orders ORDER BY order_id LIMIT 1`)
		golden(t, "types.json", out)
		var v []map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
	})
	t.Run("csv parses", func(t *testing.T) {
		s := open(t, h, Options{Format: FormatCSV})
		out, _ := run(t, s, q)
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 6 || recs[4][1] != "O'Brien, \"Jr\"\nline2" || recs[3][2] != "" {
			t.Errorf("csv round trip: %q", recs)
		}
	})
	t.Run("explain", func(t *testing.T) {
		s := open(t, h, Options{})
		out, st := run(t, s, "EXPLAIN SELECT * FROM orders")
		if st.Statement != "EXPLAIN" || !strings.Contains(out, "READ_PARQUET") || strings.Contains(out, `\n`) {
			t.Errorf("plan not printed as is: %s", out)
		}
	})
}

func TestRowLimit(t *testing.T) {
	h := newHome(t)
	for _, tc := range []struct {
		format    string
		maxRows   int
		rows      int64
		truncated bool
	}{
		{FormatTable, 0, DefaultTableRows, true},
		{FormatTable, 3, 3, true},
		{FormatTable, -1, 2500, false},
		{FormatCSV, 0, 2500, false},
		{FormatNDJSON, 10, 10, true},
		{FormatJSON, 2500, 2500, false},
	} {
		s := open(t, h, Options{Format: tc.format, MaxRows: tc.maxRows})
		out, st := run(t, s, "SELECT range AS i FROM range(2500)")
		if st.Rows != tc.rows || st.Truncated != tc.truncated {
			t.Errorf("%s max %d: rows %d truncated %v, want %d %v", tc.format, tc.maxRows, st.Rows, st.Truncated, tc.rows, tc.truncated)
		}
		if tc.format == FormatTable && tc.truncated && !strings.Contains(out, "more not shown") {
			t.Errorf("table output does not say it was cut: %s", out[len(out)-200:])
		}
	}
	s := open(t, h, Options{MaxRows: 2})
	out, _ := run(t, s, "SELECT * FROM orders ORDER BY order_id")
	golden(t, "orders.truncated.table", out)
}

func TestSchema(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{})
	var b bytes.Buffer
	if err := s.Schema(context.Background(), "CUSTOMERS", &b); err != nil {
		t.Fatal(err)
	}
	golden(t, "customers.schema", b.String())
	if err := s.Schema(context.Background(), "nope", &b); !errors.Is(err, ErrUnknownTable) {
		t.Errorf("unknown table: %v", err)
	}
}

// TestAccessLog checks one line per statement, its fields, and that the
// SQL text never reaches the log.
func TestAccessLog(t *testing.T) {
	h := newHome(t)
	t.Setenv("VIGIL_USER", "")
	s := open(t, h, Options{User: "analyst-7"})
	ctx := context.Background()
	var out bytes.Buffer
	queries := []struct {
		sql    string
		status string
		errCls string
		stmt   string
		tables []string
	}{
		{"SELECT id FROM customers WHERE name <> '" + secretLiteral + "' ORDER BY id;", StatusOK, "", "SELECT", []string{"customers"}},
		{"SELECT * FROM \"Orders\" o JOIN customers c ON c.id = o.customer_id", StatusOK, "", "SELECT", []string{"customers", "orders"}},
		{"SELECT * FROM query('SELECT * FROM orders')", StatusOK, "", "SELECT", []string{"orders"}},
		{"SELECT * FROM nope WHERE x = '" + secretLiteral + "'", StatusError, "Catalog", "SELECT", []string{}},
		{"SELEC '" + secretLiteral + "'", StatusError, "Parser", "UNKNOWN", []string{}},
		{"COPY customers TO '/tmp/" + secretLiteral + ".csv'", StatusError, "Permission", "COPY", []string{"customers"}},
		{"CREATE TABLE t AS SELECT * FROM customers", StatusDenied, "refused", "CREATE", []string{"customers"}},
		{"SELECT 1; SELECT 2", StatusError, "multiple statements", "SELECT", []string{}},
	}
	for _, q := range queries {
		out.Reset()
		s.Exec(ctx, q.sql, &out)
	}
	if _, err := s.Exec(ctx, "  -- nothing\n", &out); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty statement: %v", err)
	}
	raw, err := os.ReadFile(h.logPath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("Zhang")) || bytes.Contains(raw, []byte("13800138000")) || bytes.Contains(raw, []byte("SELECT *")) {
		t.Errorf("access log holds SQL text:\n%s", raw)
	}
	if fi, err := os.Stat(h.logPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("access log mode: %v %v", fi.Mode(), err)
	}
	entries := logEntries(t, h.logPath)
	if len(entries) != len(queries) {
		t.Fatalf("%d log lines for %d statements (the empty one is not logged)", len(entries), len(queries))
	}
	osUser := osAccount(os.Geteuid())
	if u, err := user.Current(); err == nil && os.Getuid() == os.Geteuid() && u.Username != osUser {
		t.Errorf("identity %q, user.Current %q", osUser, u.Username)
	}
	for i, e := range entries {
		q := queries[i]
		if e.Format != LogFormat || e.Action != "query" || e.User != osUser || e.Label != "analyst-7" || e.OSUser != "" || e.UID == nil || *e.UID != os.Geteuid() || e.Host != "testhost" ||
			e.Session != s.ID() || e.Output != FormatTable || e.Time.Location().String() != "UTC" {
			t.Errorf("line %d: %+v", i, e)
		}
		if e.Status != q.status || e.Error != q.errCls || e.Statement != q.stmt || !slices.Equal(e.Tables, q.tables) {
			t.Errorf("line %d: status %q error %q statement %q tables %v; want %q %q %q %v", i, e.Status, e.Error, e.Statement, e.Tables, q.status, q.errCls, q.stmt, q.tables)
		}
		if e.SQLSHA256 != sqlDigest(strings.TrimSpace(q.sql)) {
			t.Errorf("line %d: digest %s", i, e.SQLSHA256)
		}
		if e.DurationMS <= 0 {
			t.Errorf("line %d: duration %v", i, e.DurationMS)
		}
	}
	if entries[0].Rows != 5 || entries[1].Rows != 5 || entries[3].Rows != 0 {
		t.Errorf("rows: %d %d %d", entries[0].Rows, entries[1].Rows, entries[3].Rows)
	}
	// The raw line has exactly the documented keys.
	line := strings.SplitN(string(raw), "\n", 2)[0]
	var keys map[string]any
	if err := json.Unmarshal([]byte(line), &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"format", "time", "user", "uid", "label", "host", "session", "action", "statement", "sql_sha256", "tables", "rows", "output", "status", "duration_ms"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("log line lacks %q: %s", k, line)
		}
	}
}

// TestAccessLogRequired checks that a query fails when it cannot be logged.
func TestAccessLogRequired(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{})
	s.alog.close()
	_, err := s.Exec(context.Background(), "SELECT 1", &bytes.Buffer{})
	if !errors.Is(err, ErrAccessLog) {
		t.Fatalf("got %v, want ErrAccessLog", err)
	}
	if err := os.WriteFile(filepath.Join(h.dir, "logs-file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), Options{Datasets: h.datasets, LogPath: filepath.Join(h.dir, "logs-file", "query.jsonl")})
	if !errors.Is(err, ErrAccessLog) {
		t.Errorf("unwritable log: %v", err)
	}
}

// TestRefresh checks that a dataset added or replaced after Open is seen.
func TestRefresh(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{Format: FormatCSV})
	leads := filepath.Join(h.datasets, "leads")
	writeParquet(t, filepath.Join(leads, "part-00000.parquet"), ordersSchema, fillOrders(0, 1))
	writeFile(t, filepath.Join(leads, MetadataFile), "{}")
	out, _ := run(t, s, "SELECT count(*) AS n FROM leads")
	if out != "n\r\n1\r\n" {
		t.Errorf("new dataset: %q", out)
	}
	// Replace orders by one with a third file, as the anonymize stage does.
	writeParquet(t, filepath.Join(h.datasets, "orders", "part-00002.parquet"), ordersSchema, fillOrders(5, 4))
	out, _ = run(t, s, "SELECT count(*) AS n FROM orders")
	if out != "n\r\n9\r\n" {
		t.Errorf("replaced dataset: %q", out)
	}
	if got := s.Tables(); !slices.Equal(got, []string{"customers", "leads", "orders"}) {
		t.Errorf("tables %v", got)
	}
}

func TestSetFormat(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{})
	if err := s.SetFormat("JSONL"); err != nil || s.Format() != FormatNDJSON {
		t.Fatalf("%v %s", err, s.Format())
	}
	if err := s.SetFormat("xml"); !errors.Is(err, ErrOptions) {
		t.Errorf("xml: %v", err)
	}
	out, _ := run(t, s, "SELECT order_id FROM orders ORDER BY 1 LIMIT 2")
	if out != "{\"order_id\":100}\n{\"order_id\":101}\n" {
		t.Errorf("ndjson: %q", out)
	}
}

// TestSkippedDatasets checks that unusable directories are skipped with one
// warning each, and that an unreadable dataset does not make every
// statement rebuild the engine.
func TestSkippedDatasets(t *testing.T) {
	h := newHome(t)
	writeFile(t, filepath.Join(h.datasets, "broken", "part-00000.parquet"), "not parquet")
	writeFile(t, filepath.Join(h.datasets, "broken", MetadataFile), "{}")
	writeFile(t, filepath.Join(h.datasets, "empty", MetadataFile), "{}")
	writeFile(t, filepath.Join(h.datasets, "glob*", MetadataFile), "{}")
	writeFile(t, filepath.Join(h.datasets, "ORDERS", MetadataFile), "{}")
	if err := os.Symlink(filepath.Join(h.dir, "store"), filepath.Join(h.datasets, "linked")); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := open(t, h, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for range 3 {
		run(t, s, "SELECT count(*) FROM customers")
	}
	if got := s.Tables(); !slices.Equal(got, []string{"customers", "orders"}) {
		t.Errorf("tables %v", got)
	}
	text := logs.String()
	for _, dir := range []string{"broken", "empty", "glob*", "ORDERS", "linked", "raw_dump"} {
		if n := strings.Count(text, "dir="+filepath.Join(h.datasets, dir)+" "); n != 1 {
			t.Errorf("%s: %d warnings, want 1:\n%s", dir, n, text)
		}
	}
	if strings.Contains(text, "reloaded") {
		t.Errorf("engine rebuilt although nothing changed:\n%s", text)
	}
}

package query

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLockdown runs statements that try to read or write outside the
// datasets, reach the network or undo the lockdown. Each must fail through
// Exec and, unless marked vigilOnly, also when sent to DuckDB directly:
// the engine's locked configuration is the barrier, not only Vigil's
// statement check.
func TestLockdown(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{})
	ctx := context.Background()
	out := filepath.Join(h.dir, "out")
	lit := sqlString
	part := filepath.Join(h.datasets, "orders", "part-00000.parquet")
	cases := []struct {
		name string
		sql  string
		// vigilOnly marks what DuckDB alone would run: allowed_paths lets
		// it write the allowed files too, so only the statement check
		// keeps COPY from overwriting a dataset in place.
		vigilOnly bool
	}{
		{"raw snapshot", "SELECT * FROM read_parquet(" + lit(h.snapshot) + ")", false},
		{"raw snapshot glob", "SELECT * FROM read_parquet(" + lit(filepath.Join(h.dir, "store", "snapshots", "*", "*", "*.parquet")) + ")", false},
		{"snapshot via traversal", "SELECT * FROM read_parquet(" + lit(filepath.Join(h.datasets, "customers", "..", "..", "store", "snapshots", "customers", "20250304T050607Z-ab12", "data-00000.parquet")) + ")", false},
		{"hidden temporary dataset", "SELECT * FROM read_parquet(" + lit(h.hidden) + ")", false},
		{"directory without _vigil.json", "SELECT * FROM read_parquet(" + lit(h.notDataset) + ")", false},
		{"glob over datasets", "SELECT * FROM read_parquet(" + lit(filepath.Join(h.datasets, "*", "*.parquet")) + ")", false},
		{"list files", "SELECT * FROM glob(" + lit(filepath.Join(h.dir, "*")) + ")", false},
		{"passwd csv", "SELECT * FROM read_csv('/etc/passwd')", false},
		{"passwd text", "SELECT * FROM read_text('/etc/passwd')", false},
		{"passwd blob", "SELECT * FROM read_blob('/etc/passwd')", false},
		{"metadata json", "SELECT * FROM read_json(" + lit(filepath.Join(h.datasets, "customers", MetadataFile)) + ")", false},
		{"url", "SELECT * FROM read_parquet('https://example.com/x.parquet')", false},
		{"copy to", "COPY customers TO " + lit(filepath.Join(out, "c.csv")), false},
		{"copy into datasets", "COPY customers TO " + lit(filepath.Join(h.datasets, "customers", "part-00000.parquet")) + " (FORMAT parquet)", false},
		{"copy over a dataset file", "COPY orders TO " + lit(part) + " (FORMAT parquet, USE_TMP_FILE false)", true},
		{"copy from", "COPY customers FROM " + lit(h.snapshot), false},
		{"export", "EXPORT DATABASE " + lit(out), false},
		{"attach file", "ATTACH " + lit(filepath.Join(out, "x.duckdb")), false},
		{"install", "INSTALL httpfs", false},
		{"load", "LOAD httpfs", false},
		{"enable external access", "SET enable_external_access = true", false},
		{"unlock", "SET lock_configuration = false", false},
		{"widen paths", "SET allowed_directories = ['/']", false},
		{"reset paths", "RESET allowed_paths", false},
		{"pragma setting", "PRAGMA threads = 1", false},
		{"secret", "CREATE SECRET (TYPE s3, KEY_ID 'a', SECRET 'b')", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if _, err := s.Exec(ctx, tc.sql, &b); err == nil {
				t.Errorf("Exec ran it:\n%s", b.String())
			} else if !errors.Is(err, ErrRefused) && !errors.Is(err, ErrSQL) {
				t.Errorf("unexpected error %v", err)
			}
			if tc.vigilOnly {
				return
			}
			if _, err := s.eng.conn.ExecContext(ctx, tc.sql); err == nil {
				t.Errorf("DuckDB itself ran it")
			}
		})
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("something was written to %s: %v", out, err)
	}
	// The datasets are untouched and still readable.
	res, _ := run(t, s, "SELECT count(*) AS n FROM customers")
	if !strings.Contains(res, " 5\n") {
		t.Errorf("customers after the attempts: %s", res)
	}
	var names []string
	filepath.WalkDir(h.datasets, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, strings.TrimPrefix(p, h.datasets))
		}
		return nil
	})
	if len(names) != 7 {
		t.Errorf("dataset files changed: %v", names)
	}
	res, _ = run(t, s, "SELECT count(*) AS n FROM orders")
	if !strings.Contains(res, " 5\n") {
		t.Errorf("orders after the attempts: %s", res)
	}
}

// TestRefused checks Vigil's own statement checks: anything that is not a
// read is refused before it runs.
func TestRefused(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		sql  string
		want error
	}{
		{"CREATE TABLE t AS SELECT 1", ErrRefused},
		{"CREATE VIEW v AS SELECT 1", ErrRefused},
		{"CREATE OR REPLACE VIEW customers AS SELECT 1 AS id", ErrRefused},
		{"DROP VIEW customers", ErrRefused},
		{"INSERT INTO customers SELECT * FROM customers", ErrSQL},
		{"ATTACH ':memory:' AS m", ErrRefused},
		{"SET VARIABLE x = 1", ErrRefused},
		{"BEGIN", ErrRefused},
		{"CHECKPOINT", ErrRefused},
		{"CALL pragma_table_info('customers')", ErrRefused},
		{"PRAGMA enable_profiling", ErrRefused},
		{"EXPLAIN ANALYZE COPY customers TO '/tmp/vigil-never.csv'", ErrSQL},
		{"EXPLAIN ANALYZE COPY orders TO " + sqlString(filepath.Join(h.datasets, "orders", "part-00000.parquet")) + " (FORMAT parquet)", ErrRefused},
		{"EXPLAIN COPY orders TO " + sqlString(filepath.Join(h.datasets, "orders", "part-00000.parquet")) + " (FORMAT parquet)", ErrRefused},
		{"SELECT * FROM enable_profiling()", ErrRefused},
		{"SELECT * FROM ENABLE_LOGGING(storage = 'file', storage_path = '/tmp')", ErrRefused},
		{"SELECT * FROM query('SELECT * FROM enable_logging()')", ErrRefused},
		{"SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))", ErrRefused},
		{"SELECT 1; SELECT 2", ErrMultipleStatements},
		{"SELECT 1; COPY customers TO '/tmp/vigil-never.csv'", ErrMultipleStatements},
		{"PIVOT customers ON city USING count(*)", ErrSQL},
	} {
		var b bytes.Buffer
		_, err := s.Exec(ctx, tc.sql, &b)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.sql, err, tc.want)
		}
	}
	if _, err := os.Stat("/tmp/vigil-never.csv"); err == nil {
		t.Error("/tmp/vigil-never.csv was written")
	}
	// The session still works: profiling and logging were not switched on.
	out, _ := run(t, s, "SELECT count(*) AS n FROM customers")
	if !strings.HasPrefix(out, " n\n") {
		t.Errorf("after refusals: %q", out)
	}
	var re *RefusedError
	_, err := s.Exec(ctx, "DROP VIEW orders", &bytes.Buffer{})
	if !errors.As(err, &re) || re.Statement != "DROP" {
		t.Errorf("RefusedError: %#v", err)
	}
}

// TestAllowedReads checks the reading statements an analyst uses.
func TestAllowedReads(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{Format: FormatCSV})
	for _, q := range []string{
		"WITH c AS (SELECT * FROM customers) SELECT count(*) FROM c",
		"FROM orders",
		"DESCRIBE customers",
		"SHOW TABLES",
		"SUMMARIZE orders",
		"PRAGMA table_info('customers')",
		"VALUES (1), (2)",
		"TABLE orders",
		"EXPLAIN ANALYZE SELECT count(*) FROM orders",
		"EXPLAIN (FORMAT json) SELECT 1",
		"PIVOT customers ON active IN (true, false) USING count(*)",
		"SELECT * FROM read_parquet(" + sqlString(filepath.Join(h.datasets, "orders", "part-00001.parquet")) + ")",
		"SELECT * FROM query('SELECT 1')",
		"(SELECT 1)",
	} {
		var b bytes.Buffer
		if _, err := s.Exec(context.Background(), q, &b); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}

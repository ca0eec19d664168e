package query

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestResolvedGuard checks statements on what DuckDB resolves, not on their
// text: computed arguments of query() and query_table() are refused, and
// the tables they reach are logged.
func TestResolvedGuard(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		sql    string
		want   error // nil: runs
		tables []string
	}{
		{"SELECT * FROM query_table(concat('cust', 'omers'))", ErrRefused, nil},
		{"SELECT * FROM query(concat('SELECT * FROM cust', 'omers'))", ErrRefused, nil},
		{"SELECT * FROM query(concat('FROM enable_', 'profiling()'))", ErrRefused, nil},
		{"SELECT * FROM query(concat('FROM enable_peg_', 'parser()'))", ErrRefused, nil},
		{"SELECT * FROM query(concat('FROM truncate_duckdb_', 'logs()'))", ErrRefused, nil},
		{"SELECT * FROM query((SELECT 'SELECT 1'))", ErrSQL, nil}, // DuckDB's binder refuses it
		{"SELECT * FROM query_table((SELECT 'customers'))", ErrSQL, nil},
		{"SELECT * FROM query_table(lower('CUSTOMERS'))", ErrRefused, nil},
		{"SELECT * FROM \"QUERY_TABLE\"(concat('cust', 'omers'))", ErrRefused, nil},
		{"SELECT * FROM query('SELECT * FROM query(''SELECT * FROM query(''''SELECT * FROM query(''''''''SELECT 1'''''''')'''')'')')", ErrRefused, nil},
		{"SELECT * FROM query('SELECT * FROM query_table(concat(''cust'', ''omers''))')", ErrRefused, nil},
		{"EXPLAIN SELECT * FROM query_table(concat('cust', 'omers'))", ErrRefused, nil},
		{"SELECT * FROM query_table('customers')", nil, []string{"customers"}},
		{"SELECT * FROM query_table(['customers', 'orders'], true)", nil, []string{"customers", "orders"}},
		{"SELECT * FROM query('SELECT * FROM orders')", nil, []string{"orders"}},
		{"SELECT count(*) FROM \"Customers\"", nil, []string{"customers"}},
		{"PRAGMA table_info('customers')", nil, []string{"customers"}},
		{"SELECT * FROM query(NULL)", ErrSQL, nil},
	} {
		var b bytes.Buffer
		st, err := s.Exec(ctx, tc.sql, &b)
		switch {
		case tc.want == nil && err != nil:
			t.Errorf("%s: %v", tc.sql, err)
		case tc.want != nil && !errors.Is(err, tc.want):
			t.Errorf("%s: got %v, want %v", tc.sql, err, tc.want)
		case tc.want == nil && !slices.Equal(st.Tables, tc.tables):
			t.Errorf("%s: tables %v, want %v", tc.sql, st.Tables, tc.tables)
		}
	}
	// Nothing was switched on: the session still answers.
	out, _ := run(t, s, "SELECT count(*) AS n FROM customers")
	if !strings.HasPrefix(out, " n\n") {
		t.Errorf("after refusals: %q", out)
	}
}

// TestIdentityNotSpoofable checks that $VIGIL_USER (Options.Label) is only
// a label: the access log names the OS account of the effective uid.
func TestIdentityNotSpoofable(t *testing.T) {
	h := newHome(t)
	s := open(t, h, Options{Label: "departed.employee@example.cn", User: "someone.else@example.cn"})
	run(t, s, "SELECT * FROM customers")
	e := logEntries(t, h.logPath)
	if len(e) != 1 {
		t.Fatalf("%d entries", len(e))
	}
	want := osAccount(os.Geteuid())
	if e[0].User != want || e[0].Label != "departed.employee@example.cn" || e[0].UID == nil || *e[0].UID != os.Geteuid() {
		t.Errorf("entry %+v, want user %s", e[0], want)
	}
}

// FuzzGuard sends arbitrary statements through a session: none may crash
// the process, each is logged once, and none of the denied engine functions
// or a computed query()/query_table() argument ever runs.
func FuzzGuard(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM customers",
		"SELECT * FROM query_table(concat('cust', 'omers'))",
		"SELECT * FROM query(concat('FROM enable_', 'profiling()'))",
		"SELECT * FROM query('SELECT * FROM orders')",
		"EXPLAIN ANALYZE SELECT 1",
		"PRAGMA table_info('customers')",
		"SELECT * FROM query_table(['customers'])",
		"WITH q AS (SELECT 'x') SELECT * FROM q",
		"SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))",
		"SUMMARIZE customers",
	} {
		f.Add(s)
	}
	h := newHome(f)
	s, err := Open(context.Background(), Options{Datasets: h.datasets, LogPath: h.logPath, Host: "fuzz", Now: fakeClock(), MaxRows: 5})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, sql string) {
		if len(sql) > 4096 {
			return
		}
		var b bytes.Buffer
		st, err := s.Exec(context.Background(), sql, &b)
		if err == nil && st != nil {
			lower := strings.ToLower(sql)
			for name := range deniedCalls {
				if strings.Contains(lower, name) && !strings.Contains(lower, "'") {
					t.Errorf("%q ran although it names %s", sql, name)
				}
			}
		}
	})
}

package query

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []stmt
		rest string
	}{
		{"", nil, ""},
		{"SELECT 1", nil, "SELECT 1"},
		{"SELECT 1;", []stmt{{"SELECT 1", 1}}, ""},
		{";; SELECT 1 ; \n\n SELECT 2;x", []stmt{{"SELECT 1", 1}, {"SELECT 2", 3}}, "x"},
		{"SELECT ';' ;", []stmt{{"SELECT ';'", 1}}, ""},
		{"SELECT \"a;\" ;", []stmt{{"SELECT \"a;\"", 1}}, ""},
		{"SELECT 1 -- ;\n;", []stmt{{"SELECT 1 -- ;", 1}}, ""},
		{"SELECT /* ; /* ; */ ; */ 1;", []stmt{{"SELECT /* ; /* ; */ ; */ 1", 1}}, ""},
		{"SELECT $$;$$, $a$;$a$;", []stmt{{"SELECT $$;$$, $a$;$a$", 1}}, ""},
		{"SELECT E'\\';';", []stmt{{"SELECT E'\\';'", 1}}, ""},
		{"SELECT 'open;", nil, "SELECT 'open;"},
		{"-- only a comment\n", nil, "-- only a comment\n"},
	} {
		got, rest := split(tc.src)
		if !slices.Equal(got, tc.want) || tc.src[rest:] != tc.rest {
			t.Errorf("split(%q) = %+v, rest %q; want %+v, %q", tc.src, got, tc.src[rest:], tc.want, tc.rest)
		}
	}
	if got := statements("SELECT 1;\nSELECT 2"); len(got) != 2 || got[1] != (stmt{"SELECT 2", 2}) {
		t.Errorf("statements: %+v", got)
	}
	if !blank(" -- x\n /* y */ ") || blank("/* open") || blank("x") {
		t.Error("blank")
	}
}

func TestReferencedTables(t *testing.T) {
	names := []string{"customers", "orders", "客户", "odd-name"}
	for _, tc := range []struct {
		sql  string
		want []string
	}{
		{"SELECT * FROM customers", []string{"customers"}},
		{"select * from CUSTOMERS c join \"Orders\" o using (id)", []string{"customers", "orders"}},
		{"SELECT * FROM 客户", []string{"客户"}},
		{"SELECT * FROM \"odd-name\"", []string{"odd-name"}},
		{"SELECT * FROM read_parquet('/home/x/datasets/odd-name/part-00000.parquet')", []string{"odd-name"}},
		{"SELECT * FROM query('SELECT * FROM orders')", []string{"orders"}},
		{"SELECT 'customers_x' -- customers\n", []string{}},
		{"SELECT customer_id FROM orders_archive", []string{}},
	} {
		if got := referencedTables(tc.sql, names); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.sql, got, tc.want)
		}
	}
}

func TestExplainTarget(t *testing.T) {
	for _, tc := range []struct{ sql, want string }{
		{"EXPLAIN SELECT 1", "SELECT 1"},
		{"explain analyze COPY t TO 'x'", "COPY t TO 'x'"},
		{"EXPLAIN (FORMAT json) SELECT 1", "SELECT 1"},
		{"EXPLAIN ANALYZE (FORMAT json, ANALYZE) COPY t TO 'x'", "COPY t TO 'x'"},
		{"EXPLAIN (SELECT 1)", "(SELECT 1)"},
		{"EXPLAIN (WITH x AS (SELECT 1) SELECT * FROM x)", "(WITH x AS (SELECT 1) SELECT * FROM x)"},
		{"EXPLAIN", ""},
	} {
		got, ok := explainTarget(tc.sql)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%s: %q %v, want %q", tc.sql, got, ok, tc.want)
		}
	}
}

func TestLeadingKeyword(t *testing.T) {
	for sql, want := range map[string]string{
		"select 1": "SELECT", "  (SELECT 1)": "SELECT", "copy x to 'y'": "COPY", "Zhang San": "UNKNOWN", "'x'": "UNKNOWN", "": "UNKNOWN",
	} {
		if got := leadingKeyword(sql); got != want {
			t.Errorf("%q: %s, want %s", sql, got, want)
		}
	}
}

// FuzzLex checks that the scanner never panics, that statements are pieces
// of the input and that the helpers built on it hold up.
func FuzzLex(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "sql", "*.sql"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("EXPLAIN ANALYZE (FORMAT json) SELECT 1")
	f.Add("$a$ $ $$ e'\\' \"\"\" ''' /* /* */")
	f.Fuzz(func(t *testing.T, src string) {
		toks, _ := lex(src)
		last := -1
		for _, tk := range toks {
			if tk.pos <= last || tk.pos >= len(src) {
				t.Fatalf("token %+v out of order", tk)
			}
			last = tk.pos
		}
		stmts, rest := split(src)
		if rest < 0 || rest > len(src) {
			t.Fatalf("rest %d", rest)
		}
		for _, s := range stmts {
			if s.text == "" || !strings.Contains(src, s.text) || s.line < 1 {
				t.Fatalf("statement %q not in the input", s.text)
			}
		}
		if len(statements(src)) < len(stmts) {
			t.Fatal("statements lost one")
		}
		explainTarget(src)
		leadingKeyword(src)
		referencedTables(src, []string{"a", "customers"})
		precheck(src)
	})
}

package query

import (
	"sort"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// deniedCalls are table functions that a SELECT may call but that change the
// engine rather than read data: profiling prints to the process's standard
// output and logging reconfigures storage, both despite lock_configuration.
// json_execute_serialized_sql runs a statement this package cannot see.
// None of them reaches a file outside the datasets (the engine's lockdown
// holds), but they would corrupt the output or hide what ran.
var deniedCalls = map[string]string{
	"enable_profiling":            "changes the engine's profiling",
	"disable_profiling":           "changes the engine's profiling",
	"enable_logging":              "changes the engine's logging",
	"disable_logging":             "changes the engine's logging",
	"truncate_duckdb_logs":        "changes the engine's logging",
	"enable_peg_parser":           "changes the engine's parser",
	"disable_peg_parser":          "changes the engine's parser",
	"json_execute_serialized_sql": "runs a serialized statement",
}

// precheck checks what can be seen before DuckDB parses sql: that it is one
// statement and calls no denied function. It returns the statement's text
// without a closing semicolon.
func precheck(sql string) (string, error) {
	stmts := statements(sql)
	switch {
	case len(stmts) == 0:
		return "", ErrEmpty
	case len(stmts) > 1:
		return "", ErrMultipleStatements
	}
	var denied []string
	for name := range calls(stmts[0].text) {
		if _, ok := deniedCalls[name]; ok {
			denied = append(denied, name)
		}
	}
	if len(denied) > 0 {
		sort.Strings(denied)
		return "", &RefusedError{Statement: denied[0], Reason: deniedCalls[denied[0]]}
	}
	return stmts[0].text, nil
}

// explainTarget returns the statement that an EXPLAIN [ANALYZE] [(options)]
// statement explains, so that it can be checked too: EXPLAIN ANALYZE runs
// it.
func explainTarget(sql string) (string, bool) {
	toks, _ := lex(sql)
	if len(toks) == 0 || toks[0].kind != tokWord || !strings.EqualFold(toks[0].text, "explain") {
		return "", false
	}
	i := 1
	for i < len(toks) {
		t := toks[i]
		if t.kind == tokWord && isOneOf(t.text, "analyze", "analyse", "verbose") {
			i++
			continue
		}
		if t.kind == tokPunct && t.text == "(" && i+1 < len(toks) && toks[i+1].kind == tokWord &&
			!isOneOf(toks[i+1].text, "select", "with", "from", "values", "table", "describe", "show", "summarize", "pivot", "unpivot") {
			depth := 0
			for ; i < len(toks); i++ {
				if toks[i].kind == tokPunct && toks[i].text == "(" {
					depth++
				}
				if toks[i].kind == tokPunct && toks[i].text == ")" {
					depth--
					if depth == 0 {
						i++
						break
					}
				}
			}
			continue
		}
		break
	}
	if i >= len(toks) {
		return "", false
	}
	return sql[toks[i].pos:], true
}

func isOneOf(s string, words ...string) bool {
	for _, w := range words {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// stmtTypeNames names DuckDB's statement types as the access log records
// them.
var stmtTypeNames = map[duckdb.StmtType]string{
	duckdb.STATEMENT_TYPE_SELECT:       "SELECT",
	duckdb.STATEMENT_TYPE_INSERT:       "INSERT",
	duckdb.STATEMENT_TYPE_UPDATE:       "UPDATE",
	duckdb.STATEMENT_TYPE_EXPLAIN:      "EXPLAIN",
	duckdb.STATEMENT_TYPE_DELETE:       "DELETE",
	duckdb.STATEMENT_TYPE_PREPARE:      "PREPARE",
	duckdb.STATEMENT_TYPE_CREATE:       "CREATE",
	duckdb.STATEMENT_TYPE_EXECUTE:      "EXECUTE",
	duckdb.STATEMENT_TYPE_ALTER:        "ALTER",
	duckdb.STATEMENT_TYPE_TRANSACTION:  "TRANSACTION",
	duckdb.STATEMENT_TYPE_COPY:         "COPY",
	duckdb.STATEMENT_TYPE_ANALYZE:      "ANALYZE",
	duckdb.STATEMENT_TYPE_VARIABLE_SET: "VARIABLE_SET",
	duckdb.STATEMENT_TYPE_CREATE_FUNC:  "CREATE_FUNC",
	duckdb.STATEMENT_TYPE_DROP:         "DROP",
	duckdb.STATEMENT_TYPE_EXPORT:       "EXPORT",
	duckdb.STATEMENT_TYPE_PRAGMA:       "PRAGMA",
	duckdb.STATEMENT_TYPE_VACUUM:       "VACUUM",
	duckdb.STATEMENT_TYPE_CALL:         "CALL",
	duckdb.STATEMENT_TYPE_SET:          "SET",
	duckdb.STATEMENT_TYPE_LOAD:         "LOAD",
	duckdb.STATEMENT_TYPE_RELATION:     "RELATION",
	duckdb.STATEMENT_TYPE_EXTENSION:    "EXTENSION",
	duckdb.STATEMENT_TYPE_LOGICAL_PLAN: "LOGICAL_PLAN",
	duckdb.STATEMENT_TYPE_ATTACH:       "ATTACH",
	duckdb.STATEMENT_TYPE_DETACH:       "DETACH",
	duckdb.STATEMENT_TYPE_MULTI:        "MULTI",
}

func stmtTypeName(t duckdb.StmtType) string {
	if n, ok := stmtTypeNames[t]; ok {
		return n
	}
	return "UNKNOWN"
}

// leadingKeywords are the first words the access log may record for a
// statement DuckDB could not prepare. Any other first word is recorded as
// UNKNOWN: it might be data the analyst typed.
var leadingKeywords = []string{
	"SELECT", "WITH", "FROM", "VALUES", "TABLE", "DESCRIBE", "SHOW", "SUMMARIZE", "EXPLAIN", "PIVOT", "UNPIVOT",
	"PRAGMA", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "COPY", "EXPORT", "IMPORT", "ATTACH",
	"DETACH", "INSTALL", "LOAD", "SET", "RESET", "CALL", "BEGIN", "COMMIT", "ROLLBACK", "CHECKPOINT", "VACUUM",
	"ANALYZE", "USE", "PREPARE", "EXECUTE", "DEALLOCATE", "TRUNCATE", "MERGE", "UPSERT", "COMMENT",
}

// leadingKeyword returns the statement's first word when it is a SQL
// keyword, else UNKNOWN.
func leadingKeyword(sql string) string {
	toks, _ := lex(sql)
	for _, t := range toks {
		if t.kind == tokPunct && t.text == "(" {
			continue
		}
		if t.kind == tokWord {
			for _, k := range leadingKeywords {
				if strings.EqualFold(t.text, k) {
					return k
				}
			}
		}
		break
	}
	return "UNKNOWN"
}

// referencedTables returns the dataset names that sql mentions: as words,
// quoted identifiers, or inside string literals (paths, nested SQL). It is
// a best-effort superset: a column that shares a table's name counts too.
func referencedTables(sql string, names []string) []string {
	w := words(sql)
	out := []string{}
	for _, n := range names {
		if w[strings.ToLower(n)] {
			out = append(out, n)
		}
	}
	return out
}

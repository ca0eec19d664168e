package query

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// maxNestedQueries bounds how deep query('…query(”…”)…') may nest.
const maxNestedQueries = 3

// sqlRunners are the table functions that run SQL or name tables given as
// their arguments: what they reach depends on values, not on the text, so
// their arguments must be literals that this package checks in turn.
var sqlRunners = map[string]bool{"query": true, "query_table": true}

// resolved is what DuckDB's own parser says a statement reaches.
type resolved struct {
	tables map[string]bool // base tables and query_table() names, lower case
}

// resolve checks a SELECT on what DuckDB will run rather than on its text:
// it asks DuckDB for the statement's parse tree (json_serialize_sql) and
// walks it. Every function call is checked against the denied list under
// the name DuckDB resolved (quoting and case do not hide it); query() and
// query_table() must take string literals (or a list of them), and the SQL
// inside query() is resolved in turn, so that concat('cust', 'omers') or
// query(concat('FROM enable_', 'profiling()')) cannot reach what the text
// does not show. It returns the tables the statement names.
func resolve(ctx context.Context, c *duckdb.Conn, text string) (*resolved, error) {
	r := &resolved{tables: map[string]bool{}}
	return r, r.resolve(ctx, c, text, 0)
}

func (r *resolved) resolve(ctx context.Context, c *duckdb.Conn, text string, depth int) error {
	if depth > maxNestedQueries {
		return &RefusedError{Statement: "query", Reason: fmt.Sprintf("query() nested more than %d deep", maxNestedQueries)}
	}
	tree, err := parseTree(ctx, c, text)
	if errors.Is(err, errNoTree) && depth == 0 && !mentionsRunner(text) {
		// A SELECT-type statement DuckDB cannot serialize (PRAGMA
		// table_info, …) that names no SQL runner anywhere, not even in a
		// string: the text check is complete for it.
		return nil
	}
	if err != nil {
		return err
	}
	return r.walk(ctx, c, tree, depth)
}

// errNoTree: DuckDB cannot serialize the statement's parse tree.
var errNoTree = &RefusedError{Statement: "SELECT", Reason: "DuckDB cannot describe what the statement runs"}

// mentionsRunner reports whether sql calls query() or query_table(),
// including inside string literals.
func mentionsRunner(sql string) bool {
	for name := range calls(sql) {
		if sqlRunners[name] {
			return true
		}
	}
	return false
}

// parseTree returns DuckDB's JSON parse tree of a SELECT statement.
func parseTree(ctx context.Context, c *duckdb.Conn, text string) (any, error) {
	rows, err := c.QueryContext(ctx, "SELECT CAST(json_serialize_sql(CAST($1 AS VARCHAR)) AS VARCHAR)", []driver.NamedValue{{Ordinal: 1, Value: text}})
	if err != nil {
		return nil, sqlError(err)
	}
	defer rows.Close()
	dest := make([]driver.Value, 1)
	if err := rows.Next(dest); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &RefusedError{Statement: "SELECT", Reason: "DuckDB returned no parse tree"}
		}
		return nil, sqlError(err)
	}
	s, ok := dest[0].(string)
	if !ok {
		return nil, &RefusedError{Statement: "SELECT", Reason: "DuckDB returned no parse tree"}
	}
	var tree map[string]any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return nil, &RefusedError{Statement: "SELECT", Reason: "cannot read DuckDB's parse tree"}
	}
	if e, _ := tree["error"].(bool); e {
		// Only SELECT statements serialize; anything else cannot be
		// checked and so does not run (fail closed).
		return nil, errNoTree
	}
	return tree, nil
}

func (r *resolved) walk(ctx context.Context, c *duckdb.Conn, n any, depth int) error {
	switch v := n.(type) {
	case []any:
		for _, x := range v {
			if err := r.walk(ctx, c, x, depth); err != nil {
				return err
			}
		}
	case map[string]any:
		if typ, _ := v["type"].(string); typ == "BASE_TABLE" {
			if name, _ := v["table_name"].(string); name != "" {
				r.tables[strings.ToLower(name)] = true
			}
		}
		if fn, ok := v["function_name"].(string); ok {
			name := strings.ToLower(fn)
			if reason, denied := deniedCalls[name]; denied {
				return &RefusedError{Statement: name, Reason: reason}
			}
			if sqlRunners[name] {
				if err := r.runner(ctx, c, name, v, depth); err != nil {
					return err
				}
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := r.walk(ctx, c, v[k], depth); err != nil {
				return err
			}
		}
	}
	return nil
}

// runner checks a call of query() or query_table().
func (r *resolved) runner(ctx context.Context, c *duckdb.Conn, name string, fn map[string]any, depth int) error {
	refuse := &RefusedError{Statement: name, Reason: "takes only string literals here: what a computed argument reaches cannot be checked"}
	args, _ := fn["children"].([]any)
	if len(args) == 0 {
		return refuse
	}
	switch name {
	case "query":
		if len(args) != 1 {
			return refuse
		}
		sqlText, ok := constantString(args[0])
		if !ok {
			return refuse
		}
		if _, err := precheck(sqlText); err != nil {
			return err
		}
		return r.resolve(ctx, c, sqlText, depth+1)
	default: // query_table(name or [names] [, by_name])
		names, ok := constantStrings(args[0])
		if !ok {
			return refuse
		}
		for _, n := range names {
			r.tables[strings.ToLower(n)] = true
		}
		for _, a := range args[1:] { // by_name: a literal boolean
			if !isLiteral(a) {
				return refuse
			}
		}
	}
	return nil
}

// isLiteral reports whether n is a constant, possibly cast.
func isLiteral(n any) bool {
	m, _ := n.(map[string]any)
	switch {
	case m == nil:
		return false
	case m["class"] == "CONSTANT":
		return true
	case m["class"] == "CAST":
		return isLiteral(m["child"])
	}
	return false
}

// constantString returns the value of a non-NULL VARCHAR constant node.
func constantString(n any) (string, bool) {
	m, _ := n.(map[string]any)
	if m == nil || m["class"] != "CONSTANT" {
		return "", false
	}
	val, _ := m["value"].(map[string]any)
	if val == nil {
		return "", false
	}
	if isNull, _ := val["is_null"].(bool); isNull {
		return "", false
	}
	s, ok := val["value"].(string)
	return s, ok
}

// constantStrings returns the strings of a VARCHAR constant or of a list
// literal of them.
func constantStrings(n any) ([]string, bool) {
	if s, ok := constantString(n); ok {
		return []string{s}, true
	}
	m, _ := n.(map[string]any)
	if m == nil || m["class"] != "FUNCTION" || m["function_name"] != "list_value" {
		return nil, false
	}
	kids, _ := m["children"].([]any)
	if len(kids) == 0 {
		return nil, false
	}
	out := make([]string, 0, len(kids))
	for _, k := range kids {
		s, ok := constantString(k)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

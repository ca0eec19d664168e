package audit

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vigil-dg/vigil/rules/detections"
)

// Mapping turns one JSON-lines or CSV log shape into canonical events. It
// compiles to a DuckDB SELECT over read_json or read_csv.
//
// Fields maps a canonical field to a source field name, a dotted path into
// nested JSON ("CreatedBy.Username"), or, when the value starts with "=", a
// DuckDB SQL expression over the source columns (trusted configuration; no
// ';'). Values maps raw values of a field to canonical ones before the field
// is converted. time and action are required.
type Mapping struct {
	Name   string `yaml:"name" json:"name"`
	Format string `yaml:"format" json:"format"` // json (JSON lines) or csv
	// Columns declares source columns and their DuckDB types for JSON
	// sources (e.g. "attributes": "STRUCT(type VARCHAR)"). When empty, the
	// columns named by plain fields are read as VARCHAR (JSON for dotted
	// paths); with expression fields and no Columns, DuckDB detects them.
	Columns    map[string]string            `yaml:"columns,omitempty" json:"columns,omitempty"`
	Fields     map[string]string            `yaml:"fields" json:"fields"`
	Values     map[string]map[string]string `yaml:"values,omitempty" json:"values,omitempty"`
	TimeFormat string                       `yaml:"time_format,omitempty" json:"time_format,omitempty"` // "" (ISO 8601), unix, unix_ms, or a strptime format
	TimeZone   string                       `yaml:"time_zone,omitempty" json:"time_zone,omitempty"`     // zone of times without an offset; default UTC
	Delimiter  string                       `yaml:"delimiter,omitempty" json:"delimiter,omitempty"`     // CSV delimiter; default detected

	// jsonArray is set per file group when the files are each one JSON
	// array of events rather than JSON lines (told by content, never
	// configured).
	jsonArray bool
}

// jsonFormat is read_json's format option for the mapping's files.
func (m Mapping) jsonFormat() string {
	if m.jsonArray {
		return "array"
	}
	return "newline_delimited"
}

// canonical fields a mapping may fill: every event column except event_id
// and source, which the engine sets.
func mappableFields() []string {
	var out []string
	for _, c := range detections.EventColumns {
		if c.Name != "event_id" && c.Name != "source" {
			out = append(out, c.Name)
		}
	}
	return out
}

func columnType(name string) string {
	for _, c := range detections.EventColumns {
		if c.Name == name {
			return c.Type
		}
	}
	return "VARCHAR"
}

// ParseMapping reads a mapping from YAML; unknown keys are errors.
func ParseMapping(data []byte) (Mapping, error) {
	var m Mapping
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return Mapping{}, &MappingError{Mapping: m.Name, Field: "yaml", Err: err}
	}
	return m, m.Validate()
}

// Validate reports every problem of the mapping.
func (m Mapping) Validate() error {
	var errs []error
	bad := func(field string, format string, args ...any) {
		errs = append(errs, &MappingError{Mapping: m.Name, Field: field, Err: fmt.Errorf(format, args...)})
	}
	if m.Name == "" {
		bad("name", "missing")
	}
	if m.Format != "json" && m.Format != "csv" {
		bad("format", "%q is not json or csv", m.Format)
	}
	fields := mappableFields()
	for _, req := range []string{"time", "action"} {
		if strings.TrimSpace(m.Fields[req]) == "" {
			bad("fields."+req, "required")
		}
	}
	for canon, src := range m.Fields {
		if !slices.Contains(fields, canon) {
			bad("fields."+canon, "unknown canonical field (known: %s)", strings.Join(fields, ", "))
			continue
		}
		if strings.TrimSpace(src) == "" {
			bad("fields."+canon, "empty source")
			continue
		}
		if expr, ok := strings.CutPrefix(src, "="); ok {
			if semicolonOutsideStrings(expr) {
				bad("fields."+canon, "expression must not contain ';'")
			}
			if strings.ContainsRune(expr, 0) {
				bad("fields."+canon, "expression contains a NUL byte")
			}
		} else if strings.ContainsRune(src, 0) {
			bad("fields."+canon, "field name contains a NUL byte")
		}
	}
	for canon, vm := range m.Values {
		if _, ok := m.Fields[canon]; !ok {
			bad("values."+canon, "no field mapping for %s", canon)
		}
		for raw, v := range vm {
			if strings.ContainsRune(raw, 0) || strings.ContainsRune(v, 0) {
				bad("values."+canon, "value contains a NUL byte")
			}
			if canon == "action" && !detections.IsAction(v) {
				bad("values.action", "%q maps to %q, which is not a canonical action", raw, v)
			}
		}
	}
	for col, typ := range m.Columns {
		if strings.ContainsAny(col+typ, ";\x00") {
			bad("columns."+col, "invalid column or type")
		}
	}
	if m.Format == "csv" {
		for col, typ := range m.Columns {
			if !strings.EqualFold(strings.TrimSpace(typ), "VARCHAR") {
				bad("columns."+col, "csv columns are text: want VARCHAR, got %q", typ)
			}
		}
	}
	switch tf := m.TimeFormat; {
	case tf == "", tf == "unix", tf == "unix_ms", tf == "rfc3339":
	case strings.Contains(tf, "%"):
		if strings.ContainsRune(tf, 0) {
			bad("time_format", "contains a NUL byte")
		}
	default:
		bad("time_format", "%q is not unix, unix_ms, rfc3339 or a strptime format", tf)
	}
	if m.TimeZone != "" {
		if _, err := time.LoadLocation(m.TimeZone); err != nil {
			bad("time_zone", "%v", err)
		}
	}
	if len(m.Delimiter) > 4 || strings.ContainsRune(m.Delimiter, 0) {
		bad("delimiter", "invalid delimiter")
	}
	return errors.Join(errs...)
}

// semicolonOutsideStrings reports whether s has a ';' outside SQL string
// literals and quoted identifiers: an expression must stay one expression.
func semicolonOutsideStrings(s string) bool {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				if i+1 < len(s) && s[i+1] == quote {
					i++
					continue
				}
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ';':
			return true
		}
	}
	return quote != 0
}

// compiled is a mapping compiled for one set of files.
type compiled struct {
	selectSQL  string // canonical columns plus unmapped_reason, raw_action, raw, file
	csvRejects string // rejects table of a CSV scan, "" for JSON
}

// canonical output columns of a compiled mapping, in order, followed by the
// bookkeeping columns.
func compiledColumns() []string {
	return append(mappableFields(), "source", "unmapped_reason", "raw_action", "raw", "file")
}

// sourceRef is how a compiled SELECT refers to one source field.
func (m Mapping) sourceRef(src string) string {
	if m.Format == "csv" {
		return "src." + quoteIdent(src)
	}
	top, rest, nested := strings.Cut(src, ".")
	if !nested {
		return "src." + quoteIdent(src)
	}
	if typ, ok := m.Columns[top]; ok && strings.HasPrefix(strings.ToUpper(strings.TrimSpace(typ)), "STRUCT") {
		ref := "src." + quoteIdent(top)
		for _, p := range strings.Split(rest, ".") {
			ref += "." + quoteIdent(p)
		}
		return ref
	}
	path := "$"
	for _, p := range strings.Split(rest, ".") {
		path += `."` + strings.ReplaceAll(p, `"`, `\"`) + `"`
	}
	return "json_extract_string(src." + quoteIdent(top) + ", " + mustLiteral(path) + ")"
}

// rawExpr is the SQL for a canonical field before conversion, as VARCHAR
// unless it is an expression.
func (m Mapping) rawExpr(canon string) (string, bool) {
	src, ok := m.Fields[canon]
	if !ok {
		return "", false
	}
	if expr, isExpr := strings.CutPrefix(src, "="); isExpr {
		return "(" + expr + ")", true
	}
	return m.sourceRef(src), true
}

// valueMapped applies the value map of a field to its raw SQL (as VARCHAR).
func (m Mapping) valueMapped(canon, raw string) string {
	vm := m.Values[canon]
	if len(vm) == 0 {
		return raw
	}
	keys := make([]string, 0, len(vm))
	for k := range vm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("CASE CAST(" + raw + " AS VARCHAR)")
	for _, k := range keys {
		b.WriteString(" WHEN " + mustLiteral(k) + " THEN " + mustLiteral(vm[k]))
	}
	b.WriteString(" ELSE CAST(" + raw + " AS VARCHAR) END")
	return b.String()
}

func (m Mapping) timeExpr(raw string) string {
	t := "NULLIF(trim(CAST(" + raw + " AS VARCHAR)), '')"
	zone := m.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	switch tf := m.TimeFormat; {
	case tf == "unix":
		return "to_timestamp(TRY_CAST(" + t + " AS DOUBLE))"
	case tf == "unix_ms":
		return "to_timestamp(TRY_CAST(" + t + " AS DOUBLE) / 1000.0)"
	case strings.Contains(tf, "%"):
		p := "try_strptime(" + t + ", " + mustLiteral(tf) + ")"
		if strings.Contains(tf, "%z") || strings.Contains(tf, "%Z") {
			return p
		}
		return "timezone(" + mustLiteral(zone) + ", " + p + ")"
	}
	if zone == "UTC" {
		return "TRY_CAST(" + t + " AS TIMESTAMPTZ)"
	}
	return "CASE WHEN regexp_matches(" + t + `, '(Z|z|[+-]\d\d(:?\d\d)?)$') THEN TRY_CAST(` + t +
		" AS TIMESTAMPTZ) ELSE timezone(" + mustLiteral(zone) + ", TRY_CAST(" + t + " AS TIMESTAMP)) END"
}

func actionList() string {
	q := make([]string, len(detections.Actions))
	for i, a := range detections.Actions {
		q[i] = mustLiteral(a)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// fieldExpr converts a canonical field to its canonical type.
func (m Mapping) fieldExpr(canon string) string {
	raw, ok := m.rawExpr(canon)
	if !ok {
		return "CAST(NULL AS " + columnType(canon) + ")"
	}
	v := m.valueMapped(canon, raw)
	s := "NULLIF(trim(CAST(" + v + " AS VARCHAR)), '')"
	switch canon {
	case "time":
		return m.timeExpr(raw)
	case "user":
		return "lower(" + s + ")"
	case "role", "action":
		return "lower(" + s + ")"
	case "record_count":
		return "TRY_CAST(TRY_CAST(" + s + " AS DOUBLE) AS BIGINT)"
	case "latitude", "longitude":
		return "TRY_CAST(" + s + " AS DOUBLE)"
	case "mfa":
		return "TRY_CAST(" + s + " AS BOOLEAN)"
	case "status":
		return "CASE WHEN lower(" + s + ") IN ('success', 'succeeded', 'ok', 'true', 'pass', 'passed', 'allowed') THEN 'success' " +
			"WHEN lower(" + s + ") IN ('failure', 'failed', 'fail', 'false', 'error', 'denied', 'blocked') THEN 'failure' END"
	}
	return s
}

// readExpr is the table function that reads the files.
func (m Mapping) readExpr(files []string, rejectsTable, rejectsScan string) (string, error) {
	lits := make([]string, len(files))
	for i, f := range files {
		q, err := quoteLiteral(f)
		if err != nil {
			return "", err
		}
		lits[i] = q
	}
	list := "[" + strings.Join(lits, ", ") + "]"
	if m.Format == "csv" {
		opts := "header = true, all_varchar = true, filename = '__file', store_rejects = true, " +
			"rejects_table = " + mustLiteral(rejectsTable) + ", rejects_scan = " + mustLiteral(rejectsScan)
		if m.Delimiter != "" {
			q, err := quoteLiteral(m.Delimiter)
			if err != nil {
				return "", err
			}
			opts += ", delim = " + q
		}
		return "read_csv(" + list + ", " + opts + ")", nil
	}
	cols := m.jsonColumns()
	opts := "format = '" + m.jsonFormat() + "', ignore_errors = true, filename = '__file', maximum_object_size = 16777216"
	if cols == nil {
		return "read_json(" + list + ", " + opts + ", union_by_name = true)", nil
	}
	names := make([]string, 0, len(cols))
	for k := range cols {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = mustLiteral(n) + ": " + mustLiteral(cols[n])
	}
	return "read_json(" + list + ", " + opts + ", columns = {" + strings.Join(parts, ", ") + "})", nil
}

// neededColumns are the top-level source columns the mapping reads: its
// declared columns, the names of plain fields and the quoted identifiers of
// expression fields.
func (m Mapping) neededColumns() []string {
	seen := map[string]bool{}
	for c := range m.Columns {
		seen[c] = true
	}
	for _, src := range m.Fields {
		if expr, ok := strings.CutPrefix(src, "="); ok {
			for _, id := range quotedIdents(expr) {
				seen[id] = true
			}
			continue
		}
		if m.Format == "csv" {
			seen[src] = true
		} else {
			top, _, _ := strings.Cut(src, ".")
			seen[top] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// quotedIdents returns the double-quoted identifiers of a SQL expression
// (outside string literals).
func quotedIdents(expr string) []string {
	var out []string
	for i := 0; i < len(expr); i++ {
		switch expr[i] {
		case '\'':
			for i++; i < len(expr); i++ {
				if expr[i] == '\'' {
					if i+1 < len(expr) && expr[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		case '"':
			var b strings.Builder
			for i++; i < len(expr); i++ {
				if expr[i] == '"' {
					if i+1 < len(expr) && expr[i+1] == '"' {
						b.WriteByte('"')
						i++
						continue
					}
					break
				}
				b.WriteByte(expr[i])
			}
			out = append(out, b.String())
		}
	}
	return out
}

// jsonColumns is the explicit JSON schema: Columns when declared, else the
// top-level names of plain fields; nil when DuckDB must detect it.
func (m Mapping) jsonColumns() map[string]string {
	if len(m.Columns) > 0 {
		return m.Columns
	}
	cols := map[string]string{}
	for _, src := range m.Fields {
		if strings.HasPrefix(src, "=") {
			return nil
		}
		top, _, nested := strings.Cut(src, ".")
		if nested {
			cols[top] = "JSON"
		} else if _, ok := cols[top]; !ok {
			cols[top] = "VARCHAR"
		}
	}
	return cols
}

// sourceColumns are the columns whose being all NULL marks an unparsable
// line; nil when unknown (detected schema).
func (m Mapping) sourceColumns() []string {
	if m.Format == "csv" {
		return nil
	}
	cols := m.jsonColumns()
	out := make([]string, 0, len(cols))
	for k := range cols {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// compile builds the SELECT that reads files and yields canonical rows plus
// bookkeeping columns.
//
// missing names source columns the mapping reads that the files lack: they
// are read as NULL, so a field absent from a file is NULL, not an error.
func (m Mapping) compile(files []string, source, rejectsTable, rejectsScan string, missing ...string) (compiled, error) {
	if err := m.Validate(); err != nil {
		return compiled{}, err
	}
	read, err := m.readExpr(files, rejectsTable, rejectsScan)
	if err != nil {
		return compiled{}, &MappingError{Mapping: m.Name, Field: "files", Err: err}
	}
	if len(missing) > 0 {
		nulls := make([]string, len(missing))
		for i, c := range missing {
			nulls[i] = "CAST(NULL AS VARCHAR) AS " + quoteIdent(c)
		}
		read = "(SELECT *, " + strings.Join(nulls, ", ") + " FROM " + read + ")"
	}
	srcLit, err := quoteLiteral(source)
	if err != nil {
		return compiled{}, &MappingError{Mapping: m.Name, Field: "source", Err: err}
	}
	fields := mappableFields()
	var inner []string
	for _, f := range fields {
		inner = append(inner, m.fieldExpr(f)+" AS "+quoteIdent(f))
	}
	timeRaw, _ := m.rawExpr("time")
	inner = append(inner, "NULLIF(trim(CAST("+timeRaw+" AS VARCHAR)), '') AS __time_raw")
	actRaw, _ := m.rawExpr("action")
	inner = append(inner, "NULLIF(trim(CAST("+m.valueMapped("action", actRaw)+" AS VARCHAR)), '') AS __action_raw")
	empty := "false"
	if cols := m.sourceColumns(); len(cols) > 0 {
		conds := make([]string, len(cols))
		for i, c := range cols {
			conds[i] = "src." + quoteIdent(c) + " IS NULL"
		}
		empty = strings.Join(conds, " AND ")
	} else if m.Format == "csv" {
		empty = "false"
	}
	inner = append(inner, "("+empty+") AS __empty", "src.__file AS __file", "src AS __src")

	reason := "CASE WHEN __empty THEN 'unparsable' WHEN __time_raw IS NULL THEN 'no_time' " +
		"WHEN \"time\" IS NULL THEN 'bad_time' WHEN __action_raw IS NULL THEN 'no_action' " +
		"WHEN \"action\" NOT IN " + actionList() + " THEN 'unknown_action' END"

	var outer []string
	for _, f := range fields {
		if f == "action" {
			// A failed login written as action "login" with status "failure"
			// (the common shape of identity-provider exports) is login_failed.
			failed := ""
			if slices.Contains(fields, "status") {
				failed = "WHEN \"action\" = 'login' AND \"status\" = 'failure' THEN 'login_failed' "
			}
			outer = append(outer, "CASE "+failed+"WHEN \"action\" IN "+actionList()+" THEN \"action\" END AS \"action\"")
			continue
		}
		outer = append(outer, quoteIdent(f))
	}
	outer = append(outer,
		srcLit+" AS source",
		"__reason AS unmapped_reason",
		"CASE WHEN __reason = 'unknown_action' THEN left(__action_raw, 200) END AS raw_action",
		"CASE WHEN __reason IS NOT NULL THEN CAST(to_json(__src) AS VARCHAR) END AS raw",
		"CASE WHEN __reason IS NOT NULL THEN __file END AS file",
	)
	q := "SELECT " + strings.Join(outer, ",\n  ") + "\nFROM (SELECT *, " + reason + " AS __reason FROM (\n  SELECT " +
		strings.Join(inner, ",\n    ") + "\n  FROM " + read + " AS src\n) AS mapped) AS checked"
	c := compiled{selectSQL: q}
	if m.Format == "csv" {
		c.csvRejects = rejectsTable
	}
	return c, nil
}

// SelectSQL returns the DuckDB query that reads files through the mapping
// and yields canonical event columns (without event_id), plus source and
// the bookkeeping columns unmapped_reason, raw_action, raw and file. Rows
// with a non-NULL unmapped_reason could not be mapped.
func (m Mapping) SelectSQL(files []string, source string) (string, error) {
	c, err := m.compile(files, source, "vigil_rejects", "vigil_reject_scans")
	return c.selectSQL, err
}

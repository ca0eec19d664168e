package detections

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Format is the value of the optional format field of a rule file.
const Format = "vigil.detection/v1"

// Severities in decreasing order.
var Severities = []string{"critical", "high", "medium", "low", "info"}

// SeverityRank orders severities: critical is 0, info is 4, unknown is 5.
func SeverityRank(s string) int {
	if i := slices.Index(Severities, s); i >= 0 {
		return i
	}
	return len(Severities)
}

// Rule is one detection: DuckDB SQL over the canonical tables that returns
// findings, with parameters, mapped controls and its own examples.
type Rule struct {
	ID          string      `json:"id"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Severity    string      `json:"severity"`
	References  []string    `json:"references,omitempty"`
	Controls    []string    `json:"controls"`
	Requires    []string    `json:"requires,omitempty"` // reference tables the rule needs: staff, ownership
	Actions     []string    `json:"actions,omitempty"`  // canonical actions the rule reads
	Parameters  []Parameter `json:"parameters,omitempty"`
	SQL         string      `json:"sql"`
	Remediation string      `json:"remediation"`
	Examples    Examples    `json:"-"`

	File    string `json:"file"` // file inside the pack
	Line    int    `json:"line"` // line of the id field
	SQLLine int    `json:"-"`    // line of the first SQL line
}

// Examples are a rule's own true and false positives.
type Examples struct {
	Match   []Example
	NoMatch []Example
}

// Example is a small fixture: canonical events plus reference rows, and what
// the rule must report on them.
type Example struct {
	Name      string
	Events    []map[string]any    // canonical event columns; helpers repeat, every
	Staff     []map[string]string // canonical staff columns
	Ownership []map[string]string // canonical ownership columns
	Params    map[string]any      // parameter overrides
	Findings  int                 // exact number of findings expected; 0 on a match example means at least one
	User      string              // user every finding must name, when set
	Line      int
}

// Checker validates a parsed rule beyond its structure, e.g. by preparing
// its SQL on an empty canonical schema. Load wraps its errors with the
// rule's file, line and id.
type Checker interface {
	CheckRule(ctx context.Context, r *Rule) error
}

//go:embed *.yaml
var builtin embed.FS

// Builtin loads the rules embedded in this package.
func Builtin(ctx context.Context, check Checker) ([]Rule, error) {
	return Load(ctx, builtin, check)
}

// Load parses every *.yaml and *.yml file at the root of fsys, validates
// each rule (and runs check when not nil) and returns the rules sorted by
// id. All problems are reported, each as a *RuleError.
func Load(ctx context.Context, fsys fs.FS, check Checker) ([]Rule, error) {
	names, err := fs.Glob(fsys, "*.y*ml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var rules []Rule
	var errs []error
	seen := map[string]string{}
	for _, name := range names {
		if ext := path.Ext(name); ext != ".yaml" && ext != ".yml" {
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, &RuleError{File: name, Err: err})
			continue
		}
		rs, err := Parse(name, data)
		if err != nil {
			errs = append(errs, err)
		}
		for _, r := range rs {
			if prev, dup := seen[r.ID]; dup {
				errs = append(errs, &RuleError{File: name, Line: r.Line, Rule: r.ID, Field: "id",
					Err: fmt.Errorf("duplicate id, first defined in %s", prev)})
				continue
			}
			seen[r.ID] = name
			rules = append(rules, r)
		}
	}
	if check != nil {
		for i := range rules {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if err := check.CheckRule(ctx, &rules[i]); err != nil {
				errs = append(errs, locateCheckError(&rules[i], err))
			}
		}
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	if len(errs) > 0 {
		return rules, errors.Join(errs...)
	}
	return rules, nil
}

var sqlLineRe = regexp.MustCompile(`LINE (\d+):`)

// locateCheckError wraps a checker error with the rule's location, pointing
// at the SQL line DuckDB names when it names one.
func locateCheckError(r *Rule, err error) error {
	var re *RuleError
	if errors.As(err, &re) {
		return err
	}
	line := r.SQLLine
	if m := sqlLineRe.FindStringSubmatch(err.Error()); m != nil && r.SQLLine > 0 {
		if n, e := strconv.Atoi(m[1]); e == nil && n > 0 {
			line = r.SQLLine + n - 1
		}
	}
	return &RuleError{File: r.File, Line: line, Rule: r.ID, Field: "sql", Err: err}
}

// Parse reads the rules of one file. A file holds one rule per YAML document.
func Parse(name string, data []byte) ([]Rule, error) {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var rules []Rule
	var errs []error
	for docs := 0; ; docs++ {
		if docs >= maxDocuments {
			errs = append(errs, &RuleError{File: name, Err: fmt.Errorf("more than %d YAML documents", maxDocuments)})
			break
		}
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, &RuleError{File: name, Line: yamlErrLine(err), Err: err})
			break
		}
		if len(doc.Content) == 0 {
			continue
		}
		p := &parser{file: name}
		r := p.rule(doc.Content[0])
		errs = append(errs, p.errs...)
		if len(p.errs) == 0 {
			rules = append(rules, r)
		}
	}
	if len(rules) == 0 && len(errs) == 0 {
		errs = append(errs, &RuleError{File: name, Err: errors.New("no rule in file")})
	}
	return rules, errors.Join(errs...)
}

// maxDocuments bounds the rules of one file.
const maxDocuments = 1000

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

func yamlErrLine(err error) int {
	if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

var (
	idRe      = regexp.MustCompile(`^[a-z][a-z0-9_]{1,62}$`)
	paramRe   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	sqlParamR = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)`)
)

type parser struct {
	file string
	id   string
	errs []error
}

func (p *parser) fail(n *yaml.Node, field string, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &RuleError{File: p.file, Line: line, Rule: p.id, Field: field, Err: fmt.Errorf(format, args...)})
}

// fields returns the key/value pairs of a mapping node, reporting unknown
// and duplicate keys.
func (p *parser) fields(n *yaml.Node, field string, allowed []string) map[string][2]*yaml.Node {
	out := map[string][2]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		p.fail(n, field, "want a mapping, got %s", kindName(n))
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		full := name
		if field != "" {
			full = field + "." + name
		}
		if allowed != nil && !slices.Contains(allowed, name) {
			p.fail(k, full, "unknown key (allowed: %s)", strings.Join(allowed, ", "))
			continue
		}
		if _, dup := out[name]; dup {
			p.fail(k, full, "duplicate key")
			continue
		}
		out[name] = [2]*yaml.Node{k, v}
	}
	return out
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a scalar"
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

func (p *parser) str(f map[string][2]*yaml.Node, key, field string, required bool) (string, int) {
	kv, ok := f[key]
	if !ok {
		return "", 0
	}
	if kv[1].Kind != yaml.ScalarNode {
		p.fail(kv[1], field, "want a string, got %s", kindName(kv[1]))
		return "", kv[1].Line
	}
	v := strings.TrimSpace(kv[1].Value)
	if required && v == "" {
		p.fail(kv[1], field, "must not be empty")
	}
	return kv[1].Value, kv[1].Line
}

func (p *parser) strList(f map[string][2]*yaml.Node, key, field string) []string {
	kv, ok := f[key]
	if !ok {
		return nil
	}
	if kv[1].Kind != yaml.SequenceNode {
		p.fail(kv[1], field, "want a list, got %s", kindName(kv[1]))
		return nil
	}
	var out []string
	for _, e := range kv[1].Content {
		if e.Kind != yaml.ScalarNode || strings.TrimSpace(e.Value) == "" {
			p.fail(e, field, "want a non-empty string")
			continue
		}
		out = append(out, e.Value)
	}
	return out
}

var ruleKeys = []string{"format", "id", "title", "description", "severity", "references", "controls",
	"requires", "actions", "parameters", "sql", "remediation", "examples"}

func (p *parser) rule(n *yaml.Node) Rule {
	var r Rule
	r.File = p.file
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "id" && idRe.MatchString(n.Content[i+1].Value) {
				p.id = n.Content[i+1].Value
			}
		}
	}
	f := p.fields(n, "", ruleKeys)
	if kv, ok := f["id"]; ok {
		r.ID = kv[1].Value
		r.Line = kv[0].Line
		if !idRe.MatchString(r.ID) {
			p.fail(kv[1], "id", "%q is not a valid id (lower case letters, digits, _)", r.ID)
		} else {
			p.id = r.ID
		}
	} else {
		r.Line = n.Line
	}
	for _, req := range []string{"id", "title", "description", "severity", "controls", "sql", "remediation", "examples"} {
		if _, ok := f[req]; !ok {
			p.fail(n, req, "missing required field")
		}
	}
	if v, _ := p.str(f, "format", "format", false); v != "" && v != Format {
		p.fail(f["format"][1], "format", "unsupported format %q (want %s)", v, Format)
	}
	r.Title, _ = p.str(f, "title", "title", true)
	r.Title = strings.TrimSpace(r.Title)
	r.Description, _ = p.str(f, "description", "description", true)
	r.Description = strings.TrimSpace(r.Description)
	r.Remediation, _ = p.str(f, "remediation", "remediation", true)
	r.Remediation = strings.TrimSpace(r.Remediation)
	r.Severity, _ = p.str(f, "severity", "severity", true)
	if _, ok := f["severity"]; ok && !slices.Contains(Severities, r.Severity) {
		p.fail(f["severity"][1], "severity", "%q is not one of %s", r.Severity, strings.Join(Severities, ", "))
	}
	r.References = p.strList(f, "references", "references")
	r.Controls = p.strList(f, "controls", "controls")
	if kv, ok := f["controls"]; ok {
		if len(r.Controls) == 0 {
			p.fail(kv[1], "controls", "at least one control is required")
		}
		for i, c := range r.Controls {
			if _, ok := LookupControl(c); !ok {
				p.fail(kv[1].Content[i], "controls", "unknown control %q", c)
			}
		}
	}
	r.Requires = p.strList(f, "requires", "requires")
	for i, t := range r.Requires {
		if t != "staff" && t != "ownership" {
			p.fail(f["requires"][1].Content[i], "requires", "unknown reference table %q (staff, ownership)", t)
		}
	}
	r.Actions = p.strList(f, "actions", "actions")
	for i, a := range r.Actions {
		if !IsAction(a) {
			p.fail(f["actions"][1].Content[i], "actions", "unknown action %q", a)
		}
	}
	if kv, ok := f["parameters"]; ok {
		r.Parameters = p.parameters(kv[1])
	}
	if kv, ok := f["sql"]; ok {
		r.SQL, _ = p.str(f, "sql", "sql", true)
		r.SQLLine = kv[1].Line
		if kv[1].Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			r.SQLLine++ // block scalars start on the next line
		}
		p.checkSQLParams(kv[1], &r)
	}
	if kv, ok := f["examples"]; ok {
		r.Examples = p.examples(kv[1], &r)
	}
	return r
}

func (p *parser) checkSQLParams(n *yaml.Node, r *Rule) {
	if strings.Contains(stripSQLStrings(r.SQL), ";") {
		p.fail(n, "sql", "must be a single statement without ';'")
	}
	used := map[string]bool{}
	stripped := stripSQLStrings(r.SQL)
	for _, m := range sqlParamR.FindAllStringSubmatchIndex(stripped, -1) {
		name := stripped[m[2]:m[3]]
		if used[name] {
			continue
		}
		used[name] = true
		if _, ok := r.Parameter(name); !ok && !slices.Contains(ReservedParameters, name) {
			line := r.SQLLine + strings.Count(stripped[:m[0]], "\n")
			p.errs = append(p.errs, &RuleError{File: p.file, Line: line, Rule: p.id, Field: "sql",
				Err: fmt.Errorf("uses $%s, which is not a declared parameter", name)})
		}
	}
	for _, prm := range r.Parameters {
		if !used[prm.Name] {
			p.errs = append(p.errs, &RuleError{File: p.file, Line: prm.Line, Rule: p.id,
				Field: "parameters." + prm.Name, Err: errors.New("declared but not used in sql")})
		}
	}
}

// stripSQLStrings blanks out string literals and comments so that parameter
// and statement checks see only SQL.
func stripSQLStrings(s string) string {
	b := []byte(s)
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '\'':
			j := i + 1
			for j < len(b) {
				if b[j] == '\'' {
					if j+1 < len(b) && b[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			for k := i + 1; k < j && k < len(b); k++ {
				b[k] = ' '
			}
			i = j
		case b[i] == '-' && i+1 < len(b) && b[i+1] == '-':
			for i < len(b) && b[i] != '\n' {
				b[i] = ' '
				i++
			}
		}
	}
	return string(b)
}

var paramKeys = []string{"type", "default", "description"}

func (p *parser) parameters(n *yaml.Node) []Parameter {
	f := p.fields(n, "parameters", nil)
	names := make([]string, 0, len(f))
	for k := range f {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []Parameter
	for _, name := range names {
		kv := f[name]
		field := "parameters." + name
		if !paramRe.MatchString(name) || slices.Contains(ReservedParameters, name) {
			p.fail(kv[0], field, "invalid or reserved parameter name")
			continue
		}
		pf := p.fields(kv[1], field, paramKeys)
		prm := Parameter{Name: name, Line: kv[0].Line}
		for _, req := range paramKeys {
			if _, ok := pf[req]; !ok {
				p.fail(kv[1], field+"."+req, "missing required field")
			}
		}
		prm.Type, _ = p.str(pf, "type", field+".type", true)
		if _, ok := pf["type"]; ok && !slices.Contains(paramTypes, prm.Type) {
			p.fail(pf["type"][1], field+".type", "%q is not one of %s", prm.Type, strings.Join(paramTypes, ", "))
			continue
		}
		prm.Description, _ = p.str(pf, "description", field+".description", true)
		if d, ok := pf["default"]; ok && prm.Type != "" {
			v, err := nodeValue(d[1])
			if err == nil {
				v, err = prm.Normalize(v)
			}
			if err != nil {
				p.fail(d[1], field+".default", "%v", err)
				continue
			}
			prm.Default = v
		}
		out = append(out, prm)
	}
	return out
}

// nodeValue decodes a scalar or a list of scalars into Go values.
func nodeValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, err
		}
		if t, ok := v.(time.Time); ok {
			return t.UTC().Format(time.RFC3339Nano), nil
		}
		return v, nil
	case yaml.SequenceNode:
		var out []any
		for _, e := range n.Content {
			v, err := nodeValue(e)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a scalar or a list, got %s", kindName(n))
}

var exampleKeys = []string{"name", "events", "staff", "ownership", "params", "findings", "user"}

func (p *parser) examples(n *yaml.Node, r *Rule) Examples {
	var ex Examples
	f := p.fields(n, "examples", []string{"match", "no_match"})
	for _, kind := range []string{"match", "no_match"} {
		kv, ok := f[kind]
		if !ok {
			p.fail(n, "examples."+kind, "at least one example is required")
			continue
		}
		if kv[1].Kind != yaml.SequenceNode || len(kv[1].Content) == 0 {
			p.fail(kv[1], "examples."+kind, "want a non-empty list of examples")
			continue
		}
		for i, en := range kv[1].Content {
			field := fmt.Sprintf("examples.%s[%d]", kind, i)
			e := p.example(en, field, r)
			if kind == "match" {
				ex.Match = append(ex.Match, e)
			} else {
				if e.Findings != 0 {
					p.fail(en, field+".findings", "a no_match example expects no findings")
				}
				ex.NoMatch = append(ex.NoMatch, e)
			}
		}
	}
	return ex
}

func (p *parser) example(n *yaml.Node, field string, r *Rule) Example {
	e := Example{Line: n.Line}
	f := p.fields(n, field, exampleKeys)
	e.Name, _ = p.str(f, "name", field+".name", true)
	if _, ok := f["name"]; !ok {
		p.fail(n, field+".name", "missing required field")
	}
	e.User, _ = p.str(f, "user", field+".user", false)
	if kv, ok := f["findings"]; ok {
		v, err := strconv.Atoi(kv[1].Value)
		if err != nil || v < 0 {
			p.fail(kv[1], field+".findings", "want a non-negative integer")
		}
		e.Findings = v
	}
	if kv, ok := f["events"]; ok {
		e.Events = p.exampleEvents(kv[1], field+".events")
	}
	e.Staff = p.refRows(f, "staff", field, StaffColumns)
	e.Ownership = p.refRows(f, "ownership", field, OwnershipColumns)
	if kv, ok := f["params"]; ok {
		pf := p.fields(kv[1], field+".params", nil)
		e.Params = map[string]any{}
		for name, pkv := range pf {
			prm, ok := r.Parameter(name)
			if !ok {
				p.fail(pkv[0], field+".params."+name, "not a declared parameter")
				continue
			}
			v, err := nodeValue(pkv[1])
			if err == nil {
				v, err = prm.Normalize(v)
			}
			if err != nil {
				p.fail(pkv[1], field+".params."+name, "%v", err)
				continue
			}
			e.Params[name] = v
		}
	}
	return e
}

func columnNames(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

func (p *parser) refRows(f map[string][2]*yaml.Node, key, field string, cols []Column) []map[string]string {
	kv, ok := f[key]
	if !ok {
		return nil
	}
	if kv[1].Kind != yaml.SequenceNode {
		p.fail(kv[1], field+"."+key, "want a list of rows")
		return nil
	}
	var out []map[string]string
	for i, rn := range kv[1].Content {
		rf := p.fields(rn, fmt.Sprintf("%s.%s[%d]", field, key, i), columnNames(cols))
		row := map[string]string{}
		for name, v := range rf {
			if v[1].Kind != yaml.ScalarNode {
				p.fail(v[1], field+"."+key+"."+name, "want a scalar")
				continue
			}
			row[name] = v[1].Value
		}
		out = append(out, row)
	}
	return out
}

var eventHelperKeys = []string{"repeat", "every"}

func (p *parser) exampleEvents(n *yaml.Node, field string) []map[string]any {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, field, "want a list of events")
		return nil
	}
	allowed := append(columnNames(EventColumns), eventHelperKeys...)
	allowed = slices.DeleteFunc(allowed, func(s string) bool { return s == "event_id" })
	var out []map[string]any
	for i, en := range n.Content {
		ef := fmt.Sprintf("%s[%d]", field, i)
		f := p.fields(en, ef, allowed)
		ev := map[string]any{}
		for name, kv := range f {
			v, err := nodeValue(kv[1])
			if err != nil {
				p.fail(kv[1], ef+"."+name, "%v", err)
				continue
			}
			ev[name] = v
		}
		if _, ok := ev["time"]; !ok {
			p.fail(en, ef+".time", "missing required field")
		} else if _, err := parseTime(fmt.Sprint(ev["time"])); err != nil {
			p.fail(f["time"][1], ef+".time", "%v", err)
		}
		if a, ok := ev["action"]; !ok || !IsAction(fmt.Sprint(a)) {
			p.fail(en, ef+".action", "want one of %s", strings.Join(Actions, ", "))
		}
		if rep, ok := ev["repeat"]; ok {
			if n, ok := rep.(int); !ok || n < 1 || n > 10000 {
				p.fail(f["repeat"][1], ef+".repeat", "want an integer between 1 and 10000")
			}
		}
		if every, ok := ev["every"]; ok {
			if _, err := ParseDuration(fmt.Sprint(every)); err != nil {
				p.fail(f["every"][1], ef+".every", "%v", err)
			}
		}
		out = append(out, ev)
	}
	return out
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid time %q (want RFC 3339)", s)
}

// Rows expands the example's events: repeat: N copies the event N times,
// every: D spaces the copies D apart, and "{i}" in string values is replaced
// by the copy's index (0-based). time becomes a time.Time in UTC.
func (e Example) Rows() ([]map[string]any, error) {
	var out []map[string]any
	for _, ev := range e.Events {
		n := 1
		if r, ok := ev["repeat"].(int); ok {
			n = r
		}
		var every time.Duration
		if s, ok := ev["every"]; ok {
			d, err := ParseDuration(fmt.Sprint(s))
			if err != nil {
				return nil, err
			}
			every = d
		}
		t0, err := parseTime(fmt.Sprint(ev["time"]))
		if err != nil {
			return nil, err
		}
		for i := range n {
			row := make(map[string]any, len(ev))
			for k, v := range ev {
				if k == "repeat" || k == "every" {
					continue
				}
				if s, ok := v.(string); ok {
					v = strings.ReplaceAll(s, "{i}", strconv.Itoa(i))
				}
				row[k] = v
			}
			row["time"] = t0.Add(time.Duration(i) * every)
			out = append(out, row)
		}
	}
	return out, nil
}

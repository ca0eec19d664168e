package rules

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed packs/*.yaml
var builtinPacks embed.FS

// PackFormat is the rule-pack format version this package reads.
const PackFormat = 1

// Defaults for value rules.
const (
	DefaultMinRatio = 0.9
	DefaultWeight   = 0.8
)

// ErrInvalidPack is matched (errors.Is) by every *PackError.
var ErrInvalidPack = errors.New("rules: invalid rule pack")

// Problem is one thing wrong with a rule pack.
type Problem struct {
	File  string `json:"file"`
	Line  int    `json:"line,omitempty"`
	Class string `json:"class,omitempty"` // class id, when the problem is inside a class
	Msg   string `json:"msg"`
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Class != "" {
		fmt.Fprintf(&b, "class %s: ", p.Class)
	}
	b.WriteString(p.Msg)
	return b.String()
}

// PackError reports every problem found in a rule pack.
type PackError struct {
	File     string
	Problems []Problem
}

func (e *PackError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rules: invalid rule pack %s: %d problem(s)", e.File, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalidPack) true.
func (e *PackError) Is(target error) bool { return target == ErrInvalidPack }

// Pack is a loaded, validated rule pack of data classes.
type Pack struct {
	Format      int         `json:"format"`
	ID          string      `json:"id"`
	Version     string      `json:"version"`
	Description Text        `json:"description"`
	File        string      `json:"file"`
	Digest      string      `json:"digest"` // SHA-256 of the pack file
	Classes     []*Class    `json:"classes"`
	NonPersonal *HeaderRule `json:"non_personal,omitempty"`
}

// HeaderRule lists column names that mark business data (order numbers,
// amounts, SKUs ...). Such a header vetoes value evidence that is not
// checksum-strong.
type HeaderRule struct {
	Names    []string `json:"names,omitempty"`
	Patterns []string `json:"patterns,omitempty"`
	Examples Examples `json:"examples"`
	Line     int      `json:"line"`

	names    map[string]bool
	patterns []*regexp.Regexp
}

// Match reports whether h marks business data, and the words of h that did:
// the whole header for a name, the matched part for a pattern.
func (r *HeaderRule) Match(h Header) (string, bool) {
	if r == nil || h.Compact == "" {
		return "", false
	}
	if r.names[h.Compact] {
		return h.Words, true
	}
	for _, re := range r.patterns {
		if loc := re.FindStringIndex(h.Words); loc != nil {
			m := strings.Trim(h.Words[loc[0]:loc[1]], "_")
			if m == "" {
				m = h.Words
			}
			return m, true
		}
	}
	return "", false
}

// raw YAML forms ---------------------------------------------------------------

// lval is a YAML scalar with the line it was on.
type lval[T any] struct {
	V    T
	Line int
}

func (l *lval[T]) UnmarshalYAML(n *yaml.Node) error {
	l.Line = n.Line
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: expected a single value, found a %s", n.Line, kindName(n.Kind))}}
	}
	return n.Decode(&l.V)
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}

type rawText struct {
	EN lval[string] `yaml:"en"`
	ZH lval[string] `yaml:"zh"`
}

type rawPack struct {
	Format      lval[int]       `yaml:"format"`
	ID          lval[string]    `yaml:"id"`
	Version     lval[string]    `yaml:"version"`
	Description rawText         `yaml:"description"`
	NonPersonal *rawNonPersonal `yaml:"non_personal"`
	Classes     []rawClass      `yaml:"classes"`
}

type rawNonPersonal struct {
	Names    []lval[string]    `yaml:"names"`
	Patterns []lval[string]    `yaml:"patterns"`
	Examples rawHeaderExamples `yaml:"examples"`
	line     int
}

type rawHeaderExamples struct {
	Match   []lval[string] `yaml:"match"`
	NoMatch []lval[string] `yaml:"no_match"`
}

type rawClass struct {
	ID          lval[string]  `yaml:"id"`
	Name        rawText       `yaml:"name"`
	Description rawText       `yaml:"description"`
	Category    lval[string]  `yaml:"category"`
	Protection  rawProtection `yaml:"protection"`
	Override    lval[bool]    `yaml:"override"`
	Column      *rawColumn    `yaml:"column"`
	Value       *rawValue     `yaml:"value"`
	Examples    rawExamples   `yaml:"examples"`
}

type rawColumn struct {
	Names    []lval[string] `yaml:"names"`
	Patterns []lval[string] `yaml:"patterns"`
	Exclude  []lval[string] `yaml:"exclude"`
	Required lval[bool]     `yaml:"required"`
}

type rawValue struct {
	Patterns   []lval[string] `yaml:"patterns"`
	Validators []lval[string] `yaml:"validators"`
	Values     []lval[string] `yaml:"values"`
	Plausible  []lval[string] `yaml:"plausible"`
	MinRatio   *lval[float64] `yaml:"min_ratio"`
	Weight     *lval[float64] `yaml:"weight"`
	MinUnique  *lval[float64] `yaml:"min_unique"`
	Key        lval[bool]     `yaml:"key"`
	FreeText   lval[bool]     `yaml:"free_text"`
	Identifier lval[bool]     `yaml:"identifier"`
}

type rawExamples struct {
	Match   []lval[string]     `yaml:"match"`
	NoMatch []lval[string]     `yaml:"no_match"`
	Headers *rawHeaderExamples `yaml:"headers"`
}

// rawProtection accepts "pseudonym" or {method: mask, keep_prefix: 3, ...}.
type rawProtection struct {
	Line     int
	Method   string
	Params   map[string]int
	problems []Problem
}

func (p *rawProtection) UnmarshalYAML(n *yaml.Node) error {
	p.Line = n.Line
	switch n.Kind {
	case yaml.ScalarNode:
		p.Method = n.Value
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "method" {
				p.Method = v.Value
				continue
			}
			x, err := strconv.Atoi(v.Value)
			if v.Kind != yaml.ScalarNode || err != nil {
				p.problems = append(p.problems, Problem{Line: v.Line, Msg: fmt.Sprintf("protection parameter %s must be an integer", k.Value)})
				continue
			}
			if p.Params == nil {
				p.Params = map[string]int{}
			}
			p.Params[k.Value] = x
		}
	default:
		p.problems = append(p.problems, Problem{Line: n.Line, Msg: "protection must be a method name or a mapping with method and parameters"})
	}
	return nil
}

// loading ----------------------------------------------------------------------

// LoadBuiltin returns the built-in data-class packs embedded in the binary
// (rules/packs/*.yaml), validated and with their examples checked.
func LoadBuiltin() ([]*Pack, error) {
	return loadBuiltin(time.Now())
}

// LoadBuiltinRegions is LoadBuiltin with the phone validator trying the
// national number forms of these regions (ISO 3166-1 alpha-2, e.g. "DE",
// "GB") before every other region: the default region of the data.
func LoadBuiltinRegions(phoneRegions []string) ([]*Pack, error) {
	return loadBuiltinEnv(time.Now(), phoneRegions)
}

func loadBuiltin(now time.Time) ([]*Pack, error) { return loadBuiltinEnv(now, nil) }

func loadBuiltinEnv(now time.Time, phoneRegions []string) ([]*Pack, error) {
	names, err := fs.Glob(builtinPacks, "packs/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	env, err := newValidatorEnv(now)
	if err != nil {
		return nil, err
	}
	if len(phoneRegions) > 0 {
		env.phones = newPhoneRegions(phoneRegions)
	}
	var packs []*Pack
	for _, n := range names {
		b, err := builtinPacks.ReadFile(n)
		if err != nil {
			return nil, err
		}
		p, err := load("builtin:"+path.Base(n), b, env)
		if err != nil {
			return nil, err
		}
		packs = append(packs, p)
	}
	return packs, nil
}

// DefaultSet returns the set of built-in packs.
func DefaultSet() (*Set, error) {
	packs, err := LoadBuiltin()
	if err != nil {
		return nil, err
	}
	return NewSet(packs...)
}

// LoadFile loads and validates a user rule pack from a YAML file. The pack
// is rejected with a *PackError naming the file, line and class of every
// problem, including examples that fail.
func LoadFile(file string) (*Pack, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("rules: read pack: %w", err)
	}
	return Load(file, b)
}

// Load is LoadFile for a pack already in memory; file names it in errors.
func Load(file string, data []byte) (*Pack, error) {
	env, err := newValidatorEnv(time.Now())
	if err != nil {
		return nil, err
	}
	return load(file, data, env)
}

var typeErrLine = regexp.MustCompile(`^line (\d+): (.*)$`)

const maxPackBytes = 8 << 20

func load(file string, data []byte, env *validatorEnv) (*Pack, error) {
	perr := &PackError{File: file}
	add := func(line int, class, format string, args ...any) {
		perr.Problems = append(perr.Problems, Problem{File: file, Line: line, Class: class, Msg: fmt.Sprintf(format, args...)})
	}
	if len(data) > maxPackBytes {
		add(0, "", "pack larger than %d bytes", maxPackBytes)
		return nil, perr
	}
	var raw rawPack
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		var te *yaml.TypeError
		switch {
		case errors.As(err, &te):
			for _, e := range te.Errors {
				if m := typeErrLine.FindStringSubmatch(e); m != nil {
					n, _ := strconv.Atoi(m[1])
					add(n, "", "%s", friendlyYAML(m[2]))
				} else {
					add(0, "", "%s", e)
				}
			}
		case errors.Is(err, io.EOF):
			add(0, "", "empty pack")
			return nil, perr
		default:
			msg := strings.TrimPrefix(err.Error(), "yaml: ")
			line := 0
			if m := typeErrLine.FindStringSubmatch(msg); m != nil {
				line, _ = strconv.Atoi(m[1])
				msg = m[2]
			}
			add(line, "", "YAML: %s", msg)
			return nil, perr
		}
	}
	sum := sha256.Sum256(data)
	p := &Pack{
		Format:      raw.Format.V,
		ID:          raw.ID.V,
		Version:     raw.Version.V,
		Description: Text{EN: raw.Description.EN.V, ZH: raw.Description.ZH.V},
		File:        file,
		Digest:      hex.EncodeToString(sum[:]),
	}
	if raw.Format.V != PackFormat {
		add(raw.Format.Line, "", "format must be %d, got %d", PackFormat, raw.Format.V)
	}
	if !idRE.MatchString(raw.ID.V) {
		add(raw.ID.Line, "", "pack id %q must match %s", raw.ID.V, idRE)
	}
	if strings.TrimSpace(raw.Version.V) == "" {
		add(raw.Version.Line, "", "version is required")
	}
	if len(raw.Classes) == 0 {
		add(0, "", "no classes")
	}
	if raw.NonPersonal != nil {
		p.NonPersonal = compileNonPersonal(raw.NonPersonal, add)
	}
	seen := map[string]int{}
	for i := range raw.Classes {
		rc := &raw.Classes[i]
		c := compileClass(rc, p, env, add)
		if c == nil {
			continue
		}
		if first, dup := seen[c.ID]; dup {
			add(rc.ID.Line, c.ID, "duplicate class id (first defined on line %d)", first)
			continue
		}
		seen[c.ID] = rc.ID.Line
		p.Classes = append(p.Classes, c)
	}
	if len(perr.Problems) == 0 {
		for _, f := range p.Test() {
			add(f.Line, f.Class, "%s", f.Reason)
		}
	}
	if len(perr.Problems) > 0 {
		attributeClasses(data, perr.Problems)
		sort.SliceStable(perr.Problems, func(i, j int) bool { return perr.Problems[i].Line < perr.Problems[j].Line })
		return nil, perr
	}
	return p, nil
}

// attributeClasses names the class of problems the YAML decoder reported
// (unknown fields, wrong types) by the class entry their line falls in.
func attributeClasses(data []byte, probs []Problem) {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return
	}
	type span struct {
		line int
		id   string
	}
	var spans []span
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "classes" || m.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		for _, item := range m.Content[i+1].Content {
			sp := span{line: item.Line}
			for j := 0; item.Kind == yaml.MappingNode && j+1 < len(item.Content); j += 2 {
				if item.Content[j].Value == "id" {
					sp.id = item.Content[j+1].Value
				}
			}
			spans = append(spans, sp)
		}
	}
	for i := range probs {
		if probs[i].Class != "" || probs[i].Line == 0 {
			continue
		}
		for _, sp := range spans {
			if sp.line <= probs[i].Line {
				probs[i].Class = sp.id
			}
		}
	}
}

var idRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)
var classIDRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

func friendlyYAML(msg string) string {
	if i := strings.Index(msg, " not found in type "); i >= 0 && strings.HasPrefix(msg, "field ") {
		return "unknown field " + strings.TrimPrefix(msg[:i], "field ")
	}
	if strings.HasPrefix(msg, "cannot unmarshal !!") {
		msg = strings.Replace(msg, "cannot unmarshal ", "wrong type: ", 1)
		msg = strings.ReplaceAll(msg, "rules.", "")
	}
	return msg
}

type addFunc func(line int, class, format string, args ...any)

func compileRegexps(list []lval[string], class, what string, add addFunc) ([]string, []*regexp.Regexp) {
	var src []string
	var res []*regexp.Regexp
	for _, s := range list {
		re, err := regexp.Compile(s.V)
		if err != nil {
			add(s.Line, class, "bad %s regexp %q: %v", what, s.V, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
			continue
		}
		src = append(src, s.V)
		res = append(res, re)
	}
	return src, res
}

func examples(list []lval[string]) []Example {
	var out []Example
	for _, e := range list {
		out = append(out, Example{Text: e.V, Line: e.Line})
	}
	return out
}

func compileNonPersonal(r *rawNonPersonal, add addFunc) *HeaderRule {
	h := &HeaderRule{names: map[string]bool{}}
	for _, n := range r.Names {
		c := NormalizeHeader(n.V).Compact
		if c == "" {
			add(n.Line, "", "non_personal: empty name")
			continue
		}
		h.Names = append(h.Names, n.V)
		h.names[c] = true
	}
	h.Patterns, h.patterns = compileRegexps(r.Patterns, "", "non_personal", add)
	h.Examples.HeaderMatch = examples(r.Examples.Match)
	h.Examples.HeaderNoMatch = examples(r.Examples.NoMatch)
	if len(r.Names) > 0 {
		h.Line = r.Names[0].Line
	} else if len(r.Patterns) > 0 {
		h.Line = r.Patterns[0].Line
	}
	return h
}

func compileClass(rc *rawClass, p *Pack, env *validatorEnv, add addFunc) *Class {
	id := rc.ID.V
	line := rc.ID.Line
	if !classIDRE.MatchString(id) || id == ClassNone {
		add(line, id, "class id %q must match %s and not be %q", id, classIDRE, ClassNone)
		if id == "" {
			return nil
		}
	}
	c := &Class{
		ID:          id,
		Name:        Text{EN: rc.Name.EN.V, ZH: rc.Name.ZH.V},
		Description: Text{EN: rc.Description.EN.V, ZH: rc.Description.ZH.V},
		Category:    Category(rc.Category.V),
		Override:    rc.Override.V,
		Pack:        p.ID,
		File:        p.File,
		Line:        line,
	}
	if c.Name.EN == "" || c.Name.ZH == "" {
		add(line, id, "name needs both en and zh")
	}
	if c.Description.EN == "" || c.Description.ZH == "" {
		add(line, id, "description needs both en and zh")
	}
	if !c.Category.valid() {
		add(orLine(rc.Category.Line, line), id, "unknown category %q (want direct_identifier, quasi_identifier, sensitive_attribute, pipl_sensitive or none)", rc.Category.V)
	}
	for _, pr := range rc.Protection.problems {
		add(pr.Line, id, "%s", pr.Msg)
	}
	c.Protection = Protection{Method: rc.Protection.Method, Params: rc.Protection.Params}
	if c.Protection.Method == "" {
		add(line, id, "protection is required")
	} else if err := c.Protection.Validate(); err != nil {
		add(orLine(rc.Protection.Line, line), id, "%s", strings.TrimPrefix(err.Error(), "rules: "))
	}

	if rc.Column != nil {
		c.colNames = map[string]bool{}
		for _, n := range rc.Column.Names {
			k := NormalizeHeader(n.V).Compact
			if k == "" {
				add(n.Line, id, "empty column name")
				continue
			}
			c.Column.Names = append(c.Column.Names, n.V)
			c.colNames[k] = true
		}
		c.Column.Patterns, c.colPatterns = compileRegexps(rc.Column.Patterns, id, "column", add)
		c.Column.Exclude, c.colExclude = compileRegexps(rc.Column.Exclude, id, "column exclude", add)
		c.Column.Required = rc.Column.Required.V
	}
	hasColumn := len(c.colNames)+len(c.colPatterns) > 0

	if rv := rc.Value; rv != nil {
		v := &ValueRule{MinRatio: DefaultMinRatio, Weight: DefaultWeight, FreeText: rv.FreeText.V, Key: rv.Key.V, Identifier: rv.Identifier.V}
		v.Patterns, c.valPatterns = compileRegexps(rv.Patterns, id, "value", add)
		table := validatorTable()
		for _, name := range rv.Validators {
			def, ok := table[name.V]
			if !ok {
				add(name.Line, id, "unknown validator %q (known: %s)", name.V, validatorNames(table))
				continue
			}
			v.Validators = append(v.Validators, name.V)
			c.valFuncs = append(c.valFuncs, def.fn(env))
		}
		for _, name := range rv.Plausible {
			def, ok := table[name.V]
			if !ok {
				add(name.Line, id, "unknown plausible validator %q (known: %s)", name.V, validatorNames(table))
				continue
			}
			v.Plausible = append(v.Plausible, name.V)
			c.plausFuncs = append(c.plausFuncs, def.fn(env))
		}
		if len(rv.Values) > 0 {
			c.valSet = map[string]bool{}
			for _, x := range rv.Values {
				v.Values = append(v.Values, x.V)
				c.valSet[strings.ToLower(NormalizeValue(x.V))] = true
			}
		}
		ratio := func(f *lval[float64], dst *float64, what string, zeroOK bool) {
			if f == nil {
				return
			}
			if f.V > 1 || f.V < 0 || (f.V == 0 && !zeroOK) {
				add(f.Line, id, "%s must be in (0, 1], got %g", what, f.V)
				return
			}
			*dst = f.V
		}
		ratio(rv.MinRatio, &v.MinRatio, "min_ratio", false)
		ratio(rv.Weight, &v.Weight, "weight", false)
		ratio(rv.MinUnique, &v.MinUnique, "min_unique", true)
		if len(rv.Patterns)+len(rv.Validators)+len(rv.Values) == 0 {
			add(line, id, "value rule needs patterns, validators or values")
		}
		c.Value = v
	}
	if !hasColumn && c.Value == nil {
		add(line, id, "class needs a column rule or a value rule")
	}
	if c.Column.Required && !hasColumn {
		add(line, id, "column.required without column names or patterns")
	}

	c.Examples.Match = examples(rc.Examples.Match)
	c.Examples.NoMatch = examples(rc.Examples.NoMatch)
	if rc.Examples.Headers != nil {
		c.Examples.HeaderMatch = examples(rc.Examples.Headers.Match)
		c.Examples.HeaderNoMatch = examples(rc.Examples.Headers.NoMatch)
	}
	if c.Value != nil && len(c.Examples.Match) == 0 {
		add(line, id, "a value rule needs at least one examples.match value")
	}
	if c.Value != nil && len(c.Examples.NoMatch) == 0 {
		add(line, id, "a value rule needs at least one examples.no_match value")
	}
	if hasColumn && len(c.Examples.HeaderMatch) == 0 {
		add(line, id, "a column rule needs at least one examples.headers.match name")
	}
	if c.Value == nil && len(c.Examples.Match)+len(c.Examples.NoMatch) > 0 {
		add(line, id, "value examples given but the class has no value rule")
	}
	if !hasColumn && len(c.Examples.HeaderMatch)+len(c.Examples.HeaderNoMatch) > 0 {
		add(line, id, "header examples given but the class has no column rule")
	}
	return c
}

func orLine(l, def int) int {
	if l > 0 {
		return l
	}
	return def
}

// ExampleFailure is an example that does not behave as its rule pack says.
type ExampleFailure struct {
	Pack    string `json:"pack"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Class   string `json:"class,omitempty"`
	Kind    string `json:"kind"` // match, no_match, header_match, header_no_match
	Example string `json:"example"`
	Reason  string `json:"reason"`
}

func (f ExampleFailure) String() string {
	return Problem{File: f.File, Line: f.Line, Class: f.Class, Msg: f.Reason}.String()
}

// Test checks every example of the pack against its own class and returns the
// failures; a loaded pack has none, since Load rejects failing examples.
func (p *Pack) Test() []ExampleFailure {
	var out []ExampleFailure
	fail := func(c string, e Example, kind, format string, args ...any) {
		out = append(out, ExampleFailure{Pack: p.ID, File: p.File, Line: e.Line, Class: c, Kind: kind, Example: e.Text, Reason: fmt.Sprintf(format, args...)})
	}
	for _, c := range p.Classes {
		for _, e := range c.Examples.Match {
			if !c.MatchValue(e.Text) {
				fail(c.ID, e, "match", "match example %q does not pass the value rule", e.Text)
			}
		}
		for _, e := range c.Examples.NoMatch {
			if c.MatchValue(e.Text) {
				fail(c.ID, e, "no_match", "no_match example %q passes the value rule", e.Text)
			}
		}
		for _, e := range c.Examples.HeaderMatch {
			if c.MatchHeader(NormalizeHeader(e.Text)) == 0 {
				fail(c.ID, e, "header_match", "header example %q does not match the column rule", e.Text)
			}
		}
		for _, e := range c.Examples.HeaderNoMatch {
			if c.MatchHeader(NormalizeHeader(e.Text)) > 0 {
				fail(c.ID, e, "header_no_match", "header no_match example %q matches the column rule", e.Text)
			}
		}
	}
	if np := p.NonPersonal; np != nil {
		for _, e := range np.Examples.HeaderMatch {
			if _, ok := np.Match(NormalizeHeader(e.Text)); !ok {
				fail("", e, "header_match", "non_personal example %q does not match", e.Text)
			}
		}
		for _, e := range np.Examples.HeaderNoMatch {
			if _, ok := np.Match(NormalizeHeader(e.Text)); ok {
				fail("", e, "header_no_match", "non_personal no_match example %q matches", e.Text)
			}
		}
	}
	return out
}

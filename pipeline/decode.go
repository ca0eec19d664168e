package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// maxNodes bounds the nodes visited while decoding, so that alias expansion
// ("billion laughs") cannot blow up.
const maxNodes = 100_000

type position struct{ line, col int }

// decoder walks a yaml.Node tree into Go structs by reflection, strictly:
// unknown keys, wrong types and repeated keys are problems, and every problem
// is collected with its line, column and field path.
type decoder struct {
	file     string
	problems []Problem
	pos      map[string]position // field path → position of its value
	bad      map[string]bool     // field paths that failed to decode
	fatal    bool                // nothing usable was decoded
	visited  int
	active   map[*yaml.Node]bool
	exceeded bool
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, pos: map[string]position{}, bad: map[string]bool{}, active: map[*yaml.Node]bool{}}
}

func (d *decoder) present(path string) bool { _, ok := d.pos[path]; return ok }

func (d *decoder) add(line, col int, path, format string, args ...any) {
	d.problems = append(d.problems, Problem{File: d.file, Line: line, Column: col, Field: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) addNode(n *yaml.Node, path, format string, args ...any) {
	d.bad[path] = true
	d.add(n.Line, n.Column, path, format, args...)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (d *decoder) parseError(err error) {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		d.add(line, 0, "", "invalid YAML: %s", m[2])
		return
	}
	d.add(0, 0, "", "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}

// decodeDocument parses data and decodes its single document into out.
func (d *decoder) decodeDocument(data []byte, out any) {
	defer func() {
		if r := recover(); r != nil {
			d.fatal = true
			d.add(0, 0, "", "invalid YAML: the parser failed (%v)", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		d.fatal = true
		if errors.Is(err, io.EOF) {
			d.add(0, 0, "", "the file is empty; start it with format: %d", ConfigFormat)
			return
		}
		d.parseError(err)
		return
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		d.parseError(err)
	default:
		d.add(extra.Line, extra.Column, "", "more than one YAML document; a config file holds exactly one")
	}
	root := &doc
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			d.fatal = true
			d.add(0, 0, "", "the file is empty; start it with format: %d", ConfigFormat)
			return
		}
		root = doc.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		d.fatal = true
		d.add(root.Line, root.Column, "", "the file is empty; start it with format: %d", ConfigFormat)
		return
	}
	if root.Kind != yaml.MappingNode {
		d.fatal = true
		d.add(root.Line, root.Column, "", "the file must be a mapping of keys, such as format: %d", ConfigFormat)
		return
	}
	d.decodeValue(root, reflect.ValueOf(out).Elem(), "")
}

var simpleKeyRE = regexp.MustCompile(`^[\p{L}\p{N}_-]+$`)

// childPath joins a field path and a key: a.b, or a["x.y"] for keys that are
// not plain words.
func childPath(parent, key string) string {
	if !simpleKeyRE.MatchString(key) {
		return parent + "[" + strconv.Quote(key) + "]"
	}
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func indexPath(parent string, i int) string { return fmt.Sprintf("%s[%d]", parent, i) }

var (
	durationType   = reflect.TypeOf(time.Duration(0))
	columnTypeType = reflect.TypeOf(ColumnType{})
)

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	v := n.Value
	if len([]rune(v)) > 40 {
		v = string([]rune(v)[:40]) + "…"
	}
	switch n.ShortTag() {
	case "!!int":
		return "the integer " + v
	case "!!float":
		return "the number " + v
	case "!!bool":
		return "the boolean " + v
	case "!!null":
		return "nothing"
	}
	return strconv.Quote(v)
}

func (d *decoder) decodeValue(n *yaml.Node, v reflect.Value, path string) {
	if d.exceeded {
		return
	}
	d.visited++
	if d.visited > maxNodes {
		d.exceeded = true
		d.add(n.Line, n.Column, path, "the document is too large (more than %d values after expanding aliases)", maxNodes)
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil || d.active[n.Alias] {
			d.addNode(n, path, "alias *%s refers to a value that contains it", n.Value)
			return
		}
		d.decodeValue(n.Alias, v, path)
		return
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // an empty value means the default
	}
	if t := n.Tag; t != "" && t != "!" && !strings.HasPrefix(t, "!!") && !strings.HasPrefix(t, "tag:yaml.org,2002:") {
		d.addNode(n, path, "unsupported YAML tag %s", t)
		return
	}
	if path != "" {
		d.pos[path] = position{n.Line, n.Column}
	}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		d.active[n] = true
		defer delete(d.active, n)
	}

	switch v.Type() {
	case durationType:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			d.addNode(n, path, "want a duration such as 90s, 30m or 2h, got %s", describe(n))
			return
		}
		dur, err := time.ParseDuration(n.Value)
		if err != nil {
			d.addNode(n, path, "want a duration such as 90s, 30m or 2h, got %s", describe(n))
			return
		}
		v.SetInt(int64(dur))
		return
	case columnTypeType:
		if n.Kind != yaml.ScalarNode {
			d.addNode(n, path, "want a column type, got %s", describe(n))
			return
		}
		ct, err := ParseColumnType(n.Value)
		if err != nil {
			d.addNode(n, path, "%v", err)
			return
		}
		v.Set(reflect.ValueOf(ct))
		return
	}

	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decodeValue(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.addNode(n, path, "want a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decodeValue(item, s.Index(i), indexPath(path, i))
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.addNode(n, path, "want a string, got %s", describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			d.addNode(n, path, "want an integer, got %s", describe(n))
			return
		}
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
		if err != nil || v.OverflowInt(i) {
			d.addNode(n, path, "integer %s is out of range", n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		tag := n.ShortTag()
		if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") {
			d.addNode(n, path, "want a number, got %s", describe(n))
			return
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil {
			if i, err2 := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err2 == nil {
				f, err = float64(i), nil
			}
		}
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.addNode(n, path, "want a finite number, got %s", describe(n))
			return
		}
		v.SetFloat(f)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			d.addNode(n, path, "want true or false, got %s", describe(n))
			return
		}
		v.SetBool(strings.EqualFold(n.Value, "true"))
	default:
		d.addNode(n, path, "internal: cannot decode into %s", v.Type())
	}
}

type fieldInfo struct {
	index int
	name  string
}

func structFields(t reflect.Type) map[string]fieldInfo {
	out := map[string]fieldInfo{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		out[name] = fieldInfo{index: i, name: name}
	}
	return out
}

// keyNodes checks a mapping's keys and yields each key/value pair once.
func (d *decoder) pairs(n *yaml.Node, path string, each func(key string, k, val *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			d.addNode(k, path, "keys must be plain strings, got %s", describe(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			d.addNode(k, path, "merge keys (<<) are not supported; write the keys out")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.add(k.Line, k.Column, childPath(path, k.Value), "key %q is repeated (first at line %d)", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		each(k.Value, k, val)
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.addNode(n, path, "want a mapping of keys, got %s", describe(n))
		return
	}
	fields := structFields(v.Type())
	d.pairs(n, path, func(key string, k, val *yaml.Node) {
		f, ok := fields[key]
		if !ok {
			d.add(k.Line, k.Column, childPath(path, key), "unknown key %q%s", key, suggest(key, fields))
			return
		}
		d.decodeValue(val, v.Field(f.index), childPath(path, key))
	})
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.addNode(n, path, "want a mapping of names, got %s", describe(n))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	et := v.Type().Elem()
	d.pairs(n, path, func(key string, k, val *yaml.Node) {
		if key == "" {
			d.addNode(k, path, "empty name")
			return
		}
		elem := reflect.New(et).Elem()
		cp := childPath(path, key)
		d.decodeValue(val, elem, cp)
		if _, ok := d.pos[cp]; !ok {
			d.pos[cp] = position{val.Line, val.Column}
		}
		v.SetMapIndex(reflect.ValueOf(key), elem)
	})
}

// suggest names the closest valid key, or lists them all.
func suggest(key string, fields map[string]fieldInfo) string {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	best, bestDist := "", 3
	for _, name := range names {
		if dist := editDistance(strings.ToLower(key), name); dist < bestDist {
			best, bestDist = name, dist
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return "; valid keys: " + strings.Join(names, ", ")
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 99
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if unicode.ToLower(ra[i-1]) == unicode.ToLower(rb[j-1]) {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

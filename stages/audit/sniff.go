package audit

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// MappingAuto chooses a built-in mapping per file from its content.
const MappingAuto = "auto"

// sniffBytes is how much of a file is read to tell its shape.
const sniffBytes = 256 << 10

// sniffLines is how many JSON lines are parsed to collect field names.
const sniffLines = 200

// Sniffed is what the start of a log file shows: its format, the names of
// its fields (never their values) and the built-in mapping whose shape it
// has ("" when none does).
type Sniffed struct {
	File      string   `json:"file"`
	Format    string   `json:"format"`              // json or csv
	Delimiter string   `json:"delimiter,omitempty"` // csv
	Array     bool     `json:"array,omitempty"`     // json: the file is one JSON array of events, not JSON lines
	Fields    []string `json:"fields"`              // JSON keys (nested as a.b, two levels) or CSV header names
	Mapping   string   `json:"mapping,omitempty"`   // detected built-in mapping
}

// errSniff marks a file whose shape cannot be told.
var errSniff = errors.New("cannot tell the log's shape")

// SniffFile reads the start of a log file (plain or .gz) and reports its
// shape. A .zst file cannot be sniffed: name its mapping explicitly.
func SniffFile(path string) (Sniffed, error) {
	s := Sniffed{File: path}
	f, err := os.Open(path)
	if err != nil {
		return s, err
	}
	defer f.Close()
	var r io.Reader = f
	switch {
	case strings.HasSuffix(path, ".gz"):
		gz, err := gzip.NewReader(f)
		if err != nil {
			return s, fmt.Errorf("%w: %v", errSniff, err)
		}
		defer gz.Close()
		r = gz
	case strings.HasSuffix(path, ".zst"):
		return s, fmt.Errorf("%w: compressed with zstd; name the mapping", errSniff)
	}
	head := make([]byte, sniffBytes)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return s, err
	}
	head = bytes.TrimPrefix(head[:n], []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) == 0 {
		return s, fmt.Errorf("%w: empty", errSniff)
	}
	switch trimmed[0] {
	case '{':
		s.Format = "json"
		s.Fields, s.Mapping = sniffJSON(trimmed, n == sniffBytes)
	case '[':
		s.Format, s.Array = "json", true
		s.Fields, s.Mapping = sniffJSONArray(trimmed)
	default:
		s.Format = "csv"
		s.Delimiter, s.Fields = sniffCSV(trimmed)
		s.Mapping = detectCSV(s.Fields)
	}
	return s, nil
}

// sniffJSON collects the key paths of the first lines and detects the
// mapping from the first line that has a known shape.
func sniffJSON(data []byte, truncated bool) ([]string, string) {
	seen := map[string]bool{}
	mapping := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), sniffBytes+1)
	for i := 0; sc.Scan() && i < sniffLines; i++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var obj map[string]any
		if json.Unmarshal(line, &obj) != nil {
			continue // a truncated last line, or a bad one
		}
		keyPaths(obj, "", 0, seen)
		if mapping == "" {
			mapping = detectJSON(obj)
		}
	}
	_ = truncated
	return sortedSet(seen), mapping
}

// sniffJSONArray collects the key paths of the first elements of a JSON
// array (as export tools write: [{...}, {...}]) and detects the mapping from
// the first element with a known shape. A head cut inside an element ends
// the scan.
func sniffJSONArray(data []byte) ([]string, string) {
	seen := map[string]bool{}
	mapping := ""
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil, ""
	}
	for i := 0; dec.More() && i < sniffLines; i++ {
		var el any
		if dec.Decode(&el) != nil {
			break
		}
		obj, ok := el.(map[string]any)
		if !ok {
			continue
		}
		keyPaths(obj, "", 0, seen)
		if mapping == "" {
			mapping = detectJSON(obj)
		}
	}
	return sortedSet(seen), mapping
}

func keyPaths(obj map[string]any, prefix string, depth int, out map[string]bool) {
	for k, v := range obj {
		out[prefix+k] = true
		if m, ok := v.(map[string]any); ok && depth < 1 {
			keyPaths(m, prefix+k+".", depth+1, out)
		}
	}
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sniffCSV picks the delimiter that splits the header into the most
// fields and returns the header names.
func sniffCSV(data []byte) (string, []string) {
	line := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		line = data[:i]
	}
	best, bestN := ",", 0
	for _, d := range []string{",", ";", "\t", "|"} {
		if n := bytes.Count(line, []byte(d)); n > bestN {
			best, bestN = d, n
		}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = rune(best[0])
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return best, nil
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	return best, header
}

func has(fields map[string]any, names ...string) bool {
	for _, n := range names {
		if _, ok := fields[n]; !ok {
			return false
		}
	}
	return true
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// detectJSON names the built-in mapping whose shape obj has.
func detectJSON(obj map[string]any) string {
	props, _ := obj["properties"].(map[string]any)
	category := str(obj["category"])
	switch {
	case str(obj["format"]) == "vigil.querylog/v1":
		return MappingVigil
	case has(obj, "EVENT_TYPE"):
		return MappingSalesforceELF
	case has(obj, "attributes"), has(obj, "EventDate"), has(obj, "EventIdentifier"),
		has(obj, "LoginTime", "LoginType"), has(obj, "CreatedDate", "Action", "Section"):
		return MappingSalesforce
	case has(obj, "CreationTime", "Operation") && (has(obj, "Workload") || has(obj, "RecordType")):
		return MappingM365
	case has(obj, "CreationDate", "AuditData"):
		return MappingM365Export
	case strings.HasSuffix(category, "SignInLogs"), str(obj["operationName"]) == "Sign-in activity",
		has(obj, "createdDateTime", "userPrincipalName", "appDisplayName"),
		props != nil && has(props, "createdDateTime", "userPrincipalName", "appDisplayName"):
		return MappingEntraSignIn
	case category == "AuditLogs", has(obj, "activityDisplayName"), props != nil && has(props, "activityDisplayName"):
		return MappingEntraAudit
	}
	return ""
}

// detectCSV names the built-in mapping whose header this is.
func detectCSV(header []string) string {
	f := map[string]any{}
	for _, h := range header {
		f[h] = true
	}
	switch {
	case has(f, "EVENT_TYPE", "TIMESTAMP"):
		return MappingSalesforceELF
	case has(f, "CreationDate", "AuditData"):
		return MappingM365Export
	case has(f, "Date", "User", "Action", "Section"):
		return MappingSalesforceSetupAudit
	case has(f, "Login Time", "Username"), has(f, "LoginTime", "LoginType"):
		return MappingSalesforceLoginHistory
	case hasAny(f, "Action", "Action Type") && hasAny(f, "Done By", "Done_By", "User", "User Name") &&
		hasAny(f, "Module", "Feature") && hasAny(f, "Time", "Audited Time", "Audited_Time", "Date", "Done On", "Date & Time"):
		return MappingZoho
	case hasAny(f, "操作时间", "登录时间", "时间", "发生时间") && hasAny(f, "操作人", "登录人", "员工", "员工姓名", "成员", "操作者", "用户", "登录成员", "账号"):
		return chineseVendor(f)
	}
	return ""
}

func hasAny(fields map[string]any, names ...string) bool {
	for _, n := range names {
		if _, ok := fields[n]; ok {
			return true
		}
	}
	return false
}

// chineseVendor tells a 纷享销客 log from a 简道云 one by the columns only
// one of them shows; "" when the header has neither's (name the mapping).
func chineseVendor(f map[string]any) string {
	score := func(names ...string) int {
		n := 0
		for _, c := range names {
			if _, ok := f[c]; ok {
				n++
			}
		}
		return n
	}
	jdy := score("所属应用", "触发方式", "应用", "表单", "表单名称", "成员", "登录成员", "操作者", "事件", "事件类型")
	fx := score("业务对象", "对象", "对象名称", "数据名称", "员工", "员工姓名", "登录人", "终端", "操作行为", "登录账号")
	switch {
	case jdy > fx:
		return MappingJiandaoyun
	case fx > jdy:
		return MappingFxiaoke
	}
	return ""
}

// fileGroup is files read through one mapping in one format.
type fileGroup struct {
	m      Mapping
	header string // CSV header: files of one group share it (DuckDB keeps rejected lines only without union_by_name)
	files  []string
}

// flexible reports whether a built-in mapping reads plain text columns by
// name only, so that the same rows as CSV or as JSON lines both map.
func (m Mapping) flexible() bool {
	if len(m.Columns) == 0 {
		return false
	}
	for _, t := range m.Columns {
		if !strings.EqualFold(t, "VARCHAR") {
			return false
		}
	}
	return true
}

// plan decides how each file is read: by the source's mapping, or for
// auto by the built-in mapping its content shows. A file whose content is
// not in the mapping's format is an error: a CSV is never read as JSON.
func (s LogSource) plan(files []string) ([]fileGroup, error) {
	var groups []fileGroup
	var header string
	add := func(m Mapping, f string) {
		if m.Format != "csv" {
			header = ""
		}
		for i := range groups {
			if groups[i].m.Name == m.Name && groups[i].m.Format == m.Format && groups[i].m.jsonArray == m.jsonArray && groups[i].header == header {
				groups[i].files = append(groups[i].files, f)
				return
			}
		}
		groups = append(groups, fileGroup{m: m, header: header, files: []string{f}})
	}
	auto := s.Custom == nil && (s.Mapping == MappingAuto)
	var base Mapping
	if !auto {
		m, err := s.resolveMapping()
		if err != nil {
			return nil, err
		}
		base = m
	}
	var errs []error
	for _, f := range files {
		sn, err := SniffFile(f)
		header = strings.Join(sn.Fields, "\x00")
		if auto {
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w (name its mapping)", f, err))
				continue
			}
			if sn.Mapping == "" {
				errs = append(errs, fmt.Errorf("%s: %w: no built-in mapping has this %s shape (fields: %s); name a mapping or define one",
					f, errSniff, sn.Format, strings.Join(firstN(sn.Fields, 12), ", ")))
				continue
			}
			m, _ := BuiltinMapping(sn.Mapping)
			if m.Format != sn.Format {
				m.Format = sn.Format
			}
			m.jsonArray = sn.Array
			add(m, f)
			continue
		}
		m := base
		m.jsonArray = err == nil && sn.Array
		switch {
		case err != nil:
			// Unreadable head (.zst, empty): DuckDB reads it as declared.
		case sn.Format != m.Format && s.Custom == nil && m.flexible():
			m.Format = sn.Format
		case sn.Format != m.Format:
			errs = append(errs, fmt.Errorf("%s looks like %s but mapping %q reads %s", f, strings.ToUpper(sn.Format), m.Name, strings.ToUpper(m.Format)))
			continue
		}
		add(m, f)
	}
	return groups, errors.Join(errs...)
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], "…")
	}
	return s
}

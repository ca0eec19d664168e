package reports

import (
	"fmt"
	"sort"
	"strings"
)

// recordFile is the HTML file of a record kind.
func recordFile(kind string) string {
	if kind == RecordPIA {
		return FilePIAHTML
	}
	return FileArt30HTML
}

// rationaleText says why a finding has its severity and where its
// threshold comes from: the detection's own description (split at its
// "Threshold origin:" or "Origin:" part) and the parameters it ran with.
type rationaleText struct {
	Text, Threshold string
}

func (d *Document) rationale(f Finding) *rationaleText {
	l := d.lang
	var desc string
	var params map[string]any
	for _, r := range d.Detections {
		if r.ID == f.Detection {
			desc, params = r.Description, r.Params
		}
	}
	if t, ok := l.m.Detections[f.Detection]; ok && l.lang != LangEN && t.Description != "" {
		desc = t.Description
	} else if t := l.m.Descriptions[f.Detection]; l.lang != LangEN && t != "" {
		desc = t
	}
	desc = strings.Join(strings.Fields(desc), " ")
	why, origin := desc, ""
	for _, marker := range []string{"Threshold origin:", "Origin:", "阈值来源：", "来源："} {
		if i := strings.Index(desc, marker); i >= 0 {
			why, origin = strings.TrimSpace(desc[:i]), strings.TrimSpace(desc[i:])
			break
		}
	}
	r := &rationaleText{Text: l.T("rationale.severity", l.T("sev."+f.Severity))}
	if why != "" {
		r.Text += " " + why
	}
	var ps []string
	for _, k := range sortedParams(params) {
		if k == "timezone" {
			continue
		}
		ps = append(ps, fmt.Sprintf("%s=%v", k, params[k]))
	}
	switch {
	case origin != "" && len(ps) > 0:
		r.Threshold = l.T("rationale.params", strings.Join(ps, ", ")) + " " + origin
	case origin != "":
		r.Threshold = origin
	case len(ps) > 0:
		r.Threshold = l.T("rationale.params", strings.Join(ps, ", "))
	}
	return r
}

func sortedParams(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// suggestionText is a suggestion in the report's language: the check's or
// detection's remediation, or the control's standing suggestion.
func (d *Document) suggestionText(s Suggestion) string {
	l := d.lang
	if l.lang == LangEN {
		return s.Text
	}
	kind, id, _ := strings.Cut(s.Source, " ")
	switch kind {
	case "check":
		_, fix := l.Check(id, "", s.Text)
		return fix
	case "detection":
		_, fix := l.Detection(id, "", s.Text)
		return fix
	case "control":
		return l.ControlSuggestion(id, s.Text)
	}
	return s.Text
}

// sourceText names a suggestion's source in the language.
func (d *Document) sourceText(src string) string {
	kind, id, ok := strings.Cut(src, " ")
	if !ok {
		return src
	}
	return d.lang.T("src."+kind) + " " + id
}

package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-dg/vigil/stages/audit"
)

// renderAll renders in in the four formats.
func renderAll(t testing.TB, in Input) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range renderers {
		var b bytes.Buffer
		if err := r.render(&b, in); err != nil {
			t.Fatalf("%s: %v", r.file, err)
		}
		out[r.file] = b.String()
	}
	return out
}

func TestEvidenceStaysMasked(t *testing.T) {
	in := fixtureInput()
	var masked []string
	for _, f := range in.Audit.Findings {
		for _, e := range f.Evidence {
			if strings.HasPrefix(e.ObjectID, "cust-") {
				masked = append(masked, e.ObjectID)
			}
		}
	}
	if len(masked) < 4 {
		t.Fatalf("the fixture should hold masked customer ids, has %v", masked)
	}
	for file, text := range renderAll(t, in) {
		for _, raw := range rawCustomerIDs {
			if strings.Contains(text, raw) {
				t.Errorf("%s shows the raw customer identifier %q", file, raw)
			}
		}
		if file == FileCSV {
			continue // no evidence rows in the CSV
		}
		for _, m := range masked {
			if !strings.Contains(text, m) {
				t.Errorf("%s does not show the pseudonym %q as the audit gave it", file, m)
			}
		}
	}
}

// hostileInput puts attacker-controlled text wherever log values reach the
// report.
func hostileInput() Input {
	const h = `<script>alert(1)</script>"><img src=x onerror=alert(2)>|x|*y*_z_[l](javascript:alert(3))&amp;` + "`c`\n# head"
	in := fixtureInput()
	in.Organization = h
	a := in.Audit
	a.Findings[0].User = "=HYPERLINK(\"http://evil.example/\",\"x\")" + h
	a.Findings[0].Detail = h
	a.Findings[0].Key = h
	a.Findings[0].Evidence[0].UserAgent = h
	a.Findings[0].Evidence[0].Detail = h
	a.Findings[0].Evidence[0].City = h
	a.Findings[0].Evidence[0].Source = h
	a.Charts.ExportsPerUser[0].User = h
	a.Suppressions[0].Reason = "+cmd|' /C calc'!A0 " + h
	for i := range a.Findings {
		if a.Findings[i].Suppression != nil {
			a.Findings[i].Suppression.Reason = "@SUM(1+1) " + h
		}
	}
	a.Sources[0].Name = h
	a.Checks[0].Evidence = []string{h}
	in.Inventory[0].Column = h
	in.Backups[1].Detail = h
	return in
}

func TestHostileTextIsEscaped(t *testing.T) {
	out := renderAll(t, hostileInput())

	t.Run("html", func(t *testing.T) {
		html := strings.ToLower(out[FileHTML])
		for _, bad := range []string{"<script", "<img"} {
			if strings.Contains(html, bad) {
				t.Errorf("HTML holds %q", bad)
			}
		}
		if strings.Contains(html, `href="javascript`) {
			t.Error("HTML holds a javascript: link")
		}
		if !strings.Contains(out[FileHTML], "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Error("HTML does not show the hostile text escaped")
		}
	})

	t.Run("markdown", func(t *testing.T) {
		md := out[FileMarkdown]
		if m := regexp.MustCompile(`(^|[^\\])[<>]`).FindString(md); m != "" {
			t.Errorf("Markdown holds an unescaped angle bracket: %q", m)
		}
		if regexp.MustCompile(`(^|[^\\])\]\(javascript`).MatchString(md) {
			t.Error("Markdown holds a link")
		}
		// Every table row has as many unescaped cell separators as its header.
		sep := regexp.MustCompile(`(^|[^\\])\|`)
		want := -1
		for i, line := range strings.Split(md, "\n") {
			if !strings.HasPrefix(line, "|") {
				want = -1
				continue
			}
			n := len(sep.FindAllString(strings.ReplaceAll(line, "||", "| |"), -1))
			if want < 0 {
				want = n
				continue
			}
			if n != want {
				t.Errorf("Markdown line %d has %d cell separators, its table %d: %s", i+1, n, want, line)
			}
		}
		if strings.Contains(md, "\n# head") {
			t.Error("a line break in a value made a Markdown heading")
		}
	})

	t.Run("csv", func(t *testing.T) {
		if !strings.HasPrefix(out[FileCSV], "\ufeff") {
			t.Error("findings.csv has no UTF-8 byte-order mark")
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out[FileCSV], "\ufeff")))
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1+len(hostileInput().Audit.Findings) {
			t.Fatalf("%d CSV records", len(recs))
		}
		for i, rec := range recs {
			if len(rec) != len(csvHeader)+2 {
				t.Errorf("record %d has %d fields", i, len(rec))
			}
			for j, c := range rec {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					t.Errorf("record %d field %s starts with %q: a spreadsheet would run it", i, csvHeader[j], c[:1])
				}
			}
		}
		if !strings.HasPrefix(recs[1][6], `'=HYPERLINK(`) {
			t.Errorf("user cell %q is not defused", recs[1][6])
		}
	})

	t.Run("json", func(t *testing.T) {
		var v map[string]any
		if err := json.Unmarshal([]byte(out[FileJSON]), &v); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out[FileJSON], "<script") {
			t.Error("report.json holds a raw <script (served as HTML it would run)")
		}
	})
}

func TestCodeSpans(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []textSpan
	}{
		{"Run `vigil verify` now.", []textSpan{{"Run ", false}, {"vigil verify", true}, {" now.", false}}},
		{"no code", []textSpan{{"no code", false}}},
		{"odd ` quote", []textSpan{{"odd ` quote", false}}},
		{"`a``b`", []textSpan{{"a", true}, {"b", true}}},
		{"", nil},
	} {
		got := codeSpans(c.in)
		if len(got) != len(c.want) {
			t.Errorf("%q: %v, want %v", c.in, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%q: %v, want %v", c.in, got, c.want)
			}
		}
	}
}

func FuzzUntrustedText(f *testing.F) {
	for _, s := range []string{"", "<script>alert(1)</script>", "=1+1", "a|b\nc", "`x`", "\\<b\\>", "]]>", "<!--", "<svg onload=x>", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := fixtureInput()
		in.Previous = nil
		in.Inventory, in.Backups, in.Datasets = nil, nil, nil
		a := in.Audit
		a.Findings = a.Findings[:1]
		a.Findings[0].User, a.Findings[0].Title, a.Findings[0].Detail = s, s, s
		a.Findings[0].Evidence = []audit.Evidence{{User: s, UserAgent: s, Detail: s, Action: s, ObjectID: s, Source: s}}
		a.Charts.ExportsPerUser = []audit.UserExports{{User: s, Exports: 1, Records: 2}}
		out := renderAll(t, in)
		if strings.Contains(strings.ToLower(out[FileHTML]), "<script") {
			t.Errorf("HTML holds <script for %q", s)
		}
		if m := regexp.MustCompile(`(^|[^\\])<`).FindString(out[FileMarkdown]); m != "" {
			t.Errorf("Markdown holds an unescaped < for %q", s)
		}
		recs, err := csv.NewReader(strings.NewReader(out[FileCSV])).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Errorf("CSV for %q: %d records, %v", s, len(recs), err)
		}
	})
}

// TestHTMLSelfContained checks the page statically (the Chromium test
// checks it in a browser): no element that fetches, no stylesheet URL, only
// in-page links, and the CSP that forbids the rest.
func TestHTMLSelfContained(t *testing.T) {
	html := renderAll(t, hostileInput())[FileHTML]
	lower := strings.ToLower(html)
	if m := regexp.MustCompile(`<(script|link|iframe|frame|object|embed|img|image|use|audio|video|source|track|base|form|meta http-equiv="refresh")\b`).FindString(lower); m != "" {
		t.Errorf("HTML holds %s", m)
	}
	style := between(t, html, "<style>", "</style>")
	for _, bad := range []string{"url(", "@import", "@font-face"} {
		if strings.Contains(style, bad) {
			t.Errorf("the stylesheet holds %s", bad)
		}
	}
	for _, m := range regexp.MustCompile(`\bhref="([^"]*)"`).FindAllStringSubmatch(html, -1) {
		if !strings.HasPrefix(m[1], "#") && m[1] != FileArt30HTML && m[1] != FilePIAHTML {
			t.Errorf("link to %q: only in-page links and the records beside the report are allowed", m[1])
		}
	}
	csp := `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`
	if i := strings.Index(html, csp); i < 0 || i > strings.Index(html, "<title>") {
		t.Error("the CSP meta tag is missing or comes after content")
	}
	if strings.Contains(html, "ZgotmplZ") {
		t.Error("html/template rejected a value (ZgotmplZ)")
	}
}

package reports

import (
	"context"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-dg/vigil/stages/audit"
)

// overflowProbe loads a report in a same-origin iframe (file access
// allowed for this test only; the report itself runs no script) and lists
// every element whose content overflows its box, every SVG label outside
// its chart, and a page wider than the window.
const overflowProbe = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<iframe id="r" src="REPORT" style="width:1280px;height:4000px;border:0"></iframe>
<pre id="out">pending</pre>
<script>
document.getElementById('r').addEventListener('load', function () {
  var d = this.contentDocument, w = this.contentWindow, out = [];
  function path(el) { return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined ? '.' + String(el.className).split(' ').join('.') : ''); }
  if (d.documentElement.scrollWidth > w.innerWidth + 1) out.push('page wider than the window: ' + d.documentElement.scrollWidth);
  d.querySelectorAll('body *').forEach(function (el) {
    if (el.closest('.tablewrap') || el.closest('svg')) return;
    var cs = w.getComputedStyle(el);
    if (cs.display === 'inline' || cs.display === 'none') return;
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) out.push('overflow ' + path(el) + ': ' + (el.textContent || '').trim().slice(0, 60));
  });
  d.querySelectorAll('svg.chart').forEach(function (svg) {
    var vb = svg.viewBox.baseVal;
    svg.querySelectorAll('text').forEach(function (t) {
      var b = t.getBBox();
      if (b.x < vb.x - 1 || b.x + b.width > vb.x + vb.width + 1) out.push('clipped label in ' + svg.id + ': ' + t.textContent.slice(0, 60));
    });
  });
  document.getElementById('out').textContent = out.length ? out.join('\n') : 'OK';
});
</script></body></html>`

// TestBothLanguagesInChromium renders the same audit in en and zh-CN,
// screenshots each in headless Chromium, and checks that no text overflows
// its box or chart and that the Chinese report holds no English UI string.
func TestBothLanguagesInChromium(t *testing.T) {
	bin := chromiumPath(t)
	art := artifactsDir(t)
	en, _ := loadMessages(LangEN)
	zh, _ := loadMessages(LangZH)
	for _, lang := range Languages() {
		t.Run(lang, func(t *testing.T) {
			in := fixtureInput()
			in.Lang = lang
			in.Records = demoRecordConfig()
			// A long e-mail address at the chart's edge and in tables.
			in.Audit.Charts.ExportsPerUser = append(in.Audit.Charts.ExportsPerUser,
				audit.UserExports{User: "very.long.firstname.lastname@subsidiary.example-trading.com.cn", Exports: 2, Records: 90})
			dir := filepath.Join(art, "report-"+lang)
			os.RemoveAll(dir)
			w, err := Write(context.Background(), dir, in)
			if err != nil {
				t.Fatal(err)
			}
			shot := filepath.Join(art, "report-"+lang+".png")
			os.Remove(shot)
			out := runChromium(t, bin, w.HTML, "--screenshot="+shot, "--window-size=1280,3000")
			if fi, err := os.Stat(shot); err != nil || fi.Size() < 10000 {
				t.Fatalf("no screenshot: %v", err)
			}
			t.Logf("screenshot %s", shot)

			probe := filepath.Join(art, "probe-"+lang+".html")
			if err := os.WriteFile(probe, []byte(strings.Replace(overflowProbe, "REPORT", "report-"+lang+"/"+FileHTML, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			p := runChromium(t, bin, probe, "--allow-file-access-from-files", "--window-size=1300,4000", "--virtual-time-budget=10000")
			m := regexp.MustCompile(`(?s)<pre id="out">(.*?)</pre>`).FindStringSubmatch(p.DOM)
			if m == nil || m[1] == "pending" {
				t.Fatalf("the overflow probe did not run:\n%.400s", p.DOM)
			}
			if strings.TrimSpace(m[1]) != "OK" {
				t.Errorf("text overflows in the %s report:\n%s", lang, m[1])
			}
			if lang != LangZH {
				return
			}
			if !strings.Contains(out.DOM, `lang="zh-CN"`) || !strings.Contains(out.DOM, "未关闭发现") {
				t.Fatal("the zh-CN report is not in Chinese")
			}
			// No English UI string: every English catalog text that differs
			// from its translation must be absent (its literal part).
			body := out.DOM[strings.Index(out.DOM, "<body"):]
			// Evidence sentences and finding details are translated too:
			// none of their English text may show.
			for _, c := range in.Audit.Checks {
				for _, x := range c.Evidence {
					if strings.Contains(body, html.EscapeString(x)) {
						t.Errorf("untranslated evidence of %s in the zh-CN report: %q", c.ID, x)
					}
				}
			}
			for _, f := range in.Audit.Findings {
				if f.Detail != "" && strings.Contains(body, html.EscapeString(f.Detail)) {
					t.Errorf("untranslated detail of %s in the zh-CN report: %q", f.Detection, f.Detail)
				}
			}
			for k, v := range en.Strings {
				lit := v
				if i := strings.IndexByte(lit, '%'); i >= 0 {
					lit = lit[:i]
				}
				lit = strings.TrimSpace(lit)
				if len(lit) < 8 || !strings.Contains(lit, " ") || strings.Contains(zh.Strings[k], lit) {
					continue
				}
				if strings.Contains(body, lit) {
					t.Errorf("untranslated string %s (%q) in the zh-CN report", k, lit)
				}
			}
		})
	}
}

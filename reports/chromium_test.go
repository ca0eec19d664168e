package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The HTML report is opened in headless Chromium (Debian's chromium
// package; .ci/run installs it). The test saves a screenshot and a PDF as
// artifacts, checks in the rendered DOM that every chart holds one mark per
// data point, finds each chart's colour in the screenshot, checks that the
// hostile user agent stayed text, counts the printed pages, and reads
// Chromium's NetLog to prove that the page made no request.

// chromiumPath finds Chromium, or skips the test outside CI.
func chromiumPath(t *testing.T) string {
	t.Helper()
	cands := []string{os.Getenv("VIGIL_CHROMIUM"), "/usr/bin/chromium"}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			cands = append(cands, p)
		}
	}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() {
			return c
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: CI must install it (apt-get install -y chromium)")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium); the HTML report is not checked in a browser")
	return ""
}

// artifactsDir is $VIGIL_ARTIFACTS or testdata/artifacts (git-ignored).
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("VIGIL_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

type chromiumOut struct {
	DOM    string
	NetLog []byte
}

// runChromium opens page (an absolute path) headless with networking
// switched off as far as flags allow; extra adds output flags.
func runChromium(t *testing.T, bin, page string, extra ...string) chromiumOut {
	t.Helper()
	tmp := t.TempDir()
	netlog := filepath.Join(tmp, "netlog.json")
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-features=NetworkTimeServiceQuerying,AimEnabled,PreconnectToSearch",
		// Nothing may leave the machine: every host name fails to resolve.
		// Requests are still attempted, and so still in the NetLog.
		"--host-resolver-rules=MAP * ~NOTFOUND",
		"--hide-scrollbars",
		"--user-data-dir=" + filepath.Join(tmp, "profile"),
		"--log-net-log=" + netlog,
		"--dump-dom",
	}
	args = append(args, extra...)
	args = append(args, (&url.URL{Scheme: "file", Path: page}).String())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, lastLines(stderr.String(), 20))
	}
	nl, err := os.ReadFile(netlog)
	if err != nil {
		t.Fatalf("chromium wrote no NetLog: %v", err)
	}
	return chromiumOut{DOM: stdout.String(), NetLog: nl}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// netRequest is one network attempt in a NetLog.
type netRequest struct {
	Kind      string // URL_REQUEST_START_JOB | HOST_RESOLVER_MANAGER_REQUEST
	URL       string // url or host
	Initiator string
	Key       string // network isolation / anonymization key
}

// FromPage reports whether the page (a file:// document) caused the
// request. Chromium's own background requests (account and AI-mode checks,
// which no flag turns off) carry no initiating origin and a key of their
// own site; anything a file:// page fetches carries the page's opaque
// origin ("null") as initiator and file:// in its key.
func (r netRequest) FromPage() bool {
	return (r.Initiator != "" && r.Initiator != "not an origin") || strings.Contains(r.Key, "file://")
}

// netRequests reads a Chromium NetLog (JSON) and lists every URL request
// and host resolution started.
func netRequests(data []byte) ([]netRequest, error) {
	var log struct {
		Constants struct {
			LogEventTypes map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int            `json:"type"`
			Params map[string]any `json:"params"`
		} `json:"events"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		// A NetLog cut short lacks its closing brackets.
		if err2 := json.Unmarshal(append(bytes.TrimRight(bytes.TrimSpace(data), ","), []byte("]}")...), &log); err2 != nil {
			return nil, fmt.Errorf("netlog: %v", err)
		}
	}
	types := log.Constants.LogEventTypes
	start, okStart := types["URL_REQUEST_START_JOB"]
	resolve, okResolve := types["HOST_RESOLVER_MANAGER_REQUEST"]
	if !okStart || !okResolve || len(log.Events) == 0 {
		return nil, fmt.Errorf("netlog: not a NetLog this test understands (%d events)", len(log.Events))
	}
	str := func(m map[string]any, k string) string {
		s, _ := m[k].(string)
		return s
	}
	var out []netRequest
	for _, e := range log.Events {
		switch {
		case e.Type == start && str(e.Params, "url") != "":
			out = append(out, netRequest{Kind: "URL_REQUEST_START_JOB", URL: str(e.Params, "url"),
				Initiator: str(e.Params, "initiator"), Key: str(e.Params, "network_isolation_key") + " " + str(e.Params, "site_for_cookies")})
		case e.Type == resolve && str(e.Params, "host") != "":
			out = append(out, netRequest{Kind: "HOST_RESOLVER_MANAGER_REQUEST", URL: str(e.Params, "host"),
				Key: str(e.Params, "network_anonymization_key")})
		}
	}
	return out, nil
}

// svgMarks counts the elements <tag class="class" inside the <svg> with id.
func svgMarks(dom, id, tag, class string) (int, bool) {
	re := regexp.MustCompile(`(?s)<svg[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</svg>`)
	m := re.FindStringSubmatch(dom)
	if m == nil {
		return 0, false
	}
	return len(regexp.MustCompile(`<`+tag+`\b[^>]*\bclass="`+regexp.QuoteMeta(class)+`"`).FindAllString(m[1], -1)), true
}

func hexColor(s string) color.RGBA {
	v, _ := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}

// countColor counts the pixels of exactly colour c.
func countColor(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
				n++
			}
		}
	}
	return n
}

// pdfPages reads the page count of the root page tree.
func pdfPages(pdf []byte) int {
	max := 0
	for _, m := range regexp.MustCompile(`/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b`).FindAllSubmatch(pdf, -1) {
		for _, g := range m[1:] {
			if n, err := strconv.Atoi(string(g)); err == nil && n > max {
				max = n
			}
		}
	}
	return max
}

func TestHTMLInChromium(t *testing.T) {
	bin := chromiumPath(t)
	art := artifactsDir(t)
	in := fixtureInput()
	w, err := Write(context.Background(), filepath.Join(art, "report"), in)
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(art, "report.png")
	pdf := filepath.Join(art, "report.pdf")
	os.Remove(shot)
	os.Remove(pdf)
	out := runChromium(t, bin, w.HTML, "--screenshot="+shot, "--window-size=1280,3000",
		"--print-to-pdf="+pdf, "--no-pdf-header-footer")
	t.Logf("artifacts: %s, %s, %s", w.Dir, shot, pdf)
	if err := os.WriteFile(filepath.Join(art, "report.dom.html"), []byte(out.DOM), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("charts in the DOM", func(t *testing.T) {
		if !strings.Contains(out.DOM, "<h1>CRM data-protection audit</h1>") {
			t.Fatalf("the dumped DOM is not the report:\n%.500s", out.DOM)
		}
		ch := in.Audit.Charts
		for _, c := range []struct {
			id, tag, class string
			want           int
		}{
			{ChartFailedLogins, "rect", "bar", len(ch.FailedLoginsPerHour)},
			{ChartEventsPerDay, "rect", "bar", len(ch.EventsPerDay)},
			{ChartExports, "rect", "hbar", len(ch.ExportsPerUser)},
			{ChartHeatmap, "rect", "cell", 7 * 24},
			{ChartSeverity, "rect", "hbar", 5},
		} {
			got, ok := svgMarks(out.DOM, c.id, c.tag, c.class)
			if !ok {
				t.Errorf("no <svg id=%q> in the rendered DOM", c.id)
				continue
			}
			if got != c.want || got == 0 {
				t.Errorf("%s: %d <%s class=%q>, want one per data point: %d", c.id, got, c.tag, c.class, c.want)
			}
		}
	})

	t.Run("screenshot shows the charts", func(t *testing.T) {
		f, err := os.Open(shot)
		if err != nil {
			t.Fatalf("no screenshot: %v", err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 3000 {
			t.Errorf("screenshot is %v, want 1280x3000", b.Size())
		}
		// Each chart's own colour is painted (the charts in the first 3000 px).
		for name, c := range map[string]string{
			"failed logins per hour": colorFailedLogins,
			"exports per user":       colorExports,
			"access heatmap":         colorHeatTop,
			"severity (high)":        severityColor["high"],
		} {
			n := countColor(img, hexColor(c))
			if n < 200 {
				t.Errorf("%s: %d pixels of %s in the screenshot: the chart was not painted", name, n, c)
			}
			t.Logf("%s: %d pixels of %s", name, n, c)
		}
	})

	t.Run("untrusted text stays text", func(t *testing.T) {
		dom := strings.ToLower(out.DOM)
		for _, bad := range []string{"<script", "<img"} {
			if strings.Contains(dom, bad) {
				t.Errorf("the rendered DOM holds %q: log text became markup", bad)
			}
		}
		if !strings.Contains(out.DOM, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Error("the hostile user agent is not shown as text")
		}
	})

	t.Run("prints one section per page", func(t *testing.T) {
		data, err := os.ReadFile(pdf)
		if err != nil {
			t.Fatalf("no PDF: %v", err)
		}
		if !bytes.HasPrefix(data, []byte("%PDF-")) {
			t.Fatal("not a PDF")
		}
		if n := pdfPages(data); n < len(sectionList) {
			t.Errorf("PDF has %d pages, want at least one per section (%d)", n, len(sectionList))
		}
	})

	t.Run("no network request", func(t *testing.T) {
		reqs, err := netRequests(out.NetLog)
		if err != nil {
			t.Fatal(err)
		}
		self := (&url.URL{Scheme: "file", Path: w.HTML}).String()
		for _, r := range reqs {
			switch {
			case r.URL == self:
			case r.FromPage():
				t.Errorf("the page requested %s (%s, initiator %q)", r.URL, r.Kind, r.Initiator)
			default:
				t.Logf("Chromium's own background request (not the page's, resolved to nowhere): %s", r.URL)
			}
		}
	})
}

// TestNetLogSeesPageRequests proves the NetLog check can fail: a page
// without the report's CSP that loads an image, a stylesheet and a font
// from the network is caught.
func TestNetLogSeesPageRequests(t *testing.T) {
	bin := chromiumPath(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "leaky.html")
	html := `<!DOCTYPE html><html><head><link rel="stylesheet" href="http://css.vigil-test.invalid/a.css">
<style>@font-face{font-family:X;src:url(https://font.vigil-test.invalid/f.woff2)} body{font-family:X}</style></head>
<body>leak<img src="http://img.vigil-test.invalid/pixel.png" alt=""></body></html>`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runChromium(t, bin, page)
	reqs, err := netRequests(out.NetLog)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range reqs {
		if r.FromPage() {
			seen[r.URL] = true
		}
	}
	for _, want := range []string{"http://img.vigil-test.invalid/pixel.png", "http://css.vigil-test.invalid/a.css"} {
		if !seen[want] {
			t.Errorf("the NetLog check missed the page's request for %s (saw %v)", want, seen)
		}
	}
}

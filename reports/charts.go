package reports

import (
	"fmt"
	"math"
	"time"

	"github.com/vigil-dg/vigil/rules/detections"
	"github.com/vigil-dg/vigil/stages/audit"
)

// The charts are computed here as plain geometry and drawn as inline SVG by
// the HTML template, so that every label goes through html/template.

// Chart ids: the HTML carries them as the id of each chart's <svg>.
const (
	ChartFailedLogins = "chart-failed-logins"
	ChartEventsPerDay = "chart-events-per-day"
	ChartExports      = "chart-exports"
	ChartHeatmap      = "chart-heatmap"
	ChartSeverity     = "chart-severity"
)

// Chart colours, one per chart (the Chromium test finds each chart's
// colour in the screenshot).
const (
	colorFailedLogins = "#dc2626"
	colorExports      = "#0f766e"
	colorEventsPerDay = "#4f46e5"
	colorHeatTop      = "#1e3a8a"
)

// Severity and status colours: white text on each passes WCAG AA (4.5:1).
var severityColor = map[string]string{
	"critical": "#7f1d1d", "high": "#b91c1c", "medium": "#a14a0a", "low": "#1d4ed8", "info": "#475569",
}

type tick struct {
	Pos    float64
	Label  string
	Anchor string // SVG text-anchor: start (default) or end at the right edge
	DX     float64
}

// labelWidth estimates the width of an axis label in the chart's units.
func labelWidth(s string) float64 {
	width := 0.0
	for _, r := range s {
		if r > 0x2E80 {
			width += 12.5 // CJK characters are about one em wide
		} else {
			width += 7
		}
	}
	return width
}

// thinTicks drops a label that would overlap the one kept before it (the
// last label, anchored at its end at the right edge, can run into its
// neighbour).
func thinTicks(ts []tick) []tick {
	var out []tick
	lastEnd := math.Inf(-1)
	for _, t := range ts {
		w := labelWidth(t.Label)
		from := t.Pos + t.DX
		if t.Anchor == "end" {
			from -= w
		}
		if from < lastEnd+8 {
			continue
		}
		out = append(out, t)
		lastEnd = from + w
	}
	return out
}

// fitTick anchors a label that would run past the right edge w at its end.
func fitTick(t tick, w float64) tick {
	width := labelWidth(t.Label)
	t.Anchor, t.DX = "start", 3
	if t.Pos+3+width > w {
		t.Anchor, t.DX = "end", -3
	}
	return t
}

type vbar struct {
	X, Y, W, H float64
	Title      string
}

// barChart is a vertical bar chart over time.
type barChart struct {
	ID, Title, Desc string
	Color           string
	W, H            float64
	Left, Top       float64 // plot origin
	PW, PH          float64 // plot size
	Bottom          float64 // Top+PH
	Bars            []vbar
	YTicks, XTicks  []tick
	Total, Peak     int64
	PeakAt          string
}

type hbar struct {
	Y, W        float64
	Label, Text string
	Title       string
	Color       string
}

// hbarChart is a horizontal bar chart with labels on the left.
type hbarChart struct {
	ID, Title, Desc string
	W, H            float64
	Left            float64 // bar origin
	MaxW            float64
	Row, BarH       float64
	Bars            []hbar
	Empty           string
}

type cell struct {
	X, Y  float64
	Fill  string
	Title string
}

// heatmap is the 7x24 access-hour heatmap.
type heatmap struct {
	ID, Title, Desc string
	W, H            float64
	CW, CH          float64
	Cells           []cell
	Rows            []tick // weekday labels (Pos = y centre)
	Cols            []tick // hour labels (Pos = x centre)
	Legend          []cell
	LegendY         float64
	Max             int64
}

type charts struct {
	Cases        stackedChart
	FailedLogins barChart
	EventsPerDay barChart
	Exports      hbarChart
	Heatmap      heatmap
	Severity     hbarChart
}

func r2(x float64) float64 { return math.Round(x*100) / 100 }

// niceTop rounds max up to a 1-2-5 step so that the axis has at most four
// steps above zero.
func niceTop(max int64) (top, step int64) {
	if max <= 0 {
		return 1, 1
	}
	for mag := int64(1); ; mag *= 10 {
		for _, m := range []int64{1, 2, 5} {
			step = m * mag
			if step*4 >= max {
				top = (max + step - 1) / step * step
				return top, step
			}
		}
	}
}

// maxBars bounds the bars of a time chart: a long period is bucketed into
// days, weeks or 30-day months so that the report grows with its findings,
// not with its period.
const maxBars = 240

func buildCharts(d *Document) charts {
	l := d.lang
	loc := d.Location()
	c := charts{}
	hourly, hstep := rebucket(d.Charts.FailedLoginsPerHour, time.Hour, loc)
	c.FailedLogins = timeBars(l, ChartFailedLogins, l.T("chart.failed."+bucketName(hstep)), l.T("chart.failed.unit"), hourly, loc, hstep, 230)
	c.FailedLogins.Color = colorFailedLogins
	daily, dstep := rebucket(d.Charts.EventsPerDay, 24*time.Hour, time.UTC)
	c.EventsPerDay = timeBars(l, ChartEventsPerDay, l.T("chart.events."+bucketName(dstep)), l.T("chart.events.unit"), daily, time.UTC, dstep, 180)
	c.EventsPerDay.Color = colorEventsPerDay
	c.Exports = exportBars(l, d.Charts.ExportsPerUser)
	c.Heatmap = accessHeatmap(l, d.Charts.AccessHeatmap, d.TimeZone)
	c.Severity = severityBars(d)
	c.Cases = casesChart(d)
	return c
}

func bucketName(step time.Duration) string {
	switch {
	case step <= time.Hour:
		return "hour"
	case step <= 24*time.Hour:
		return "day"
	case step <= 7*24*time.Hour:
		return "week"
	}
	return "month"
}

// rebucket sums points into coarser buckets (day, week, 30 days) until at
// most maxBars remain.
func rebucket(pts []audit.TimeCount, step time.Duration, loc *time.Location) ([]audit.TimeCount, time.Duration) {
	if len(pts) >= 2 {
		step = pts[1].Time.Sub(pts[0].Time) // the audit may have bucketed a long period already
	}
	if len(pts) <= maxBars {
		return pts, step
	}
	span := pts[len(pts)-1].Time.Sub(pts[0].Time)
	for _, s := range []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, 91 * 24 * time.Hour} {
		if s <= step || span/s+1 > maxBars {
			continue
		}
		step = s
		break
	}
	if span/step+1 > maxBars {
		step = span/maxBars + time.Hour
	}
	start := pts[0].Time
	var out []audit.TimeCount
	for _, p := range pts {
		b := start.Add(p.Time.Sub(start) / step * step)
		if n := len(out); n > 0 && out[n-1].Time.Equal(b) {
			out[n-1].Count += p.Count
			continue
		}
		out = append(out, audit.TimeCount{Time: b, Count: p.Count})
	}
	return out, step
}

func timeBars(l *locale, id, title, unit string, pts []audit.TimeCount, loc *time.Location, step time.Duration, height float64) barChart {
	b := barChart{ID: id, Title: title, W: 1000, H: height, Left: 56, Top: 12}
	b.PW, b.PH = b.W-b.Left-12, b.H-b.Top-40
	b.Bottom = b.Top + b.PH
	var max int64
	for _, p := range pts {
		b.Total += p.Count
		if p.Count > max {
			max = p.Count
			b.PeakAt = l.Time(p.Time.In(loc))
			if step >= 24*time.Hour {
				b.PeakAt = l.Date(p.Time.In(loc))
			}
		}
	}
	b.Peak = max
	top, ystep := niceTop(max)
	for v := int64(0); v <= top; v += ystep {
		b.YTicks = append(b.YTicks, tick{Pos: r2(b.Bottom - float64(v)/float64(top)*b.PH), Label: num(v)})
	}
	n := len(pts)
	if n == 0 {
		b.Desc = l.T("chart.nodata")
		return b
	}
	slot := b.PW / float64(n)
	gap := math.Min(slot*0.2, 2)
	switch {
	case slot < 2:
		gap = 0
	case slot > 20:
		gap = math.Min(slot*0.45, slot-12)
	}
	days := 0
	for _, p := range pts {
		if step == time.Hour && p.Time.In(loc).Hour() == 0 {
			days++
		}
	}
	// At most about eight date labels, each with its year so that an axis
	// across New Year does not read as going backwards.
	every, labels := 1, days
	if step != time.Hour {
		labels = n
	}
	for labels/every > 8 {
		every++
	}
	label := func(t time.Time) string {
		if l.lang == LangZH {
			return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
		}
		if labels <= 8 && step <= 24*time.Hour {
			return t.Format("Mon 2 Jan 2006")
		}
		return t.Format("2 Jan 2006")
	}
	day := 0
	for i, p := range pts {
		h := float64(p.Count) / float64(top) * b.PH
		w := math.Max(slot-gap, 1.5) // a lone spike in a long period stays visible
		b.Bars = append(b.Bars, vbar{X: r2(b.Left + float64(i)*slot + gap/2), Y: r2(b.Bottom - h), W: r2(w), H: r2(h),
			Title: fmt.Sprintf("%s: %s %s", l.Time(p.Time.In(loc)), num(p.Count), unit)})
		t := p.Time.In(loc)
		switch {
		case step == time.Hour && t.Hour() == 0:
			if day%every == 0 {
				b.XTicks = append(b.XTicks, fitTick(tick{Pos: r2(b.Left + float64(i)*slot), Label: label(t)}, b.W))
			}
			day++
		case step != time.Hour && i%every == 0:
			b.XTicks = append(b.XTicks, fitTick(tick{Pos: r2(b.Left + (float64(i)+0.5)*slot), Label: label(t)}, b.W))
		}
	}
	b.XTicks = thinTicks(b.XTicks)
	b.Desc = l.T("chart.desc."+bucketName(step), num(b.Total), unit, n, num(b.Peak), b.PeakAt)
	if b.Total == 0 {
		b.Desc = l.T("chart.none", unit)
	}
	return b
}

// stackedChart is a stacked vertical bar chart: one column per report
// period, one segment per severity.
type stackedChart struct {
	ID, Title, Desc string
	W, H            float64
	Left, Top       float64
	PW, PH          float64
	Bottom          float64
	Cols            []stackCol
	YTicks, XTicks  []tick
	Legend          []cell
	LegendY         float64
}

type stackCol struct {
	Segs []cell // X, Y = top-left; Fill; Title
	W    float64
	H    []float64
}

// ChartCases is the id of the cases-over-time chart.
const ChartCases = "chart-cases"

// casesChart is the multi-period trend: open cases by severity (stacked)
// as each report period's audit left the case register, one column per
// period, labelled with the period's last day (with its year).
func casesChart(d *Document) stackedChart {
	l := d.lang
	loc := d.Location()
	b := stackedChart{ID: ChartCases, Title: l.T("cases.chart"), W: 1000, H: 230, Left: 56, Top: 12}
	b.PW, b.PH = b.W-b.Left-12, b.H-b.Top-64
	b.Bottom = b.Top + b.PH
	b.LegendY = b.H - 18
	var pts []audit.CasePeriod
	if d.Cases != nil {
		pts = d.Cases.Periods
	}
	sevs := []string{"critical", "high", "medium", "low"}
	x := b.Left
	for _, s := range sevs {
		b.Legend = append(b.Legend, cell{X: x, Y: b.LegendY, Fill: severityColor[s], Title: l.T("sev." + s)})
		x += 130
	}
	var max int64
	for _, p := range pts {
		var n int64
		for _, v := range p.BySeverity {
			n += int64(v)
		}
		max = max64(max, n)
	}
	top, ystep := niceTop(max)
	for v := int64(0); v <= top; v += ystep {
		b.YTicks = append(b.YTicks, tick{Pos: r2(b.Bottom - float64(v)/float64(top)*b.PH), Label: num(v)})
	}
	if len(pts) == 0 {
		b.Desc = l.T("casechart.none")
		return b
	}
	n := len(pts)
	slot := b.PW / float64(n)
	w := math.Min(slot*0.6, 48)
	// Monthly or longer periods are labelled by month, shorter ones by day;
	// always with the year. Labels are thinned so that they never overlap.
	monthly := false
	if p := pts[n-1].Period; p != nil && p.To.Sub(p.From) >= 28*24*time.Hour {
		monthly = true
	}
	var labels []string
	var at []float64
	for i, p := range pts {
		end := p.At
		if p.Period != nil {
			end = p.Period.To
		}
		end = end.In(loc)
		if end.Hour() == 0 && end.Minute() == 0 && end.Second() == 0 {
			end = end.AddDate(0, 0, -1) // the period's last day
		}
		label := l.Date(end)
		switch {
		case monthly && l.lang == LangZH:
			label = fmt.Sprintf("%d年%d月", end.Year(), int(end.Month()))
		case monthly:
			label = end.Format("Jan 2006")
		case l.lang == LangEN:
			label = end.Format("2 Jan 2006")
		}
		period := label
		if p.Period != nil {
			period = l.period(*p.Period, loc)
		}
		cx := b.Left + (float64(i)+0.5)*slot
		col := stackCol{W: r2(w)}
		y := b.Bottom
		for _, s := range sevs {
			v := p.BySeverity[s]
			if v == 0 {
				continue
			}
			h := float64(v) / float64(top) * b.PH
			y -= h
			col.Segs = append(col.Segs, cell{X: r2(cx - w/2), Y: r2(y), Fill: severityColor[s], Title: period + ": " + num(int64(v)) + " " + l.T("sev."+s)})
			col.H = append(col.H, r2(h))
		}
		b.Cols = append(b.Cols, col)
		labels = append(labels, label)
		at = append(at, r2(cx-w/2))
	}
	widest := 0.0
	for _, lb := range labels {
		widest = math.Max(widest, labelWidth(lb))
	}
	every := 1
	for float64(every)*slot < widest+16 {
		every++
	}
	for i := range labels {
		if i%every == 0 {
			b.XTicks = append(b.XTicks, fitTick(tick{Pos: at[i], Label: labels[i]}, b.W))
		}
	}
	b.XTicks = thinTicks(b.XTicks)
	last := pts[n-1]
	var open int64
	for _, v := range last.BySeverity {
		open += int64(v)
	}
	b.Desc = l.T("casechart.note") + " " + l.T("casechart.desc", n, num(open))
	return b
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func exportBars(l *locale, rows []audit.UserExports) hbarChart {
	h := hbarChart{ID: ChartExports, Title: l.T("chart.exports"), W: 1000, Left: 290, Row: 26, BarH: 16}
	h.MaxW = h.W - h.Left - 190
	byRecords := false
	var max int64
	for _, r := range rows {
		if r.Records > 0 {
			byRecords = true
		}
	}
	val := func(r audit.UserExports) int64 {
		if byRecords {
			return r.Records
		}
		return r.Exports
	}
	for _, r := range rows {
		max = max1(max, val(r))
	}
	for i, r := range rows {
		w := 0.0
		if max > 0 {
			w = float64(val(r)) / float64(max) * h.MaxW
		}
		text := l.T("chart.exports.both", num(r.Records), num(r.Exports))
		if !byRecords {
			text = l.T("chart.exports.count", num(r.Exports))
		}
		h.Bars = append(h.Bars, hbar{Y: r2(8 + float64(i)*h.Row), W: r2(w), Label: middle(r.User, 36), Text: text,
			Title: fmt.Sprintf("%s: %s", r.User, text), Color: colorExports})
	}
	h.H = 16 + float64(len(rows))*h.Row
	if len(rows) == 0 {
		h.H = 40
		h.Empty = l.T("chart.exports.none")
	}
	h.Desc = l.T("chart.exports.desc")
	if !byRecords && len(rows) > 0 {
		h.Desc = l.T("chart.exports.desc_count")
	}
	return h
}

func severityBars(d *Document) hbarChart {
	l := d.lang
	h := hbarChart{ID: ChartSeverity, Title: l.T("chart.severity"), W: 460, Left: 90, Row: 30, BarH: 18}
	h.MaxW = h.W - h.Left - 50
	counts := d.Charts.FindingsBySeverity
	var max int64
	for _, s := range detections.Severities {
		max = max1(max, int64(counts[s]))
	}
	for i, s := range detections.Severities {
		n := int64(counts[s])
		w := 0.0
		if max > 0 {
			w = float64(n) / float64(max) * h.MaxW
		}
		h.Bars = append(h.Bars, hbar{Y: r2(6 + float64(i)*h.Row), W: r2(w), Label: l.T("sev." + s), Text: num(n),
			Title: l.T("chart.severity.bar", l.T("sev."+s), n), Color: severityColor[s]})
	}
	h.H = 12 + float64(len(detections.Severities))*h.Row
	h.Desc = l.T("chart.severity.desc", d.Summary.OpenFindings, d.Summary.Suppressed)
	return h
}

var weekdays = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// heatScale is a sequential blue scale, light to dark.
var heatScale = []string{"#eff6ff", "#bfdbfe", "#93c5fd", "#60a5fa", "#2563eb", colorHeatTop}

func accessHeatmap(l *locale, m [7][24]int64, tz string) heatmap {
	h := heatmap{ID: ChartHeatmap, Title: l.T("chart.heatmap"), W: 1000, CW: 38, CH: 24}
	left, top := 48.0, 22.0
	for d := 0; d < 7; d++ {
		for hr := 0; hr < 24; hr++ {
			h.Max = max1(h.Max, m[d][hr])
		}
	}
	level := func(v int64) int {
		if v <= 0 || h.Max == 0 {
			return -1
		}
		l := int(math.Ceil(float64(v) / float64(h.Max) * float64(len(heatScale)-1)))
		return min(max(l, 1), len(heatScale)-1)
	}
	for d := 0; d < 7; d++ {
		h.Rows = append(h.Rows, tick{Pos: r2(top + float64(d)*h.CH + h.CH/2), Label: l.T("wd." + weekdays[d])})
		for hr := 0; hr < 24; hr++ {
			v := m[d][hr]
			lv := level(v)
			fill := "#f1f5f9"
			if lv >= 0 {
				fill = heatScale[lv]
			}
			h.Cells = append(h.Cells, cell{X: r2(left + float64(hr)*h.CW), Y: r2(top + float64(d)*h.CH), Fill: fill,
				Title: l.T("chart.heatmap.cell", l.T("wd."+weekdays[d]), hr, (hr+1)%24, num(v))})
		}
	}
	for hr := 0; hr < 24; hr++ {
		h.Cols = append(h.Cols, tick{Pos: r2(left + float64(hr)*h.CW + h.CW/2), Label: fmt.Sprintf("%02d", hr)})
	}
	h.LegendY = top + 7*h.CH + 14
	lx := left
	h.Legend = append(h.Legend, cell{X: lx, Y: h.LegendY, Fill: "#f1f5f9", Title: "0"})
	for i := 1; i < len(heatScale); i++ {
		lo := int64(math.Floor(float64(i-1)/float64(len(heatScale)-1)*float64(h.Max))) + 1
		hi := int64(math.Floor(float64(i) / float64(len(heatScale)-1) * float64(h.Max)))
		label := fmt.Sprintf("%s–%s", num(lo), num(hi))
		if lo >= hi {
			label = num(hi)
		}
		h.Legend = append(h.Legend, cell{X: r2(lx + float64(i)*110), Y: h.LegendY, Fill: heatScale[i], Title: label})
	}
	h.H = h.LegendY + 26
	h.Desc = l.T("chart.heatmap.desc", tz, num(h.Max))
	return h
}

func max1(a, b int64) int64 {
	if b > a {
		return b
	}
	return a
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// middle shortens s to n runes by cutting its middle, so that both the
// start and the domain of a long e-mail address stay readable.
func middle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := (n - 1) / 2
	return string(r[:head]) + "…" + string(r[len(r)-(n-1-head):])
}

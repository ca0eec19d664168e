package reports

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/stages/audit"
)

// num formats an integer with thousands separators.
func num[T ~int | ~int64](v T) string {
	s := strconv.FormatInt(int64(v), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func fmtTimeIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

func fmtDateIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("2006-01-02")
}

// periodText is the period as shown: [from, to) in the report's zone, with
// an end of midnight shown as the day before.
func periodText(p audit.Period, loc *time.Location) string {
	from, to := p.From.In(loc), p.To.In(loc)
	if from.Hour() == 0 && from.Minute() == 0 && to.Hour() == 0 && to.Minute() == 0 && from.Second() == 0 && to.Second() == 0 {
		return from.Format("2 Jan 2006") + " – " + to.AddDate(0, 0, -1).Format("2 Jan 2006")
	}
	return fmtTimeIn(p.From, loc) + " – " + fmtTimeIn(p.To, loc)
}

// zoneText names the zone with its offset at t: "Asia/Shanghai (UTC+08:00)".
func zoneText(loc *time.Location, t time.Time) string {
	_, off := t.In(loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("%s (UTC%s%02d:%02d)", loc.String(), sign, off/3600, off%3600/60)
}

func pct(f float64) string {
	return strconv.FormatFloat(f*100, 'f', 0, 64) + "%"
}

func fixed(f float64, prec int) string {
	return strconv.FormatFloat(f, 'f', prec, 64)
}

func signed(n int) string {
	switch {
	case n > 0:
		return fmt.Sprintf("+%d", n)
	case n < 0:
		return fmt.Sprintf("−%d", -n)
	}
	return "±0"
}

// statusLabel puts a symbol before a status so that it does not rely on
// colour alone.
func statusLabel(s string) string {
	switch s {
	case audit.StatusPass:
		return "✓ pass"
	case audit.StatusWarn:
		return "! warn"
	case audit.StatusFail:
		return "✗ fail"
	case audit.StatusNA:
		return "– n/a"
	}
	return s
}

// statusClass is the CSS class of a status.
func statusClass(s string) string {
	switch s {
	case audit.StatusPass, audit.StatusWarn, audit.StatusFail:
		return "st-" + s
	}
	return "st-na"
}

// sevClass is the CSS class of a severity.
func sevClass(s string) string {
	switch s {
	case "critical", "high", "medium", "low", "info":
		return "sev-" + s
	}
	return "sev-info"
}

func categoryText(c string) string {
	switch c {
	case "direct_identifier":
		return "direct identifier"
	case "quasi_identifier":
		return "quasi-identifier"
	case "sensitive_attribute":
		return "sensitive attribute"
	case "pipl_sensitive":
		return "PIPL sensitive"
	case "", "none":
		return "not personal"
	}
	return c
}

func trendText(t string) string {
	switch t {
	case TrendNew:
		return "new"
	case TrendStillOpen:
		return "still open"
	case TrendResolved:
		return "resolved"
	case TrendSuppressed:
		return "suppressed"
	}
	return t
}

func suppressionText(s string) string {
	switch s {
	case audit.SuppressAccepted:
		return "accepted risk"
	case audit.SuppressFalsePositive:
		return "false positive"
	}
	return s
}

func durationText(from, to time.Time) string {
	d := to.Sub(from)
	switch {
	case d <= 0:
		return "instant"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < 2*time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 72*time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	}
	return fmt.Sprintf("%.1f days", d.Hours()/24)
}

// controlRef is the short name of a control id: "A.8.5", "Art. 32".
func controlRef(d *Document, id string) string {
	for _, c := range d.Controls {
		if c.ID == id {
			return shortFramework(c.Framework) + " " + c.Ref
		}
	}
	return id
}

func shortFramework(f string) string {
	if strings.HasPrefix(f, "ISO/IEC 27001") {
		return "ISO 27001"
	}
	return f
}

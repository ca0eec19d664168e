package pipeline

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RetentionConfig is the GFS retention applied to snapshot sets after each
// run that writes snapshots, locally and on every backup target, together
// with snapshot.keep_last (the "last N" rule). See vigil forget.
type RetentionConfig struct {
	KeepDaily   int    `yaml:"keep_daily"`   // newest set of each of the last N days
	KeepWeekly  int    `yaml:"keep_weekly"`  // ... ISO weeks
	KeepMonthly int    `yaml:"keep_monthly"` // ... months
	KeepYearly  int    `yaml:"keep_yearly"`  // ... years
	KeepWithin  string `yaml:"keep_within"`  // every set within this span of the newest, e.g. 30d, 2w, 36h
}

// Within returns KeepWithin as a duration (0 if unset).
func (r RetentionConfig) Within() time.Duration {
	d, _ := ParseSpan(r.KeepWithin)
	return d
}

// ParseSpan parses a retention span: a whole number followed by h (hours),
// d (days), w (weeks), m (months of 30 days) or y (years of 365 days), or
// several of them ("1y6m"). The empty string is 0.
func ParseSpan(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	units := map[byte]time.Duration{'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour,
		'm': 30 * 24 * time.Hour, 'y': 365 * 24 * time.Hour}
	var total time.Duration
	rest := strings.ToLower(strings.TrimSpace(s))
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("span %q: want a number and a unit (h, d, w, m, y), e.g. 30d", s)
		}
		n, err := strconv.Atoi(rest[:i])
		u, ok := units[rest[i]]
		if err != nil || !ok || n > 100000 {
			return 0, fmt.Errorf("span %q: want a number and a unit (h, d, w, m, y), e.g. 30d", s)
		}
		total += time.Duration(n) * u
		rest = rest[i+1:]
	}
	return total, nil
}

func (v *validator) retention() {
	r := &v.cfg.Retain
	for k, n := range map[string]int{"keep_daily": r.KeepDaily, "keep_weekly": r.KeepWeekly, "keep_monthly": r.KeepMonthly, "keep_yearly": r.KeepYearly} {
		if n < 0 {
			v.errf("retention."+k, "must not be negative")
		}
	}
	if _, err := ParseSpan(r.KeepWithin); err != nil {
		v.errf("retention.keep_within", "%v", err)
	}
}

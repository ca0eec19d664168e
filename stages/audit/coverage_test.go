package audit

import (
	"testing"
	"time"
)

// Coverage is measured against expected activity: quiet nights and
// weekends are not gaps, a source that stopped for ten days is.
func TestExpectedCoverage(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	from := time.Date(2025, 6, 2, 0, 0, 0, 0, loc) // a Monday
	to := from.AddDate(0, 0, 28)
	// Office hours only: 09-18 on weekdays.
	office := func(h time.Time) bool {
		l := h.In(loc)
		return l.Weekday() != time.Saturday && l.Weekday() != time.Sunday && l.Hour() >= 9 && l.Hour() < 18
	}
	gapsOf := func(active func(time.Time) bool) []gap {
		var gs []gap
		for h := from.UTC(); h.Before(to); h = h.Add(time.Hour) {
			if active(h) {
				continue
			}
			if n := len(gs); n > 0 && gs[n-1].End.Equal(h) {
				gs[n-1].End = h.Add(time.Hour)
			} else {
				gs = append(gs, gap{Start: h, End: h.Add(time.Hour)})
			}
		}
		return gs
	}
	for _, tc := range []struct {
		name   string
		active func(time.Time) bool
		min    float64
		max    float64
	}{
		{"office hours, every week", office, 1, 1},
		{"stopped for ten days", func(h time.Time) bool { return office(h) && h.Before(from.AddDate(0, 0, 18)) }, 0, 0.75},
		{"one missing morning", func(h time.Time) bool {
			return office(h) && !(h.In(loc).Day() == 10 && h.In(loc).Hour() < 12)
		}, 0.9, 0.99},
	} {
		exp, cov := expectedCoverage(from, to, gapsOf(tc.active), loc)
		share := float64(cov) / float64(exp)
		if exp == 0 || share < tc.min || share > tc.max {
			t.Errorf("%s: %d of %d expected hours covered (%.3f), want %.2f..%.2f", tc.name, cov, exp, share, tc.min, tc.max)
		}
	}
	if exp, _ := expectedCoverage(from, to, gapsOf(func(time.Time) bool { return false }), loc); exp != 0 {
		t.Errorf("no events: %d expected hours", exp)
	}
}

package anonymize

import (
	"sort"
	"strconv"
	"strings"
)

// QIDistribution compares a quasi-identifier before and after
// anonymization. Values are listed at the released grain only (never an
// input value): for each released value, the input records it stands for
// (before) and the records released with it (after, suppression
// excluded), so an analyst sees what generalization and suppression did to
// the distribution.
type QIDistribution struct {
	DistinctBefore int `json:"distinct_before"` // distinct input values (NULL included)
	DistinctAfter  int `json:"distinct_after"`  // distinct released values
	// Numeric columns: mean of the input values and of the released
	// values (ranges at their midpoint; "*" and NULL left out).
	MeanBefore *float64 `json:"mean_before,omitempty"`
	MeanAfter  *float64 `json:"mean_after,omitempty"`
	// Values: at most 50 released values, most records first; values held
	// by fewer than k input records are pooled as "(rare values)".
	Values []DistributionValue `json:"values"`
}

// DistributionValue is one released value of a quasi-identifier.
type DistributionValue struct {
	Value       string  `json:"value"`
	Before      int64   `json:"before"`
	After       int64   `json:"after"`
	ShareBefore float64 `json:"share_before"`
	ShareAfter  float64 `json:"share_after"`
}

// distributions fills Distribution of every quasi-identifier from the
// plan's tuples.
func (w *datasetWriter) distributions() {
	p := w.plan
	if p == nil || w.priv == nil {
		return
	}
	k := int64(max(w.priv.K, 2))
	for pi, cp := range w.plans {
		if cp.qi < 0 {
			continue
		}
		c := p.t.cols[cp.qi]
		// Means only for quantities (generalized or bucketed numbers), not
		// for numbers that name something (phones, cards).
		numeric := c.numeric && (cp.prot.Method == MethodGeneralize || cp.prot.Method == MethodBucket) &&
			!phoneLike(cp.class.ID) && !cardLike(cp.class.ID)
		type tot struct{ before, after int64 }
		by := map[string]*tot{}
		var total, released int64
		var sumB, sumA float64
		var nB, nA int64
		for id, cnt := range p.t.count {
			n := int64(cnt)
			v := p.generalized(int32(id), cp.qi)
			if v == nullValue {
				v = "(null)"
			}
			t := by[v]
			if t == nil {
				t = &tot{}
				by[v] = t
			}
			t.before += n
			total += n
			code := p.t.codes[cp.qi][id]
			if numeric && code != c.nullCode {
				sumB += c.num[code] * float64(n)
				nB += n
			}
			if p.suppressed != nil && p.suppressed[id] {
				continue
			}
			t.after += n
			released += n
			if m, ok := midpoint(v); ok {
				sumA += m * float64(n)
				nA += n
			}
		}
		d := &QIDistribution{DistinctBefore: len(c.values)}
		var out []DistributionValue
		rare := DistributionValue{Value: "(rare values)"}
		for v, t := range by {
			if t.after > 0 {
				d.DistinctAfter++
			}
			if t.before < k {
				rare.Before += t.before
				rare.After += t.after
				continue
			}
			out = append(out, DistributionValue{Value: v, Before: t.before, After: t.after})
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Before != out[j].Before {
				return out[i].Before > out[j].Before
			}
			return out[i].Value < out[j].Value
		})
		if len(out) > 50 {
			for _, x := range out[50:] {
				rare.Before += x.Before
				rare.After += x.After
			}
			out = out[:50]
		}
		if rare.Before > 0 {
			out = append(out, rare)
		}
		for i := range out {
			out[i].ShareBefore = share(out[i].Before, total)
			out[i].ShareAfter = share(out[i].After, released)
		}
		d.Values = out
		if numeric && nB > 0 && nA > 0 {
			// Only when the released values are numbers or ranges (not
			// postal prefixes, not "*" alone).
			m, a := sumB/float64(nB), sumA/float64(nA)
			d.MeanBefore, d.MeanAfter = &m, &a
		}
		w.report.Columns[pi].Distribution = d
	}
}

func share(n, d int64) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// midpoint reads a released numeric value: a number, or a range "lo-hi"
// (band, bucket or Mondrian range) at its midpoint.
func midpoint(v string) (float64, bool) {
	if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
		return f, true
	}
	// Split at a '-' that is not a leading sign.
	for i := 1; i < len(v); i++ {
		if v[i] != '-' {
			continue
		}
		lo, err1 := strconv.ParseFloat(strings.TrimSpace(v[:i]), 64)
		hi, err2 := strconv.ParseFloat(strings.TrimSpace(v[i+1:]), 64)
		if err1 == nil && err2 == nil {
			return (lo + hi) / 2, true
		}
	}
	return 0, false
}

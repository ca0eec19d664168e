package anonymize

import (
	"fmt"
	"math"
	"strings"
)

// Metric names an information-loss metric; each is implemented as ARX
// defines it (see the package documentation for the formulas).
type Metric string

// Metrics.
const (
	// MetricLoss is ARX's Loss (MetricMDNMLoss), geometric mean over the
	// quasi-identifiers, in [0,1].
	MetricLoss Metric = "loss"
	// MetricEntropy is ARX's non-monotonic non-uniform entropy
	// (MetricMDNUNMEntropy, the default entropy metric), sum in bits.
	MetricEntropy Metric = "entropy"
	// MetricEntropyMonotonic is ARX's monotonic non-uniform entropy
	// (MetricMDNUEntropy): suppression is not accounted for.
	MetricEntropyMonotonic Metric = "entropy-monotonic"
	// MetricDiscernibility is ARX's non-monotonic discernibility
	// (MetricSDNMDiscernability, DM).
	MetricDiscernibility Metric = "discernibility"
	// MetricDiscernibilityMonotonic is ARX's monotonic discernibility
	// (MetricSDDiscernability, DM*).
	MetricDiscernibilityMonotonic Metric = "discernibility-monotonic"
	// MetricAECS is ARX's average equivalence class size (MetricSDAECS).
	MetricAECS Metric = "aecs"
)

// Metrics lists the supported metrics.
func Metrics() []Metric {
	return []Metric{MetricLoss, MetricEntropy, MetricEntropyMonotonic, MetricDiscernibility,
		MetricDiscernibilityMonotonic, MetricAECS}
}

// ParseMetric accepts a metric name (and a few aliases).
func ParseMetric(s string) (Metric, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "loss":
		return MetricLoss, nil
	case "entropy", "nue", "non-uniform-entropy", "nmentropy":
		return MetricEntropy, nil
	case "entropy-monotonic", "monotonic-entropy":
		return MetricEntropyMonotonic, nil
	case "discernibility", "discernability", "dm":
		return MetricDiscernibility, nil
	case "discernibility-monotonic", "dm*", "dmstar":
		return MetricDiscernibilityMonotonic, nil
	case "aecs":
		return MetricAECS, nil
	}
	return "", fmt.Errorf("%w: unknown metric %q (want loss, entropy, entropy-monotonic, discernibility, discernibility-monotonic or aecs)", ErrPolicy, s)
}

// Aggregate combines per-quasi-identifier values of the multi-dimensional
// metrics (Loss, entropy).
type Aggregate string

// Aggregate functions (ARX's AggregateFunction).
const (
	AggDefault        Aggregate = ""                // geometric mean for Loss, sum for entropy (ARX's defaults)
	AggSum            Aggregate = "sum"             // Σ v
	AggArithmeticMean Aggregate = "arithmetic-mean" // Σ v / n
	AggGeometricMean  Aggregate = "geometric-mean"  // Π (v+1)^(1/n) − 1
	AggMax            Aggregate = "max"             // max v
)

// metricSpec is a configured metric.
type metricSpec struct {
	m       Metric
	agg     Aggregate
	gs      float64 // generalization/suppression factor
	gFactor float64
	sFactor float64
}

func newMetricSpec(m Metric, gs float64, agg Aggregate) (metricSpec, error) {
	if gs < 0 || gs > 1 || math.IsNaN(gs) {
		return metricSpec{}, fmt.Errorf("%w: gs-factor must be in [0,1]", ErrPolicy)
	}
	ms := metricSpec{m: m, agg: agg, gs: gs}
	// ARX: sFactor = gs < 0.5 ? 2·gs : 1; gFactor = gs ≤ 0.5 ? 1 : 1 − 2·(gs − 0.5).
	ms.sFactor = 1
	if gs < 0.5 {
		ms.sFactor = 2 * gs
	}
	ms.gFactor = 1
	if gs > 0.5 {
		ms.gFactor = 1 - 2*(gs-0.5)
	}
	if ms.agg == AggDefault {
		ms.agg = AggSum
		if m == MetricLoss {
			ms.agg = AggGeometricMean
		}
	}
	switch ms.agg {
	case AggSum, AggArithmeticMean, AggGeometricMean, AggMax:
	default:
		return metricSpec{}, fmt.Errorf("%w: unknown aggregate function %q", ErrPolicy, agg)
	}
	switch m {
	case MetricLoss, MetricEntropy, MetricEntropyMonotonic, MetricDiscernibility, MetricDiscernibilityMonotonic, MetricAECS:
	default:
		return metricSpec{}, fmt.Errorf("%w: unknown metric %q", ErrPolicy, m)
	}
	return ms, nil
}

// monotone reports whether the metric never decreases under generalization
// (ARX: every metric is treated as monotone without suppression).
func (ms metricSpec) monotone(limit int64) bool {
	if limit == 0 {
		return true
	}
	return ms.m == MetricEntropyMonotonic || ms.m == MetricDiscernibilityMonotonic
}

// multiDimensional reports whether the metric has per-attribute values.
func (ms metricSpec) multiDimensional() bool {
	return ms.m == MetricLoss || ms.m == MetricEntropy || ms.m == MetricEntropyMonotonic
}

// aggregate combines per-dimension values (all weights 1, as ARX without
// attribute weights).
func (ms metricSpec) aggregate(v []float64) float64 {
	switch ms.agg {
	case AggGeometricMean:
		r := 1.0
		for _, x := range v {
			r *= math.Pow(x+1, 1/float64(len(v)))
		}
		return r - 1
	case AggArithmeticMean:
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	case AggMax:
		m := 0.0
		for _, x := range v {
			m = math.Max(m, x)
		}
		return m
	default:
		s := 0.0
		for _, x := range v {
			s += x
		}
		if math.IsInf(s, 0) || math.IsNaN(s) {
			s = math.MaxFloat64
		}
		return s
	}
}

// arxRound keeps ten decimal digits the way ARX does (floor(v·1e10)/1e10).
func arxRound(v float64) float64 { return math.Floor(v*1e10) / 1e10 }

// metricTables holds per-dimension, per-level precomputations.
type metricTables struct {
	coverAll   [][]int64   // Σ records · cover(generalized value)
	entropyGen [][]float64 // Σ values a·log2(a/b) · gFactor (raw, ≤ 0)
}

func (e *engine) precompute(ms metricSpec) *metricTables {
	mt := &metricTables{coverAll: make([][]int64, e.dims), entropyGen: make([][]float64, e.dims)}
	for d, c := range e.t.cols {
		mt.coverAll[d] = make([]int64, c.levels)
		mt.entropyGen[d] = make([]float64, c.levels)
		for lvl := 0; lvl < c.levels; lvl++ {
			g := c.gen[lvl]
			cv := c.cover[lvl]
			gf := c.genFreq[lvl]
			var cover int64
			ent := 0.0
			for code, a := range c.freq {
				if a == 0 {
					continue
				}
				cover += a * cv[g[code]]
				b := float64(gf[g[code]])
				ent += float64(a) * math.Log2(float64(a)/b)
			}
			mt.coverAll[d][lvl] = cover
			mt.entropyGen[d][lvl] = ent * ms.gFactor
		}
	}
	return mt
}

// lossRaw is ARX's un-normalized Loss of one attribute from exact integer
// sums: g·A/size + (1−s)·B/size + s·C, where A = Σ records·cover over
// released classes, B the same over suppressed classes and C the number of
// suppressed records. (ARX adds count·share per class in doubles; the
// integer form gives the same value without depending on summation order.)
func lossRaw(ms metricSpec, a, b, c, size int64) float64 {
	sz := float64(size)
	v := ms.gFactor * (float64(a) / sz)
	if c > 0 {
		if ms.sFactor == 1 {
			v += float64(c)
		} else {
			v += (1-ms.sFactor)*(float64(b)/sz) + ms.sFactor*float64(c)
		}
	}
	return v
}

// normalizeLoss is ARX's normalizeGeneralized for Loss: (v − min)/(max −
// min) with min = gFactor·N/size and max = N, floored at 0 and rounded.
func (e *engine) normalizeLoss(ms metricSpec, v float64, d int) float64 {
	tuples := float64(e.n)
	lo := ms.gFactor * tuples / float64(e.t.cols[d].domainSize)
	hi := tuples
	if hi-lo <= 0 {
		return 0
	}
	r := (v - lo) / (hi - lo)
	if r < 0 {
		r = 0
	}
	return arxRound(r)
}

func negRound(x float64) float64 {
	if x == 0 {
		return 0
	}
	return arxRound(-x)
}

// staticBound is a lower bound of the metric that needs no grouping and
// never decreases under generalization (the generalization-only part of
// Loss and non-uniform entropy). ok is false for the other metrics.
func (e *engine) staticBound(ms metricSpec, mt *metricTables, lv []int, per []float64) (float64, bool) {
	switch ms.m {
	case MetricLoss:
		for d, l := range lv {
			per[d] = e.normalizeLoss(ms, lossRaw(ms, mt.coverAll[d][l], 0, 0, e.t.cols[d].domainSize), d)
		}
	case MetricEntropy, MetricEntropyMonotonic:
		for d, l := range lv {
			per[d] = negRound(mt.entropyGen[d][l])
		}
	default:
		return 0, false
	}
	return ms.aggregate(per), true
}

// evaluate returns the metric value of the grouping (per-dimension values
// in per for multi-dimensional metrics) and a lower bound that holds for
// every generalization of the node.
func (e *engine) evaluate(ms metricSpec, mt *metricTables, lv []int, g *groups, per []float64) (value, bound float64) {
	switch ms.m {
	case MetricLoss:
		for d, l := range lv {
			c := e.t.cols[d]
			gen := c.gen[l]
			cv := c.cover[l]
			cd := e.t.codes[d]
			var a, b, n int64
			if g.suppressed == 0 {
				a = mt.coverAll[d][l]
			} else {
				for p, r := range g.rep {
					x := g.cnt[p] * cv[gen[cd[r]]]
					if g.ok[g.class[p]] {
						a += x
					} else {
						b += x
						n += g.cnt[p]
					}
				}
			}
			per[d] = e.normalizeLoss(ms, lossRaw(ms, a, b, n, c.domainSize), d)
		}
		value = ms.aggregate(per)
		bound, _ = e.staticBound(ms, mt, lv, make([]float64, len(lv)))
		return value, bound
	case MetricEntropyMonotonic:
		value, _ = e.staticBound(ms, mt, lv, per)
		return value, value
	case MetricEntropy:
		bound, _ = e.staticBound(ms, mt, lv, make([]float64, len(lv)))
		if g.suppressed == 0 {
			for d, l := range lv {
				per[d] = negRound(mt.entropyGen[d][l])
			}
			return ms.aggregate(per), bound
		}
		s := float64(g.suppressed)
		for d, l := range lv {
			c := e.t.cols[d]
			gen := c.gen[l]
			cd := e.t.codes[d]
			hist := make([]int64, len(c.genValues[l]))
			for p, r := range g.rep {
				if !g.ok[g.class[p]] {
					hist[gen[cd[r]]] += g.cnt[p]
				}
			}
			raw := mt.entropyGen[d][l]
			for _, n := range hist {
				if n > 0 {
					raw += float64(n) * math.Log2(float64(n)/s) * ms.sFactor
				}
			}
			per[d] = negRound(raw)
		}
		return ms.aggregate(per), bound
	case MetricDiscernibility, MetricDiscernibilityMonotonic:
		rows := float64(e.n)
		dm, dmStar := 0.0, 0.0
		for c, sz := range g.size {
			x := float64(sz)
			dmStar += x * x
			if g.ok[c] {
				dm += x * x
			} else {
				dm += rows * x
			}
		}
		if ms.m == MetricDiscernibilityMonotonic {
			return dmStar, dmStar
		}
		return dm, dmStar
	case MetricAECS:
		// ARX switches the factors on purpose for AECS.
		gF, sF := ms.sFactor, ms.gFactor
		with, without := 0.0, 0.0
		for c := range g.size {
			if g.ok[c] {
				with++
			}
			without++
		}
		some := with != without
		with *= gF
		if some {
			with += sF
		}
		// Bound: no generalization has more classes, and with c classes
		// the denominator is at most max(gF·c, gF·(c−1) + sF). (ARX uses
		// n/(gF·c), which is only a bound for gs = 0.5.)
		n := float64(e.n)
		return n / with, n / math.Max(without*gF, (without-1)*gF+sF)
	}
	return 0, 0
}

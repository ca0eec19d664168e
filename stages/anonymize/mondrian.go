package anonymize

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// mondrian partitions the distinct tuples (weighted by their counts) with
// strict multidimensional partitioning: a partition is cut at the weighted
// median of the dimension with the widest normalized range, provided both
// halves keep at least k records (and stay l-diverse).
type mondrian struct {
	t       *tupleTable
	k       int64
	l       float64
	lm      LModel
	hasL    bool
	idx     []int32
	part    []int32
	parts   [][2]int // [lo,hi) into idx
	domain  []float64
	sensBuf map[int32]int64
	counts  []int32
	tmp     []int32
	// cover[d][level][gcode]: values of dimension d that a generalized
	// value covers, counted once per (d, level) — counting them per
	// partition cost O(distinct values) each and made Mondrian quadratic
	// in practice once a high-cardinality column (income) joined.
	cover [][][]int32
}

// covered returns, per generalized code of dimension d at lvl, the number
// of distinct values it covers.
func (m *mondrian) covered(d, lvl int) []int32 {
	if m.cover == nil {
		m.cover = make([][][]int32, len(m.t.cols))
	}
	c := m.t.cols[d]
	if m.cover[d] == nil {
		m.cover[d] = make([][]int32, c.levels)
	}
	if m.cover[d][lvl] == nil {
		n := make([]int32, len(c.genValues[lvl]))
		for _, gc := range c.gen[lvl] {
			n[gc]++
		}
		m.cover[d][lvl] = n
	}
	return m.cover[d][lvl]
}

func solveMondrian(ctx context.Context, t *tupleTable, o *PrivacyOptions, ms metricSpec) (*plan, *Result, error) {
	start := time.Now()
	m := &mondrian{t: t, k: int64(max(o.K, 1)), l: o.L, lm: o.LModel, hasL: t.sens != nil && o.L > 0}
	if m.hasL {
		if ml := int64(math.Ceil(o.L)); ml > m.k {
			m.k = ml
		}
	}
	nt := len(t.count)
	m.idx = make([]int32, nt)
	for i := range m.idx {
		m.idx[i] = int32(i)
	}
	m.domain = make([]float64, len(t.cols))
	for d, c := range t.cols {
		if c.numeric && c.maxNum > c.minNum {
			m.domain[d] = c.maxNum - c.minNum
		} else {
			m.domain[d] = float64(max(len(c.values)-1, 1))
		}
	}
	if t.rows < m.k || (m.hasL && !m.diverse(m.idx)) {
		return nil, nil, ErrNoSolution
	}
	if err := m.split(ctx); err != nil {
		return nil, nil, err
	}
	p, res := m.describe(o, ms)
	res.Mondrian = &MondrianStats{Partitions: len(m.parts), DurationMS: float64(time.Since(start).Microseconds()) / 1000}
	return p, res, nil
}

// span is the normalized width of dimension d over idx.
func (m *mondrian) span(d int, idx []int32) float64 {
	c := m.t.cols[d]
	cd := m.t.codes[d]
	if c.numeric {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, i := range idx {
			code := cd[i]
			if code == c.nullCode {
				continue
			}
			v := c.num[code]
			lo = math.Min(lo, v)
			hi = math.Max(hi, v)
		}
		if hi <= lo {
			return 0
		}
		return (hi - lo) / m.domain[d]
	}
	lo, hi := int32(math.MaxInt32), int32(-1)
	for _, i := range idx {
		r := c.rank[cd[i]]
		lo = min(lo, r)
		hi = max(hi, r)
	}
	if hi <= lo {
		return 0
	}
	return float64(hi-lo) / m.domain[d]
}

func (m *mondrian) weight(idx []int32) int64 {
	var w int64
	for _, i := range idx {
		w += int64(m.t.count[i])
	}
	return w
}

// diverse checks l-diversity of a set of tuples.
func (m *mondrian) diverse(idx []int32) bool {
	if !m.hasL {
		return true
	}
	if m.sensBuf == nil {
		m.sensBuf = map[int32]int64{}
	}
	clear(m.sensBuf)
	var total int64
	for _, i := range idx {
		m.sensBuf[m.t.sensC[i]] += int64(m.t.count[i])
		total += int64(m.t.count[i])
	}
	if float64(len(m.sensBuf)) < math.Ceil(m.l) {
		return false
	}
	if m.lm != LEntropy {
		return true
	}
	sum := 0.0
	for _, n := range m.sensBuf {
		sum += float64(n) * math.Log(float64(n))
	}
	return sum <= float64(total)*(math.Log(float64(total))-math.Log(m.l))
}

func (m *mondrian) split(ctx context.Context) error {
	stack := [][2]int{{0, len(m.idx)}}
	dims := len(m.t.cols)
	order := make([]int, dims)
	spans := make([]float64, dims)
	steps := 0
	for len(stack) > 0 {
		if steps++; steps%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		idx := m.idx[p[0]:p[1]]
		for d := range order {
			order[d] = d
			spans[d] = m.span(d, idx)
		}
		sort.SliceStable(order, func(a, b int) bool { return spans[order[a]] > spans[order[b]] })
		cut := -1
		for _, d := range order {
			if spans[d] == 0 {
				break
			}
			if c := m.cut(d, idx); c > 0 {
				cut = c
				break
			}
		}
		if cut < 0 {
			m.parts = append(m.parts, p)
			continue
		}
		stack = append(stack, [2]int{p[0], p[0] + cut}, [2]int{p[0] + cut, p[1]})
	}
	return nil
}

// sortByRank orders idx by the rank of dimension d: counting sort for
// large partitions, comparison sort for small ones.
func (m *mondrian) sortByRank(d int, idx []int32) {
	c := m.t.cols[d]
	cd := m.t.codes[d]
	rank := c.rank
	card := len(c.values)
	if len(idx) < card/4 || len(idx) < 64 {
		slices.SortFunc(idx, func(a, b int32) int {
			if ra, rb := rank[cd[a]], rank[cd[b]]; ra != rb {
				return int(ra - rb)
			}
			return int(a - b)
		})
		return
	}
	if cap(m.counts) < card+1 {
		m.counts = make([]int32, card+1)
	}
	counts := m.counts[:card+1]
	clear(counts)
	for _, i := range idx {
		counts[rank[cd[i]]+1]++
	}
	for r := 1; r <= card; r++ {
		counts[r] += counts[r-1]
	}
	if cap(m.tmp) < len(idx) {
		m.tmp = make([]int32, len(idx))
	}
	tmp := m.tmp[:len(idx)]
	for _, i := range idx {
		r := rank[cd[i]]
		tmp[counts[r]] = i
		counts[r]++
	}
	copy(idx, tmp)
}

// cut sorts idx by dimension d and returns an allowable cut position at
// the weighted median (or the value boundary just below it), or -1.
func (m *mondrian) cut(d int, idx []int32) int {
	m.sortByRank(d, idx)
	rank := m.t.cols[d].rank
	cd := m.t.codes[d]
	key := func(i int32) int32 { return rank[cd[i]] }
	total := m.weight(idx)
	half := (total + 1) / 2
	var left int64
	median, medianLeft := -1, int64(0)
	prevBoundary, prevLeft := -1, int64(0)
	for j := 0; j < len(idx); j++ {
		if j > 0 && key(idx[j]) != key(idx[j-1]) {
			if left >= half {
				median, medianLeft = j, left
				break
			}
			prevBoundary, prevLeft = j, left
		}
		left += int64(m.t.count[idx[j]])
	}
	try := func(j int, lw int64) bool {
		if j <= 0 || j >= len(idx) {
			return false
		}
		if lw < m.k || total-lw < m.k {
			return false
		}
		return m.diverse(idx[:j]) && m.diverse(idx[j:])
	}
	if try(median, medianLeft) {
		return median
	}
	if try(prevBoundary, prevLeft) {
		return prevBoundary
	}
	return -1
}

// describe generalizes every partition and builds result and plan.
func (m *mondrian) describe(o *PrivacyOptions, ms metricSpec) (*plan, *Result) {
	t := m.t
	dims := len(t.cols)
	p := &plan{t: t, suppressed: make([]bool, len(t.count)), part: make([]int32, len(t.count))}
	p.partVals = make([][]string, len(m.parts))
	ncpSum := 0.0
	for pi, pr := range m.parts {
		idx := m.idx[pr[0]:pr[1]]
		w := float64(m.weight(idx))
		vals := make([]string, dims)
		for d := 0; d < dims; d++ {
			v, pen := m.generalize(d, idx)
			vals[d] = v
			ncpSum += pen * w
		}
		p.partVals[pi] = vals
		for _, i := range idx {
			p.part[i] = int32(pi)
		}
	}
	res := &Result{
		Algorithm:        AlgorithmMondrian,
		Records:          t.rows,
		QuasiIdentifiers: append([]string(nil), o.QuasiIdentifiers...),
		Sensitive:        o.Sensitive,
		Model:            PrivacyModel{K: int(max(o.K, 1)), L: o.L, SuppressionLimit: o.Suppression},
		Metric:           ms.m,
		GSFactor:         ms.gs,
	}
	if o.L > 0 {
		res.Model.LModel = o.LModel
	}
	// Released classes: partitions with identical generalized values merge.
	classOf := map[string]int32{}
	partClass := make([]int32, len(m.parts))
	var sizes []int64
	for pi, vals := range p.partVals {
		key := strings.Join(vals, "\x00")
		c, ok := classOf[key]
		if !ok {
			c = int32(len(sizes))
			classOf[key] = c
			sizes = append(sizes, 0)
		}
		partClass[pi] = c
		pr := m.parts[pi]
		sizes[c] += m.weight(m.idx[pr[0]:pr[1]])
	}
	res.Classes = len(sizes)
	res.KReached = minSize(sizes)
	res.Risk = prosecutorRisk(sizes, o.RiskThreshold)
	// Mondrian's ranges are not a full-domain recoding a population table
	// could be mapped through: journalist and marketer risk against the
	// released records themselves.
	addSampleRisk(&res.Risk, sizes, nil, nil, nil)
	n := float64(t.rows)
	dm := 0.0
	for _, s := range sizes {
		dm += float64(s) * float64(s)
	}
	res.Metrics.Discernibility = dm
	res.Metrics.DiscernibilityMonotonic = dm
	res.Metrics.AECS = n / float64(len(sizes))
	ncp := ncpSum / (n * float64(dims))
	res.Metrics.NCP = &ncp
	switch ms.m {
	case MetricDiscernibility, MetricDiscernibilityMonotonic:
		res.InformationLoss = dm
	case MetricAECS:
		res.InformationLoss = res.Metrics.AECS
	default:
		res.InformationLoss = ncp
	}
	if t.sens != nil {
		classOfTuple := make([]int32, len(t.count))
		for i := range classOfTuple {
			classOfTuple[i] = partClass[p.part[i]]
		}
		res.LReached = lReached(t, classOfTuple, func(int32) bool { return true }, len(sizes), o.LModel)
	}
	return p, res
}

// generalize returns the released value of dimension d for a partition and
// its normalized certainty penalty in [0,1].
func (m *mondrian) generalize(d int, idx []int32) (string, float64) {
	c := m.t.cols[d]
	cd := m.t.codes[d]
	first := cd[idx[0]]
	same := true
	for _, i := range idx {
		if cd[i] != first {
			same = false
			break
		}
	}
	if same {
		return c.genValues[0][c.gen[0][first]], 0
	}
	_, flat := c.h.(flatHierarchy)
	_, interval := c.h.(IntervalHierarchy)
	if c.numeric && (flat || interval) {
		lo, hi := int32(-1), int32(-1)
		hasNull := false
		for _, i := range idx {
			code := cd[i]
			if code == c.nullCode {
				hasNull = true
				continue
			}
			if lo < 0 || c.num[code] < c.num[lo] {
				lo = code
			}
			if hi < 0 || c.num[code] > c.num[hi] {
				hi = code
			}
		}
		if hasNull || lo < 0 {
			return Suppressed, 1
		}
		pen := 0.0
		if c.maxNum > c.minNum {
			pen = (c.num[hi] - c.num[lo]) / (c.maxNum - c.minNum)
		}
		return strings.TrimSpace(c.values[lo]) + "-" + strings.TrimSpace(c.values[hi]), pen
	}
	distinctAll := float64(max(len(c.values)-1, 1))
	if !flat {
		for lvl := 1; lvl < c.levels; lvl++ {
			g := c.gen[lvl]
			gc := g[first]
			ok := true
			for _, i := range idx {
				if g[cd[i]] != gc {
					ok = false
					break
				}
			}
			if ok {
				covered := m.covered(d, lvl)[gc]
				return c.genValues[lvl][gc], float64(covered-1) / distinctAll
			}
		}
		return Suppressed, 1
	}
	// No hierarchy: a small set of values, or "*".
	set := map[int32]bool{}
	for _, i := range idx {
		set[cd[i]] = true
		if len(set) > maxSetValues {
			break
		}
	}
	if len(set) > maxSetValues || len(set) == len(c.values) || set[c.nullCode] {
		return Suppressed, 1
	}
	codes := make([]int32, 0, len(set))
	for code := range set {
		codes = append(codes, code)
	}
	slices.SortFunc(codes, func(a, b int32) int { return int(c.rank[a] - c.rank[b]) })
	parts := make([]string, len(codes))
	for i, code := range codes {
		parts[i] = c.values[code]
	}
	return "{" + strings.Join(parts, ",") + "}", float64(len(codes)-1) / distinctAll
}

// maxSetValues bounds the set generalization of Mondrian for categorical
// quasi-identifiers without a hierarchy.
const maxSetValues = 4

package anonymize

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"
)

// Algorithm selects how quasi-identifiers are generalized.
type Algorithm string

// Algorithms.
const (
	// AlgorithmOptimal searches the full-domain generalization lattice for
	// the transformation with the least information loss (Flash-style
	// search with predictive tagging and bound pruning).
	AlgorithmOptimal Algorithm = "optimal"
	// AlgorithmExhaustive evaluates every lattice node (reference only).
	AlgorithmExhaustive Algorithm = "exhaustive"
	// AlgorithmMondrian partitions the records multidimensionally (strict
	// Mondrian, LeFevre et al. 2006); for large tables and numeric
	// quasi-identifiers. It never suppresses records.
	AlgorithmMondrian Algorithm = "mondrian"
)

// PrivacyOptions configures the privacy model and the search for one table.
type PrivacyOptions struct {
	QuasiIdentifiers []string             // in order; each needs a hierarchy
	Hierarchies      map[string]Hierarchy // quasi-identifier → hierarchy
	K                int                  // k-anonymity; 0 or 1 = none
	Sensitive        string               // sensitive attribute for l-diversity
	L                float64              // l-diversity; 0 = none
	LModel           LModel               // distinct (default) or entropy
	Suppression      float64              // record suppression limit, share of records in [0,1]
	Metric           Metric               // default loss
	GSFactor         *float64             // generalization/suppression factor, default 0.5
	Aggregate        Aggregate            // default: ARX's default for the metric
	Algorithm        Algorithm            // default optimal
	RiskThreshold    float64              // prosecutor risk threshold, default 0.2
	// T enables t-closeness of Sensitive (0 = off) with the ground
	// distance TModel (default equal); hierarchical needs
	// Hierarchies[Sensitive].
	T      float64
	TModel TModel
	// MaxJournalistRisk bounds the highest journalist risk (1/smallest
	// class; enforced on the released records, which bounds the risk
	// against any population containing them); MaxMarketerRisk bounds
	// the average (marketer) risk, ARX's AverageReidentificationRisk.
	// 0 = off.
	MaxJournalistRisk float64
	MaxMarketerRisk   float64
	// Population, when set, is the population the released records are
	// drawn from (ARX's research-subset superset); journalist and
	// marketer risk are reported against it. Nil: the dataset itself.
	Population *Population
}

// DefaultGSFactor is ARX's default generalization/suppression factor.
const DefaultGSFactor = 0.5

// Result describes the transformation chosen for one table and the privacy
// level reached. It holds no data values and marshals to JSON.
type Result struct {
	Algorithm        Algorithm      `json:"algorithm"`
	Records          int64          `json:"records"`
	QuasiIdentifiers []string       `json:"quasi_identifiers"`
	Sensitive        string         `json:"sensitive,omitempty"`
	Model            PrivacyModel   `json:"privacy_model"`
	KReached         int64          `json:"k_reached"`
	LReached         float64        `json:"l_reached,omitempty"`
	TReached         *float64       `json:"t_reached,omitempty"` // largest distance of a released class
	Classes          int            `json:"classes"`
	Suppressed       int64          `json:"suppressed_records"`
	Transformation   []LevelChoice  `json:"transformation,omitempty"`
	Metric           Metric         `json:"metric"`
	GSFactor         float64        `json:"gs_factor"`
	Aggregate        Aggregate      `json:"aggregate,omitempty"`
	InformationLoss  float64        `json:"information_loss"`
	LossPerQI        []QILoss       `json:"information_loss_per_qi,omitempty"`
	Metrics          MetricValues   `json:"metrics"`
	Risk             Risk           `json:"risk"`
	Search           *SearchStats   `json:"search,omitempty"`
	Mondrian         *MondrianStats `json:"mondrian,omitempty"`
}

// PrivacyModel is the privacy model that was enforced.
type PrivacyModel struct {
	K                int     `json:"k"`
	L                float64 `json:"l,omitempty"`
	LModel           LModel  `json:"l_model,omitempty"`
	SuppressionLimit float64 `json:"suppression_limit"`
	MaxSuppressed    int64   `json:"max_suppressed_records"`
	T                float64 `json:"t,omitempty"`
	TModel           TModel  `json:"t_model,omitempty"`
	MaxJournalist    float64 `json:"max_journalist_risk,omitempty"`
	MaxMarketer      float64 `json:"max_marketer_risk,omitempty"`
}

// LevelChoice is the generalization level of one quasi-identifier.
type LevelChoice struct {
	Column string `json:"column"`
	Level  int    `json:"level"`
	Levels int    `json:"levels"` // number of levels of the hierarchy
}

// QILoss is the information loss of one quasi-identifier.
type QILoss struct {
	Column string  `json:"column"`
	Value  float64 `json:"value"`
}

// MetricValues are the values of every metric for the chosen transformation
// (ARX's units: Loss in [0,1], entropy in bits, discernibility in records²,
// AECS in records). Mondrian reports what applies to partitions.
type MetricValues struct {
	Loss                    *float64 `json:"loss,omitempty"`
	Entropy                 *float64 `json:"entropy,omitempty"`
	EntropyMonotonic        *float64 `json:"entropy_monotonic,omitempty"`
	Discernibility          float64  `json:"discernibility"`
	DiscernibilityMonotonic float64  `json:"discernibility_monotonic"`
	AECS                    float64  `json:"aecs"`
	NCP                     *float64 `json:"ncp,omitempty"` // Mondrian: normalized certainty penalty in [0,1]
}

// Risk is the prosecutor re-identification risk of the released records
// (suppressed records are not released).
type Risk struct {
	Model         string  `json:"model"`
	Highest       float64 `json:"highest"`
	Average       float64 `json:"average"`
	Threshold     float64 `json:"threshold"`
	RecordsAtRisk int64   `json:"records_at_risk"`
	ShareAtRisk   float64 `json:"share_at_risk"`
	// Journalist and marketer risk (ARX's RiskModelSampleSummary).
	Journalist *JournalistRisk `json:"journalist,omitempty"`
	Marketer   *MarketerRisk   `json:"marketer,omitempty"`
}

// SearchStats describes the lattice search.
type SearchStats struct {
	Nodes      int     `json:"nodes"`
	Checked    int     `json:"checked"`   // nodes grouped against the privacy model
	Evaluated  int     `json:"evaluated"` // nodes whose information loss was computed
	Tagged     int     `json:"tagged"`    // nodes whose anonymity was inferred, not checked
	Pruned     int     `json:"pruned"`    // nodes excluded by bounds or dominance
	DurationMS float64 `json:"duration_ms"`
}

// MondrianStats describes a Mondrian partitioning.
type MondrianStats struct {
	Partitions int     `json:"partitions"`
	DurationMS float64 `json:"duration_ms"`
}

// plan is the outcome of the search, applied to records in the second pass.
type plan struct {
	t          *tupleTable
	suppressed []bool     // per tuple
	values     [][]string // per dimension: per tuple generalized value (full domain: via tables)
	lv         []int      // full domain: level per dimension
	part       []int32    // Mondrian: tuple → partition
	partVals   [][]string // Mondrian: partition → per dimension value
}

// generalized returns the released value of dimension d for tuple i.
func (p *plan) generalized(i int32, d int) string {
	if p.part != nil {
		return p.partVals[p.part[i]][d]
	}
	c := p.t.cols[d]
	l := p.lv[d]
	return c.genValues[l][c.gen[l][p.t.codes[d][i]]]
}

// normalize fills defaults and validates the options against the columns.
func (o *PrivacyOptions) normalize(table string) (metricSpec, error) {
	var errs []error
	bad := func(col, reason string) { errs = append(errs, &PolicyError{Table: table, Column: col, Reason: reason}) }
	if len(o.QuasiIdentifiers) == 0 {
		bad("", "no quasi-identifiers")
	}
	seen := map[string]bool{}
	for _, q := range o.QuasiIdentifiers {
		if seen[q] {
			bad(q, "listed twice as quasi-identifier")
		}
		seen[q] = true
		if o.Hierarchies[q] == nil && o.Algorithm != AlgorithmMondrian {
			bad(q, "quasi-identifier has no hierarchy")
		}
	}
	if o.K < 0 {
		bad("", "k must be at least 1")
	}
	if o.K <= 1 && o.L == 0 && o.T == 0 && o.MaxJournalistRisk == 0 && o.MaxMarketerRisk == 0 && len(o.QuasiIdentifiers) > 0 {
		bad("", "quasi-identifiers need a privacy model: k ≥ 2, l-diversity, t-closeness or a risk bound")
	}
	if o.L < 0 || (o.L > 0 && o.L < 1) {
		bad("", "l must be at least 1")
	}
	if o.L > 0 && o.Sensitive == "" {
		bad("", "l-diversity needs a sensitive attribute")
	}
	if o.T < 0 || o.T > 1 || math.IsNaN(o.T) {
		bad("", "t must be in (0,1]")
	}
	if o.T > 0 {
		if o.Sensitive == "" {
			bad("", "t-closeness needs a sensitive attribute")
		}
		if o.TModel == "" {
			o.TModel = TEqual
		}
		if err := validTModel(o.TModel); err != nil {
			bad(o.Sensitive, err.Error())
		} else if o.TModel == THierarchical && o.Sensitive != "" && o.Hierarchies[o.Sensitive] == nil {
			bad(o.Sensitive, "hierarchical t-closeness needs a hierarchy for the sensitive attribute")
		}
		if o.Algorithm == AlgorithmMondrian {
			bad("", "t-closeness is not supported by mondrian (use the optimal search)")
		}
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"journalist", o.MaxJournalistRisk}, {"marketer", o.MaxMarketerRisk}} {
		if r.v < 0 || r.v > 1 || math.IsNaN(r.v) {
			bad("", fmt.Sprintf("max %s risk must be in (0,1]", r.name))
		}
	}
	if o.MaxMarketerRisk > 0 && o.Algorithm == AlgorithmMondrian {
		bad("", "a marketer risk bound is not supported by mondrian (use the optimal search)")
	}
	if o.MaxJournalistRisk > 0 {
		// Highest risk 1/min class ≤ t ⇔ every class has ≥ ⌈1/t⌉ records.
		if k := int(math.Ceil(1/o.MaxJournalistRisk - 1e-9)); k > o.K {
			o.K = k
		}
	}
	if o.Sensitive != "" && seen[o.Sensitive] {
		bad(o.Sensitive, "the sensitive attribute cannot be a quasi-identifier")
	}
	if o.LModel == "" {
		o.LModel = LDistinct
	}
	if o.LModel != LDistinct && o.LModel != LEntropy {
		bad("", fmt.Sprintf("unknown l-diversity model %q (want distinct or entropy)", o.LModel))
	}
	if o.Suppression < 0 || o.Suppression > 1 || math.IsNaN(o.Suppression) {
		bad("", "suppression limit must be in [0,1] (1 = every record may be suppressed, as ARX allows)")
	}
	if o.Algorithm == "" {
		o.Algorithm = AlgorithmOptimal
	}
	switch o.Algorithm {
	case AlgorithmOptimal, AlgorithmExhaustive, AlgorithmMondrian:
	default:
		bad("", fmt.Sprintf("unknown algorithm %q (want optimal or mondrian)", o.Algorithm))
	}
	if o.Metric == "" {
		o.Metric = MetricLoss
	}
	if o.RiskThreshold == 0 {
		o.RiskThreshold = 0.2
	}
	if o.RiskThreshold < 0 || o.RiskThreshold > 1 {
		bad("", "risk threshold must be in (0,1]")
	}
	gs := DefaultGSFactor
	if o.GSFactor != nil {
		gs = *o.GSFactor
	}
	ms, err := newMetricSpec(o.Metric, gs, o.Aggregate)
	if err != nil {
		errs = append(errs, &PolicyError{Table: table, Reason: err.Error()})
	}
	return ms, joinProblems(errs)
}

// newCollector prepares the compact pass-1 state for the options.
func newCollector(o *PrivacyOptions) *tupleTable {
	cols := make([]*qiColumn, len(o.QuasiIdentifiers))
	for i, q := range o.QuasiIdentifiers {
		h := o.Hierarchies[q]
		if h == nil {
			h = flatHierarchy{}
		}
		cols[i] = newQIColumn(q, h)
	}
	var sens *qiColumn
	if o.Sensitive != "" {
		var h Hierarchy = flatHierarchy{}
		if o.T > 0 && o.TModel == THierarchical && o.Hierarchies[o.Sensitive] != nil {
			h = o.Hierarchies[o.Sensitive]
		}
		sens = newQIColumn(o.Sensitive, h)
	}
	return newTupleTable(cols, sens)
}

// flatHierarchy is used by Mondrian for quasi-identifiers without a
// hierarchy: the value, then "*".
type flatHierarchy struct{}

func (flatHierarchy) Levels() int { return 2 }
func (flatHierarchy) Generalize(v string, level int) (string, error) {
	if level == 0 {
		return v, nil
	}
	return Suppressed, nil
}

// solve runs the configured algorithm over the collected tuples.
func solve(ctx context.Context, source string, t *tupleTable, o *PrivacyOptions, ms metricSpec) (*plan, *Result, error) {
	if err := t.prepare(source); err != nil {
		return nil, nil, err
	}
	if t.rows == 0 {
		return nil, nil, fmt.Errorf("%w: %s has no records", ErrInput, source)
	}
	if o.Algorithm == AlgorithmMondrian {
		return solveMondrian(ctx, t, o, ms)
	}
	start := time.Now()
	e, err := newEngine(t, o.K, o.L, o.LModel, o.Suppression)
	if err != nil {
		return nil, nil, err
	}
	if o.T > 0 && t.sens != nil {
		if o.TModel == THierarchical {
			if err := t.sens.prepare(source); err != nil {
				return nil, nil, err
			}
		}
		if e.tc, err = newCloseness(t.sens, t.rows, o.T, o.TModel); err != nil {
			return nil, nil, err
		}
		e.hasSens = true
	}
	e.maxAvgRisk = o.MaxMarketerRisk
	s := newSearcher(ctx, e, ms)
	var best *candidate
	if o.Algorithm == AlgorithmExhaustive {
		best, err = s.exhaustive()
	} else {
		best, err = s.run()
	}
	if err != nil {
		return nil, nil, err
	}
	elapsed := time.Since(start)
	res, p := describe(e, ms, o, best.lv)
	res.Algorithm = o.Algorithm
	res.Search = &SearchStats{
		Nodes: e.nodes, Checked: s.stats.checked, Evaluated: s.stats.evaluated,
		Tagged: s.stats.tagged, Pruned: s.stats.pruned,
		DurationMS: float64(elapsed.Microseconds()) / 1000,
	}
	return p, res, nil
}

// describe evaluates the chosen node with every metric and builds the
// result and the plan.
func describe(e *engine, ms metricSpec, o *PrivacyOptions, lv []int) (*Result, *plan) {
	t := e.t
	g := e.groupify(lv)
	res := &Result{
		Records:          t.rows,
		QuasiIdentifiers: append([]string(nil), o.QuasiIdentifiers...),
		Sensitive:        o.Sensitive,
		Model:            PrivacyModel{K: e.k, L: o.L, SuppressionLimit: o.Suppression, MaxSuppressed: e.limit},
		Metric:           ms.m,
		GSFactor:         ms.gs,
		Suppressed:       g.suppressed,
	}
	if o.L > 0 {
		res.Model.LModel = o.LModel
	}
	if o.T > 0 {
		res.Model.T, res.Model.TModel = o.T, o.TModel
	}
	res.Model.MaxJournalist, res.Model.MaxMarketer = o.MaxJournalistRisk, o.MaxMarketerRisk
	if ms.multiDimensional() {
		res.Aggregate = ms.agg
	}
	for d, l := range lv {
		res.Transformation = append(res.Transformation, LevelChoice{Column: t.cols[d].name, Level: l, Levels: t.cols[d].levels})
	}
	per := make([]float64, e.dims)
	mt := e.precompute(ms)
	res.InformationLoss, _ = e.evaluate(ms, mt, lv, g, per)
	if ms.multiDimensional() {
		for d := range lv {
			res.LossPerQI = append(res.LossPerQI, QILoss{Column: t.cols[d].name, Value: per[d]})
		}
	}
	// Every metric, each with its ARX default aggregate and the same factor.
	for _, m := range Metrics() {
		spec, err := newMetricSpec(m, ms.gs, AggDefault)
		if err != nil {
			continue
		}
		if m == ms.m {
			spec = ms
		}
		v, _ := e.evaluate(spec, e.precompute(spec), lv, g, make([]float64, e.dims))
		v2 := v
		switch m {
		case MetricLoss:
			res.Metrics.Loss = &v2
		case MetricEntropy:
			res.Metrics.Entropy = &v2
		case MetricEntropyMonotonic:
			res.Metrics.EntropyMonotonic = &v2
		case MetricDiscernibility:
			res.Metrics.Discernibility = v
		case MetricDiscernibilityMonotonic:
			res.Metrics.DiscernibilityMonotonic = v
		case MetricAECS:
			res.Metrics.AECS = v
		}
	}
	// Classes, k and l reached, risk.
	sizes := make([]int64, 0, g.classes)
	for c, sz := range g.size {
		if g.ok[c] {
			sizes = append(sizes, sz)
		}
	}
	res.Classes = len(sizes)
	res.Risk = prosecutorRisk(sizes, o.RiskThreshold)
	res.KReached = minSize(sizes)
	if e.tc != nil {
		d := e.tc.classDistances(g.classes, g.class, func(i int) int32 { return t.sensC[g.rep[i]] }, g.cnt, g.size,
			func(c int) bool { return g.ok[c] })
		worst := 0.0
		for c, v := range d {
			if g.ok[c] {
				worst = math.Max(worst, v)
			}
		}
		worst = math.Round(worst*1e12) / 1e12
		res.TReached = &worst
	}
	// Journalist and marketer risk against the population (default: the
	// released records themselves, where both equal the prosecutor's).
	{
		var keys []string
		var pos []int
		pop := o.Population
		if pop != nil {
			var missing []string
			if pos, missing = pop.columnMap(t); missing != nil {
				cp := *pop
				cp.missing = missing
				pop = &cp
			}
			all := classKeys(t, lv, g.rep, g.class, g.classes)
			for c := range g.size {
				if g.ok[c] {
					keys = append(keys, all[c])
				}
			}
		}
		addSampleRisk(&res.Risk, sizes, keys, pop, func(vals []string) (string, bool) {
			return populationKey(t, lv, pos, vals)
		})
	}
	// Per-tuple outcome for the second pass: group the tuples themselves.
	tg := e.groupifyFrom(e.bottom, lv)
	p := &plan{t: t, lv: append([]int(nil), lv...), suppressed: make([]bool, len(t.count))}
	classOf := append([]int32(nil), tg.srcClass...)
	ok := append([]bool(nil), tg.ok...)
	for i, c := range classOf {
		p.suppressed[i] = !ok[c]
	}
	if t.sens != nil {
		res.LReached = lReached(t, classOf, func(c int32) bool { return ok[c] }, len(ok), o.LModel)
	}
	return res, p
}

func minSize(sizes []int64) int64 {
	if len(sizes) == 0 {
		return 0
	}
	m := sizes[0]
	for _, s := range sizes {
		if s < m {
			m = s
		}
	}
	return m
}

// prosecutorRisk: a record in a class of size c is re-identified with
// probability 1/c; highest = 1/min c, average = classes/records.
func prosecutorRisk(sizes []int64, threshold float64) Risk {
	r := Risk{Model: "prosecutor", Threshold: threshold}
	var records int64
	for _, s := range sizes {
		records += s
		if 1/float64(s) > threshold {
			r.RecordsAtRisk += s
		}
	}
	if records == 0 {
		return r
	}
	r.Highest = 1 / float64(minSize(sizes))
	r.Average = float64(len(sizes)) / float64(records)
	r.ShareAtRisk = float64(r.RecordsAtRisk) / float64(records)
	return r
}

// lReached is the smallest diversity over released classes: distinct
// values, or exp(entropy) for entropy l-diversity.
func lReached(t *tupleTable, classOf []int32, released func(int32) bool, classes int, lm LModel) float64 {
	type key struct{ c, s int32 }
	counts := map[key]int64{}
	for i, c := range classOf {
		if released(c) {
			counts[key{c, t.sensC[i]}] += int64(t.count[i])
		}
	}
	distinct := make([]int64, classes)
	total := make([]int64, classes)
	nlogn := make([]float64, classes)
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].c != keys[j].c {
			return keys[i].c < keys[j].c
		}
		return keys[i].s < keys[j].s
	})
	for _, k := range keys {
		n := counts[k]
		distinct[k.c]++
		total[k.c] += n
		nlogn[k.c] += float64(n) * math.Log(float64(n))
	}
	best := math.Inf(1)
	for c := 0; c < classes; c++ {
		if total[c] == 0 {
			continue
		}
		v := float64(distinct[c])
		if lm == LEntropy {
			n := float64(total[c])
			v = math.Exp(math.Log(n) - nlogn[c]/n)
		}
		best = math.Min(best, v)
	}
	if math.IsInf(best, 1) {
		return 0
	}
	return math.Round(best*1e9) / 1e9
}

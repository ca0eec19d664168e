package anonymize

import (
	"context"
	"math"
	"sort"
)

// Node flags.
const (
	fChecked   uint16 = 1 << iota // grouped (evaluated against the privacy model)
	fQ                            // has the monotone property used for tagging
	fNotQ                         // lacks it
	fAnon                         // anonymous (known by check or by tagging)
	fNotAnon                      // not anonymous
	fEvaluated                    // information loss computed
	fPruned                       // cannot beat the optimum (bound or dominance)
)

// searchStats counts the work of a search.
type searchStats struct {
	checked   int // nodes grouped (a pass over the tuples)
	evaluated int // nodes whose information loss was computed
	tagged    int // nodes whose anonymity was inferred by predictive tagging
	pruned    int // nodes pruned by bounds or dominance
}

// candidate is an anonymous node with its information loss.
type candidate struct {
	node   int
	lv     []int
	height int
	loss   float64
}

// better orders candidates as ARX does (lower loss, then lower height) and
// breaks remaining ties by the lexicographically smaller level vector so the
// result is deterministic.
func better(a, b *candidate) bool {
	if b == nil {
		return true
	}
	if a.loss != b.loss {
		return a.loss < b.loss
	}
	if a.height != b.height {
		return a.height < b.height
	}
	for d := range a.lv {
		if a.lv[d] != b.lv[d] {
			return a.lv[d] < b.lv[d]
		}
	}
	return false
}

// searcher runs an optimal search over the generalization lattice.
type searcher struct {
	e     *engine
	ms    metricSpec
	mt    *metricTables
	flags []uint16
	bound []float64 // lower bound per node (-Inf if none)
	best  *candidate
	stats searchStats
	// qIsAnon: the tagged property is anonymity itself (criteria monotone);
	// otherwise it is "feasible" (records in too small classes ≤ limit).
	qIsAnon    bool
	metricMono bool
	lv         []int
	per        []float64
	ctx        context.Context
	err        error
	heightOf   []int32
}

func newSearcher(ctx context.Context, e *engine, ms metricSpec) *searcher {
	s := &searcher{e: e, ms: ms, mt: e.precompute(ms), ctx: ctx}
	s.flags = make([]uint16, e.nodes)
	s.bound = make([]float64, e.nodes)
	s.lv = make([]int, e.dims)
	s.per = make([]float64, e.dims)
	s.heightOf = make([]int32, e.nodes)
	// ARX: without suppression every criterion and metric is monotone;
	// k-anonymity alone is monotone with suppression too; l-diversity,
	// t-closeness and the average-risk bound are not (ARX's
	// monotonicWithSuppression = false), so the tagged property is then
	// the monotone "records in too small classes ≤ limit".
	s.qIsAnon = e.limit == 0 || !(e.hasSens || e.maxAvgRisk > 0)
	s.metricMono = ms.monotone(e.limit)
	tmp := make([]float64, e.dims)
	for n := 0; n < e.nodes; n++ {
		e.decode(n, s.lv)
		s.heightOf[n] = int32(e.height(s.lv))
		b, ok := e.staticBound(ms, s.mt, s.lv, tmp)
		if ok {
			s.bound[n] = b
		} else {
			s.bound[n] = math.Inf(-1)
		}
	}
	return s
}

// successors appends the direct generalizations of node.
func (s *searcher) successors(node int, out []int) []int {
	e := s.e
	rest := node
	for d := 0; d < e.dims; d++ {
		l := rest / e.radix[d]
		rest %= e.radix[d]
		if l < e.maxLvl[d] {
			out = append(out, node+e.radix[d])
		}
	}
	return out
}

// predecessors appends the direct specializations of node.
func (s *searcher) predecessors(node int, out []int) []int {
	e := s.e
	rest := node
	for d := 0; d < e.dims; d++ {
		l := rest / e.radix[d]
		rest %= e.radix[d]
		if l > 0 {
			out = append(out, node-e.radix[d])
		}
	}
	return out
}

// tagUp sets flag on node and all its generalizations and returns the
// number of nodes newly flagged.
func (s *searcher) tagUp(node int, flag uint16) int {
	stack := []int{node}
	tagged := 0
	var buf []int
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.flags[n]&flag != 0 {
			continue
		}
		s.flags[n] |= flag
		tagged++
		buf = s.successors(n, buf[:0])
		for _, m := range buf {
			if s.flags[m]&flag == 0 {
				stack = append(stack, m)
			}
		}
	}
	return tagged
}

// tagDown sets flag on node and all its specializations.
func (s *searcher) tagDown(node int, flag uint16) {
	stack := []int{node}
	var buf []int
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.flags[n]&flag != 0 {
			continue
		}
		s.flags[n] |= flag
		buf = s.predecessors(n, buf[:0])
		for _, m := range buf {
			if s.flags[m]&flag == 0 {
				stack = append(stack, m)
			}
		}
	}
}

// margin makes bound pruning robust against floating-point noise between a
// bound and a value computed in another summation order.
func margin(v float64) float64 { return 1e-9 * math.Max(1, math.Abs(v)) }

// cannotWin reports whether a node with lower bound b can no longer beat the
// current optimum.
func (s *searcher) cannotWin(b float64) bool {
	return s.best != nil && b > s.best.loss+margin(s.best.loss)
}

// skip reports whether the node needs no further work.
func (s *searcher) skip(node int) bool {
	f := s.flags[node]
	if f&fPruned != 0 {
		return true
	}
	if s.cannotWin(s.bound[node]) {
		s.prune(node)
		return true
	}
	return false
}

// prune marks node and all its generalizations (whose bounds are at least
// as high) as unable to beat the optimum.
func (s *searcher) prune(node int) {
	s.stats.pruned += s.tagUp(node, fPruned)
}

// check groups the records under node, tags, evaluates and prunes.
func (s *searcher) check(node int) {
	if s.err == nil {
		s.err = s.ctx.Err()
	}
	if s.err != nil {
		s.flags[node] |= fPruned
		return
	}
	e := s.e
	lv := make([]int, e.dims)
	e.decode(node, lv)
	g := e.groupify(lv)
	s.stats.checked++
	s.flags[node] |= fChecked
	q := g.feasible
	if s.qIsAnon {
		q = g.anonymous
	}
	if q {
		s.tagUp(node, fQ)
	} else {
		s.tagDown(node, fNotQ)
	}
	if g.anonymous {
		if s.qIsAnon {
			s.tagUp(node, fAnon)
		}
		s.flags[node] |= fAnon
	} else {
		if s.qIsAnon {
			s.tagDown(node, fNotAnon)
		}
		s.flags[node] |= fNotAnon
	}
	if !g.anonymous {
		return
	}
	loss, bound := e.evaluate(s.ms, s.mt, lv, g, s.per)
	s.flags[node] |= fEvaluated
	s.stats.evaluated++
	c := &candidate{node: node, lv: lv, height: int(s.heightOf[node]), loss: loss}
	if better(c, s.best) {
		s.best = c
	}
	// Every generalization of an anonymous node is at least as bad when
	// the metric is monotone (and higher, so it loses ties).
	if s.metricMono {
		var buf []int
		for _, m := range s.successors(node, buf) {
			s.prune(m)
		}
	}
	// The node's bound holds for all its generalizations.
	if bound > s.bound[node] {
		s.bound[node] = bound
	}
	if s.cannotWin(bound) {
		var buf []int
		for _, m := range s.successors(node, buf) {
			s.prune(m)
		}
	}
}

// strategyLess orders nodes: lower height first, then lower bound, then
// index (deterministic).
func (s *searcher) strategyLess(a, b int) bool {
	if s.heightOf[a] != s.heightOf[b] {
		return s.heightOf[a] < s.heightOf[b]
	}
	if s.bound[a] != s.bound[b] {
		return s.bound[a] < s.bound[b]
	}
	return a < b
}

// qKnown reports whether the tagged property of node is known.
func (s *searcher) qKnown(node int) bool { return s.flags[node]&(fQ|fNotQ) != 0 }

// run performs the search: a Flash-style binary phase that establishes the
// monotone property along greedy paths with predictive tagging, then a
// second phase that checks the remaining candidates in order of their lower
// bounds.
func (s *searcher) run() (*candidate, error) {
	e := s.e
	// Levels of the lattice by height.
	maxH := 0
	for _, m := range e.maxLvl {
		maxH += m
	}
	byHeight := make([][]int, maxH+1)
	for n := 0; n < e.nodes; n++ {
		byHeight[s.heightOf[n]] = append(byHeight[s.heightOf[n]], n)
	}
	for _, lvl := range byHeight {
		sort.Slice(lvl, func(i, j int) bool { return s.strategyLess(lvl[i], lvl[j]) })
	}
	// Phase 1 (Flash): for every node whose property is unknown, search
	// along a greedy path to the top by bisection.
	for _, lvl := range byHeight {
		for _, n := range lvl {
			if s.err != nil {
				return nil, s.err
			}
			if s.qKnown(n) || s.skip(n) {
				continue
			}
			s.binaryPhase(n)
		}
	}
	if s.err != nil {
		return nil, s.err
	}
	// Phase 2: candidates are nodes with the property that were not
	// checked, not pruned and (with a non-monotone metric or criteria)
	// may still be better than the optimum. Visit them by bound.
	var cands []int
	for n := 0; n < e.nodes; n++ {
		f := s.flags[n]
		if f&(fChecked|fPruned|fNotQ|fNotAnon) != 0 {
			continue
		}
		cands = append(cands, n)
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if s.bound[a] != s.bound[b] {
			return s.bound[a] < s.bound[b]
		}
		if s.heightOf[a] != s.heightOf[b] {
			return s.heightOf[a] < s.heightOf[b]
		}
		return a < b
	})
	for _, n := range cands {
		if s.err != nil {
			return nil, s.err
		}
		if s.flags[n]&(fChecked|fNotQ|fNotAnon) != 0 || s.skip(n) {
			continue
		}
		// With monotone criteria and metric, a node tagged anonymous is a
		// generalization of an evaluated anonymous node: dominated.
		if s.qIsAnon && s.metricMono && s.flags[n]&fAnon != 0 {
			continue
		}
		s.check(n)
	}
	if s.err != nil {
		return nil, s.err
	}
	for _, f := range s.flags {
		if f&fChecked == 0 && f&(fAnon|fNotAnon) != 0 {
			s.stats.tagged++
		}
	}
	if s.best == nil {
		return nil, ErrNoSolution
	}
	return s.best, nil
}

// binaryPhase implements Flash's outer step from start: repeatedly take a
// greedy path to the top through unknown nodes (cheapest successor first)
// and bisect it; unknown successors of nodes without the property are
// queued for further paths.
func (s *searcher) binaryPhase(start int) {
	queue := []int{start}
	var buf []int
	for len(queue) > 0 {
		// Pop the best node according to the strategy.
		bi := 0
		for i := range queue {
			if s.strategyLess(queue[i], queue[bi]) {
				bi = i
			}
		}
		head := queue[bi]
		queue[bi] = queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if s.qKnown(head) || s.skip(head) {
			continue
		}
		path := []int{head}
		cur := head
		for {
			buf = s.successors(cur, buf[:0])
			next := -1
			for _, m := range buf {
				if s.qKnown(m) || s.skip(m) {
					continue
				}
				if next < 0 || s.strategyLess(m, next) {
					next = m
				}
			}
			if next < 0 {
				break
			}
			path = append(path, next)
			cur = next
		}
		lo, hi := 0, len(path)-1
		for lo <= hi {
			if s.err != nil {
				return
			}
			mid := (lo + hi) / 2
			n := path[mid]
			if s.qKnown(n) || s.skip(n) {
				// Tagged meanwhile: use the tag.
				if s.flags[n]&fQ != 0 {
					hi = mid - 1
				} else if s.flags[n]&fNotQ != 0 {
					lo = mid + 1
				} else {
					hi = mid - 1
				}
				continue
			}
			s.check(n)
			if s.flags[n]&fQ != 0 {
				hi = mid - 1
			} else {
				lo = mid + 1
				buf = s.successors(n, buf[:0])
				for _, m := range buf {
					if !s.qKnown(m) && !s.skip(m) {
						queue = append(queue, m)
					}
				}
			}
		}
	}
}

// exhaustive evaluates every node of the lattice (the reference for tests
// and the benchmark).
func (s *searcher) exhaustive() (*candidate, error) {
	for n := 0; n < s.e.nodes; n++ {
		if err := s.ctx.Err(); err != nil {
			return nil, err
		}
		lv := make([]int, s.e.dims)
		s.e.decode(n, lv)
		g := s.e.groupify(lv)
		s.stats.checked++
		if !g.anonymous {
			continue
		}
		loss, _ := s.e.evaluate(s.ms, s.mt, lv, g, s.per)
		s.stats.evaluated++
		c := &candidate{node: n, lv: lv, height: int(s.heightOf[n]), loss: loss}
		if better(c, s.best) {
			s.best = c
		}
	}
	if s.best == nil {
		return nil, ErrNoSolution
	}
	return s.best, nil
}

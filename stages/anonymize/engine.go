package anonymize

import (
	"fmt"
	"math"
	"math/bits"
)

// LModel selects the l-diversity variant.
type LModel string

// l-diversity variants (ARX's DistinctLDiversity and EntropyLDiversity with
// the Shannon estimator).
const (
	LDistinct LModel = "distinct"
	LEntropy  LModel = "entropy"
)

// engine evaluates full-domain generalizations (lattice nodes) over the
// distinct quasi-identifier tuples of a table.
//
// Grouping works on snapshots: the equivalence classes of a checked node X,
// each given by a representative tuple and its record count (split by
// sensitive value when l-diversity applies). Because hierarchies are
// functions, the classes of any generalization Y ≥ X are unions of X's
// classes, so Y is grouped from X's (few) classes instead of from all
// tuples — ARX's "history" idea. The bottom node's snapshot is the tuple
// table itself.
type engine struct {
	t       *tupleTable
	dims    int
	maxLvl  []int // highest level per dimension
	radix   []int // node index = Σ level[d]·radix[d]
	nodes   int
	n       int64 // records
	limit   int64 // absolute suppression limit (floor(rel·n), as ARX)
	k       int
	l       float64
	lModel  LModel
	hasL    bool
	minSize int64 // max(k, ceil(l))
	// hasSens: snapshot entries are split by sensitive value (l-diversity
	// or t-closeness need each class's distribution).
	hasSens bool
	tc      *closeness // t-closeness, or nil
	// maxAvgRisk bounds the average re-identification risk of the released
	// records (marketer model; ARX's AverageReidentificationRisk); 0 = off.
	maxAvgRisk float64

	bottom     *snapshot
	cache      []*snapshot
	cacheSize  int // entries held by the cache
	cacheLimit int
	tick       int

	// scratch, reused by groupify
	keys []uint64
	ht   hashTable
	ht2  hashTable
	g    groups

	gensBuf [][]int32
	multBuf []uint64
	blocks  []*block
	// splitKeys forces the dimension-by-dimension key construction (tests).
	splitKeys bool
}

// block groups a few dimensions; for every combination of their levels it
// holds (once used) a dense code per tuple, so a key needs one load per
// block instead of two per dimension.
type block struct {
	dims  []int
	radix []int     // combination index = Σ level·radix
	codes [][]int32 // combination → tuple → dense code (nil until used)
	card  []int     // combination → number of codes
}

// maxBlockCombos bounds the level combinations of one block; maxBlockCells
// bounds the memory of all blocks (int32 cells).
const (
	maxBlockCombos = 32
	maxBlockCells  = 1 << 23
)

// buildBlocks partitions the dimensions into blocks when the per-tuple
// tables fit the memory bound and the keys fit 64 bits.
func (e *engine) buildBlocks() {
	nt := len(e.t.count)
	var blocks []*block
	cells := 0
	cur := &block{}
	combos := 1
	flush := func() {
		if len(cur.dims) > 0 {
			cur.radix = make([]int, len(cur.dims))
			r := 1
			for i := len(cur.dims) - 1; i >= 0; i-- {
				cur.radix[i] = r
				r *= e.t.cols[cur.dims[i]].levels
			}
			cur.codes = make([][]int32, combos)
			cur.card = make([]int, combos)
			cells += combos * nt
			blocks = append(blocks, cur)
		}
		cur, combos = &block{}, 1
	}
	for d := 0; d < e.dims; d++ {
		lv := e.t.cols[d].levels
		if len(cur.dims) > 0 && combos*lv > maxBlockCombos {
			flush()
		}
		cur.dims = append(cur.dims, d)
		combos *= lv
	}
	flush()
	if len(blocks) >= e.dims || cells > maxBlockCells {
		return
	}
	// The product of the block cardinalities at level 0 bounds every key.
	mult := uint64(1)
	for _, b := range blocks {
		card := uint64(1)
		for _, d := range b.dims {
			card *= uint64(len(e.t.cols[d].genValues[0]))
		}
		card = min(card, uint64(nt))
		hi, lo := bits.Mul64(mult, card)
		if hi != 0 {
			return
		}
		mult = lo
	}
	e.blocks = blocks
}

// codesFor returns the per-tuple codes of the block at lv, computing them
// on first use.
//
//go:norace
func (b *block) codesFor(e *engine, lv []int) ([]int32, int) {
	idx := 0
	for i, d := range b.dims {
		idx += lv[d] * b.radix[i]
	}
	if b.codes[idx] != nil {
		return b.codes[idx], b.card[idx]
	}
	nt := len(e.t.count)
	keys := make([]uint64, nt)
	mult := uint64(1)
	for _, d := range b.dims {
		c := e.t.cols[d]
		gen := c.gen[lv[d]]
		cd := e.t.codes[d]
		for i := range keys {
			keys[i] += uint64(gen[cd[i]]) * mult
		}
		mult *= uint64(len(c.genValues[lv[d]]))
	}
	var h hashTable
	ids := h.dense(keys)
	b.codes[idx] = append([]int32(nil), ids...)
	b.card[idx] = h.count
	return b.codes[idx], b.card[idx]
}

// fits reports whether the mixed-radix key of lv fits in 64 bits.
func (e *engine) fits(lv []int) bool {
	mult := uint64(1)
	for d := 0; d < e.dims; d++ {
		hi, lo := bits.Mul64(mult, uint64(len(e.t.cols[d].genValues[lv[d]])))
		if hi != 0 {
			return false
		}
		mult = lo
	}
	return true
}

// snapshot holds the classes of one node as entries: (representative tuple,
// records), one per class — or per (class, sensitive value) with
// l-diversity.
type snapshot struct {
	lv   []int
	rep  []int32
	cnt  []int64
	used int
}

// groups is the result of grouping the records under one transformation.
// It aliases the engine's scratch space and is valid until the next call.
type groups struct {
	classes    int
	size       []int64 // class → records
	ok         []bool  // class → satisfies the privacy model
	suppressed int64   // records in classes that fail the privacy model
	small      int64   // records in classes smaller than the minimal class size
	anonymous  bool    // suppressed ≤ limit
	feasible   bool    // small ≤ limit (the monotone part)
	// Entries of this node's snapshot.
	rep   []int32 // entry → representative tuple
	cnt   []int64 // entry → records
	class []int32 // entry → class
	// srcClass maps each entry of the source snapshot to its class; with
	// the bottom source, entries are tuples.
	srcClass []int32
}

func newEngine(t *tupleTable, k int, l float64, lm LModel, suppression float64) (*engine, error) {
	e := &engine{t: t, dims: len(t.cols), n: t.rows, k: k, l: l, lModel: lm}
	if k < 1 {
		e.k = 1
	}
	e.hasL = t.sens != nil && l > 0
	e.hasSens = e.hasL
	e.minSize = int64(e.k)
	if e.hasL {
		if m := int64(math.Ceil(l)); m > e.minSize {
			e.minSize = m
		}
	}
	e.limit = int64(math.Floor(suppression * float64(t.rows)))
	e.maxLvl = make([]int, e.dims)
	e.radix = make([]int, e.dims)
	nodes := 1
	for d := e.dims - 1; d >= 0; d-- {
		e.maxLvl[d] = t.cols[d].levels - 1
		e.radix[d] = nodes
		hi, lo := bits.Mul64(uint64(nodes), uint64(t.cols[d].levels))
		if hi != 0 || lo > maxLatticeNodes {
			return nil, fmt.Errorf("%w: more than %d nodes", ErrLatticeTooLarge, maxLatticeNodes)
		}
		nodes = int(lo)
	}
	e.nodes = nodes
	nt := len(t.count)
	b := &snapshot{lv: make([]int, e.dims), rep: make([]int32, nt), cnt: make([]int64, nt)}
	for i := range b.rep {
		b.rep[i] = int32(i)
		b.cnt[i] = int64(t.count[i])
	}
	e.bottom = b
	e.cacheLimit = 8*nt + 1<<16
	e.keys = make([]uint64, nt)
	e.ht.init(nt)
	e.buildBlocks()
	return e, nil
}

// maxLatticeNodes bounds the optimal search (per-node state is one word).
const maxLatticeNodes = 1 << 22

func (e *engine) decode(node int, lv []int) {
	for d := 0; d < e.dims; d++ {
		lv[d] = node / e.radix[d]
		node %= e.radix[d]
	}
}

func (e *engine) height(lv []int) int {
	h := 0
	for _, l := range lv {
		h += l
	}
	return h
}

// source returns the cached snapshot with the fewest entries among the
// specializations of lv (the bottom snapshot always qualifies).
func (e *engine) source(lv []int) *snapshot {
	best := e.bottom
	for _, s := range e.cache {
		if len(s.rep) >= len(best.rep) {
			continue
		}
		ok := true
		for d, l := range s.lv {
			if l > lv[d] {
				ok = false
				break
			}
		}
		if ok {
			best = s
		}
	}
	e.tick++
	best.used = e.tick
	return best
}

// remember caches the snapshot of the last grouping, evicting the least
// recently used snapshots beyond the size limit.
func (e *engine) remember(lv []int, g *groups) {
	if len(g.rep) >= len(e.bottom.rep) || len(g.rep) > e.cacheLimit/4 {
		return
	}
	e.tick++
	s := &snapshot{lv: append([]int(nil), lv...), rep: append([]int32(nil), g.rep...),
		cnt: append([]int64(nil), g.cnt...), used: e.tick}
	e.cache = append(e.cache, s)
	e.cacheSize += len(s.rep)
	for e.cacheSize > e.cacheLimit || len(e.cache) > 512 {
		old := 0
		for i, c := range e.cache {
			if c.used < e.cache[old].used {
				old = i
			}
		}
		e.cacheSize -= len(e.cache[old].rep)
		e.cache[old] = e.cache[len(e.cache)-1]
		e.cache = e.cache[:len(e.cache)-1]
	}
}

// groupify groups the records by their generalized quasi-identifiers at the
// given levels and applies the privacy model to every class.
func (e *engine) groupify(lv []int) *groups {
	g := e.groupifyFrom(e.source(lv), lv)
	e.remember(lv, g)
	return g
}

// groupifyFrom groups the entries of snapshot src under lv.
//
// The grouping kernels (groupifyFrom, codesFor, hashTable.dense) are
// excluded from race instrumentation: they run on one goroutine and touch
// only memory the engine allocated for the current search, and the
// instrumentation of their inner loops made the Adult tests 20× slower
// under -race (everything else in the package stays instrumented).
//
//go:norace
func (e *engine) groupifyFrom(src *snapshot, lv []int) *groups {
	ne := len(src.rep)
	if cap(e.keys) < ne {
		e.keys = make([]uint64, ne)
	}
	keys := e.keys[:ne]
	// Mixed-radix keys over all dimensions at once when the product of
	// the cardinalities fits in 64 bits; otherwise dimension by dimension,
	// compressing the partial keys to dense ids when they would overflow.
	if e.blocks != nil {
		// Per block of dimensions, one precomputed dense code per tuple.
		arrs := e.gensBuf[:0]
		mults := e.multBuf[:0]
		mult := uint64(1)
		for _, b := range e.blocks {
			codes, card := b.codesFor(e, lv)
			arrs = append(arrs, codes)
			mults = append(mults, mult)
			mult *= uint64(card)
		}
		e.gensBuf, e.multBuf = arrs, mults
		first := arrs[0]
		for i, r := range src.rep {
			keys[i] = uint64(first[r])
		}
		for j := 1; j < len(arrs); j++ {
			a, m := arrs[j], mults[j]
			for i, r := range src.rep {
				keys[i] += uint64(a[r]) * m
			}
		}
	} else if e.fits(lv) && !e.splitKeys {
		gens := e.gensBuf[:0]
		mults := e.multBuf[:0]
		mult := uint64(1)
		for d := 0; d < e.dims; d++ {
			c := e.t.cols[d]
			gens = append(gens, c.gen[lv[d]])
			mults = append(mults, mult)
			mult *= uint64(len(c.genValues[lv[d]]))
		}
		e.gensBuf, e.multBuf = gens, mults
		clear(keys)
		for d := range gens {
			gen, cd, m := gens[d], e.t.codes[d], mults[d]
			for i, r := range src.rep {
				keys[i] += uint64(gen[cd[r]]) * m
			}
		}
	} else {
		clear(keys)
		mult := uint64(1)
		for d := 0; d < e.dims; d++ {
			c := e.t.cols[d]
			card := uint64(len(c.genValues[lv[d]]))
			hi, next := bits.Mul64(mult, card)
			if hi != 0 || (e.splitKeys && d > 0) {
				// Compress the partial keys to dense ids (< number of
				// entries), so that the product fits again.
				ids := e.ht.dense(keys)
				for i := range keys {
					keys[i] = uint64(ids[i])
				}
				mult = uint64(e.ht.count)
				next = mult * card
			}
			gen := c.gen[lv[d]]
			cd := e.t.codes[d]
			for i, r := range src.rep {
				keys[i] += uint64(gen[cd[r]]) * mult
			}
			mult = next
		}
	}
	ids := e.ht.dense(keys)
	classes := e.ht.count
	g := &e.g
	g.classes = classes
	g.srcClass = grow32(g.srcClass, ne)
	copy(g.srcClass, ids)
	g.size = grow64(g.size, classes)
	clear(g.size)
	for i, c := range g.srcClass {
		g.size[c] += src.cnt[i]
	}
	// Entries of the new snapshot.
	if !e.hasSens {
		g.rep = grow32(g.rep, classes)
		g.cnt = grow64(g.cnt, classes)
		g.class = grow32(g.class, classes)
		for i := len(g.srcClass) - 1; i >= 0; i-- {
			g.rep[g.srcClass[i]] = src.rep[i]
		}
		copy(g.cnt, g.size)
		for c := range g.class {
			g.class[c] = int32(c)
		}
	} else {
		pk := e.keys[:ne]
		for i, c := range g.srcClass {
			pk[i] = uint64(uint32(c))<<32 | uint64(uint32(e.t.sensC[src.rep[i]]))
		}
		if e.ht2.cap() < ne {
			e.ht2.init(ne)
		}
		pid := e.ht2.dense(pk)
		np := e.ht2.count
		g.rep = grow32(g.rep, np)
		g.cnt = grow64(g.cnt, np)
		g.class = grow32(g.class, np)
		clear(g.cnt)
		for i := ne - 1; i >= 0; i-- {
			p := pid[i]
			g.rep[p] = src.rep[i]
			g.class[p] = g.srcClass[i]
		}
		for i, p := range pid {
			g.cnt[p] += src.cnt[i]
		}
	}
	g.ok = growBool(g.ok, classes)
	g.small, g.suppressed = 0, 0
	for c, s := range g.size {
		g.ok[c] = s >= int64(e.k)
		if s < e.minSize {
			g.small += s
		}
	}
	if e.hasL {
		e.applyL(g)
	}
	if e.tc != nil {
		e.applyT(g)
	}
	released := 0
	for c, s := range g.size {
		if !g.ok[c] {
			g.suppressed += s
		} else {
			released++
		}
	}
	g.anonymous = g.suppressed <= e.limit
	if e.maxAvgRisk > 0 && e.n > g.suppressed {
		// Marketer (average) risk of the released records: classes/records.
		if float64(released)/float64(e.n-g.suppressed) > e.maxAvgRisk {
			g.anonymous = false
		}
	}
	g.feasible = g.small <= e.limit
	return g
}

// applyL checks l-diversity of every class that passed k-anonymity; the
// entries are the (class, sensitive value) pairs.
func (e *engine) applyL(g *groups) {
	distinct := make([]int32, g.classes)
	sum := make([]float64, g.classes)
	comp := make([]float64, g.classes)
	for p, c := range g.class {
		distinct[c]++
		if e.lModel == LEntropy {
			n := float64(g.cnt[p])
			neumaier(&sum[c], &comp[c], n*math.Log(n))
		}
	}
	minDistinct := int32(math.Ceil(e.l))
	logL := math.Log(e.l)
	for c := range g.size {
		if !g.ok[c] {
			continue
		}
		if distinct[c] < minDistinct {
			g.ok[c] = false
			continue
		}
		if e.lModel == LEntropy {
			// ARX (Shannon): Σ n·ln n ≤ N·(ln N − ln l).
			total := float64(g.size[c])
			if sum[c]+comp[c] > total*(math.Log(total)-logL) {
				g.ok[c] = false
			}
		}
	}
}

// applyT checks t-closeness of every class that passed the other models.
func (e *engine) applyT(g *groups) {
	d := e.tc.classDistances(g.classes, g.class, func(i int) int32 { return e.t.sensC[g.rep[i]] }, g.cnt, g.size,
		func(c int) bool { return g.ok[c] })
	for c := range g.size {
		if g.ok[c] && d[c] > e.tc.t {
			g.ok[c] = false
		}
	}
}

// neumaier adds x to the compensated sum (s, c): the result does not depend
// on the order of the terms in practice, so decisions do not depend on which
// snapshot a class was grouped from.
func neumaier(s, c *float64, x float64) {
	t := *s + x
	if math.Abs(*s) >= math.Abs(x) {
		*c += (*s - t) + x
	} else {
		*c += (x - t) + *s
	}
	*s = t
}

func grow32(b []int32, n int) []int32 {
	if cap(b) < n {
		return make([]int32, n)
	}
	return b[:n]
}

func grow64(b []int64, n int) []int64 {
	if cap(b) < n {
		return make([]int64, n)
	}
	return b[:n]
}

func growBool(b []bool, n int) []bool {
	if cap(b) < n {
		return make([]bool, n)
	}
	return b[:n]
}

// hashTable maps uint64 keys to dense ids 0..count-1 in first-occurrence
// order (open addressing, cleared in O(1) by an epoch stamp).
type hashTable struct {
	keys  []uint64
	vals  []int32
	stamp []uint32
	epoch uint32
	mask  uint64
	shift uint
	count int
	ids   []int32
}

func (h *hashTable) init(n int) {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	h.keys = make([]uint64, size)
	h.vals = make([]int32, size)
	h.stamp = make([]uint32, size)
	h.mask = uint64(size - 1)
	h.shift = uint(64 - bits.TrailingZeros(uint(size)))
	h.epoch = 0
}

func (h *hashTable) cap() int { return len(h.keys) / 2 }

// dense assigns dense ids to keys and returns them (aliasing internal
// storage, valid until the next call).
//
//go:norace
func (h *hashTable) dense(keys []uint64) []int32 {
	if h.cap() < len(keys) {
		h.init(len(keys))
	}
	h.epoch++
	if h.epoch == 0 {
		clear(h.stamp)
		h.epoch = 1
	}
	if cap(h.ids) < len(keys) {
		h.ids = make([]int32, len(keys))
	}
	ids := h.ids[:len(keys)]
	n := int32(0)
	ep := h.epoch
	stamp, hk, hv := h.stamp, h.keys, h.vals
	for i, k := range keys {
		slot := (k * 0x9E3779B97F4A7C15) >> h.shift
		for {
			if stamp[slot] != ep {
				stamp[slot] = ep
				hk[slot] = k
				hv[slot] = n
				ids[i] = n
				n++
				break
			}
			if hk[slot] == k {
				ids[i] = hv[slot]
				break
			}
			slot = (slot + 1) & h.mask
		}
	}
	h.count = int(n)
	return ids
}

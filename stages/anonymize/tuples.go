package anonymize

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// qiColumn is one quasi-identifier, dictionary-encoded: every distinct value
// gets an int32 code; generalization is a per-level code remapping table.
type qiColumn struct {
	name string
	h    Hierarchy

	values   []string // code → value (level 0)
	index    map[string]int32
	firstRow []int64 // code → first record (1-based) holding the value
	nullCode int32   // code of null, or -1
	freq     []int64 // code → number of records

	// Filled by prepare.
	levels     int
	gen        [][]int32  // gen[level][code] → generalized code at level
	genValues  [][]string // genValues[level][gcode] → generalized value
	genFreq    [][]int64  // genFreq[level][gcode] → number of records
	cover      [][]int64  // cover[level][gcode] → domain values covered (Loss share = cover/domainSize)
	domainSize int64
	rank       []int32   // code → order rank (Mondrian)
	numeric    bool      // every non-null value is a number
	num        []float64 // code → numeric value when numeric
	minNum     float64
	maxNum     float64
}

func newQIColumn(name string, h Hierarchy) *qiColumn {
	return &qiColumn{name: name, h: h, index: map[string]int32{}, nullCode: -1}
}

// code returns the code of a value, adding it to the dictionary.
func (c *qiColumn) code(v string, null bool, row int64) int32 {
	if null {
		if c.nullCode < 0 {
			c.nullCode = int32(len(c.values))
			c.values = append(c.values, "")
			c.firstRow = append(c.firstRow, row)
			c.freq = append(c.freq, 0)
		}
		c.freq[c.nullCode]++
		return c.nullCode
	}
	if k, ok := c.index[v]; ok {
		c.freq[k]++
		return k
	}
	k := int32(len(c.values))
	c.index[v] = k
	c.values = append(c.values, v)
	c.firstRow = append(c.firstRow, row)
	c.freq = append(c.freq, 1)
	return k
}

// lookup returns the code of a known value (pass 2).
func (c *qiColumn) lookup(v string, null bool) (int32, bool) {
	if null {
		return c.nullCode, c.nullCode >= 0
	}
	k, ok := c.index[v]
	return k, ok
}

// prepare materializes the hierarchy over the dictionary: per-level code
// remapping tables, generalized frequencies, domain shares and orders.
func (c *qiColumn) prepare(source string) error {
	c.levels = c.h.Levels()
	if c.levels < 1 {
		return &HierarchyError{Source: c.name, Reason: "hierarchy has no levels"}
	}
	n := len(c.values)
	// Generalize every value at every level once; report each value that
	// the hierarchy cannot handle (by the first record holding it).
	table := make([][]string, n)
	var errs []error
	for code := 0; code < n; code++ {
		row := make([]string, c.levels)
		for lvl := 0; lvl < c.levels; lvl++ {
			if int32(code) == c.nullCode {
				// NULL is its own class below the top level and is
				// released as NULL, never as "*" (generalized away); at
				// the top level it joins "*" like every other value.
				row[lvl] = nullValue
				if lvl == c.levels-1 && c.levels > 1 {
					row[lvl] = Suppressed
				}
				continue
			}
			s, err := c.h.Generalize(c.values[code], lvl)
			if err != nil {
				row = nil
				if len(errs) < 20 {
					errs = append(errs, &ValueError{Source: source, Row: c.firstRow[code], Column: c.name,
						Reason: "value cannot be generalized by the hierarchy (" + err.Error() + ")", Err: ErrHierarchy})
				}
				break
			}
			if _, pinned := c.h.(levelRange); lvl == 0 && !pinned {
				// Level 0 is the value itself, unless a pinned minimum
				// level (or a protection joining the search) hides it.
				s = c.values[code]
			}
			row[lvl] = s
		}
		table[code] = row
	}
	if err := joinProblems(errs); err != nil {
		return err
	}
	c.gen = make([][]int32, c.levels)
	c.genValues = make([][]string, c.levels)
	c.genFreq = make([][]int64, c.levels)
	for lvl := 0; lvl < c.levels; lvl++ {
		g := make([]int32, n)
		idx := map[string]int32{}
		var vals []string
		var freq []int64
		for code := 0; code < n; code++ {
			s := table[code][lvl]
			gc, ok := idx[s]
			if !ok {
				gc = int32(len(vals))
				idx[s] = gc
				vals = append(vals, s)
				freq = append(freq, 0)
			}
			g[code] = gc
			freq[gc] += c.freq[code]
		}
		c.gen[lvl], c.genValues[lvl], c.genFreq[lvl] = g, vals, freq
	}
	c.prepareShares()
	c.prepareOrder()
	return nil
}

// prepareShares computes ARX's domain shares: the number of the domain's
// level-0 values that a generalized value covers (share = cover/size).
func (c *qiColumn) prepareShares() {
	var domain [][]string
	if d, ok := c.h.(domainHierarchy); ok {
		domain = d.Domain()
	} else {
		for code := range c.values {
			if int32(code) == c.nullCode {
				continue
			}
			row := make([]string, c.levels)
			for lvl := 0; lvl < c.levels; lvl++ {
				row[lvl] = c.genValues[lvl][c.gen[lvl][code]]
			}
			domain = append(domain, row)
		}
	}
	c.domainSize = int64(len(domain))
	if c.domainSize == 0 {
		c.domainSize = 1
	}
	c.cover = make([][]int64, c.levels)
	for lvl := 0; lvl < c.levels; lvl++ {
		counts := map[string]int64{}
		for _, r := range domain {
			if lvl < len(r) {
				counts[r[lvl]]++
			}
		}
		cv := make([]int64, len(c.genValues[lvl]))
		for gc, s := range c.genValues[lvl] {
			if n, ok := counts[s]; ok {
				cv[gc] = n
			} else {
				cv[gc] = c.domainSize
			}
		}
		if c.nullCode >= 0 {
			cv[c.gen[lvl][c.nullCode]] = c.domainSize
		}
		c.cover[lvl] = cv
	}
}

// prepareOrder ranks the codes: numerically when every value is a number,
// in hierarchy order for table hierarchies, lexicographically otherwise.
func (c *qiColumn) prepareOrder() {
	n := len(c.values)
	c.num = make([]float64, n)
	c.numeric = true
	c.minNum, c.maxNum = math.Inf(1), math.Inf(-1)
	for code, v := range c.values {
		if int32(code) == c.nullCode {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			c.numeric = false
			break
		}
		c.num[code] = f
		c.minNum = math.Min(c.minNum, f)
		c.maxNum = math.Max(c.maxNum, f)
	}
	order := make([]int32, 0, n)
	for code := 0; code < n; code++ {
		if int32(code) != c.nullCode {
			order = append(order, int32(code))
		}
	}
	oh, hasOrder := c.h.(orderedHierarchy)
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if c.numeric {
			return c.num[a] < c.num[b]
		}
		if hasOrder {
			ra, _ := oh.leafRank(c.values[a])
			rb, _ := oh.leafRank(c.values[b])
			if ra != rb {
				return ra < rb
			}
		}
		return c.values[a] < c.values[b]
	})
	c.rank = make([]int32, n)
	for r, code := range order {
		c.rank[code] = int32(r)
	}
	if c.nullCode >= 0 {
		c.rank[c.nullCode] = int32(len(order)) // nulls sort last
	}
}

// tupleTable holds the distinct quasi-identifier tuples of one table (plus
// the sensitive value when l-diversity is required) with their counts: the
// only per-table state the privacy search keeps in memory.
type tupleTable struct {
	cols  []*qiColumn
	sens  *qiColumn // nil without l-diversity
	rows  int64
	count []int32
	codes [][]int32 // codes[dim][tuple]
	sensC []int32   // sensitive code per tuple
	// index finds a tuple by its codes: open addressing over tuple ids
	// (-1 = empty), hashed by the codes; a few bytes per tuple.
	index []int32
	cur   []int32 // codes of the record being looked up (dims, then sensitive)
}

// nullValue is the generalization of NULL at every level (written as NULL).
const nullValue = "\x00null"

func newTupleTable(cols []*qiColumn, sens *qiColumn) *tupleTable {
	t := &tupleTable{cols: cols, sens: sens}
	t.codes = make([][]int32, len(cols))
	t.cur = make([]int32, len(cols)+1)
	t.index = make([]int32, 1024)
	for i := range t.index {
		t.index[i] = -1
	}
	return t
}

// hashCur hashes the codes in t.cur (FNV-1a over the 32-bit codes, then a
// final mix).
func (t *tupleTable) hashCur() uint64 {
	h := uint64(14695981039346656037)
	for _, c := range t.cur {
		h ^= uint64(uint32(c))
		h *= 1099511628211
	}
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 32
	return h
}

// matches reports whether tuple id has the codes in t.cur.
func (t *tupleTable) matches(id int32) bool {
	for d := range t.cols {
		if t.codes[d][id] != t.cur[d] {
			return false
		}
	}
	return t.sens == nil || t.sensC[id] == t.cur[len(t.cols)]
}

// find returns the slot of the tuple with the codes in t.cur, or the empty
// slot where it belongs.
func (t *tupleTable) find() int {
	mask := len(t.index) - 1
	slot := int(t.hashCur()) & mask
	for {
		id := t.index[slot]
		if id < 0 || t.matches(id) {
			return slot
		}
		slot = (slot + 1) & mask
	}
}

func (t *tupleTable) grow() {
	old := t.index
	t.index = make([]int32, 2*len(old))
	for i := range t.index {
		t.index[i] = -1
	}
	saved := append([]int32(nil), t.cur...)
	mask := len(t.index) - 1
	for _, id := range old {
		if id < 0 {
			continue
		}
		for d := range t.cols {
			t.cur[d] = t.codes[d][id]
		}
		if t.sens != nil {
			t.cur[len(t.cols)] = t.sensC[id]
		}
		slot := int(t.hashCur()) & mask
		for t.index[slot] >= 0 {
			slot = (slot + 1) & mask
		}
		t.index[slot] = id
	}
	copy(t.cur, saved)
}

// add encodes one record.
func (t *tupleTable) add(vals []string, nulls []bool, sensVal string, sensNull bool) {
	t.rows++
	for d, c := range t.cols {
		t.cur[d] = c.code(vals[d], nulls[d], t.rows)
	}
	if t.sens != nil {
		t.cur[len(t.cols)] = t.sens.code(sensVal, sensNull, t.rows)
	}
	slot := t.find()
	if id := t.index[slot]; id >= 0 {
		t.count[id]++
		return
	}
	id := int32(len(t.count))
	t.count = append(t.count, 1)
	for d := range t.cols {
		t.codes[d] = append(t.codes[d], t.cur[d])
	}
	if t.sens != nil {
		t.sensC = append(t.sensC, t.cur[len(t.cols)])
	}
	t.index[slot] = id
	if 2*len(t.count) > len(t.index) {
		t.grow()
	}
}

// tupleOf returns the tuple id of a record seen in pass 1.
func (t *tupleTable) tupleOf(vals []string, nulls []bool, sensVal string, sensNull bool) (int32, error) {
	for d, c := range t.cols {
		k, ok := c.lookup(vals[d], nulls[d])
		if !ok {
			return -1, fmt.Errorf("%w: column %q has a value not seen in the first pass (input changed between passes)", ErrInput, c.name)
		}
		t.cur[d] = k
	}
	if t.sens != nil {
		k, ok := t.sens.lookup(sensVal, sensNull)
		if !ok {
			return -1, fmt.Errorf("%w: column %q has a value not seen in the first pass (input changed between passes)", ErrInput, t.sens.name)
		}
		t.cur[len(t.cols)] = k
	}
	id := t.index[t.find()]
	if id < 0 {
		return -1, fmt.Errorf("%w: a record not seen in the first pass (input changed between passes)", ErrInput)
	}
	return id, nil
}

func (t *tupleTable) prepare(source string) error {
	var errs []error
	for _, c := range t.cols {
		if err := c.prepare(source); err != nil {
			errs = append(errs, err)
		}
	}
	return joinProblems(errs)
}

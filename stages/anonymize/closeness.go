package anonymize

import (
	"fmt"
	"math"
)

// TModel selects the ground distance of t-closeness.
type TModel string

// t-closeness variants (ARX's EqualDistanceTCloseness and
// HierarchicalDistanceTCloseness).
const (
	// TEqual: every two sensitive values are at distance 1; the Earth
	// Mover's Distance is half the L1 distance of the distributions.
	TEqual TModel = "equal"
	// THierarchical: the distance of two values is the height of their
	// lowest common ancestor in the sensitive attribute's hierarchy over
	// the hierarchy's height (Li et al. 2007, as ARX computes it).
	THierarchical TModel = "hierarchical"
)

// closeness checks t-closeness of equivalence classes against the
// distribution of the sensitive attribute over the whole table.
type closeness struct {
	t     float64
	model TModel
	s     *qiColumn // sensitive column (hierarchical: prepared with its hierarchy)
	total int64     // P: records of the table
	dist  []float64 // code → share of the table (equal distance)

	// Hierarchical distance: levels above the leaves and, per level l ≥ 1,
	// the parent at level l+1 of every node at level l.
	height int
	parent [][]int32
	// scratch
	leaf     []int64
	pos, neg [][]int64
}

func newCloseness(s *qiColumn, rows int64, t float64, model TModel) (*closeness, error) {
	c := &closeness{t: t, model: model, s: s, total: rows}
	c.dist = make([]float64, len(s.values))
	for code, f := range s.freq {
		c.dist[code] = float64(f) / float64(rows)
	}
	if model != THierarchical {
		return c, nil
	}
	if s.levels < 2 {
		return nil, &HierarchyError{Source: s.name, Reason: "hierarchical t-closeness needs a hierarchy with at least two levels for the sensitive attribute"}
	}
	c.height = s.levels - 1
	c.parent = make([][]int32, s.levels)
	c.pos = make([][]int64, s.levels)
	c.neg = make([][]int64, s.levels)
	for l := 1; l < s.levels; l++ {
		c.pos[l] = make([]int64, len(s.genValues[l]))
		c.neg[l] = make([]int64, len(s.genValues[l]))
		if l+1 < s.levels {
			p := make([]int32, len(s.genValues[l]))
			for code := range s.values {
				p[s.gen[l][code]] = s.gen[l+1][code]
			}
			c.parent[l] = p
		}
	}
	c.leaf = make([]int64, len(s.values))
	return c, nil
}

// distance is the Earth Mover's Distance between the class's distribution
// (sensitive codes vals with counts cnts, Q records) and the table's.
func (c *closeness) distance(vals []int32, cnts []int64, q int64) float64 {
	if c.model != THierarchical {
		// ARX: 1 + Σ_{present} (|p − q| − p), halved: ½ Σ_all |p − q|.
		v := 1.0
		for i, code := range vals {
			p := c.dist[code]
			v += math.Abs(p-float64(cnts[i])/float64(q)) - p
		}
		return v / 2
	}
	s := c.s
	for i, code := range vals {
		c.leaf[code] = cnts[i]
	}
	for l := 1; l <= c.height; l++ {
		clear(c.pos[l])
		clear(c.neg[l])
	}
	// Leaves: p_i·Q − q_i·P (integers, as ARX).
	g1 := s.gen[1]
	for code, f := range s.freq {
		x := f*q - c.leaf[code]*c.total
		if x > 0 {
			c.pos[1][g1[code]] += x
		} else {
			c.neg[1][g1[code]] -= x
		}
	}
	for i := range vals {
		c.leaf[vals[i]] = 0
	}
	cost := 0.0
	for l := 1; l <= c.height; l++ {
		w := float64(l) / float64(c.height)
		pos, neg := c.pos[l], c.neg[l]
		for n := range pos {
			cost += w * float64(min(pos[n], neg[n]))
			if l < c.height {
				x := pos[n] - neg[n]
				par := c.parent[l][n]
				if x > 0 {
					c.pos[l+1][par] += x
				} else {
					c.neg[l+1][par] -= x
				}
			}
		}
	}
	return cost / (float64(c.total) * float64(q))
}

// classDistances returns the distance of every class from entries (class,
// representative tuple, records) whose tuples carry the sensitive codes.
func (c *closeness) classDistances(classes int, entClass []int32, entSens func(i int) int32, entCnt []int64, size []int64, want func(int) bool) []float64 {
	// Counting sort of the entries by class.
	start := make([]int32, classes+1)
	for _, cl := range entClass {
		start[cl+1]++
	}
	for i := 1; i <= classes; i++ {
		start[i] += start[i-1]
	}
	fill := append([]int32(nil), start[:classes]...)
	vals := make([]int32, len(entClass))
	cnts := make([]int64, len(entClass))
	for i, cl := range entClass {
		j := fill[cl]
		fill[cl]++
		vals[j], cnts[j] = entSens(i), entCnt[i]
	}
	out := make([]float64, classes)
	for cl := 0; cl < classes; cl++ {
		if !want(cl) || size[cl] == 0 {
			continue
		}
		a, b := start[cl], start[cl+1]
		out[cl] = c.distance(vals[a:b], cnts[a:b], size[cl])
	}
	return out
}

// validTModel checks a t-closeness model name.
func validTModel(m TModel) error {
	switch m {
	case TEqual, THierarchical:
		return nil
	}
	return fmt.Errorf("unknown t-closeness model %q (want equal or hierarchical)", m)
}

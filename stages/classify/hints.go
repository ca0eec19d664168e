package classify

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/vigil-dg/vigil/rules"
)

// rowSampleSize is how many whole rows are kept for evidence that pairs
// columns (a phone checked against the country on the same row).
const rowSampleSize = 1000

// rowSample keeps a uniform random sample of whole rows (Algorithm L over
// row indexes): every column's value of a kept row, "" for null.
type rowSample struct {
	k    int
	rows [][]string
	seen int64
	next int64
	w    float64
	rng  *rand.Rand
}

func newRowSample(k int, seed uint64) *rowSample {
	return &rowSample{k: k, rng: rand.New(rand.NewPCG(seed, math.MaxUint64))}
}

func (s *rowSample) u() float64 { return 1 - s.rng.Float64() }

func (s *rowSample) skip() {
	s.next += int64(math.Floor(math.Log(s.u())/math.Log1p(-s.w))) + 1
}

func rowText(cols []arrow.Array, i int) []string {
	row := make([]string, len(cols))
	for c, a := range cols {
		if !a.IsNull(i) {
			row[c] = valueText(a, i)
		}
	}
	return row
}

// add feeds one batch of columns (all of the same length).
func (s *rowSample) add(cols []arrow.Array) {
	if len(cols) == 0 {
		return
	}
	n := int64(cols[0].Len())
	base := s.seen
	for i := int64(0); i < n && base+i < int64(s.k); i++ {
		s.rows = append(s.rows, rowText(cols, int(i)))
		if len(s.rows) == s.k {
			s.w = math.Exp(math.Log(s.u()) / float64(s.k))
			s.next = int64(s.k) - 1
			s.skip()
		}
	}
	for len(s.rows) == s.k && s.next < base+n {
		if s.next >= int64(s.k) {
			s.rows[s.rng.IntN(s.k)] = rowText(cols, int(s.next-base))
			s.w *= math.Exp(math.Log(s.u()) / float64(s.k))
		}
		s.skip()
	}
	s.seen += n
}

// Country hints: a column classified as a country gives each row a region
// for phone numbers in national form or as bare digits ("7400123456", a
// British mobile whose leading zero a spreadsheet dropped).
const (
	hintMinRows  = 5   // rows with both a country and a value
	hintMinShare = 0.9 // share of those whose value is a phone of the row's country
)

// applyCountryHints re-checks columns that came out "none" (or a weak
// value-only class) against the country column of the same table, row by
// row.
func applyCountryHints(out *TableResult, rows [][]string, set *rules.Set, reviewBelow float64, cal Calibration) {
	country := -1
	for i, c := range out.Columns {
		if c.Class == "country" && country < 0 {
			country = i
		}
	}
	phone, ok := set.Class("phone")
	if country < 0 || !ok || len(rows) == 0 {
		return
	}
	regions := make([]string, len(rows))
	for r, row := range rows {
		regions[r] = rules.CountryCode(row[country])
	}
	for j := range out.Columns {
		c := &out.Columns[j]
		// columns that came out none, phone, or a class assigned from values
		// alone for review at little confidence (a key-like run of digits)
		weak := c.Review && c.Confidence < 0.6
		if j == country || c.Override || (c.Class != rules.ClassNone && c.Class != phone.ID && !weak) {
			continue
		}
		if _, np := set.NonPersonal(rules.NormalizeHeader(c.Name)); np {
			continue
		}
		n, matched, plain := 0, 0, 0
		for r, row := range rows {
			v := rules.NormalizeValue(row[j])
			if v == "" || regions[r] == "" {
				continue
			}
			n++
			if rules.PhoneInRegion(v, regions[r]) {
				matched++
			}
			if phone.MatchNormalized(v) {
				plain++
			}
		}
		if n < hintMinRows || float64(matched) < hintMinShare*float64(n) {
			continue
		}
		ev := fmt.Sprintf("%s/%s values are phone numbers of the country named on the same row (column %q)", count(matched), count(n), out.Columns[country].Name)
		if c.Class == phone.ID {
			c.Evidence = append(c.Evidence, ev)
			continue
		}
		if matched <= plain {
			continue // the country adds nothing the phone rule did not see
		}
		setClass(c, phone.ID, set)
		// value evidence of a direct identifier, discounted by the share
		// and the number of rows, as for the phone rule itself
		share := float64(matched) / float64(n)
		c.Basis = Basis{Kind: KindAssigned, Score: phone.Value.Weight * (0.7 + 0.3*min(1, share/0.9)) * (0.6 + 0.4*min(1, wilsonLower(matched, n, ratioZ)/phone.Value.MinRatio)), Values: n}
		c.Confidence = cal.Confidence(c.Basis)
		c.Evidence = append(c.Evidence, ev, "the phone rule alone passed "+count(plain)+": numbers in national form or without their leading zero")
		c.Candidates = append([]Candidate{{Class: phone.ID, Score: c.Confidence}}, c.Candidates...)
		c.Review = c.Confidence < reviewBelow
	}
}

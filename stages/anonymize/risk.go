package anonymize

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// JournalistRisk is ARX's journalist model: the attacker knows a person is
// in the population (not necessarily in the released sample), so a record
// in a released class of n records whose generalized values match N ≥ n
// records of the population is re-identified with probability 1/N
// (RiskModelSampleSummary.getJournalistRisk). Without a population table
// the released records are the population and the figures equal the
// prosecutor's.
type JournalistRisk struct {
	Population        string  `json:"population"`                   // "dataset" or "table"
	PopulationRecords int64   `json:"population_records,omitempty"` // records of the population table
	Highest           float64 `json:"highest"`                      // 1 / smallest population class
	Average           float64 `json:"average"`                      // ARX's success rate max(classes/ΣN, Σ(n/N)/records)
	RecordsAtRisk     int64   `json:"records_at_risk"`              // released records with 1/N > threshold
	ShareAtRisk       float64 `json:"share_at_risk"`
}

// MarketerRisk is ARX's marketer model: the attacker links every record
// and succeeds on average Σ(n/N)/records (classes/records without a
// population table).
type MarketerRisk struct {
	Average float64 `json:"average"`
}

// Population is the population a dataset is drawn from, as distinct
// quasi-identifier tuples with counts (ARX's research subset superset).
type Population struct {
	Columns []string
	Records int64
	tuples  map[string]int64 // values joined by \x00 → records
	missing []string         // set by the search: quasi-identifiers the population lacks
}

// LoadPopulationCSV reads a population table: a delimited file with a
// header that holds (at least) the quasi-identifier columns. Empty cells
// are NULL. Only counts of distinct tuples are kept.
func LoadPopulationCSV(path string, delimiter rune, qis []string) (*Population, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: population: %v", ErrInput, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	if delimiter != 0 {
		r.Comma = delimiter
	}
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: population %s: header: %v", ErrInput, path, err)
	}
	pos := make([]int, len(qis))
	for i, q := range qis {
		pos[i] = -1
		for j, h := range header {
			if strings.TrimSpace(h) == q {
				pos[i] = j
			}
		}
		if pos[i] < 0 {
			return nil, fmt.Errorf("%w: population %s has no column %q", ErrInput, path, q)
		}
	}
	p := &Population{Columns: append([]string(nil), qis...), tuples: map[string]int64{}}
	vals := make([]string, len(qis))
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: population %s line %d: %v", ErrInput, path, line, err)
		}
		for i, j := range pos {
			vals[i] = rec[j]
		}
		p.Add(vals)
	}
	return p, nil
}

// NewPopulation returns an empty population over the columns.
func NewPopulation(qis []string) *Population {
	return &Population{Columns: append([]string(nil), qis...), tuples: map[string]int64{}}
}

// Add counts one population record (values in the order of Columns; ""
// is NULL).
func (p *Population) Add(vals []string) {
	p.tuples[strings.Join(vals, "\x00")]++
	p.Records++
}

// generalizedAt returns the released value of v (NULL when null) in
// dimension d at level l, as the plan releases it.
func generalizedAt(c *qiColumn, v string, null bool, l int) (string, error) {
	if code, ok := c.lookup(v, null); ok {
		return c.genValues[l][c.gen[l][code]], nil
	}
	if null {
		if l == c.levels-1 && c.levels > 1 {
			return Suppressed, nil
		}
		return nullValue, nil
	}
	if _, pinned := c.h.(levelRange); l == 0 && !pinned {
		return v, nil
	}
	return c.h.Generalize(v, l)
}

// columnMap maps every quasi-identifier of t to its column in the
// population, or returns the quasi-identifiers the population lacks.
func (p *Population) columnMap(t *tupleTable) ([]int, []string) {
	pos := make([]int, len(t.cols))
	var missing []string
	for d, c := range t.cols {
		pos[d] = -1
		for i, name := range p.Columns {
			if name == c.name {
				pos[d] = i
			}
		}
		if pos[d] < 0 {
			missing = append(missing, c.name)
		}
	}
	return pos, missing
}

// populationKey generalizes one population tuple (in the population's
// column order, mapped by pos) at lv; ok is false when a value cannot be
// generalized (the tuple then matches no released class).
func populationKey(t *tupleTable, lv []int, pos []int, vals []string) (string, bool) {
	var b strings.Builder
	for d, c := range t.cols {
		v := vals[pos[d]]
		g, err := generalizedAt(c, v, v == "", lv[d])
		if err != nil {
			return "", false
		}
		if d > 0 {
			b.WriteByte(0)
		}
		b.WriteString(g)
	}
	return b.String(), true
}

// classKeys returns the generalized key of every class of g (by a
// representative tuple).
func classKeys(t *tupleTable, lv []int, rep, class []int32, classes int) []string {
	repOf := make([]int32, classes)
	for i := range repOf {
		repOf[i] = -1
	}
	for i, c := range class {
		if repOf[c] < 0 {
			repOf[c] = rep[i]
		}
	}
	keys := make([]string, classes)
	var b strings.Builder
	for c, r := range repOf {
		if r < 0 {
			continue
		}
		b.Reset()
		for d, col := range t.cols {
			if d > 0 {
				b.WriteByte(0)
			}
			b.WriteString(col.genValues[lv[d]][col.gen[lv[d]][t.codes[d][r]]])
		}
		keys[c] = b.String()
	}
	return keys
}

// addSampleRisk fills the journalist and marketer risk of r from the sizes
// of the released classes (and their generalized keys when a population is
// given; gen generalizes a population tuple the same way).
func addSampleRisk(r *Risk, sizes []int64, keys []string, pop *Population, gen func([]string) (string, bool)) {
	popSize := make([]int64, len(sizes))
	copy(popSize, sizes)
	j := &JournalistRisk{Population: "dataset"}
	if pop != nil && pop.missing != nil {
		// Fail safe: a population that cannot be matched on every
		// quasi-identifier is not used.
		j.Population = "dataset (population table lacks " + strings.Join(pop.missing, ", ") + ")"
		pop = nil
	}
	if pop != nil {
		j.Population, j.PopulationRecords = "table", pop.Records
		counts := make(map[string]int64, len(keys))
		for _, k := range keys {
			counts[k] = 0
		}
		for tuple, n := range pop.tuples {
			k, ok := gen(strings.Split(tuple, "\x00"))
			if !ok {
				continue
			}
			if _, released := counts[k]; released {
				counts[k] += n
			}
		}
		for i, k := range keys {
			// The population contains the sample: never below the class.
			popSize[i] = max(sizes[i], counts[k])
		}
	}
	var records, popTotal int64
	var ratio float64
	smallest := int64(math.MaxInt64)
	for i, n := range sizes {
		records += n
		popTotal += popSize[i]
		ratio += float64(n) / float64(popSize[i])
		smallest = min(smallest, popSize[i])
		if 1/float64(popSize[i]) > r.Threshold {
			j.RecordsAtRisk += n
		}
	}
	m := &MarketerRisk{}
	if records > 0 {
		j.Highest = 1 / float64(smallest)
		j.Average = math.Max(float64(len(sizes))/float64(popTotal), ratio/float64(records))
		j.ShareAtRisk = float64(j.RecordsAtRisk) / float64(records)
		m.Average = ratio / float64(records)
	}
	r.Journalist, r.Marketer = j, m
}

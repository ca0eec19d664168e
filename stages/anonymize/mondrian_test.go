package anonymize

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// customers generates customers-like quasi-identifiers: age, gender,
// postal code and city (cities belong to provinces; postal codes to cities).
type syntheticCustomers struct {
	cities    *TableHierarchy
	cityNames []string
	postal    []string // per city: postal prefix (3 digits)
}

func newSyntheticCustomers() *syntheticCustomers {
	s := &syntheticCustomers{}
	var rows [][]string
	provinces := []string{"北京市", "上海市", "广东省", "浙江省", "江苏省", "四川省", "湖北省", "山东省"}
	for p, prov := range provinces {
		for c := 0; c < 6; c++ {
			name := fmt.Sprintf("%s-城市%d", prov, c)
			rows = append(rows, []string{name, prov, []string{"华北", "华东", "华南", "西南", "华中"}[p%5], "*"})
			s.cityNames = append(s.cityNames, name)
			s.postal = append(s.postal, fmt.Sprintf("%d%d", 10+p*7, c))
		}
	}
	h, err := NewTableHierarchy("city", rows)
	if err != nil {
		panic(err)
	}
	s.cities = h
	return s
}

// record returns age, gender, postal code, city of customer i.
func (s *syntheticCustomers) record(r *rand.Rand) []string {
	c := int(float64(len(s.cityNames)) * r.Float64() * r.Float64()) // skewed
	age := 18 + int(r.NormFloat64()*12+25)
	if age < 18 {
		age = 18
	}
	if age > 95 {
		age = 95
	}
	gender := []string{"F", "M"}[r.IntN(2)]
	return []string{strconv.Itoa(age), gender, s.postal[c] + fmt.Sprintf("%03d", r.IntN(40)), s.cityNames[c]}
}

func TestMondrian(t *testing.T) {
	s := newSyntheticCustomers()
	r := rand.New(rand.NewPCG(1, 2))
	var data [][]string
	var sens []string
	for i := 0; i < 20000; i++ {
		data = append(data, s.record(r))
		sens = append(sens, []string{"A", "B", "C", "D", "E"}[r.IntN(5)])
	}
	for _, tc := range []struct {
		name string
		k    int
		l    float64
	}{{"k=10", 10, 0}, {"k=5 entropy-l=3", 5, 3}} {
		t.Run(tc.name, func(t *testing.T) {
			o := PrivacyOptions{QuasiIdentifiers: []string{"age", "gender", "postal", "city"}, K: tc.k,
				Algorithm: AlgorithmMondrian, Metric: MetricAECS,
				Hierarchies: map[string]Hierarchy{"postal": PrefixHierarchy{MaxMasked: 6}, "city": s.cities}}
			if tc.l > 0 {
				o.Sensitive, o.L, o.LModel = "diagnosis", tc.l, LEntropy
			}
			ms, err := o.normalize("customers")
			if err != nil {
				t.Fatal(err)
			}
			tt := newCollector(&o)
			for i, row := range data {
				tt.add(row, make([]bool, 4), sens[i], false)
			}
			p, res, err := solve(context.Background(), "customers", tt, &o, ms)
			if err != nil {
				t.Fatal(err)
			}
			if res.KReached < int64(tc.k) || res.Suppressed != 0 || res.Mondrian == nil || res.Mondrian.Partitions < 100 {
				t.Fatalf("result %+v", res)
			}
			if tc.l > 0 && res.LReached < tc.l {
				t.Errorf("l reached %v < %v", res.LReached, tc.l)
			}
			// Every released value covers the original, and classes are
			// at least k.
			classes := map[string]int{}
			for i, row := range data {
				sv := ""
				if tc.l > 0 {
					sv = sens[i]
				}
				id, err := tt.tupleOf(row, make([]bool, 4), sv, false)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for d := range row {
					out = append(out, p.generalized(id, d))
				}
				classes[strings.Join(out, "|")]++
				if !covers(out[0], row[0]) || !(out[1] == row[1] || out[1] == "*" || strings.HasPrefix(out[1], "{")) ||
					!prefixCovers(out[2], row[2]) {
					t.Fatalf("%v released as %v", row, out)
				}
				if out[3] != row[3] {
					prov, _ := s.cities.Generalize(row[3], 1)
					reg, _ := s.cities.Generalize(row[3], 2)
					if out[3] != prov && out[3] != reg && out[3] != "*" {
						t.Fatalf("city %q released as %q", row[3], out[3])
					}
				}
			}
			for key, n := range classes {
				if n < tc.k {
					t.Fatalf("class %q has %d records", key, n)
				}
			}
			if ncp := *res.Metrics.NCP; ncp <= 0 || ncp >= 1 {
				t.Errorf("NCP = %v", ncp)
			}
			t.Logf("%d partitions, %d classes, AECS %.1f, NCP %.3f, %.0f ms", res.Mondrian.Partitions, res.Classes,
				res.Metrics.AECS, *res.Metrics.NCP, res.Mondrian.DurationMS)
		})
	}
}

func covers(rng, v string) bool {
	if rng == v || rng == "*" {
		return true
	}
	lo, hi, ok := strings.Cut(rng, "-")
	if !ok {
		return false
	}
	a, _ := strconv.Atoi(lo)
	b, _ := strconv.Atoi(hi)
	x, _ := strconv.Atoi(v)
	return a <= x && x <= b
}

func prefixCovers(p, v string) bool {
	if p == "*" {
		return true
	}
	if len(p) != len(v) {
		return false
	}
	for i := range p {
		if p[i] != '*' && p[i] != v[i] {
			return false
		}
	}
	return true
}

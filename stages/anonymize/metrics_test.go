package anonymize

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// refEval is a naive reference implementation of ARX's metrics, written
// the way ARX's code reads (per equivalence class, in doubles), to check the
// engine's integer and snapshot-based evaluation.
type refEval struct {
	loss, entropy, entropyMono, dm, dmStar, aecs float64
	anonymous                                    bool
	suppressed                                   int
}

func refMetrics(rows [][]string, hs []*TableHierarchy, lv []int, k, limit int, gs float64) refEval {
	sF := 1.0
	if gs < 0.5 {
		sF = 2 * gs
	}
	gF := 1.0
	if gs > 0.5 {
		gF = 1 - 2*(gs-0.5)
	}
	n := float64(len(rows))
	dims := len(hs)
	gen := func(d int, v string, l int) string { s, _ := hs[d].Generalize(v, l); return s }
	// Classes.
	classes := map[string][]int{}
	var order []string
	for i, r := range rows {
		var key []string
		for d := range hs {
			key = append(key, gen(d, r[d], lv[d]))
		}
		ks := strings.Join(key, "|")
		if _, ok := classes[ks]; !ok {
			order = append(order, ks)
		}
		classes[ks] = append(classes[ks], i)
	}
	sort.Strings(order)
	outlier := map[string]bool{}
	var res refEval
	for _, ks := range order {
		if len(classes[ks]) < k {
			outlier[ks] = true
			res.suppressed += len(classes[ks])
		}
	}
	res.anonymous = res.suppressed <= limit
	// Loss.
	per := make([]float64, dims)
	for d := 0; d < dims; d++ {
		dom := float64(len(hs[d].Domain()))
		share := func(value string, l int) float64 {
			c := 0
			for _, row := range hs[d].Domain() {
				if row[l] == value {
					c++
				}
			}
			return float64(c) / dom
		}
		sum := 0.0
		for _, ks := range order {
			m := classes[ks]
			count := float64(len(m))
			sh := count * share(gen(d, rows[m[0]][d], lv[d]), lv[d])
			if !outlier[ks] {
				sum += sh * gF
			} else if sF == 1 {
				sum += count
			} else {
				sum += sh + sF*(count-sh)
			}
		}
		lo := gF * n / dom
		r := (sum - lo) / (n - lo)
		if r < 0 {
			r = 0
		}
		per[d] = math.Floor(r*1e10) / 1e10
	}
	res.loss = 1
	for _, v := range per {
		res.loss *= math.Pow(v+1, 1/float64(dims))
	}
	res.loss--
	// Non-uniform entropy.
	for d := 0; d < dims; d++ {
		in, out := map[string]float64{}, map[string]float64{}
		for _, r := range rows {
			in[r[d]]++
			out[gen(d, r[d], lv[d])]++
		}
		raw := 0.0
		for v, a := range in {
			raw += a * math.Log2(a/out[gen(d, v, lv[d])])
		}
		raw *= gF
		mono := raw
		supp := map[string]float64{}
		for _, ks := range order {
			if outlier[ks] {
				for _, i := range classes[ks] {
					supp[gen(d, rows[i][d], lv[d])]++
				}
			}
		}
		for _, c := range supp {
			raw += c * math.Log2(c/float64(res.suppressed)) * sF
		}
		if raw != 0 {
			res.entropy += math.Floor(-raw*1e10) / 1e10
		}
		if mono != 0 {
			res.entropyMono += math.Floor(-mono*1e10) / 1e10
		}
	}
	// Discernibility and AECS.
	with, without := 0.0, 0.0
	for _, ks := range order {
		c := float64(len(classes[ks]))
		res.dmStar += c * c
		if outlier[ks] {
			res.dm += n * c
		} else {
			res.dm += c * c
			with++
		}
		without++
	}
	denom := with * sF
	if with != without {
		denom += gF
	}
	res.aecs = n / denom
	return res
}

// randomTable builds a small random table and table hierarchies.
func randomTable(r *rand.Rand, rows, dims int) ([][]string, []*TableHierarchy) {
	var hs []*TableHierarchy
	for d := 0; d < dims; d++ {
		values := 3 + r.IntN(8)
		var hrows [][]string
		for v := 0; v < values+r.IntN(3); v++ { // some domain values never occur
			hrows = append(hrows, []string{fmt.Sprintf("d%dv%d", d, v), fmt.Sprintf("g%d", v/3), fmt.Sprintf("h%d", v/6), "*"})
		}
		h, err := NewTableHierarchy(fmt.Sprintf("h%d", d), hrows)
		if err != nil {
			panic(err)
		}
		hs = append(hs, h)
	}
	data := make([][]string, rows)
	for i := range data {
		for d := 0; d < dims; d++ {
			// Skewed values so that classes have very different sizes.
			v := int(math.Floor(math.Pow(r.Float64(), 2) * float64(len(hs[d].Domain())-2)))
			data[i] = append(data[i], fmt.Sprintf("d%dv%d", d, v))
		}
	}
	return data, hs
}

func TestMetricsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for trial := 0; trial < 9; trial++ {
		data, hs := randomTable(r, 150+r.IntN(200), 3)
		k := 2 + r.IntN(5)
		supp := []float64{0, 0.05, 0.2}[trial%3]
		gs := []float64{0.5, 0.2, 0.8}[trial/2%3]
		o := PrivacyOptions{K: k, Suppression: supp, Hierarchies: map[string]Hierarchy{}}
		for d, h := range hs {
			q := fmt.Sprintf("q%d", d)
			o.QuasiIdentifiers = append(o.QuasiIdentifiers, q)
			o.Hierarchies[q] = h
		}
		tt := newCollector(&o)
		for _, row := range data {
			tt.add(row, make([]bool, len(row)), "", false)
		}
		if err := tt.prepare("random"); err != nil {
			t.Fatal(err)
		}
		e, err := newEngine(tt, k, 0, LDistinct, supp)
		if err != nil {
			t.Fatal(err)
		}
		// Exercise the three ways of building class keys.
		switch trial % 3 {
		case 1:
			e.blocks = nil
		case 2:
			e.blocks, e.splitKeys = nil, true
		}
		specs := map[Metric]metricSpec{}
		for _, m := range Metrics() {
			specs[m], _ = newMetricSpec(m, gs, AggDefault)
		}
		lv := make([]int, len(hs))
		for node := 0; node < e.nodes; node++ {
			e.decode(node, lv)
			ref := refMetrics(data, hs, lv, k, int(e.limit), gs)
			g := e.groupify(lv)
			if g.anonymous != ref.anonymous || g.suppressed != int64(ref.suppressed) {
				t.Fatalf("trial %d node %v: anonymous %v/%v suppressed %d/%d", trial, lv, g.anonymous, ref.anonymous, g.suppressed, ref.suppressed)
			}
			for m, want := range map[Metric]float64{MetricLoss: ref.loss, MetricEntropy: ref.entropy,
				MetricEntropyMonotonic: ref.entropyMono, MetricDiscernibility: ref.dm,
				MetricDiscernibilityMonotonic: ref.dmStar, MetricAECS: ref.aecs} {
				ms := specs[m]
				got, bound := e.evaluate(ms, e.precompute(ms), lv, g, make([]float64, len(lv)))
				if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
					t.Fatalf("trial %d node %v gs %v: %s = %.15g, reference %.15g", trial, lv, gs, m, got, want)
				}
				if bound > got+margin(got) {
					t.Fatalf("trial %d node %v: %s bound %.15g above value %.15g", trial, lv, m, bound, got)
				}
			}
		}
	}
}

// TestSearchMatchesExhaustiveRandom cross-checks the optimal search against
// exhaustive evaluation on random tables, for every metric, with and
// without suppression and l-diversity.
func TestSearchMatchesExhaustiveRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	solved := 0
	defer func() {
		if solved < 12 {
			t.Errorf("only %d of 24 random configurations have a solution", solved)
		}
	}()
	for trial := 0; trial < 24; trial++ {
		data, hs := randomTable(r, 200+r.IntN(300), 3+r.IntN(2))
		m := Metrics()[trial%len(Metrics())]
		o := PrivacyOptions{K: 2 + r.IntN(6), Suppression: []float64{0, 0.02, 0.1}[trial%3], Metric: m,
			Hierarchies: map[string]Hierarchy{}}
		withL := trial%4 == 3
		if withL {
			o.Sensitive, o.L, o.LModel = "s", 2, []LModel{LDistinct, LEntropy}[trial%2]
		}
		for d, h := range hs {
			q := fmt.Sprintf("q%d", d)
			o.QuasiIdentifiers = append(o.QuasiIdentifiers, q)
			o.Hierarchies[q] = h
		}
		run := func(alg Algorithm) *Result {
			oo := o
			oo.Algorithm = alg
			ms, err := oo.normalize("random")
			if err != nil {
				t.Fatal(err)
			}
			tt := newCollector(&oo)
			for i, row := range data {
				tt.add(row, make([]bool, len(row)), fmt.Sprint(i%3+r.IntN(2)), false)
			}
			_, res, err := solve(context.Background(), "random", tt, &oo, ms)
			if err != nil && err != ErrNoSolution {
				t.Fatal(err)
			}
			return res
		}
		// The sensitive values are drawn at random: use one seed for both.
		seed := r.Uint64()
		r = rand.New(rand.NewPCG(seed, 1))
		fast := run(AlgorithmOptimal)
		r = rand.New(rand.NewPCG(seed, 1))
		full := run(AlgorithmExhaustive)
		if (fast == nil) != (full == nil) {
			t.Fatalf("trial %d: solution found by one search only", trial)
		}
		if fast == nil {
			continue
		}
		solved++
		for d := range fast.Transformation {
			if fast.Transformation[d].Level != full.Transformation[d].Level {
				t.Fatalf("trial %d (%s, k=%d, supp=%v, l=%v): optimal %v, exhaustive %v (loss %v vs %v)", trial, m, o.K, o.Suppression, o.L,
					fast.Transformation, full.Transformation, fast.InformationLoss, full.InformationLoss)
			}
		}
		if fast.InformationLoss != full.InformationLoss {
			t.Fatalf("trial %d: loss %v vs %v", trial, fast.InformationLoss, full.InformationLoss)
		}
	}
}

package classify_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/vigil-dg/vigil/demo"
	"github.com/vigil-dg/vigil/rules"
	"github.com/vigil-dg/vigil/stages/classify"
)

type evalCounts struct{ tp, fp, fn, columns int }

func (e evalCounts) precision() float64 {
	if e.tp+e.fp == 0 {
		return 1
	}
	return float64(e.tp) / float64(e.tp+e.fp)
}

func (e evalCounts) recall() float64 {
	if e.tp+e.fn == 0 {
		return 1
	}
	return float64(e.tp) / float64(e.tp+e.fn)
}

// classifyDemo generates demo data for one seed and classifies every table,
// returning truth and prediction per "table.column".
func classifyDemo(t testing.TB, set *rules.Set, rows int, seed uint64) (truth, pred map[string]string, results []*classify.TableResult) {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := demo.Generate(ctx, demo.Options{Rows: rows, Seed: seed, Out: dir}); err != nil {
		t.Fatalf("demo.Generate: %v", err)
	}
	gt, err := demo.ReadGroundTruth(filepath.Join(dir, "ground_truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	truth, pred = map[string]string{}, map[string]string{}
	tables := make([]string, 0, len(gt.Tables))
	for tbl := range gt.Tables {
		tables = append(tables, tbl)
	}
	sort.Strings(tables)
	for _, tbl := range tables {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		schema, recs, err := readCSV(filepath.Join(dir, tbl+".csv"), mem, 8192)
		if err != nil {
			t.Fatalf("%s: %v", tbl, err)
		}
		rr, err := array.NewRecordReader(schema, recs)
		if err != nil {
			t.Fatal(err)
		}
		res, err := classify.Table(ctx, tbl, rr, set, classify.Options{Seed: seed})
		rr.Release()
		for _, r := range recs {
			r.Release()
		}
		mem.AssertSize(t, 0)
		if err != nil {
			t.Fatalf("%s: %v", tbl, err)
		}
		results = append(results, res)
		for _, c := range res.Columns {
			want, ok := gt.Tables[tbl][c.Name]
			if !ok {
				t.Fatalf("%s.%s: not in the ground truth", tbl, c.Name)
			}
			truth[tbl+"."+c.Name] = string(want)
			pred[tbl+"."+c.Name] = c.Class
		}
	}
	return truth, pred, results
}

func score(truth, pred map[string]string) evalCounts {
	var e evalCounts
	for k, want := range truth {
		got := pred[k]
		e.columns++
		switch {
		case want != rules.ClassNone && got == want:
			e.tp++
		case want == rules.ClassNone && got != rules.ClassNone:
			e.fp++
		case want != rules.ClassNone && got != want:
			e.fn++
			if got != rules.ClassNone {
				e.fp++
			}
		}
	}
	return e
}

// TestDemoPrecisionRecall checks column-level precision and recall against
// the demo generator's ground truth for three seeds and sizes.
func TestDemoPrecisionRecall(t *testing.T) {
	set, err := rules.DefaultSet()
	if err != nil {
		t.Fatal(err)
	}
	runs := []struct {
		rows int
		seed uint64
	}{{2000, 1}, {5000, 7}, {20000, 42}}
	if testing.Short() {
		runs = runs[:1]
	}
	var total evalCounts
	confusion := map[[2]string]int{}
	for _, run := range runs {
		truth, pred, results := classifyDemo(t, set, run.rows, run.seed)
		e := score(truth, pred)
		var review []string
		for _, r := range results {
			for _, c := range r.Columns {
				if c.Review {
					review = append(review, fmt.Sprintf("%s.%s→%s@%.2f", r.Table, c.Name, c.Class, c.Confidence))
				}
			}
		}
		t.Logf("seed %d, %d rows: %d columns, precision %.3f, recall %.3f (tp %d, fp %d, fn %d); for review: %v",
			run.seed, run.rows, e.columns, e.precision(), e.recall(), e.tp, e.fp, e.fn, review)
		total.tp += e.tp
		total.fp += e.fp
		total.fn += e.fn
		total.columns += e.columns
		for k, want := range truth {
			confusion[[2]string{want, pred[k]}]++
			if pred[k] != want {
				t.Logf("  MISS seed %d %s: truth %s, got %s", run.seed, k, want, pred[k])
				for _, r := range results {
					if tbl, col, _ := strings.Cut(k, "."); r.Table == tbl {
						if c, ok := r.Column(col); ok {
							t.Logf("    evidence: %s", strings.Join(c.Evidence, "; "))
						}
					}
				}
			}
		}
	}
	t.Logf("confusion (truth → predicted: columns):\n%s", confusionTable(confusion))
	t.Logf("all seeds: %d columns, precision %.3f, recall %.3f", total.columns, total.precision(), total.recall())
	if total.precision() < 0.97 || total.recall() < 0.98 {
		t.Errorf("precision %.3f (want ≥ 0.97), recall %.3f (want ≥ 0.98)", total.precision(), total.recall())
	}
}

func confusionTable(m map[[2]string]int) string {
	keys := make([][2]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	var b strings.Builder
	for _, k := range keys {
		mark := ""
		if k[0] != k[1] {
			mark = "  ✗"
		}
		fmt.Fprintf(&b, "  %-22s → %-22s %3d%s\n", k[0], k[1], m[k], mark)
	}
	return b.String()
}

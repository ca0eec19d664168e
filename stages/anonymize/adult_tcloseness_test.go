package anonymize

import (
	"context"
	"path/filepath"
	"testing"
)

// TestAdultARXParityTCloseness pins the optima of ARX's own t-closeness
// tests on Adult (arx-deidentifier/arx,
// src/test/org/deidentifier/arx/test/TestAnonymizationTCloseness.java,
// cases 0–7): occupation sensitive, the other eight attributes
// quasi-identifiers, t = 0.2. Cases 0, 1, 4, 5 use
// EqualDistanceTCloseness with Metric.createDiscernabilityMetric(true)
// (DM*); cases 2, 3, 6, 7 use HierarchicalDistanceTCloseness with
// adult_hierarchy_occupation.csv (the test's hook) and
// Metric.createPrecomputedEntropyMetric(0.1, true) (monotonic non-uniform
// entropy; 0.1 is ARX's precomputation threshold, not a gs factor).
func TestAdultARXParityTCloseness(t *testing.T) {
	for _, c := range []struct {
		name   string
		model  TModel
		k      int
		supp   float64
		metric Metric
		want   []int
		loss   float64
	}{
		{"case0 equal k=5 4% DM*", TEqual, 5, 0.04, MetricDiscernibilityMonotonic, []int{1, 4, 1, 0, 3, 2, 2, 1}, 3.11880088e8},
		{"case1 equal k=100 4% DM*", TEqual, 100, 0.04, MetricDiscernibilityMonotonic, []int{1, 4, 1, 0, 3, 2, 2, 1}, 3.11880088e8},
		{"case4 equal k=5 0% DM*", TEqual, 5, 0, MetricDiscernibilityMonotonic, []int{1, 4, 1, 1, 3, 2, 2, 1}, 4.56853172e8},
		{"case5 equal k=100 0% DM*", TEqual, 100, 0, MetricDiscernibilityMonotonic, []int{1, 4, 1, 1, 3, 2, 2, 1}, 4.56853172e8},
		{"case2 hierarchical k=5 4% entropy", THierarchical, 5, 0.04, MetricEntropyMonotonic, []int{1, 4, 0, 0, 3, 2, 2, 1}, 377622.78458729305},
		{"case3 hierarchical k=100 4% entropy", THierarchical, 100, 0.04, MetricEntropyMonotonic, []int{1, 4, 1, 0, 3, 1, 2, 1}, 390765.61326019815},
		{"case6 hierarchical k=5 0% entropy", THierarchical, 5, 0, MetricEntropyMonotonic, []int{0, 4, 1, 1, 3, 2, 2, 1}, 398400.0741806447},
		{"case7 hierarchical k=100 0% entropy", THierarchical, 100, 0, MetricEntropyMonotonic, []int{0, 4, 1, 1, 3, 2, 2, 1}, 398400.0741806447},
	} {
		t.Run(c.name, func(t *testing.T) {
			qis := without(adultColumns, "occupation")
			opts := adultOptions(t, qis)
			o := &opts.Privacy
			o.K, o.Suppression, o.Metric = c.k, c.supp, c.metric
			o.Sensitive, o.T, o.TModel = "occupation", 0.2, c.model
			if c.model == THierarchical {
				opts.HierarchyFiles["occupation"] = filepath.Join(adultDir, "adult_hierarchy_occupation.csv")
			}
			res, err := AnonymizeCSV(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, lc := range res.Transformation {
				got = append(got, lc.Level)
			}
			if !slicesEqual(got, c.want) {
				t.Errorf("transformation = %v, want %v (ARX)", got, c.want)
			}
			if !near(res.InformationLoss, c.loss) {
				t.Errorf("%s = %.17g, want %.17g (ARX)", c.metric, res.InformationLoss, c.loss)
			}
			if res.TReached == nil || *res.TReached > 0.2 {
				t.Errorf("t reached = %v, want ≤ 0.2", res.TReached)
			}
			t.Logf("levels %v %s %.10g t reached %.4f, checked %d of %d nodes", got, c.metric, res.InformationLoss, *res.TReached, res.Search.Checked, res.Search.Nodes)
		})
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

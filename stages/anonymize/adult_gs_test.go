package anonymize

import (
	"context"
	"testing"
)

// TestAdultARXParityFullSuppression pins the optima ARX's own test suite
// expects on Adult (all nine attributes as quasi-identifiers, k=5) with a
// record-suppression limit of 100% and the Loss metric: ARX's
// TestAnonymizationHeuristic cases 0 and 2 (arx-deidentifier/arx,
// src/test/org/deidentifier/arx/test/TestAnonymizationHeuristic.java:
// ARXConfiguration.create(1d, Metric.createLossMetric()) → 0.22041192847984292,
// [0,3,0,0,2,1,1,1,0]; ARXConfiguration.create(1d, Metric.createLossMetric(0.1d))
// → 0.09257312971977383, [0,3,0,0,0,0,0,0,0]).
func TestAdultARXParityFullSuppression(t *testing.T) {
	for _, c := range []struct {
		name string
		gs   float64
		want []int
		loss float64
	}{
		{"suppression=1 gs=0.5", 0.5, []int{0, 3, 0, 0, 2, 1, 1, 1, 0}, 0.22041192847984292},
		{"suppression=1 gs=0.1", 0.1, []int{0, 3, 0, 0, 0, 0, 0, 0, 0}, 0.09257312971977383},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := adultOptions(t, adultColumns)
			opts.Privacy.K, opts.Privacy.Suppression, opts.Privacy.Metric = 5, 1.0, MetricLoss
			opts.Privacy.GSFactor = ptr(c.gs)
			res, err := AnonymizeCSV(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			for d, lc := range res.Transformation {
				if lc.Level != c.want[d] {
					t.Errorf("level of %s = %d, want %d", lc.Column, lc.Level, c.want[d])
				}
			}
			if !near(res.InformationLoss, c.loss) {
				t.Errorf("loss = %.17g, want %.17g (ARX)", res.InformationLoss, c.loss)
			}
			if res.GSFactor != c.gs || res.Model.SuppressionLimit != 1 || res.Model.MaxSuppressed != res.Records {
				t.Errorf("model = %+v gs %v", res.Model, res.GSFactor)
			}
		})
	}
}

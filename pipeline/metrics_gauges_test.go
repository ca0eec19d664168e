package pipeline

import (
	"strings"
	"testing"
	"time"
)

func TestGaugeCountsBecomeMetrics(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	recs := []Record{
		{Kind: KindStage, Stage: "snapshot", End: t0, Counts: map[string]int64{"gauge.snapshot_rows.customers": 10, "gauge.snapshot_bytes.customers": 999}},
		{Kind: KindStage, Stage: "snapshot", End: t0.Add(time.Hour), Counts: map[string]int64{"gauge.snapshot_rows.customers": 12, "gauge.snapshot_rejected_rows.customers": 1}},
		{Kind: KindStage, Stage: "verify", End: t0, Counts: map[string]int64{"gauge.verify_coverage_percent": 50, "gauge.Bad-Name.x": 1}},
	}
	got := string(renderGauges(recs))
	for _, want := range []string{
		"vigil_snapshot_rows{table=\"customers\"} 12\n",
		"vigil_snapshot_bytes{table=\"customers\"} 999\n",
		"vigil_snapshot_rejected_rows{table=\"customers\"} 1\n",
		"vigil_verify_coverage_percent 50\n",
		"# TYPE vigil_snapshot_rows gauge\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "Bad") {
		t.Errorf("an invalid metric name was rendered:\n%s", got)
	}
}

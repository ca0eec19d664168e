package pipeline

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// CountGaugePrefix marks a stage count that is a gauge of the last value:
// "gauge.<metric>.<table>" (or "gauge.<metric>" without a table) becomes
// the sample vigil_<metric>{table="<table>"} of the newest stage record
// holding it. Stages publish their numbers this way without touching the
// metrics code:
//
//	gauge.snapshot_created_timestamp_seconds.<table>  creation of the latest snapshot (age = time() - it)
//	gauge.snapshot_bytes.<table>                       its size on disk
//	gauge.snapshot_rows.<table>                        its rows
//	gauge.snapshot_rejected_rows.<table>               rows it rejected
//	gauge.extract_rows_read.<table>                    rows the table's last extraction read, committed or failed
//	gauge.extract_rows_rejected.<table>                rows it rejected (share = rejected / read)
//	gauge.disclosure_check_ok.<table>                  1 if the dataset passed the disclosure check, else 0
//	gauge.verify_coverage_percent                      tables drilled by the last verify, in % of all tables
//	gauge.verify_window_coverage_percent               snapshots (local and on targets) found intact within verify.window, in %
//	gauge.verify_overdue_snapshots                     snapshots not found intact within verify.window
//	gauge.verify_window_snapshots                      snapshots the coverage counts
//	gauge.verify_oldest_verified_timestamp_seconds     last intact read of the least recently verified snapshot (0: never)
const CountGaugePrefix = "gauge."

// gaugeName is what a metric name may be.
var gaugeName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// renderGauges renders the gauge.* counts of recs, newest value per metric
// and table.
func renderGauges(recs []Record) []byte {
	type key struct{ metric, table string }
	val := map[key]int64{}
	at := map[key]time.Time{}
	for _, r := range recs {
		if r.Kind != KindStage {
			continue
		}
		for k, n := range r.Counts {
			rest, ok := strings.CutPrefix(k, CountGaugePrefix)
			if !ok {
				continue
			}
			metric, table, _ := strings.Cut(rest, ".")
			if !gaugeName.MatchString(metric) {
				continue
			}
			kk := key{metric, table}
			if !r.End.Before(at[kk]) {
				val[kk], at[kk] = n, r.End
			}
		}
	}
	keys := make([]key, 0, len(val))
	for k := range val {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].metric != keys[j].metric {
			return keys[i].metric < keys[j].metric
		}
		return keys[i].table < keys[j].table
	})
	var b bytes.Buffer
	for i, k := range keys {
		name := "vigil_" + k.metric
		if i == 0 || keys[i-1].metric != k.metric {
			fmt.Fprintf(&b, "# HELP %s Published by a stage as %s%s (see pipeline.CountGaugePrefix).\n# TYPE %s gauge\n", name, CountGaugePrefix, k.metric, name)
		}
		if k.table == "" {
			fmt.Fprintf(&b, "%s %d\n", name, val[k])
		} else {
			fmt.Fprintf(&b, "%s{table=\"%s\"} %d\n", name, escapeLabel(k.table), val[k])
		}
	}
	return b.Bytes()
}

package pipeline

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/internal/atomicfile"
)

// MetricsFile is the Prometheus textfile written into <home>/metrics.
const MetricsFile = "vigil.prom"

// Severities are the finding severities always present in vigil_findings
// once an audit has reported any.
func Severities() []string { return []string{"critical", "high", "medium", "low", "info"} }

// WriteMetrics renders the metrics from the ledger and writes them
// atomically (temporary file, fsync, rename) to <home>/metrics/vigil.prom,
// for node_exporter's textfile collector.
func WriteMetrics(cfg *Config) error {
	recs, err := readLedgerTolerant(cfg.Home)
	if err != nil {
		return err
	}
	data := RenderMetrics(cfg.JobNames(), recs)
	return atomicfile.WriteFile(filepath.Join(cfg.Paths().Metrics, MetricsFile), data, 0o644)
}

// RenderMetrics renders the Prometheus text exposition of the ledger
// records for the given jobs:
//
//	vigil_last_run_timestamp_seconds{job,status}  end of the job's last run
//	vigil_last_success_timestamp_seconds{job}     end of its last ok run
//	vigil_run_duration_seconds{job}               duration of its last run
//	vigil_runs_total{job,status}                  runs recorded
//	vigil_rows_total{job,kind}                    sum of rows_<kind> counts over its runs
//	vigil_findings{severity}                      findings_<severity> of the last audit
//	vigil_verify_ok{table}                        verify_ok.<table> of the last drill of each table
func RenderMetrics(jobs []string, recs []Record) []byte {
	known := map[string]bool{}
	for _, j := range jobs {
		known[j] = true
	}
	last := map[string]Record{}
	lastOK := map[string]Record{}
	runs := map[[2]string]int64{}
	rows := map[[2]string]int64{}
	var findings map[string]int64
	var findingsAt time.Time
	verify := map[string]int64{}
	verifyAt := map[string]time.Time{}
	for _, r := range recs {
		switch r.Kind {
		case KindRun:
			if !known[r.Job] {
				continue
			}
			if l, ok := last[r.Job]; !ok || !r.Start.Before(l.Start) {
				last[r.Job] = r
			}
			if r.Status == StatusOK {
				if l, ok := lastOK[r.Job]; !ok || !r.Start.Before(l.Start) {
					lastOK[r.Job] = r
				}
			}
			runs[[2]string{r.Job, string(r.Status)}]++
			for k, n := range r.Counts {
				if kind, ok := strings.CutPrefix(k, CountRowsPrefix); ok && kind != "" {
					rows[[2]string{r.Job, kind}] += n
				}
			}
		case KindStage:
			var f map[string]int64
			for k, n := range r.Counts {
				if sev, ok := strings.CutPrefix(k, CountFindingsPrefix); ok && sev != "" {
					if f == nil {
						f = map[string]int64{}
					}
					f[sev] = n
				}
				if table, ok := strings.CutPrefix(k, CountVerifyOKPrefix); ok && table != "" {
					if !r.End.Before(verifyAt[table]) {
						verify[table], verifyAt[table] = n, r.End
					}
				}
			}
			if f != nil && !r.End.Before(findingsAt) {
				findings, findingsAt = f, r.End
			}
		}
	}

	var b bytes.Buffer
	family := func(name, typ, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	sample := func(name string, v float64, labels ...string) {
		b.WriteString(name)
		if len(labels) > 0 {
			b.WriteByte('{')
			for i := 0; i+1 < len(labels); i += 2 {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, "%s=\"%s\"", labels[i], escapeLabel(labels[i+1]))
			}
			b.WriteByte('}')
		}
		b.WriteByte(' ')
		b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
		b.WriteByte('\n')
	}
	ts := func(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

	sorted := append([]string(nil), jobs...)
	sort.Strings(sorted)

	family("vigil_last_run_timestamp_seconds", "gauge", "End time of the job's last run, labelled with its status.")
	for _, j := range sorted {
		if r, ok := last[j]; ok {
			sample("vigil_last_run_timestamp_seconds", ts(r.End), "job", j, "status", string(r.Status))
		}
	}
	family("vigil_last_success_timestamp_seconds", "gauge", "End time of the job's last successful run.")
	for _, j := range sorted {
		if r, ok := lastOK[j]; ok {
			sample("vigil_last_success_timestamp_seconds", ts(r.End), "job", j)
		}
	}
	family("vigil_run_duration_seconds", "gauge", "Duration of the job's last run.")
	for _, j := range sorted {
		if r, ok := last[j]; ok {
			sample("vigil_run_duration_seconds", r.Duration, "job", j)
		}
	}
	family("vigil_runs_total", "counter", "Runs recorded in the ledger, by job and status.")
	for _, k := range sortedPairs(runs) {
		sample("vigil_runs_total", float64(runs[k]), "job", k[0], "status", k[1])
	}
	family("vigil_rows_total", "counter", "Rows processed by the job's runs, by kind (read, written, rejected, ...).")
	for _, k := range sortedPairs(rows) {
		sample("vigil_rows_total", float64(rows[k]), "job", k[0], "kind", k[1])
	}
	family("vigil_findings", "gauge", "Findings of the last audit, by severity.")
	if findings != nil {
		for _, s := range Severities() {
			if _, ok := findings[s]; !ok {
				findings[s] = 0
			}
		}
		for _, s := range sortedKeys(findings) {
			sample("vigil_findings", float64(findings[s]), "severity", s)
		}
	}
	family("vigil_verify_ok", "gauge", "1 if the last restore drill of the table succeeded, else 0.")
	for _, t := range sortedKeys(verify) {
		sample("vigil_verify_ok", float64(verify[t]), "table", t)
	}
	b.Write(renderGauges(recs))
	return b.Bytes()
}

func sortedPairs(m map[[2]string]int64) [][2]string {
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
	return keys
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

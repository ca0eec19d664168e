// Command anonymize benchmarks the anonymize stage: the optimal
// full-domain search on ARX's Adult data (time and lattice nodes checked,
// against an exhaustive evaluation of every node), the disclosure check's
// share of the anonymize stage on the 1M-customer demo (vigil run nightly
// through the binary), and Mondrian on a synthetic table of one million
// customers (time, CPU and memory).
//
//	go run ./bench/anonymize [-adult DIR] [-demo-rows N] [-vigil BIN] [-rows N] [-algorithms mondrian,optimal] [-exhaustive=false] [-cpuprofile F]
package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/vigil-dg/vigil/stages/anonymize"
)

func main() {
	adult := flag.String("adult", "../shared/data/adult", "directory with adult.csv and adult_hierarchy_<column>.csv (empty: skip)")
	rows := flag.Int("rows", 1_000_000, "synthetic customers for Mondrian")
	exhaustive := flag.Bool("exhaustive", true, "also evaluate every lattice node (the reference)")
	flag.StringVar(&memProfile, "memprofile", "", "write a heap profile at the peak of each Mondrian run to this file")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the synthetic-table runs to this file")
	algos := flag.String("algorithms", "mondrian,optimal", "algorithms for the synthetic table")
	demoRows := flag.Int("demo-rows", 1_000_000, "customers of the demo for the disclosure-check benchmark (0: skip)")
	vigilBin := flag.String("vigil", "", "vigil binary for the demo benchmark (default: go build ./cmd/vigil)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	for _, a := range strings.Split(*algos, ",") {
		synthAlgorithms = append(synthAlgorithms, anonymize.Algorithm(strings.TrimSpace(a)))
	}
	ctx := context.Background()
	if *adult == "" {
		// skip the Adult part
	} else if err := benchAdult(ctx, *adult, *exhaustive); err != nil {
		fmt.Fprintln(os.Stderr, "adult:", err)
		os.Exit(1)
	}
	if *demoRows > 0 {
		if err := benchDemo(ctx, *vigilBin, *demoRows); err != nil {
			fmt.Fprintln(os.Stderr, "demo:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
	}
	if *rows > 0 {
		if err := benchMondrian(ctx, *rows); err != nil {
			fmt.Fprintln(os.Stderr, "mondrian:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
	}
}

var synthAlgorithms []anonymize.Algorithm

var adultColumns = []string{"sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation", "salary-class"}

func benchAdult(ctx context.Context, dir string, exhaustive bool) error {
	cases := []struct {
		name string
		qis  []string
		set  func(*anonymize.PrivacyOptions)
	}{
		{"k=5, 4% suppression, Loss", adultColumns, func(o *anonymize.PrivacyOptions) {
			o.K, o.Suppression, o.Metric = 5, 0.04, anonymize.MetricLoss
		}},
		{"k=5, 0% suppression, non-uniform entropy", adultColumns, func(o *anonymize.PrivacyOptions) {
			o.K, o.Suppression, o.Metric = 5, 0, anonymize.MetricEntropy
		}},
		{"k=100, 4% suppression, non-uniform entropy", adultColumns, func(o *anonymize.PrivacyOptions) {
			o.K, o.Suppression, o.Metric = 100, 0.04, anonymize.MetricEntropy
		}},
		{"entropy l=5 on occupation, 4% suppression, Loss", without(adultColumns, "occupation"), func(o *anonymize.PrivacyOptions) {
			o.Sensitive, o.L, o.LModel, o.Suppression, o.Metric = "occupation", 5, anonymize.LEntropy, 0.04, anonymize.MetricLoss
		}},
	}
	fmt.Println("# Optimal full-domain generalization on Adult (30,162 records)")
	fmt.Println()
	for _, c := range cases {
		files := map[string]string{}
		for _, q := range c.qis {
			files[q] = filepath.Join(dir, "adult_hierarchy_"+q+".csv")
		}
		opts := anonymize.CSVOptions{Input: filepath.Join(dir, "adult.csv"), Delimiter: ';', HierarchyFiles: files,
			Privacy: anonymize.PrivacyOptions{QuasiIdentifiers: c.qis}}
		c.set(&opts.Privacy)
		start := time.Now()
		res, err := anonymize.AnonymizeCSV(ctx, opts)
		if err != nil {
			return err
		}
		total := time.Since(start)
		fmt.Printf("## %s\n", c.name)
		fmt.Printf("transformation: %s\n", levels(res))
		fmt.Printf("%s = %.10g (per QI: %s)\n", res.Metric, res.InformationLoss, perQI(res))
		fmt.Printf("classes %d, suppressed %d, k reached %d", res.Classes, res.Suppressed, res.KReached)
		if res.LReached > 0 {
			fmt.Printf(", l reached %.4f", res.LReached)
		}
		fmt.Printf(", highest risk %.4f, average risk %.5f\n", res.Risk.Highest, res.Risk.Average)
		fmt.Printf("optimal search: %.0f ms (%.0f ms with reading the CSV), checked %d of %d nodes (%.1f%%), evaluated %d, tagged %d, pruned %d\n",
			res.Search.DurationMS, ms(total), res.Search.Checked, res.Search.Nodes,
			100*float64(res.Search.Checked)/float64(res.Search.Nodes), res.Search.Evaluated, res.Search.Tagged, res.Search.Pruned)
		if exhaustive {
			opts.Privacy.Algorithm = anonymize.AlgorithmExhaustive
			ref, err := anonymize.AnonymizeCSV(ctx, opts)
			if err != nil {
				return err
			}
			same := levels(ref) == levels(res) && ref.InformationLoss == res.InformationLoss
			fmt.Printf("exhaustive:     %.0f ms, checked %d of %d nodes; same optimum: %v\n",
				ref.Search.DurationMS, ref.Search.Checked, ref.Search.Nodes, same)
			if !same {
				return fmt.Errorf("%s: optimal search %s (%v) differs from exhaustive %s (%v)", c.name,
					levels(res), res.InformationLoss, levels(ref), ref.InformationLoss)
			}
		}
		fmt.Println()
	}
	return nil
}

func without(cols []string, drop string) []string {
	var out []string
	for _, c := range cols {
		if c != drop {
			out = append(out, c)
		}
	}
	return out
}

func levels(r *anonymize.Result) string {
	var parts []string
	for _, l := range r.Transformation {
		parts = append(parts, fmt.Sprintf("%s=%d", l.Column, l.Level))
	}
	return strings.Join(parts, " ")
}

func perQI(r *anonymize.Result) string {
	var parts []string
	for _, q := range r.LossPerQI {
		parts = append(parts, fmt.Sprintf("%s %.4g", q.Column, q.Value))
	}
	return strings.Join(parts, ", ")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchMondrian streams synthetic customers through WriteDataset with
// Mondrian on four quasi-identifiers.
func benchMondrian(ctx context.Context, n int) error {
	fmt.Printf("# Mondrian on %d synthetic customers (age, gender, postal code, city)\n\n", n)
	root, err := os.MkdirTemp("", "vigil-bench-anonymize-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	gen := newGenerator()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	for _, alg := range synthAlgorithms {
		pol := anonymize.Policy{
			Table:        "customers",
			Unclassified: anonymize.UnclassifiedPass,
			Columns: map[string]anonymize.Protection{
				"customer_id": {Method: anonymize.MethodPseudonym, Domain: "customer"},
				"income":      {Method: anonymize.MethodBucket, Interval: 10000},
			},
			Privacy: anonymize.PrivacyOptions{
				QuasiIdentifiers: []string{"age", "gender", "postal", "city"},
				Hierarchies: map[string]anonymize.Hierarchy{"age": anonymize.AgeBands(),
					"postal": anonymize.PrefixHierarchy{MaxMasked: 5}, "city": gen.cities,
					"gender": mustTable("gender", [][]string{{"F", "*"}, {"M", "*"}})},
				K: 10, Suppression: 0.01, Metric: anonymize.MetricLoss, Algorithm: alg,
			},
		}
		runtime.GC()
		stop := sampleHeap()
		cpu0 := cpuTime()
		start := time.Now()
		rep, err := anonymize.WriteDataset(ctx, anonymize.DatasetRequest{
			Root: root, Table: "customers", Open: gen.open(n), Policy: pol,
			Tokenizer: hmacTokenizer(key), Logger: slog.New(slog.DiscardHandler),
			// customer_id is a direct identifier: its values feed the
			// disclosure check's identifier match.
			Classes: map[string]anonymize.ColumnClass{"customer_id": {ID: "record_id", Category: "direct_identifier"}},
		})
		elapsed := time.Since(start)
		cpu := cpuTime() - cpu0
		peak, total := stop()
		if err != nil {
			return err
		}
		p := rep.Privacy
		fmt.Printf("## %s, k=10\n", alg)
		if p.Mondrian != nil {
			fmt.Printf("partitioning: %.0f ms, %d partitions, %d classes, k reached %d, AECS %.1f, NCP %.4f\n",
				p.Mondrian.DurationMS, p.Mondrian.Partitions, p.Classes, p.KReached, p.Metrics.AECS, *p.Metrics.NCP)
		} else {
			fmt.Printf("search: %.0f ms, checked %d of %d nodes, %s, loss %.4f, %d classes, %d suppressed, k reached %d\n",
				p.Search.DurationMS, p.Search.Checked, p.Search.Nodes, levels(p), p.InformationLoss, p.Classes, p.Suppressed, p.KReached)
		}
		fmt.Printf("whole dataset (2 passes, Parquet written): %.2f s wall, %.2f s CPU (user+sys), %d rows written, %.0f rows/s\n",
			elapsed.Seconds(), cpu.Seconds(), rep.RowsWritten, float64(rep.RowsIn)/elapsed.Seconds())
		fmt.Printf("memory: peak HeapAlloc %.1f MiB, TotalAlloc %.0f MiB\n", mib(peak), mib(total))
		if d := rep.Disclosure; d != nil {
			check := time.Duration(d.DurationMS * float64(time.Millisecond))
			ratio := float64(check) / float64(elapsed-check)
			status := "ok"
			if ratio > 0.20 {
				status = "MISSED (target ≤ 20%)"
			}
			fmt.Printf("disclosure check: %.0f ms of %.2f s, adds %.1f%% to the stage without it (target ≤ 20%%): %s; passed=%v\n\n",
				d.DurationMS, elapsed.Seconds(), 100*ratio, status, d.Passed)
		}
	}
	return nil
}

var memProfile string

// cpuTime is the CPU time (user + system) the process has used: on a
// shared machine wall times say little.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// sampleHeap polls HeapAlloc until the returned function is called, which
// reports the peak and the bytes allocated meanwhile.
func sampleHeap() func() (peak, total uint64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.TotalAlloc
	var max atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > max.Load() {
				max.Store(m.HeapAlloc)
				if memProfile != "" && m.HeapAlloc > 64<<20 {
					if f, err := os.Create(memProfile); err == nil {
						_ = pprof.Lookup("heap").WriteTo(f, 0)
						f.Close()
					}
				}
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return max.Load(), m.TotalAlloc - base
	}
}

type hmacTokenizer []byte

func (k hmacTokenizer) Token(label string, data []byte) ([]byte, error) {
	m := hmac.New(sha256.New, k)
	m.Write([]byte(label))
	m.Write([]byte{0})
	m.Write(data)
	return m.Sum(nil), nil
}

func mustTable(name string, rows [][]string) *anonymize.TableHierarchy {
	h, err := anonymize.NewTableHierarchy(name, rows)
	if err != nil {
		panic(err)
	}
	return h
}

// generator produces customers-like records deterministically.
type generator struct {
	cities *anonymize.TableHierarchy
	names  []string
	postal []string
	weight []float64 // cumulative city popularity
}

func newGenerator() *generator {
	g := &generator{}
	var rows [][]string
	regions := []string{"华北", "东北", "华东", "华中", "华南", "西南", "西北"}
	total := 0.0
	for p := 0; p < 31; p++ {
		prov := fmt.Sprintf("省%02d", p)
		for c := 0; c < 10; c++ {
			name := fmt.Sprintf("%s市%02d", prov, c)
			rows = append(rows, []string{name, prov, regions[p%len(regions)], "*"})
			g.names = append(g.names, name)
			g.postal = append(g.postal, fmt.Sprintf("%02d%d", 10+p*2, c))
			total += 1 / float64(1+c+p%5) // Zipf-like popularity
			g.weight = append(g.weight, total)
		}
	}
	for i := range g.weight {
		g.weight[i] /= total
	}
	g.cities = mustTable("city", rows)
	return g
}

var schema = arrow.NewSchema([]arrow.Field{
	{Name: "customer_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "age", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "gender", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "postal", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "city", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "income", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// open returns a stream that generates the records batch by batch, so the
// input is never held in memory.
func (g *generator) open(n int) func(context.Context) (array.RecordReader, error) {
	return func(context.Context) (array.RecordReader, error) {
		return &stream{g: g, n: n, r: mrand.New(mrand.NewPCG(42, 7)), refs: 1}, nil
	}
}

type stream struct {
	g    *generator
	n, i int
	r    *mrand.Rand
	cur  arrow.RecordBatch
	refs int64
}

func (s *stream) Retain()               { s.refs++ }
func (s *stream) Release()              { s.refs--; s.drop() }
func (s *stream) Schema() *arrow.Schema { return schema }
func (s *stream) Err() error            { return nil }
func (s *stream) Record() arrow.Record  { return s.cur }
func (s *stream) RecordBatch() arrow.RecordBatch {
	return s.cur
}

func (s *stream) drop() {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
}

func (s *stream) Next() bool {
	s.drop()
	if s.i >= s.n {
		return false
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for j := 0; j < 64*1024 && s.i < s.n; j++ {
		s.i++
		u := s.r.Float64()
		c := 0
		for c < len(s.g.weight)-1 && s.g.weight[c] < u {
			c++
		}
		age := int64(18 + int(s.r.ExpFloat64()*20))
		if age > 99 {
			age = 99
		}
		b.Field(0).(*array.StringBuilder).Append("C" + strconv.Itoa(s.i))
		b.Field(1).(*array.Int64Builder).Append(age)
		b.Field(2).(*array.StringBuilder).Append([]string{"F", "M"}[s.r.IntN(2)])
		b.Field(3).(*array.StringBuilder).Append(s.g.postal[c] + fmt.Sprintf("%03d", s.r.IntN(60)))
		b.Field(4).(*array.StringBuilder).Append(s.g.names[c])
		b.Field(5).(*array.Float64Builder).Append(float64(2000 + s.r.IntN(80000)))
	}
	s.cur = b.NewRecordBatch()
	return true
}

// demoConfig runs snapshot → classify → anonymize on the demo CRM with the
// demo's protection (vigil demo's configuration without verify and audit).
const demoConfig = `format: 1
home: home
timezone: Asia/Shanghai
keys: {key_file: master.key}
sources:
  crm:
    type: csv
    dir: data
    encoding: auto
    tables:
      customers: {file: customers.csv}
      staff: {file: staff.csv}
      ownership: {file: ownership.csv}
      orders: {file: orders.csv}
      enrollments: {file: enrollments.csv}
protect:
  unclassified: withhold
  tables:
    customers: {k: 5, suppression: 0.04}
jobs:
  nightly:
    stages: [snapshot, classify, anonymize]
`

// benchDemo runs the nightly job of an n-customer demo through the vigil
// binary and prints the disclosure check's share of the anonymize stage
// (wall times of the same run: both suffer the same load).
func benchDemo(ctx context.Context, vigil string, n int) error {
	fmt.Printf("# Disclosure check on the %d-customer demo (vigil run nightly)\n\n", n)
	dir, err := os.MkdirTemp("", "vigil-bench-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if vigil == "" {
		vigil = filepath.Join(dir, "vigil")
		build := exec.CommandContext(ctx, "go", "build", "-o", vigil, "./cmd/vigil")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building vigil (run from the repository root or pass -vigil): %w", err)
		}
	}
	run := func(args ...string) ([]byte, error) {
		c := exec.CommandContext(ctx, vigil, append([]string{"--no-progress", "--log-level", "warn"}, args...)...)
		c.Dir = dir
		var stderr strings.Builder
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil {
			return nil, fmt.Errorf("vigil %s: %w: %s", strings.Join(args, " "), err, stderr.String())
		}
		return out, nil
	}
	if _, err := run("demo", "generate", "--rows", strconv.Itoa(n), "--seed", "1", "--out", "data"); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(demoConfig), 0o600); err != nil {
		return err
	}
	for _, args := range [][]string{{"keys", "keyfile", "master.key"}, {"keys", "init"}} {
		if _, err := run(args...); err != nil {
			return err
		}
	}
	start := time.Now()
	out, err := run("--json", "run", "nightly")
	if err != nil {
		return err
	}
	var rr struct {
		Stages []struct {
			Stage    string  `json:"stage"`
			Duration float64 `json:"duration_seconds"`
		} `json:"stages"`
	}
	if err := json.Unmarshal(out, &rr); err != nil {
		return fmt.Errorf("run --json: %w", err)
	}
	stage := 0.0
	for _, s := range rr.Stages {
		fmt.Printf("stage %-10s %7.2f s\n", s.Stage, s.Duration)
		if s.Stage == "anonymize" {
			stage = s.Duration
		}
	}
	reps, _ := filepath.Glob(filepath.Join(dir, "home", "datasets", "*", anonymize.MetadataFile))
	check := 0.0
	for _, p := range reps {
		rep, err := anonymize.ReadDatasetReport(filepath.Dir(p))
		if err != nil {
			return err
		}
		if rep.Disclosure == nil {
			return fmt.Errorf("%s: no disclosure check recorded", rep.Table)
		}
		check += rep.Disclosure.DurationMS / 1000
		alg := "none"
		if rep.Privacy != nil {
			alg = string(rep.Privacy.Algorithm)
		}
		fmt.Printf("dataset %-12s %8d rows, %-8s disclosure check %6.2f s, passed=%v\n", rep.Table, rep.RowsIn, alg,
			rep.Disclosure.DurationMS/1000, rep.Disclosure.Passed)
	}
	if stage <= check {
		return fmt.Errorf("anonymize stage %.2f s not longer than its checks %.2f s", stage, check)
	}
	ratio := check / (stage - check)
	status := "ok"
	if ratio > 0.20 {
		status = "MISSED (target ≤ 20%)"
	}
	fmt.Printf("disclosure checks %.2f s of the anonymize stage's %.2f s: adds %.1f%% to the stage without them (target ≤ 20%%): %s (nightly %.0f s)\n\n",
		check, stage, 100*ratio, status, time.Since(start).Seconds())
	return nil
}

// Command classify measures the column classifier on an evaluation corpus
// of public files nobody on the team wrote (see bench/classify/README.md):
// precision and recall for "holds personal data", exact-class accuracy
// overall, per class and per language, once with the files' own headers and
// once with the headers replaced by col1..colN (value-only), and the
// reliability table (confidence band → observed accuracy).
//
//	go run ./bench/classify [-public DIR] [-faker DIR] [-v]
//
// It exits 1 when a target is missed: precision and recall ≥ 0.95 with
// headers, recall ≥ 0.85 value-only, and in every confidence band with at
// least 20 columns the observed accuracy within 0.1 of the band.
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/vigil-dg/vigil/rules"
	"github.com/vigil-dg/vigil/stages/classify"
)

type label struct {
	file, column, class, lang, note string
}

var evidence *bool

type outcome struct {
	label
	pred       string
	confidence float64
	review     bool
	valueOnly  bool
	evidence   []string
	basis      classify.Basis
}

func main() {
	public := flag.String("public", "../shared/data/classify", "directory of the public files of the corpus with labels_public.csv's paths (empty: skip)")
	faker := flag.String("faker", "bench/classify/corpus/faker", "directory of the Faker files and their labels.csv")
	labelsPublic := flag.String("labels", "bench/classify/labels_public.csv", "labels of the public files")
	verbose := flag.Bool("v", false, "print every column that was wrong")
	evidence = flag.Bool("evidence", false, "with -v, print the classifier's evidence for each wrong column")
	dump := flag.String("dump", "", "write every decision (mode, file, column, label, class, confidence, right) as CSV to this file")
	fetch := flag.Bool("fetch", false, "first stage the public files into -public from their pinned git commits and npm versions (needs git, npm and the network)")
	gitURL := flag.String("git-url", "https://github.com/{repo}.git", "with -fetch, where to fetch the repositories from ({repo}, {owner}, {name} are replaced), e.g. a local mirror")
	npm := flag.String("npm", "npm", "with -fetch, the npm command")
	flag.Parse()
	if *fetch {
		if *public == "" {
			fail(errors.New("-fetch needs -public DIR"))
		}
		if err := stagePublic(*public, *gitURL, *npm); err != nil {
			fail(err)
		}
	}
	set, err := rules.DefaultSet()
	if err != nil {
		fail(err)
	}
	var labels []label
	if *public != "" {
		if _, err := os.Stat(*public); err != nil {
			fail(fmt.Errorf("the public corpus is not in %s: stage it with `go run ./bench/classify -fetch -public %s` (needs npm and GitHub; -git-url reads a local mirror), or pass -public '' to run the committed Faker part alone (not the measure)", *public, *public))
		}
		ls, err := readLabels(*labelsPublic, *public)
		if err != nil {
			fail(err)
		}
		labels = append(labels, ls...)
	}
	if *faker != "" {
		ls, err := readLabels(filepath.Join(*faker, "labels.csv"), *faker)
		if err != nil {
			fail(err)
		}
		labels = append(labels, ls...)
	}
	byFile := map[string][]label{}
	var files []string
	for _, l := range labels {
		if _, ok := byFile[l.file]; !ok {
			files = append(files, l.file)
		}
		byFile[l.file] = append(byFile[l.file], l)
	}
	sources := map[string]bool{}
	for _, f := range files {
		sources[sourceOf(f)] = true
	}
	fmt.Printf("corpus: %d files, %d labelled columns, %d sources\n", len(files), len(labels), len(sources))
	var all []outcome
	var classifyTime time.Duration
	for _, f := range files {
		for _, valueOnly := range []bool{false, true} {
			start := time.Now()
			out, err := classifyFile(f, byFile[f], set, valueOnly)
			classifyTime += time.Since(start)
			if err != nil {
				fail(fmt.Errorf("%s: %w", f, err))
			}
			all = append(all, out...)
		}
	}
	fmt.Printf("classification time (both modes): %v\n\n", classifyTime.Round(time.Millisecond))
	var with, without []outcome
	for _, o := range all {
		if o.valueOnly {
			without = append(without, o)
		} else {
			with = append(with, o)
		}
	}
	if *dump != "" {
		if err := dumpOutcomes(*dump, all); err != nil {
			fail(err)
		}
	}
	if *public != "" {
		nameSets(*public, set)
	}
	ok := true
	ok = report("with headers", with, 0.95, 0.95, *verbose) && ok
	ok = report("value-only (headers replaced by col1..colN)", without, 0, 0.85, *verbose) && ok
	ok = reliability("in-sample: the shipped calibration, fitted on this corpus", all) && ok
	ok = heldOut(all) && ok
	if !ok {
		fmt.Println("\nFAIL: a target was missed")
		os.Exit(1)
	}
	fmt.Println("\nall targets met")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "classify bench:", err)
	os.Exit(2)
}

// sourceOf is the first path element of a corpus file (one per source), or
// "faker" for the generated part.
func sourceOf(f string) string {
	rel := f
	if i := strings.Index(rel, "|"); i >= 0 {
		rel = rel[i+1:]
	}
	if d := filepath.Dir(rel); d != "." {
		return strings.Split(d, string(filepath.Separator))[0]
	}
	return "faker"
}

func readLabels(file, dir string) ([]label, error) {
	fh, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var out []label
	for i, r := range rows {
		if i == 0 {
			continue
		}
		if len(r) < 4 {
			return nil, fmt.Errorf("%s:%d: want file,column,class,lang", file, i+1)
		}
		l := label{file: dir + "|" + r[0], column: r[1], class: r[2], lang: r[3]}
		if len(r) > 4 {
			l.note = r[4]
		}
		out = append(out, l)
	}
	return out, nil
}

func classifyFile(key string, labels []label, set *rules.Set, valueOnly bool) ([]outcome, error) {
	dir, name, _ := strings.Cut(key, "|")
	fh, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, err
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	fields := make([]arrow.Field, len(header))
	builders := make([]*array.StringBuilder, len(header))
	for i, h := range header {
		n := h
		if valueOnly {
			n = fmt.Sprintf("col%d", i+1)
		}
		fields[i] = arrow.Field{Name: n, Type: arrow.BinaryTypes.String, Nullable: true}
		builders[i] = array.NewStringBuilder(mem)
	}
	rows := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		for i := range builders {
			v := ""
			if i < len(rec) {
				v = rec[i]
			}
			if strings.TrimSpace(v) == "" {
				builders[i].AppendNull()
			} else {
				builders[i].Append(v)
			}
		}
		rows++
	}
	cols := make([]arrow.Array, len(builders))
	for i, b := range builders {
		cols[i] = b.NewArray()
		b.Release()
	}
	schema := arrow.NewSchema(fields, nil)
	rec := array.NewRecordBatch(schema, cols, int64(rows))
	for _, c := range cols {
		c.Release()
	}
	defer rec.Release()
	rr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	res, err := classify.Table(context.Background(), name, rr, set, classify.Options{Seed: 1, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		return nil, err
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[h] = i
	}
	var out []outcome
	for _, l := range labels {
		i, ok := idx[l.column]
		if !ok {
			return nil, fmt.Errorf("labelled column %q is not in the file", l.column)
		}
		c := res.Columns[i]
		out = append(out, outcome{label: l, pred: c.Class, confidence: c.Confidence, review: c.Review, valueOnly: valueOnly, evidence: c.Evidence, basis: c.Basis})
	}
	return out, nil
}

type counts struct{ tp, fp, fn, tn, exact, n int }

func (c *counts) add(o outcome) {
	c.n++
	lp, pp := o.class != rules.ClassNone, o.pred != rules.ClassNone
	switch {
	case lp && pp:
		c.tp++
	case pp:
		c.fp++
	case lp:
		c.fn++
	default:
		c.tn++
	}
	if same(o.class, o.pred) {
		c.exact++
	}
}

// same reports whether a prediction is the labelled class. A Chinese
// resident ID is a national ID, a Chinese province a region.
func same(label, pred string) bool {
	if label == pred {
		return true
	}
	eq := map[string]string{"cn_resident_id": "national_id", "province": "region"}
	if eq[label] != "" && eq[label] == eq[pred] || eq[label] == pred || eq[pred] == label {
		return true
	}
	return false
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func (c counts) p() float64   { return ratio(c.tp, c.tp+c.fp) }
func (c counts) r() float64   { return ratio(c.tp, c.tp+c.fn) }
func (c counts) acc() float64 { return ratio(c.exact, c.n) }

func report(title string, os []outcome, pTarget, rTarget float64, verbose bool) bool {
	var all counts
	byClass := map[string]*counts{}
	byLang := map[string]*counts{}
	for _, o := range os {
		all.add(o)
		if byClass[o.class] == nil {
			byClass[o.class] = &counts{}
		}
		byClass[o.class].add(o)
		if byLang[o.lang] == nil {
			byLang[o.lang] = &counts{}
		}
		byLang[o.lang].add(o)
	}
	fmt.Printf("== %s: %d columns\n", title, all.n)
	ok := true
	mark := func(v, target float64) string {
		if target == 0 {
			return ""
		}
		if v >= target {
			return fmt.Sprintf(" (target %.2f: met)", target)
		}
		ok = false
		return fmt.Sprintf(" (target %.2f: MISSED)", target)
	}
	fmt.Printf("personal data: precision %.3f%s, recall %.3f%s (tp %d, fp %d, fn %d, tn %d)\n",
		all.p(), mark(all.p(), pTarget), all.r(), mark(all.r(), rTarget), all.tp, all.fp, all.fn, all.tn)
	fmt.Printf("exact class accuracy %.3f (%d/%d)\n", all.acc(), all.exact, all.n)
	fmt.Printf("%-20s %6s %9s %9s %9s\n", "class", "cols", "exact", "personal", "")
	for _, k := range sortedKeys(byClass) {
		c := byClass[k]
		if k == rules.ClassNone {
			fmt.Printf("%-20s %6d %9.3f %9s (none kept none: %d, flagged personal: %d)\n", k, c.n, c.acc(), "", c.tn, c.fp)
			continue
		}
		fmt.Printf("%-20s %6d %9.3f %9.3f\n", k, c.n, c.acc(), c.r())
	}
	fmt.Printf("%-8s %6s %9s %9s %9s\n", "language", "cols", "precision", "recall", "exact")
	for _, k := range sortedKeys(byLang) {
		c := byLang[k]
		fmt.Printf("%-8s %6d %9.3f %9.3f %9.3f\n", k, c.n, c.p(), c.r(), c.acc())
	}
	if verbose {
		for _, o := range os {
			if !same(o.class, o.pred) {
				_, f, _ := strings.Cut(o.file, "|")
				fmt.Printf("  wrong: %s %q: label %s, got %s at %.2f review=%v\n", f, o.column, o.class, o.pred, o.confidence, o.review)
				if *evidence {
					fmt.Printf("         %s\n", strings.Join(o.evidence, "; "))
				}
			}
		}
	}
	fmt.Println()
	return ok
}

func sortedKeys[T any](m map[string]T) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// reliability prints, per confidence band, the share of decisions (both
// modes) whose class was right, and checks it against the band.
func reliability(title string, os []outcome) bool {
	bands := []float64{0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001}
	fmt.Printf("== reliability (both modes; %s): confidence band → observed accuracy\n", title)
	fmt.Printf("%-12s %6s %9s %9s %s\n", "band", "cols", "observed", "mean conf", "")
	ok := true
	for i := 0; i+1 < len(bands); i++ {
		lo, hi := bands[i], bands[i+1]
		n, right := 0, 0
		sum := 0.0
		for _, o := range os {
			if o.confidence >= lo && o.confidence < hi {
				n++
				sum += o.confidence
				if same(o.class, o.pred) {
					right++
				}
			}
		}
		if n == 0 {
			fmt.Printf("[%.2f,%.2f) %6d\n", lo, min(hi, 1), n)
			continue
		}
		obs, mean := float64(right)/float64(n), sum/float64(n)
		verdict := ""
		if n >= 20 {
			if obs >= lo-0.1 && obs <= min(hi, 1)+0.1 {
				verdict = "within 0.1"
			} else {
				verdict = "OFF by more than 0.1"
				ok = false
			}
		}
		fmt.Printf("[%.2f,%.2f) %6d %9.3f %9.3f %s\n", lo, min(hi, 1), n, obs, mean, verdict)
	}
	return ok
}

func dumpOutcomes(file string, os_ []outcome) error {
	fh, err := os.Create(file)
	if err != nil {
		return err
	}
	w := csv.NewWriter(fh)
	_ = w.Write([]string{"value_only", "file", "column", "label", "class", "confidence", "right", "kind", "score", "values", "table_personal"})
	for _, o := range os_ {
		_, f, _ := strings.Cut(o.file, "|")
		_ = w.Write([]string{fmt.Sprint(o.valueOnly), f, o.column, o.class, o.pred, fmt.Sprintf("%.3f", o.confidence), fmt.Sprint(same(o.class, o.pred)),
			o.basis.Kind, fmt.Sprintf("%.3f", o.basis.Score), fmt.Sprint(o.basis.Values), fmt.Sprintf("%.2f", o.basis.TablePersonal)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

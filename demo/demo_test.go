package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/expected")

var tableNames = []string{"customers", "staff", "ownership", "orders", "enrollments"}

func generate(t testing.TB, opts Options) *Summary {
	t.Helper()
	if opts.Out == "" {
		opts.Out = t.TempDir()
	}
	sum, err := Generate(context.Background(), opts)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opts, err)
	}
	return sum
}

// hashDir returns the SHA-256 of every file in dir, by name.
func hashDir(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := map[string][32]byte{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		h[e.Name()] = sha256.Sum256(b)
	}
	return h
}

func TestDeterministic(t *testing.T) {
	for _, gbk := range []bool{false, true} {
		a := generate(t, Options{Rows: 5000, Seed: 42, GBK: gbk})
		b := generate(t, Options{Rows: 5000, Seed: 42, GBK: gbk})
		ha, hb := hashDir(t, a.Dir), hashDir(t, b.Dir)
		if len(ha) != 6 {
			t.Fatalf("gbk=%v: %d files in output, want 6: %v", gbk, len(ha), sortedKeys(ha))
		}
		for _, name := range sortedKeys(ha) {
			if ha[name] != hb[name] {
				t.Errorf("gbk=%v: %s differs between two runs with the same seed", gbk, name)
			}
		}
	}

	// The bytes do not depend on the number of workers.
	prev := runtime.GOMAXPROCS(1)
	one := generate(t, Options{Rows: 5000, Seed: 42})
	runtime.GOMAXPROCS(prev)
	many := generate(t, Options{Rows: 5000, Seed: 42})
	if h1, h2 := hashDir(t, one.Dir), hashDir(t, many.Dir); !maps2Equal(h1, h2) {
		t.Error("output with GOMAXPROCS=1 differs from output with more workers")
	}

	// Another seed gives other data and other headers.
	other := generate(t, Options{Rows: 5000, Seed: 43})
	h1, h2 := hashDir(t, one.Dir), hashDir(t, other.Dir)
	for _, name := range []string{CustomersFile, OrdersFile, GroundTruthFile} {
		if h1[name] == h2[name] {
			t.Errorf("%s is the same for seeds 42 and 43", name)
		}
	}
}

func maps2Equal(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// readCSV parses a generated UTF-8 table with encoding/csv (BOM stripped).
func readCSV(t *testing.T, path string) (header []string, rows [][]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.TrimPrefix(b, []byte(utf8BOM))
	r := csv.NewReader(bytes.NewReader(b))
	all, err := r.ReadAll() // also checks every row has the header's field count
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(all) == 0 {
		t.Fatalf("%s: empty", path)
	}
	return all[0], all[1:]
}

func TestCSVShape(t *testing.T) {
	sum := generate(t, Options{Rows: 3000, Seed: 7})
	want := map[string]int{"customers": 3000, "staff": 20, "ownership": 3000, "orders": 6000, "enrollments": 1500}
	if len(sum.Tables) != len(tableNames) {
		t.Fatalf("summary has %d tables, want %d", len(sum.Tables), len(tableNames))
	}
	for i, tf := range sum.Tables {
		if tf.Table != tableNames[i] {
			t.Errorf("table %d is %s, want %s", i, tf.Table, tableNames[i])
		}
		if tf.Rows != want[tf.Table] {
			t.Errorf("%s: summary says %d rows, want %d", tf.Table, tf.Rows, want[tf.Table])
		}
		_, rows := readCSV(t, tf.Path)
		if len(rows) != tf.Rows {
			t.Errorf("%s: %d rows parsed, summary says %d", tf.Table, len(rows), tf.Rows)
		}
	}

	raw, err := os.ReadFile(filepath.Join(sum.Dir, CustomersFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte(utf8BOM)) {
		t.Error("customers.csv has no UTF-8 BOM")
	}
	if !bytes.Contains(raw, []byte("\r\n")) {
		t.Error("customers.csv does not use CRLF record ends")
	}
	for _, name := range []string{StaffFile, OrdersFile} {
		b, _ := os.ReadFile(filepath.Join(sum.Dir, name))
		if bytes.HasPrefix(b, []byte(utf8BOM)) {
			t.Errorf("%s has a BOM", name)
		}
	}

	// Quoted fields with newlines, quotes and commas occur in notes; amounts
	// carry thousands separators.
	l := newLayout(7)
	h, rows := readCSV(t, filepath.Join(sum.Dir, CustomersFile))
	notes, ltv := slices.Index(h, l.custHeader[cNotes]), slices.Index(h, l.custHeader[cLTV])
	var multiline, quoted, grouped int
	for _, r := range rows {
		if strings.Contains(r[notes], "\n") {
			multiline++
		}
		if strings.Contains(r[notes], `"`) {
			quoted++
		}
		if strings.Contains(r[ltv], ",") {
			grouped++
		}
	}
	if multiline == 0 || quoted == 0 || grouped == 0 {
		t.Errorf("notes with newlines: %d, with quotes: %d; grouped amounts: %d; want some of each", multiline, quoted, grouped)
	}
}

func TestGroundTruthCoversHeaders(t *testing.T) {
	sum := generate(t, Options{Rows: 50, Seed: 9})
	gt, err := ReadGroundTruth(sum.GroundTruth)
	if err != nil {
		t.Fatal(err)
	}
	if gt.Format != 1 || gt.Seed != 9 || gt.Rows != 50 {
		t.Errorf("ground truth header = %d/%d/%d, want 1/9/50", gt.Format, gt.Seed, gt.Rows)
	}
	if len(gt.Tables) != len(tableNames) {
		t.Errorf("ground truth has %d tables, want %d", len(gt.Tables), len(tableNames))
	}
	for _, tf := range sum.Tables {
		header, _ := readCSV(t, tf.Path)
		cols := gt.Tables[tf.Table]
		if len(cols) != len(header) {
			t.Errorf("%s: ground truth labels %d columns, header has %d", tf.Table, len(cols), len(header))
		}
		for _, h := range header {
			if c, ok := cols[h]; !ok {
				t.Errorf("%s: column %q has no ground truth", tf.Table, h)
			} else if !c.Valid() {
				t.Errorf("%s: column %q has class %q outside the vocabulary", tf.Table, h, c)
			}
		}
	}
	if got := gt.Tables["staff"]; got["staff_id"] != ClassRecordID || got["name"] != ClassPersonName || got["email"] != ClassEmail {
		t.Errorf("staff ground truth = %v", got)
	}
}

// TestLayouts checks over many seeds that headers are unique, that fixed
// names stay fixed, that one or two personal columns get unhelpful names, and
// that every synonym and class is used.
func TestLayouts(t *testing.T) {
	seen := map[string]bool{}
	orders := map[[nCust]int]bool{}
	for seed := uint64(0); seed < 500; seed++ {
		l := newLayout(seed)
		h := l.customerHeader()
		if h[0] != "customer_id" {
			t.Fatalf("seed %d: first column %q", seed, h[0])
		}
		if len(sortedKeys(setOf(h))) != len(h) {
			t.Fatalf("seed %d: duplicate customer headers %q", seed, h)
		}
		unhelpful := 0
		for c, name := range l.custHeader {
			seen[name] = true
			if !slices.Contains(customerCols[c].names, name) {
				unhelpful++
				if !customerCols[c].personal {
					t.Errorf("seed %d: non-personal column %s renamed %q", seed, customerCols[c].key, name)
				}
			}
		}
		if unhelpful < 1 || unhelpful > 2 {
			t.Errorf("seed %d: %d unhelpful headers, want 1 or 2", seed, unhelpful)
		}
		orders[l.custOrder] = true
		if l.orderHeader[oOrderID] != "order_id" || l.orderHeader[oCustomerID] != "customer_id" ||
			l.enrHeader[eEnrollmentID] != "enrollment_id" || l.enrHeader[eCustomerID] != "customer_id" {
			t.Errorf("seed %d: id headers changed: %q %q", seed, l.orderHeader, l.enrHeader)
		}
		for _, hs := range [][]string{l.orderHeader[:], l.enrHeader[:]} {
			if len(sortedKeys(setOf(hs))) != len(hs) {
				t.Errorf("seed %d: duplicate headers %q", seed, hs)
			}
		}
	}
	for _, cs := range customerCols {
		for _, n := range cs.names {
			if !seen[n] && len(cs.names) > 1 {
				t.Errorf("synonym %q of %s never chosen in 500 seeds", n, cs.key)
			}
		}
	}
	if len(orders) < 50 {
		t.Errorf("only %d column orders in 500 seeds", len(orders))
	}
	classes := map[Class]bool{}
	for _, cs := range customerCols {
		classes[cs.class] = true
	}
	for _, c := range staffClass {
		classes[c] = true
	}
	for _, c := range Classes() {
		if !classes[c] {
			t.Errorf("class %s is never used", c)
		}
	}
}

func setOf(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func TestGBKTwin(t *testing.T) {
	u := generate(t, Options{Rows: 3000, Seed: 11})
	g := generate(t, Options{Rows: 3000, Seed: 11, GBK: true})
	dec := simplifiedchinese.GBK.NewDecoder()
	for _, name := range []string{CustomersFile, StaffFile, OwnershipFile, OrdersFile, EnrollmentsFile} {
		ub, err := os.ReadFile(filepath.Join(u.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		gb, err := os.ReadFile(filepath.Join(g.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(gb, []byte(utf8BOM)) {
			t.Errorf("GBK %s has a UTF-8 BOM", name)
		}
		decoded, err := dec.Bytes(gb)
		if err != nil {
			t.Fatalf("GBK %s does not decode: %v", name, err)
		}
		if want := bytes.TrimPrefix(ub, []byte(utf8BOM)); !bytes.Equal(decoded, want) {
			t.Errorf("GBK %s decodes to other text than the UTF-8 twin", name)
		}
		if name == CustomersFile && bytes.Equal(gb, bytes.TrimPrefix(ub, []byte(utf8BOM))) {
			t.Errorf("GBK %s is byte-identical to UTF-8: not encoded?", name)
		}
	}
	ug, _ := os.ReadFile(u.GroundTruth)
	gg, _ := os.ReadFile(g.GroundTruth)
	if !bytes.Equal(ug, gg) {
		t.Error("ground truth differs between the UTF-8 and GBK twins")
	}
}

// TestTablesGBK checks that every string the generator can emit is in GBK.
func TestTablesGBK(t *testing.T) {
	var all []string
	for _, s := range surnames {
		all = append(all, s.han)
	}
	for _, g := range slices.Concat(givenMale, givenFemale) {
		all = append(all, g.han)
	}
	for _, w := range slices.Concat(westernMale, westernFemale, westernLast) {
		all = append(all, w.name)
	}
	for _, p := range provinces {
		all = append(all, p.name)
		for _, c := range p.cities {
			all = append(all, c.name)
			for _, d := range c.districts {
				all = append(all, d.name)
			}
		}
	}
	for _, tn := range tradeNames {
		all = append(all, tn.han)
	}
	all = slices.Concat(all, roadNames, roadSuffixes, compounds, industries, idnDomains, notesHarmless,
		notesMultiline, notesPII, staffRegions, courses)
	for _, cs := range customerCols {
		all = append(all, cs.names...)
	}
	for _, cs := range slices.Concat(orderCols[:], enrollmentCols[:]) {
		all = append(all, cs.names...)
	}
	all = append(all, "男", "女", "个人", "企业", "商行", "便利店", "餐馆", "经营部", "有限公司", "股份有限公司",
		"有限责任公司", "号", "栋", "单元", "室", "号楼", "大厦", "层", "备用")
	enc := simplifiedchinese.GBK.NewEncoder()
	for _, s := range all {
		if _, err := enc.String(s); err != nil {
			t.Errorf("%q is not encodable in GBK: %v", s, err)
		}
	}
}

func TestReferentialIntegrity(t *testing.T) {
	const seed = 5
	sum := generate(t, Options{Rows: 12000, Seed: seed}) // 24 staff
	l := newLayout(seed)
	ch, cust := readCSV(t, filepath.Join(sum.Dir, CustomersFile))
	sh, staff := readCSV(t, filepath.Join(sum.Dir, StaffFile))
	oh, own := readCSV(t, filepath.Join(sum.Dir, OwnershipFile))
	if !slices.Equal(sh, staffHeader) || !slices.Equal(oh, ownershipHeader) {
		t.Fatalf("staff header %q, ownership header %q", sh, oh)
	}
	if len(staff) != 24 {
		t.Errorf("%d staff, want 24", len(staff))
	}
	type member struct {
		role, status string
		hire, leave  string
	}
	members := map[string]member{}
	roles := []string{"sales", "support", "manager", "admin", "analyst", "marketing"}
	for i, s := range staff {
		if want := "S" + string(appendPad(nil, uint64(i+1), 4)); s[0] != want {
			t.Errorf("staff row %d: id %s, want %s", i+1, s[0], want)
		}
		if !slices.Contains(roles, s[3]) || !slices.Contains(staffRegions, s[4]) {
			t.Errorf("staff %s: role %q region %q", s[0], s[3], s[4])
		}
		switch {
		case s[5] != "active" && s[5] != "disabled":
			t.Errorf("staff %s: status %q", s[0], s[5])
		case s[5] == "disabled" && s[7] == "":
			t.Errorf("staff %s: disabled without leave date", s[0])
		case s[7] != "" && s[7] < s[6]:
			t.Errorf("staff %s: left %s before hire %s", s[0], s[7], s[6])
		}
		if !strings.Contains(s[2], "@") {
			t.Errorf("staff %s: e-mail %q", s[0], s[2])
		}
		members[s[0]] = member{s[3], s[5], s[6], s[7]}
	}

	id := slices.Index(ch, "customer_id")
	signup := slices.Index(ch, l.custHeader[cSignup])
	if id != 0 || signup < 0 {
		t.Fatalf("customer_id at %d, signup at %d", id, signup)
	}
	if len(own) != len(cust) {
		t.Fatalf("%d ownership rows for %d customers", len(own), len(cust))
	}
	ids := map[string]bool{}
	prev := ""
	for i, c := range cust {
		if len(c[0]) != 9 || c[0][0] != 'C' || c[0] <= prev {
			t.Fatalf("customer row %d: id %q after %q (want C + 8 digits, increasing)", i+1, c[0], prev)
		}
		prev = c[0]
		ids[c[0]] = true
		o := own[i]
		if o[0] != c[0] {
			t.Fatalf("ownership row %d is for %s, customer row is %s", i+1, o[0], c[0])
		}
		m, ok := members[o[1]]
		if !ok || m.role != "sales" {
			t.Fatalf("ownership row %d: owner %s is not sales staff (%+v)", i+1, o[1], m)
		}
		if o[2] < m.hire || (m.leave != "" && o[2] > m.leave) || o[2] < c[signup][:10] || o[2] > "2026-11-01" {
			t.Errorf("ownership row %d: since %s outside hire %s..leave %q, signup %s", i+1, o[2], m.hire, m.leave, c[signup])
		}
	}
	for _, name := range []string{OrdersFile, EnrollmentsFile} {
		h, rows := readCSV(t, filepath.Join(sum.Dir, name))
		k := slices.Index(h, "customer_id")
		for i, r := range rows {
			if !ids[r[k]] {
				t.Fatalf("%s row %d: unknown customer %s", name, i+1, r[k])
			}
		}
	}
}

func TestOptions(t *testing.T) {
	_, err := Generate(context.Background(), Options{Rows: 0})
	if !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("err = %v, want ErrInvalidOptions", err)
	}
	var oe *OptionError
	if !errors.As(err, &oe) {
		t.Fatalf("err = %v, want an *OptionError", err)
	}
	// Every problem is reported.
	if msg := err.Error(); !strings.Contains(msg, "rows") || !strings.Contains(msg, "out") {
		t.Errorf("err = %q, want both rows and out named", msg)
	}
	if _, err := Generate(context.Background(), Options{Rows: MaxRows + 1, Out: t.TempDir()}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("rows above MaxRows: err = %v", err)
	}
}

func TestCancelKeepsOldState(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, CustomersFile)
	if err := os.WriteFile(old, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, Options{Rows: 200_000, Seed: 1, Out: dir}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != CustomersFile {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	if b, _ := os.ReadFile(old); string(b) != "old\n" {
		t.Errorf("existing customers.csv replaced by a cancelled run: %q", b)
	}
}

func TestOneRow(t *testing.T) {
	sum := generate(t, Options{Rows: 1, Seed: 99})
	want := map[string]int{"customers": 1, "staff": 20, "ownership": 1, "orders": 2, "enrollments": 0}
	for _, tf := range sum.Tables {
		if tf.Rows != want[tf.Table] {
			t.Errorf("%s: %d rows, want %d", tf.Table, tf.Rows, want[tf.Table])
		}
		if _, rows := readCSV(t, tf.Path); len(rows) != tf.Rows {
			t.Errorf("%s: %d rows parsed", tf.Table, len(rows))
		}
	}
}

func TestNowMovesDates(t *testing.T) {
	a := generate(t, Options{Rows: 100, Seed: 3})
	b := generate(t, Options{Rows: 100, Seed: 3, Now: DefaultNow()})
	if !maps2Equal(hashDir(t, a.Dir), hashDir(t, b.Dir)) {
		t.Error("zero Now and DefaultNow give different output")
	}
	c := generate(t, Options{Rows: 100, Seed: 3, Now: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
	_, rows := readCSV(t, filepath.Join(c.Dir, OwnershipFile))
	for _, r := range rows {
		if r[2] > "2020-01-01" {
			t.Fatalf("ownership since %s after the reference date 2020-01-01", r[2])
		}
	}
}

func TestGolden(t *testing.T) {
	for _, gbk := range []bool{false, true} {
		name := "rows20-seed1"
		if gbk {
			name += "-gbk"
		}
		sum := generate(t, Options{Rows: 20, Seed: 1, GBK: gbk})
		want := filepath.Join("testdata", "expected", name)
		files := []string{CustomersFile, StaffFile, OwnershipFile, OrdersFile, EnrollmentsFile, GroundTruthFile}
		if *update {
			if err := os.MkdirAll(want, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range files {
			got, err := os.ReadFile(filepath.Join(sum.Dir, f))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(want, f)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			exp, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, exp) {
				t.Errorf("%s differs from %s (run go test -update if the change is intended)", f, path)
			}
		}
	}
}

func FuzzDecodeGroundTruth(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "expected", "*", GroundTruthFile))
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"format":1,"seed":1,"rows":1,"tables":{"t":{"c":"bogus"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := DecodeGroundTruth(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrGroundTruth) {
				t.Fatalf("error %v does not wrap ErrGroundTruth", err)
			}
			return
		}
		for _, cols := range g.Tables {
			for _, c := range cols {
				if !c.Valid() {
					t.Fatalf("accepted class %q", c)
				}
			}
		}
	})
}

func TestDecodeGroundTruthReportsAll(t *testing.T) {
	_, err := DecodeGroundTruth(strings.NewReader(`{"format":2,"seed":1,"rows":1,"tables":{"a":{"x":"nope","y":"phone"},"b":{"z":"zip"}}}`))
	if !errors.Is(err, ErrGroundTruth) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"format 2", `"nope"`, `"zip"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if _, err := DecodeGroundTruth(strings.NewReader(`{"format":1,"extra":true}`)); !errors.Is(err, ErrGroundTruth) {
		t.Errorf("unknown field accepted: %v", err)
	}
}

func BenchmarkGenerate100k(b *testing.B) {
	dir := b.TempDir()
	var bytesOut int64
	for b.Loop() {
		sum, err := Generate(context.Background(), Options{Rows: 100_000, Seed: 1, Out: dir})
		if err != nil {
			b.Fatal(err)
		}
		bytesOut = 0
		for _, tf := range sum.Tables {
			st, _ := os.Stat(tf.Path)
			bytesOut += st.Size()
		}
	}
	b.SetBytes(bytesOut)
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "customers/s")
}

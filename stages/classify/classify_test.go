package classify_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/vigil-dg/vigil/rules"
	"github.com/vigil-dg/vigil/stages/classify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/expected")

func defaultSet(t testing.TB) *rules.Set {
	t.Helper()
	set, err := rules.DefaultSet()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// stringTable builds a one-batch record reader of string columns; "" is null.
func stringTable(t testing.TB, mem memory.Allocator, cols []string, rows [][]string) array.RecordReader {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c, Type: arrow.BinaryTypes.String, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, r := range rows {
		for i, v := range r {
			if v == "" {
				b.Field(i).AppendNull()
			} else {
				b.Field(i).(*array.StringBuilder).Append(v)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

// column generates n values with f.
func column(n int, f func(i int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func transpose(cols ...[]string) [][]string {
	rows := make([][]string, len(cols[0]))
	for i := range rows {
		rows[i] = make([]string, len(cols))
		for j := range cols {
			rows[i][j] = cols[j][i]
		}
	}
	return rows
}

// mobile returns a deterministic mainland mobile number for i.
func mobile(i int) string {
	prefixes := []string{"138", "139", "150", "186", "199", "177", "135"}
	return fmt.Sprintf("%s%08d", prefixes[i%len(prefixes)], (i*7919+13)%100000000)
}

// TestTrickyColumns: product codes and amounts are not personal data; valid
// mobile numbers are phones under a neutral header, and under a business
// header too (a header may flag a column for review, never clear it).
func TestTrickyColumns(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	n := 3000
	phoneLike := column(n, mobile) // real mobile segments, so values alone say "phone"
	cols := []string{"order_no", "订单号", "field_3", "product_code", "amount", "金额", "qty", "last_login"}
	data := [][]string{
		phoneLike,
		phoneLike,
		phoneLike,
		column(n, func(i int) string { return fmt.Sprintf("SKU-%04d-%c%c", i%9999, 'A'+i%26, 'Z'-i%26) }),
		column(n, func(i int) string { return fmt.Sprintf("%d,%03d.%02d", 1+i%90, i%1000, i%100) }),
		column(n, func(i int) string { return fmt.Sprintf("%d.%02d", 10+i*37%9000, i%100) }),
		column(n, func(i int) string { return fmt.Sprint(1 + i%20) }),
		column(n, func(i int) string { return fmt.Sprintf("2025-%02d-%02d 10:00:00", 1+i%12, 1+i%28) }),
	}
	rr := stringTable(t, mem, cols, transpose(data...))
	defer rr.Release()
	res, err := classify.Table(context.Background(), "orders", rr, defaultSet(t), classify.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"order_no": "phone", "订单号": "phone", "field_3": "phone", "product_code": "none",
		"amount": "none", "金额": "none", "qty": "none", "last_login": "none"}
	wantReview := map[string]bool{"order_no": true, "订单号": true}
	for _, c := range res.Columns {
		if c.Class != want[c.Name] || c.Review != wantReview[c.Name] {
			t.Errorf("%s: %s (%.2f, review %v), want %s: %v", c.Name, c.Class, c.Confidence, c.Review, want[c.Name], c.Evidence)
		}
	}
	c, _ := res.Column("order_no")
	if !strings.Contains(strings.Join(c.Evidence, ";"), "never clear it") {
		t.Errorf("order_no evidence does not explain why the header lost: %v", c.Evidence)
	}
}

// TestTypedColumns feeds Arrow types other than strings.
func TestTypedColumns(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "年龄", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "dob", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "col_x", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "created_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "balance", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}, Nullable: true},
		{Name: "vip", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "mobile", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "quantity", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	n := 2000
	base := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		if i%50 == 0 {
			for f := 0; f < schema.NumFields(); f++ {
				b.Field(f).AppendNull()
			}
			continue
		}
		birth := base.AddDate(0, 0, i*9)
		b.Field(0).(*array.Int64Builder).Append(int64(18 + i%60))
		b.Field(1).(*array.Date32Builder).Append(arrow.Date32FromTime(birth))
		b.Field(2).(*array.Date32Builder).Append(arrow.Date32FromTime(birth))
		b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro() + int64(i)*3_600_000_000))
		b.Field(4).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i * 12345)))
		b.Field(5).(*array.BooleanBuilder).Append(i%3 == 0)
		var m int64
		fmt.Sscan(mobile(i), &m)
		b.Field(6).(*array.Int64Builder).Append(m)
		b.Field(7).(*array.Int32Builder).Append(int32(i % 30))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	res, err := classify.Table(context.Background(), "typed", rr, defaultSet(t), classify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"年龄": "age", "dob": "birth_date", "col_x": "birth_date", "created_at": "none",
		"balance": "none", "vip": "none", "mobile": "phone", "quantity": "none"}
	for _, c := range res.Columns {
		if c.Class != want[c.Name] {
			t.Errorf("%s (%s): %s, want %s: %v", c.Name, c.Type, c.Class, want[c.Name], c.Evidence)
		}
		if c.NonNull != int64(n-n/50) {
			t.Errorf("%s: NonNull = %d", c.Name, c.NonNull)
		}
	}
	if res.Rows != int64(n) {
		t.Errorf("Rows = %d", res.Rows)
	}
}

func TestOverridesAndReview(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	n := 500
	cols := []string{"phone", "mobile", "nickname", "empty"}
	data := [][]string{
		column(n, func(i int) string { return fmt.Sprintf("ext %d", i) }), // header says phone, values do not
		column(n, mobile),
		column(n, func(i int) string { return fmt.Sprintf("cat%d", i%7) }),
		column(n, func(int) string { return "" }),
	}
	set := defaultSet(t)
	run := func(ov map[string]string) (*classify.TableResult, error) {
		rr := stringTable(t, mem, cols, transpose(data...))
		defer rr.Release()
		return classify.Table(context.Background(), "t", rr, set, classify.Options{Overrides: ov})
	}
	res, err := run(map[string]string{"mobile": "none", "nickname": "person_name"})
	if err != nil {
		t.Fatal(err)
	}
	ph, _ := res.Column("phone")
	if ph.Class != "phone" || !ph.Review || ph.Confidence >= classify.DefaultReviewBelow {
		t.Errorf("phone with non-phone values should be reviewed: %+v", ph)
	}
	mo, _ := res.Column("mobile")
	if !mo.Override || mo.Class != "none" || mo.Protection != "pass" || !strings.Contains(mo.Evidence[0], "the classifier said phone") {
		t.Errorf("mobile override: %+v", mo)
	}
	nn, _ := res.Column("nickname")
	if !nn.Override || nn.Class != "person_name" || nn.Category != "direct_identifier" || nn.Protection != "pseudonym" {
		t.Errorf("nickname override: %+v", nn)
	}
	em, _ := res.Column("empty")
	if em.Class != "none" || !em.Review || em.Sampled != 0 {
		t.Errorf("empty column: %+v", em)
	}

	_, err = run(map[string]string{"nope": "phone", "mobile": "telepathy"})
	if !errors.Is(err, classify.ErrOverride) || !errors.Is(err, rules.ErrUnknownClass) ||
		!strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), "telepathy") {
		t.Errorf("bad overrides: %v", err)
	}
}

func TestCancel(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rr := stringTable(t, mem, []string{"a"}, [][]string{{"x"}})
	defer rr.Release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := classify.Table(ctx, "t", rr, defaultSet(t), classify.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

// smallCustomers is a fixed little table for the golden file.
func smallCustomers(t testing.TB, mem memory.Allocator) array.RecordReader {
	n := 400
	names := []string{"张伟", "王芳", "欧阳娜娜", "李强", "Mary Smith", "刘洋", "陈静", "诸葛明"}
	return stringTable(t, mem,
		[]string{"customer_id", "姓名", "手机号", "邮箱", "身份证号", "field_6", "订单号", "备注"},
		transpose(
			column(n, func(i int) string { return fmt.Sprintf("C%08d", 10000000+i*3) }),
			column(n, func(i int) string { return names[i%len(names)] }),
			column(n, mobile),
			column(n, func(i int) string { return fmt.Sprintf("user%d@example.com", i) }),
			column(n, func(i int) string {
				body := fmt.Sprintf("110105%04d%02d%02d%03d", 1950+i%50, 1+i%12, 1+i%28, i%1000)
				c, _ := rules.GB11643CheckChar(body)
				return body + string(c)
			}),
			column(n, func(i int) string { return fmt.Sprintf("%d.%d.%d.%d", 36+i%50, i%256, (i*7)%256, 1+i%254) }),
			column(n, func(i int) string { return fmt.Sprintf("1%02d%02d%02d%04d", 24, 1+i%12, 1+i%28, i) }),
			column(n, func(i int) string {
				switch i % 5 {
				case 0:
					return "请拨打" + mobile(i) + "联系"
				case 1:
					return ""
				}
				return "客户希望下周回访"
			}),
		))
}

func TestGoldenJSONAndAnnotate(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rr := smallCustomers(t, mem)
	defer rr.Release()
	set := defaultSet(t)
	res, err := classify.Table(context.Background(), "customers", rr, set, classify.Options{
		Seed: 7, Snapshot: "20261101T000000Z-0001", Now: time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"customer_id": "record_id", "姓名": "person_name", "手机号": "phone", "邮箱": "email",
		"身份证号": "cn_resident_id", "field_6": "ip_address", "订单号": "none", "备注": "free_text_pii"}
	for _, c := range res.Columns {
		if c.Class != want[c.Name] {
			t.Errorf("%s: %s, want %s (%v)", c.Name, c.Class, want[c.Name], c.Evidence)
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "classification.json")
	if err := classify.WriteJSON(path, res); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The pack digest changes with every edit of the built-in pack: mask it.
	masked := maskDigests(got)
	goldenPath := filepath.Join("testdata", "expected", "customers_small.json")
	if *update {
		if err := os.WriteFile(goldenPath, masked, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if want, err := os.ReadFile(goldenPath); err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	} else if !bytes.Equal(want, masked) {
		t.Errorf("classification.json differs from %s:\n%s", goldenPath, masked)
	}
	back, err := classify.ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Columns {
		res.Columns[i].Basis = classify.Basis{} // not written
	}
	if fmt.Sprint(back.Columns) != fmt.Sprint(res.Columns) || !back.Created.Equal(res.Created) {
		t.Error("ReadJSON does not round-trip")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if _, err := classify.DecodeJSON(strings.NewReader(`{"format":99}`)); !errors.Is(err, classify.ErrFormat) {
		t.Errorf("format 99: %v", err)
	}

	md := arrow.NewMetadata([]string{"source.type", "vigil.class"}, []string{"varchar", "stale"})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "手机号", Type: arrow.BinaryTypes.String, Metadata: md},
		{Name: "not_classified", Type: arrow.BinaryTypes.String},
	}, nil)
	ann := classify.Annotate(schema, res)
	f := ann.Field(0)
	for k, v := range map[string]string{"source.type": "varchar", classify.MetaClass: "phone", classify.MetaCategory: "direct_identifier",
		classify.MetaProtection: "mask(keep_prefix=3)", classify.MetaReview: "false", classify.MetaOverride: "false"} {
		if got, ok := f.Metadata.GetValue(k); !ok || got != v {
			t.Errorf("metadata %s = %q, want %q", k, got, v)
		}
	}
	if f.Metadata.Len() != 7 {
		t.Errorf("metadata has %d keys: %v", f.Metadata.Len(), f.Metadata)
	}
	if ann.Field(1).HasMetadata() || schema.Field(0).Metadata.Len() != 2 {
		t.Error("Annotate touched an unclassified field or the input schema")
	}
}

func maskDigests(b []byte) []byte {
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		if strings.Contains(l, `"digest":`) {
			lines[i] = l[:strings.Index(l, `"digest":`)] + `"digest": "…"`
			if strings.HasSuffix(l, ",") {
				lines[i] += ","
			}
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// TestEvidenceHasNoValues classifies demo data and checks that no sampled
// value appears in the evidence or in classification.json.
func TestEvidenceHasNoValues(t *testing.T) {
	set := defaultSet(t)
	_, _, results := classifyDemo(t, set, 1500, 3)
	values := demoValues(t, 1500, 3)
	for _, r := range results {
		path := filepath.Join(t.TempDir(), "c.json")
		if err := classify.WriteJSON(path, r); err != nil {
			t.Fatal(err)
		}
		js, _ := os.ReadFile(path)
		// "created" is a timestamp of the run, which may coincide with a date in the data.
		js = regexp.MustCompile(`"created": "[^"]*"`).ReplaceAll(js, nil)
		for _, c := range r.Columns {
			for v := range values[r.Table+"."+c.Name] {
				for _, e := range c.Evidence {
					if strings.Contains(e, v) {
						t.Fatalf("%s.%s: evidence %q contains a value", r.Table, c.Name, e)
					}
				}
				if bytes.Contains(js, []byte(v)) {
					t.Fatalf("%s.%s: classification.json contains a value", r.Table, c.Name)
				}
			}
		}
	}
}

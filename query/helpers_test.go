package query

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/expected")

// secretLiteral is a value only the analyst's SQL holds; the access log
// must never contain it.
const secretLiteral = "Zhang San 13800138000"

// writeParquet writes one record batch built by fill to path, with a
// checked allocator so that a missing Release fails the test.
func writeParquet(t testing.TB, path string, schema *arrow.Schema, fill func(b *array.RecordBuilder)) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	fill(b)
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fw, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(parquet.WithAllocator(mem)),
		pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem), pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
}

var customersSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "city", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "age_band", Type: arrow.BinaryTypes.String},
	{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "signup", Type: arrow.FixedWidthTypes.Date32},
	{Name: "last_seen", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "active", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

func fillCustomers(b *array.RecordBuilder) {
	ids := []int64{1, 2, 3, 4, 5}
	names := []string{"tok_7QK2M", "张*", "tok_" + strings.Repeat("X", 60), "O'Brien, \"Jr\"\nline2", "esc\x1b[31mred"}
	cities := []string{"北京市", "Berlin", "", "Zürich", "上海"}
	bands := []string{"30-39", "40-49", "30-39", "20-29", "*"}
	scores := []float64{1.5, 2, 0, -3.25, 1e21}
	for i := range ids {
		b.Field(0).(*array.Int64Builder).Append(ids[i])
		b.Field(1).(*array.StringBuilder).Append(names[i])
		if cities[i] == "" {
			b.Field(2).(*array.StringBuilder).AppendNull()
		} else {
			b.Field(2).(*array.StringBuilder).Append(cities[i])
		}
		b.Field(3).(*array.StringBuilder).Append(bands[i])
		if i == 2 {
			b.Field(4).(*array.Float64Builder).AppendNull()
		} else {
			b.Field(4).(*array.Float64Builder).Append(scores[i])
		}
		day := time.Date(2024, 1, 1+i*40, 0, 0, 0, 0, time.UTC)
		b.Field(5).(*array.Date32Builder).Append(arrow.Date32FromTime(day))
		ts := time.Date(2025, 3, 4, 5, 6, 7, i*250_000_000, time.UTC)
		b.Field(6).(*array.TimestampBuilder).Append(arrow.Timestamp(ts.UnixMicro()))
		b.Field(7).(*array.BooleanBuilder).Append(i%2 == 0)
	}
}

var ordersSchema = arrow.NewSchema([]arrow.Field{
	{Name: "order_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "customer_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "amount", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}},
}, nil)

func fillOrders(from, n int) func(b *array.RecordBuilder) {
	return func(b *array.RecordBuilder) {
		for i := from; i < from+n; i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(100 + i))
			b.Field(1).(*array.Int64Builder).Append(int64(1 + i%3))
			b.Field(2).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(1999 + 1000*i)))
		}
	}
}

const customersMeta = `{
  "format": "vigil.dataset/v1",
  "table": "customers",
  "created": "2025-03-04T05:06:07Z",
  "rows_in": 6,
  "rows_written": 5,
  "rows_suppressed": 1,
  "columns": [
    {"name": "id", "type": "int64", "source": "unclassified", "protection": {"method": "keep"}},
    {"name": "name", "type": "utf8", "class": "person_name", "category": "direct_identifier", "source": "class default", "protection": {"method": "pseudonym"}},
    {"name": "city", "type": "utf8", "class": "city", "category": "quasi_identifier", "source": "policy", "protection": {"method": "generalize"}, "quasi_identifier": true, "level": 1},
    {"name": "age_band", "type": "utf8", "class": "age", "source": "policy", "protection": {"method": "generalize"}, "quasi_identifier": true},
    {"name": "phone", "class": "phone", "source": "class default", "protection": {"method": "drop"}}
  ],
  "privacy": {"algorithm": "flash", "k_reached": 2, "l_reached": 0, "suppressed_records": 1, "information_loss": 0.25}
}
`

// home is a Vigil home with two datasets, a raw snapshot, a hidden
// temporary dataset and a directory that is not a dataset.
type home struct {
	dir, datasets, logPath, snapshot, hidden, notDataset string
}

func newHome(t testing.TB) *home {
	t.Helper()
	dir := t.TempDir()
	h := &home{
		dir:      dir,
		datasets: filepath.Join(dir, "datasets"),
		logPath:  LogPath(dir),
	}
	cust := filepath.Join(h.datasets, "customers")
	writeParquet(t, filepath.Join(cust, "part-00000.parquet"), customersSchema, fillCustomers)
	writeFile(t, filepath.Join(cust, MetadataFile), customersMeta)
	orders := filepath.Join(h.datasets, "orders")
	writeParquet(t, filepath.Join(orders, "part-00000.parquet"), ordersSchema, fillOrders(0, 3))
	writeParquet(t, filepath.Join(orders, "part-00001.parquet"), ordersSchema, fillOrders(3, 2))
	writeFile(t, filepath.Join(orders, MetadataFile), `{"format": "vigil.dataset/v1", "table": "orders", "rows_written": 5}`)

	h.snapshot = filepath.Join(dir, "store", "snapshots", "customers", "20250304T050607Z-ab12", "data-00000.parquet")
	writeParquet(t, h.snapshot, customersSchema, fillCustomers)
	h.hidden = filepath.Join(h.datasets, ".tmp-customers-123", "part-00000.parquet")
	writeParquet(t, h.hidden, customersSchema, fillCustomers)
	h.notDataset = filepath.Join(h.datasets, "raw_dump", "part-00000.parquet")
	writeParquet(t, h.notDataset, customersSchema, fillCustomers)
	return h
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fakeClock starts at a fixed instant and moves 1.5 ms on every reading,
// so durations in golden files are stable.
func fakeClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now := t
		t = t.Add(1500 * time.Microsecond)
		return now
	}
}

func open(t *testing.T, h *home, opts Options) *Session {
	t.Helper()
	opts.Datasets = h.datasets
	opts.LogPath = h.logPath
	if opts.Now == nil {
		opts.Now = fakeClock()
	}
	if opts.Host == "" {
		opts.Host = "testhost"
	}
	s, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func run(t *testing.T, s *Session, sql string) (string, *Stats) {
	t.Helper()
	var out bytes.Buffer
	st, err := s.Exec(context.Background(), sql, &out)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out.String(), st
}

// golden compares got with testdata/expected/name (rewritten by -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "expected", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s changed (go test -update rewrites it):\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

// logEntries reads the access log.
func logEntries(t *testing.T, path string) []LogEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []LogEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		var e LogEntry
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// ioPipe returns a reader that blocks until the writer writes or closes.
func ioPipe() (*io.PipeReader, *io.PipeWriter) { return io.Pipe() }

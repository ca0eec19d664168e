package classify_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/vigil-dg/vigil/demo"
	"github.com/vigil-dg/vigil/stages/classify"
)

// benchRows is the size of the customers table in the benchmarks:
// VIGIL_BENCH_ROWS, default 1,000,000.
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("VIGIL_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

var benchData struct {
	once   sync.Once
	schema *arrow.Schema
	recs   []arrow.RecordBatch
	err    error
}

// customersBatches generates demo customers once per process and keeps them
// in memory as 64k-row batches of string columns.
func customersBatches(b *testing.B) (*arrow.Schema, []arrow.RecordBatch) {
	benchData.once.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-classify-bench-")
		if err != nil {
			benchData.err = err
			return
		}
		defer os.RemoveAll(dir)
		if _, err := demo.Generate(context.Background(), demo.Options{Rows: benchRows(), Seed: 42, Out: dir}); err != nil {
			benchData.err = err
			return
		}
		benchData.schema, benchData.recs, benchData.err = readCSV(filepath.Join(dir, "customers.csv"), memory.NewGoAllocator(), 64*1024)
	})
	if benchData.err != nil {
		b.Fatal(benchData.err)
	}
	return benchData.schema, benchData.recs
}

func totalRows(recs []arrow.RecordBatch) int64 {
	var n int64
	for _, r := range recs {
		n += r.NumRows()
	}
	return n
}

// classifyOnce streams every batch through the classifier.
func classifyOnce(b *testing.B, schema *arrow.Schema, recs []arrow.RecordBatch) *classify.TableResult {
	rr, err := array.NewRecordReader(schema, recs)
	if err != nil {
		b.Fatal(err)
	}
	defer rr.Release()
	res, err := classify.Table(context.Background(), "customers", rr, defaultSet(b), classify.Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// writeSnapshotLike writes the batches as one encrypted Parquet file the way
// the snapshot stage does (AES_GCM_V1, DataPage V1, dictionary, Snappy,
// 128k-row groups, SHA-256 of the bytes written).
func writeSnapshotLike(b *testing.B, schema *arrow.Schema, recs []arrow.RecordBatch) {
	key := make([]byte, 32)
	rand.Read(key)
	f, err := os.CreateTemp(b.TempDir(), "data-*.parquet")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	h := sha256.New()
	enc := parquet.NewFileEncryptionProperties(string(key), parquet.WithAlg(parquet.AesGcm))
	props := parquet.NewWriterProperties(
		parquet.WithDataPageVersion(parquet.DataPageV1), parquet.WithVersion(parquet.V2_6),
		parquet.WithDictionaryDefault(true), parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithBloomFilterEnabled(false), parquet.WithPageIndexEnabled(false),
		parquet.WithMaxRowGroupLength(128*1024), parquet.WithEncryptionProperties(enc))
	w, err := pqarrow.NewFileWriter(schema, io.MultiWriter(bw, h), props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range recs {
		if err := w.WriteBuffered(r); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkClassifyCustomers classifies the whole customers table (every
// batch streamed, 10,000-value samples). Metrics: rows streamed per second
// and sampled values classified per second.
func BenchmarkClassifyCustomers(b *testing.B) {
	schema, recs := customersBatches(b)
	rows := totalRows(recs)
	var sampled int64
	b.ResetTimer()
	for b.Loop() {
		res := classifyOnce(b, schema, recs)
		sampled = 0
		for _, c := range res.Columns {
			sampled += c.Sampled
		}
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(rows)/sec, "rows/s")
	b.ReportMetric(float64(sampled)/sec, "values/s")
}

// BenchmarkWriteSnapshotLike writes the same table as encrypted Parquet.
func BenchmarkWriteSnapshotLike(b *testing.B) {
	schema, recs := customersBatches(b)
	rows := totalRows(recs)
	b.ResetTimer()
	for b.Loop() {
		writeSnapshotLike(b, schema, recs)
	}
	b.ReportMetric(float64(rows)/(b.Elapsed().Seconds()/float64(b.N)), "rows/s")
}

// BenchmarkClassifyVsWrite reports classification time as a fraction of the
// time it takes to write the same snapshot (target: ≤ 0.5).
func BenchmarkClassifyVsWrite(b *testing.B) {
	schema, recs := customersBatches(b)
	var cl, wr time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		classifyOnce(b, schema, recs)
		t1 := time.Now()
		writeSnapshotLike(b, schema, recs)
		cl += t1.Sub(t0)
		wr += time.Since(t1)
	}
	b.ReportMetric(cl.Seconds()/wr.Seconds(), "classify/write")
	b.ReportMetric(cl.Seconds()/float64(b.N), "classify-s")
	b.ReportMetric(wr.Seconds()/float64(b.N), "write-s")
}

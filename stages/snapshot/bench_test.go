package snapshot

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"
)

// crmSchema is a typical CRM customer table.
func crmSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "customer_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "phone", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "id_number", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "city", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "balance", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}, Nullable: true},
		{Name: "birth_date", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "created_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "active", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
}

var cities = []string{"北京", "上海", "广州", "深圳", "杭州", "成都", "London", "Berlin", "Paris", "New York"}
var surnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "Smith", "Müller"}

// crmBatch makes n synthetic CRM rows starting at id start.
func crmBatch(alloc memory.Allocator, start, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(alloc, crmSchema())
	defer b.Release()
	for i := start; i < start+n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("%s%d", surnames[i%len(surnames)], i%9973))
		if i%17 == 0 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("user%d@example%d.com", i, i%50))
		}
		b.Field(3).(*array.StringBuilder).Append(fmt.Sprintf("+86 1%010d", (i*7919)%10000000000))
		b.Field(4).(*array.StringBuilder).Append(fmt.Sprintf("1101011990%04d%04d", i%10000, (i*31)%10000))
		b.Field(5).(*array.StringBuilder).Append(cities[i%len(cities)])
		b.Field(6).(*array.Decimal128Builder).Append(decimal128.FromI64(int64((i*104729)%10000000) - 1000000))
		b.Field(7).(*array.Date32Builder).Append(arrow.Date32(-3000 + i%20000))
		b.Field(8).(*array.TimestampBuilder).Append(arrow.Timestamp(1_600_000_000_000_000 + int64(i)*1_000_003))
		b.Field(9).(*array.BooleanBuilder).Append(i%3 != 0)
		b.Field(10).(*array.Float64Builder).Append(math.Mod(float64(i)*0.618033, 100))
	}
	return b.NewRecordBatch()
}

const benchBatchRows = 8192

// benchBatches pre-builds a pool of batches that the benchmarks cycle
// through, so that generation is not measured.
func benchBatches(b *testing.B) []arrow.RecordBatch {
	var out []arrow.RecordBatch
	for k := 0; k < 16; k++ {
		out = append(out, crmBatch(memory.DefaultAllocator, k*benchBatchRows, benchBatchRows))
	}
	b.Cleanup(func() {
		for _, r := range out {
			r.Release()
		}
	})
	return out
}

func benchWrite(b *testing.B, rows int, codec compress.Compression) *Manifest {
	return benchWriteDict(b, rows, codec, defaultDict)
}

func benchWriteDict(b *testing.B, rows int, codec compress.Compression, dict dictMode) *Manifest {
	ctx := context.Background()
	batches := benchBatches(b)
	var m *Manifest
	cpu0 := cpuTime()
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		opts := testOptions(b, b.TempDir())
		w, err := Create(ctx, opts, crmSchema())
		if err != nil {
			b.Fatal(err)
		}
		w.codec = codec
		w.dict = dict
		for n, k := 0, 0; n < rows; k++ {
			rec := batches[k%len(batches)]
			if rows-n < benchBatchRows {
				rec = rec.NewSlice(0, int64(rows-n))
				defer rec.Release()
			}
			if err := w.Write(rec); err != nil {
				b.Fatal(err)
			}
			n += int(rec.NumRows())
		}
		if m, err = w.Commit(ctx, int64(rows)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu := (cpuTime() - cpu0).Seconds() / float64(b.N)
	var size int64
	for _, f := range m.Files {
		size += f.Size
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(rows)/sec, "rows/s")
	b.ReportMetric(float64(size)/1e6/sec, "outMB/s")
	b.ReportMetric(float64(size)/1e6, "outMB")
	b.ReportMetric(float64(peakRSS())/1e6, "peakRSS_MB")
	b.ReportMetric(cpu, "cpu_s/op")
	b.ReportMetric(float64(rows)/cpu, "rows/cpu_s")
	return m
}

// cpuTime is the user+system CPU time of the process; on a shared machine
// it is a steadier measure than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss * 1024 // kilobytes on Linux
}

// BenchmarkWrite1M writes a 1,000,000-row CRM table (11 columns).
func BenchmarkWrite1M(b *testing.B) { benchWrite(b, 1_000_000, codec()) }

// BenchmarkWriteRows measures peak RSS growth; run each size in its own
// process: go test -run XXX -bench 'WriteRows/rows=5000000' -benchtime 1x
func BenchmarkWriteRows(b *testing.B) {
	for _, rows := range []int{500_000, 5_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) { benchWrite(b, rows, codec()) })
	}
}

// BenchmarkCompression compares codecs on the same 1M rows.
func BenchmarkCompression(b *testing.B) {
	for _, c := range []compress.Compression{compress.Codecs.Uncompressed, compress.Codecs.Snappy, compress.Codecs.Zstd, compress.Codecs.Lz4Raw} {
		b.Run(c.String(), func(b *testing.B) { benchWrite(b, 1_000_000, c) })
	}
}

// BenchmarkDictionary compares dictionary encoding choices.
func BenchmarkDictionary(b *testing.B) {
	for _, d := range []struct {
		name string
		mode dictMode
	}{{"all", dictAll}, {"strings", dictStrings}, {"none", dictNone}} {
		b.Run(d.name, func(b *testing.B) { benchWriteDict(b, 1_000_000, codec(), d.mode) })
	}
}

// BenchmarkDigest measures the content digest alone.
func BenchmarkDigest(b *testing.B) {
	batches := benchBatches(b)
	d, _ := NewDigester(crmSchema())
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := d.Add(batches[i%len(batches)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N*benchBatchRows), "cpu_ns/row")
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N*benchBatchRows)/sec, "rows/s")
	b.ReportMetric(sec*1e9/float64(b.N*benchBatchRows), "ns/row")
}

// BenchmarkRead1M decrypts and reads a 1M-row snapshot (checksums
// included).
func BenchmarkRead1M(b *testing.B) {
	ctx := context.Background()
	batches := benchBatches(b)
	opts := testOptions(b, b.TempDir())
	var cpu0 time.Duration
	w, err := Create(ctx, opts, crmSchema())
	if err != nil {
		b.Fatal(err)
	}
	const rows = 1_000_000
	for n, k := 0, 0; n < rows; k++ {
		rec := batches[k%len(batches)]
		if rows-n < benchBatchRows {
			rec = rec.NewSlice(0, int64(rows-n))
			defer rec.Release()
		}
		if err := w.Write(rec); err != nil {
			b.Fatal(err)
		}
		n += int(rec.NumRows())
	}
	m, err := w.Commit(ctx, rows)
	if err != nil {
		b.Fatal(err)
	}
	s, err := Open(ctx, opts.Store, m.Ref(), opts.Keys, opts.Auth)
	if err != nil {
		b.Fatal(err)
	}
	cpu0 = cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rr, err := s.Records(ctx, memory.DefaultAllocator)
		if err != nil {
			b.Fatal(err)
		}
		var n int64
		for rr.Next() {
			n += rr.RecordBatch().NumRows()
		}
		if rr.Err() != nil || n != rows {
			b.Fatal(n, rr.Err())
		}
		rr.Release()
	}
	b.ReportMetric(float64(rows)/(b.Elapsed().Seconds()/float64(b.N)), "rows/s")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu_s/op")
}

// BenchmarkWriteLongText writes 200,000 rows with a 2 KiB free-text
// column, the case where row groups are cut by size (maxRowGroupBytes)
// rather than by rows. Run it in its own process to read peakRSS_MB:
// go test -run XXX -bench WriteLongText -benchtime 1x
func BenchmarkWriteLongText(b *testing.B) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "notes", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	const rows, batch = 200_000, 4096
	var batches []arrow.RecordBatch
	for k := 0; k < 4; k++ {
		bl := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := 0; i < batch; i++ {
			r := k*batch + i
			bl.Field(0).(*array.Int64Builder).Append(int64(r))
			bl.Field(1).(*array.StringBuilder).Append(longText(r, 2048))
		}
		batches = append(batches, bl.NewRecordBatch())
		bl.Release()
	}
	defer func() {
		for _, r := range batches {
			r.Release()
		}
	}()
	ctx := context.Background()
	var m *Manifest
	cpu0 := cpuTime()
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		opts := testOptions(b, b.TempDir())
		w, err := Create(ctx, opts, schema)
		if err != nil {
			b.Fatal(err)
		}
		for n, k := 0, 0; n < rows; k++ {
			rec := batches[k%len(batches)]
			if err := w.Write(rec); err != nil {
				b.Fatal(err)
			}
			n += int(rec.NumRows())
		}
		if m, err = w.Commit(ctx, w.Rows()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(m.Rows)/sec, "rows/s")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu_s/op")
	b.ReportMetric(float64(peakRSS())/1e6, "peakRSS_MB")
}

// longText is n bytes of pseudo-random words, different for every row.
func longText(row, n int) string {
	words := []string{"customer", "called", "complaint", "address", "changed", "follow-up", "VIP", "refund", "contract", "renewal"}
	var sb strings.Builder
	x := uint64(row)*2654435761 + 1
	for sb.Len() < n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		sb.WriteString(words[x%uint64(len(words))])
		sb.WriteString(strconv.FormatUint(x%1000, 10))
		sb.WriteByte(' ')
	}
	return sb.String()[:n]
}

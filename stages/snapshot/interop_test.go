package snapshot

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
)

// largeChunkSchema has the column shapes that arrow-go's default 1 MiB
// data pages split into several pages per column chunk: a unique text
// column whose dictionary outgrows its limit after the first page was cut
// (dictionary page, dictionary-encoded page, then PLAIN pages: the address
// column of the demo customers table), a repetitive long text
// column (dictionary kept, many pages) and a binary column (no
// dictionary, many pages).
func largeChunkSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "address", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "segment", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "blob", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "amount", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}, Nullable: true},
	}, nil)
}

// largeChunkRecord makes rows [start, start+n); row big (if in range) has
// an address of bigLen bytes.
func largeChunkRecord(alloc memory.Allocator, start, n, big, bigLen int) arrow.RecordBatch {
	b := array.NewRecordBuilder(alloc, largeChunkSchema())
	defer b.Release()
	for r := start; r < start+n; r++ {
		b.Field(0).(*array.Int64Builder).Append(int64(r))
		switch {
		case r == big:
			b.Field(1).(*array.StringBuilder).Append(strings.Repeat("长", bigLen/3))
		case r%13 == 0:
			b.Field(1).AppendNull()
		default:
			k := r * 9 / 10 // 90% distinct, like the demo's addresses
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("%d号 %s 路 %0300d", k, cities[k%len(cities)], k*7919))
		}
		b.Field(2).(*array.StringBuilder).Append(strings.Repeat(surnames[r%len(surnames)], 60))
		blob := make([]byte, 300)
		for i := range blob {
			blob[i] = byte(r*31 + i*i)
		}
		b.Field(3).(*array.BinaryBuilder).Append(blob)
		if r%7 == 0 {
			b.Field(4).AppendNull()
		} else {
			b.Field(4).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(r*104729%1000000) - 5000))
		}
	}
	return b.NewRecordBatch()
}

// chunkLayout describes one column chunk of an encrypted file.
type chunkLayout struct {
	rowGroup, column   int
	rows               int64
	dictPages, dataPgs int
	uncompressed       int64
}

// fileLayout decrypts a data file of s and lists its column chunks and
// their pages.
func fileLayout(t *testing.T, s *Snapshot, name string) []chunkLayout {
	t.Helper()
	dek, err := s.DataKey(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(s.Path(name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	props := parquet.NewReaderProperties(memory.DefaultAllocator)
	props.FileDecryptProps = parquet.NewFileDecryptionProperties(parquet.WithFooterKey(string(dek)))
	pf, err := file.NewParquetReader(f, file.WithReadProps(props))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	var out []chunkLayout
	for rg := 0; rg < pf.NumRowGroups(); rg++ {
		rgr := pf.RowGroup(rg)
		for c := 0; c < rgr.NumColumns(); c++ {
			md, err := rgr.MetaData().ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			cl := chunkLayout{rowGroup: rg, column: c, rows: rgr.NumRows(), uncompressed: md.TotalUncompressedSize()}
			pr, err := rgr.GetColumnPageReader(c)
			if err != nil {
				t.Fatal(err)
			}
			for pr.Next() {
				switch pr.Page().Type() {
				case file.PageTypeDictionaryPage:
					cl.dictPages++
				case file.PageTypeDataPage, file.PageTypeDataPageV2:
					cl.dataPgs++
				}
			}
			if err := pr.Err(); err != nil {
				t.Fatal(err)
			}
			out = append(out, cl)
		}
	}
	return out
}

// duckDigest has DuckDB read every data file of s with its key and
// compute the row count and content digest.
func duckDigest(t *testing.T, s *Snapshot, schema *arrow.Schema) (int64, string) {
	t.Helper()
	ctx := context.Background()
	conn := duckDB(t)
	rel := duckRelation(t, conn, s)
	var n int64
	var digest string
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+rel).Scan(&n); err != nil {
		t.Fatalf("DuckDB count: %v", err)
	}
	if err := conn.QueryRowContext(ctx, DigestSQL(schema, rel)).Scan(&digest); err != nil {
		t.Fatalf("DuckDB digest: %v", err)
	}
	return n, digest
}

// TestDuckDBReadsLargeChunks is the regression test for DuckDB failing
// with "Computed AES tag differs from read AES tag" on column chunks with
// more than one data page (see doc.go, "DuckDB interoperability"): every
// encrypted column chunk has one data page whatever its size and
// dictionary fallback, row groups are also cut by size, and DuckDB reads
// it all with the manifest's digest.
func TestDuckDBReadsLargeChunks(t *testing.T) {
	const rows = 6000
	for _, tc := range []struct {
		name    string
		rgBytes int64 // 0: maxRowGroupBytes
		big     int   // row with a long address, -1 for none
		bigLen  int
		dict    dictMode
	}{
		{name: "one row group", big: -1, dict: defaultDict},
		{name: "row groups cut by size", rgBytes: 512 << 10, big: 4321, bigLen: 700 << 10, dict: defaultDict},
		// Dictionary encoding is off by default; the shapes it gives (a
		// dictionary page, fallback to PLAIN) must still read.
		{name: "dictionary one row group", big: -1, dict: dictStrings},
		{name: "dictionary row groups cut by size", rgBytes: 512 << 10, big: 4321, bigLen: 700 << 10, dict: dictStrings},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer alloc.AssertSize(t, 0)
			opts := testOptions(t, t.TempDir())
			opts.Alloc = alloc
			schema := largeChunkSchema()
			w, err := Create(ctx, opts, schema)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			if tc.rgBytes > 0 {
				w.rgBytes = tc.rgBytes
			}
			w.dict = tc.dict
			for start := 0; start < rows; start += 1000 {
				rec := largeChunkRecord(alloc, start, 1000, tc.big, tc.bigLen)
				err := w.Write(rec)
				rec.Release()
				if err != nil {
					t.Fatal(err)
				}
			}
			m, err := w.Commit(ctx, rows)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(ctx, opts.Store, m.Ref(), opts.Keys, opts.Auth)
			if err != nil {
				t.Fatal(err)
			}

			layout := fileLayout(t, s, m.DataFiles()[0].Name)
			rowGroups := map[int]int64{}
			multiPageShape, dictPages := false, 0
			for _, cl := range layout {
				rowGroups[cl.rowGroup] = cl.rows
				dictPages += cl.dictPages
				if cl.dataPgs != 1 || cl.dictPages > 1 {
					t.Errorf("row group %d column %d has %d data pages and %d dictionary pages, want 1 and at most 1",
						cl.rowGroup, cl.column, cl.dataPgs, cl.dictPages)
				}
				// arrow-go's default page size would have split this chunk.
				if cl.uncompressed > parquet.DefaultDataPageSize {
					multiPageShape = true
				}
			}
			if tc.dict == dictStrings && dictPages == 0 {
				t.Error("no dictionary page: the test data lost its shape")
			}
			if tc.rgBytes == 0 && !multiPageShape {
				t.Error("no column chunk is larger than one default data page: the test data lost its shape")
			}
			switch {
			case tc.rgBytes == 0 && len(rowGroups) != 1:
				t.Errorf("%d row groups, want 1", len(rowGroups))
			case tc.rgBytes > 0:
				// ~860 estimated bytes a row: about 600 rows a row group,
				// and the long row alone in its own.
				if len(rowGroups) < 10 {
					t.Errorf("%d row groups, want the size bound to cut at least 10", len(rowGroups))
				}
				single := 0
				for _, n := range rowGroups {
					if n == 1 {
						single++
					}
				}
				if single != 1 {
					t.Errorf("%d one-row row groups, want 1 (the row larger than the bound)", single)
				}
			}

			n, digest := duckDigest(t, s, schema)
			if n != m.Rows || digest != m.Digest {
				t.Errorf("DuckDB reads %d rows, digest %s; manifest %d rows, digest %s", n, digest, m.Rows, m.Digest)
			}
		})
	}
}

func TestPlainSizer(t *testing.T) {
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "d", Type: &arrow.Decimal128Type{Precision: 38, Scale: 2}, Nullable: true},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(alloc, schema)
	defer b.Release()
	for r := 0; r < 10; r++ {
		b.Field(0).(*array.Int8Builder).Append(int8(r))
		if r == 3 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(strings.Repeat("x", r))
		}
		b.Field(2).(*array.LargeStringBuilder).Append(strings.Repeat("y", 2*r))
		b.Field(3).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(r)))
		b.Field(4).(*array.BooleanBuilder).Append(r%2 == 0)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	slice := rec.NewSlice(2, 10) // rows 2..9: offsets do not start at 0
	defer slice.Release()

	s := newPlainSizer(schema)
	const perRow = 4 + 4 + 4 + 16 + 4 // i8 as INT32, two length prefixes, decimal, bool
	for _, tc := range []struct {
		name   string
		rec    arrow.RecordBatch
		off, n int64
		want   int64
	}{
		{"all", rec, 0, 10, 10*perRow + 42 + 90}, // row 3's string is NULL
		{"none", rec, 4, 0, 0},
		{"null string", rec, 3, 1, perRow + 0 + 6},
		{"slice", slice, 1, 3, 3*perRow + (3 + 4 + 5) - 3 + 2*(3+4+5)}, // rows 3..5, row 3's string is NULL
	} {
		if got := s.size(tc.rec, tc.off, tc.n); got != tc.want {
			t.Errorf("%s: size = %d, want %d", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		budget, want int64
	}{
		{0, 0}, {perRow - 1, 0}, {perRow, 1}, {2*perRow + 1 + 2, 2}, {2*perRow + 1 + 2 - 1, 1}, {1 << 20, 10},
	} {
		if got := s.fit(rec, 0, 10, tc.budget); got != tc.want {
			t.Errorf("fit(budget %d) = %d, want %d", tc.budget, got, tc.want)
		}
	}
}

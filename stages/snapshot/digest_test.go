package snapshot

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestAppendDecimal(t *testing.T) {
	big, _ := decimal128.FromString("12345678901234567890123456.789012345678", 38, 12)
	tests := []struct {
		v    decimal128.Num
		p, s int32
		want string
	}{
		{decimal128.FromI64(123456), 18, 2, "1234.56"},
		{decimal128.FromI64(-5), 18, 2, "-0.05"},
		{decimal128.FromI64(0), 18, 2, "0.00"},
		{decimal128.FromI64(5), 5, 0, "5"},
		{decimal128.FromI64(-10000000000), 38, 10, "-1.0000000000"},
		{big, 38, 12, "12345678901234567890123456.789012345678"},
		{big.Negate(), 38, 12, "-12345678901234567890123456.789012345678"},
		{decimal128.FromI64(500), 3, 3, ".500"},
		{decimal128.FromI64(-500), 3, 3, "-.500"},
		{decimal128.FromI64(0), 3, 3, ".000"},
		{decimal128.FromI64(1), 4, 2, "0.01"},
		{decimal128.FromI64(-5), 2, 1, "-0.5"},
		{decimal128.FromI64(math.MinInt64), 38, 0, "-9223372036854775808"},
	}
	for _, tt := range tests {
		if got := string(AppendDecimal(nil, tt.v, tt.p, tt.s)); got != tt.want {
			t.Errorf("AppendDecimal(%v, %d, %d) = %q, want %q", tt.v, tt.p, tt.s, got, tt.want)
		}
	}
}

func TestAppendFloat(t *testing.T) {
	tests := []struct {
		v    float64
		bits int
		want string
	}{
		{0.1, 64, "0.1"}, {1e20, 64, "1e+20"}, {123456789, 64, "123456789.0"}, {1.5e-7, 64, "1.5e-07"},
		{100, 64, "100.0"}, {1.0 / 3, 64, "0.3333333333333333"}, {math.NaN(), 64, "nan"},
		{math.Inf(1), 64, "inf"}, {math.Inf(-1), 64, "-inf"}, {math.Copysign(0, -1), 64, "-0.0"},
		{1e15, 64, "1000000000000000.0"}, {1e16, 64, "1e+16"}, {1e-5, 64, "1e-05"}, {1e-4, 64, "0.0001"},
		{5e-324, 64, "5e-324"}, {math.MaxFloat64, 64, "1.7976931348623157e+308"},
		{float64(float32(0.1)), 32, "0.1"}, {float64(float32(123456789)), 32, "123456790.0"},
		{float64(float32(3.4028235e38)), 32, "3.4028235e+38"},
	}
	for _, tt := range tests {
		if got := string(AppendFloat(nil, tt.v, tt.bits)); got != tt.want {
			t.Errorf("AppendFloat(%v, %d) = %q, want %q", tt.v, tt.bits, got, tt.want)
		}
	}
}

// TestDigestKnownValue pins the canonical row format.
func TestDigestKnownValue(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "d", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts", Type: arrow.FixedWidthTypes.Timestamp_us, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"张三", ""}, []bool{true, false})
	b.Field(1).(*array.Int64Builder).AppendValues([]int64{-42, 0}, []bool{true, false})
	b.Field(2).(*array.Decimal128Builder).AppendValues([]decimal128.Num{decimal128.FromI64(-5), {}}, []bool{true, false})
	b.Field(3).(*array.BooleanBuilder).AppendValues([]bool{true, false}, []bool{true, false})
	b.Field(4).(*array.Date32Builder).AppendValues([]arrow.Date32{19000, 0}, []bool{true, false})
	b.Field(5).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{-500000, 0}, []bool{true, false})
	rec := b.NewRecordBatch()
	defer rec.Release()
	d, err := NewDigester(schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Add(rec); err != nil {
		t.Fatal(err)
	}
	var s1, s2 uint64
	for _, row := range []string{"6:张三3:-425:-0.054:true5:190007:-500000", "------"} {
		h := sha256.Sum256([]byte(row))
		s1 += binary.BigEndian.Uint64(h[:8])
		s2 += binary.BigEndian.Uint64(h[8:16])
	}
	if want := fmt.Sprintf("v1:%016x%016x", s1, s2); d.Sum() != want {
		t.Errorf("digest %s, want %s", d.Sum(), want)
	}
	// Order does not matter.
	d2, _ := NewDigester(schema)
	for _, i := range []int64{1, 0} {
		s := rec.NewSlice(i, i+1)
		d2.Add(s)
		s.Release()
	}
	if d2.Sum() != d.Sum() {
		t.Error("digest depends on row order")
	}
}

func TestDuckDBStrlenIsBytes(t *testing.T) {
	conn := duckDB(t)
	var n, chars int
	if err := conn.QueryRowContext(context.Background(), "SELECT strlen('张三😀'), length('张三😀')").Scan(&n, &chars); err != nil {
		t.Fatal(err)
	}
	if n != 10 || chars != 3 {
		t.Fatalf("strlen = %d, length = %d; want bytes 10, chars 3", n, chars)
	}
}

// TestDuckDBReadsSnapshot is the no-lock-in promise: DuckDB reads every
// encrypted file given its data key and computes the same row count and
// content digest as the manifest.
func TestDuckDBReadsSnapshot(t *testing.T) {
	ctx := context.Background()
	opts := testOptions(t, t.TempDir())
	opts.MaxRowsPerFile = 1000
	opts.RowGroupRows = 400
	schema := fullSchema()
	m := writeSnapshot(t, opts, schema, 2600, 700, nil)
	if len(m.DataFiles()) != 3 {
		t.Fatalf("want 3 data files, got %d", len(m.DataFiles()))
	}
	s, err := Open(ctx, opts.Store, m.Ref(), opts.Keys, opts.Auth)
	if err != nil {
		t.Fatal(err)
	}
	conn := duckDB(t)
	rel := duckRelation(t, conn, s)
	var n int64
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+rel).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != m.Rows {
		t.Errorf("DuckDB count %d, manifest %d", n, m.Rows)
	}
	var digest string
	if err := conn.QueryRowContext(ctx, DigestSQL(schema, rel)).Scan(&digest); err != nil {
		t.Fatal(err)
	}
	if digest != m.Digest {
		t.Errorf("DuckDB digest %s, manifest %s", digest, m.Digest)
		diagnoseColumns(t, conn, s, rel)
	}
	// DuckDB sees the same types.
	var typ string
	if err := conn.QueryRowContext(ctx, "SELECT typeof(amount) || ' ' || typeof(ts) || ' ' || typeof(u64) FROM "+rel+" LIMIT 1").Scan(&typ); err != nil {
		t.Fatal(err)
	}
	if typ != "DECIMAL(18,2) TIMESTAMP WITH TIME ZONE UBIGINT" {
		t.Errorf("DuckDB types %q", typ)
	}
	// Without the key DuckDB cannot read the file.
	_, err = conn.ExecContext(ctx, fmt.Sprintf("SELECT count(*) FROM read_parquet('%s')", s.Path(m.Files[0].Name)))
	if err == nil {
		t.Error("DuckDB read an encrypted file without its key")
	}
	// An empty snapshot digests to EmptyDigest in DuckDB too.
	if err := conn.QueryRowContext(ctx, DigestSQL(schema, "(SELECT * FROM "+rel+" WHERE false) AS e")).Scan(&digest); err != nil || digest != EmptyDigest {
		t.Errorf("empty digest %q, %v", digest, err)
	}
}

// diagnoseColumns reports the first row per column whose canonical text
// differs between Go and DuckDB.
func diagnoseColumns(t *testing.T, conn *sql.Conn, s *Snapshot, rel string) {
	ctx := context.Background()
	rr, err := s.Records(ctx, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	goText := map[int64][]string{}
	for rr.Next() {
		rec := rr.RecordBatch()
		ids := rec.Column(0).(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			var row []string
			for _, col := range rec.Columns() {
				f, _ := newCellFunc(col)
				row = append(row, string(f(nil, i)))
			}
			goText[ids.Value(i)] = row
		}
	}
	for c, f := range rr.Schema().Fields() {
		col := quoteIdent(f.Name)
		text := sqlText(col, f.Type)
		q := fmt.Sprintf("SELECT id, CASE WHEN %s IS NULL THEN '-' ELSE CAST(strlen(%s) AS VARCHAR) || ':' || %s END FROM %s ORDER BY id", col, text, text, rel)
		rows, err := conn.QueryContext(ctx, q)
		if err != nil {
			t.Errorf("column %s: %v", f.Name, err)
			continue
		}
		for rows.Next() {
			var id int64
			var got string
			rows.Scan(&id, &got)
			if want := goText[id][c]; got != want {
				t.Errorf("column %s row %d: DuckDB %q, Go %q", f.Name, id, got, want)
				break
			}
		}
		rows.Close()
	}
}

// TestFloatTextMatchesDuckDB checks the float formatting against DuckDB
// on many random values.
func TestFloatTextMatchesDuckDB(t *testing.T) {
	ctx := context.Background()
	conn := duckDB(t)
	rec := genRecord(memory.DefaultAllocator, fullSchema(), 0, 3000)
	defer rec.Release()
	f64 := rec.Column(12).(*array.Float64)
	f32 := rec.Column(11).(*array.Float32)
	if _, err := conn.ExecContext(ctx, "CREATE TABLE f (i INTEGER, d DOUBLE, f FLOAT)"); err != nil {
		t.Fatal(err)
	}
	stmt, err := conn.PrepareContext(ctx, "INSERT INTO f VALUES (?, ?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	for i := 0; i < f64.Len(); i++ {
		if _, err := stmt.ExecContext(ctx, i, f64.Value(i), f32.Value(i)); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := conn.QueryContext(ctx, "SELECT i, CAST(d AS VARCHAR), CAST(CAST(f AS DOUBLE) AS VARCHAR) FROM f ORDER BY i")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	bad := 0
	for rows.Next() {
		var i int
		var d, f string
		if err := rows.Scan(&i, &d, &f); err != nil {
			t.Fatal(err)
		}
		if got := string(AppendFloat(nil, f64.Value(i), 64)); got != d && bad < 10 {
			bad++
			t.Errorf("double %v: Go %q, DuckDB %q", f64.Value(i), got, d)
		}
		if got := string(AppendFloat(nil, float64(f32.Value(i)), 64)); got != f && bad < 10 {
			bad++
			t.Errorf("float %v: Go %q, DuckDB %q", f32.Value(i), got, f)
		}
	}
}

package pgrestore

import (
	"bufio"
	"bytes"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestCopyText(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "d", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	cases := []struct {
		s    string
		b    []byte
		f    float64
		want string
	}{
		{"plain", []byte{0, 0xff}, 1.5, "plain\t\\\\x00ff\t1.5\t-1.23\t2024-02-29\t2024-03-01 00:30:00.123456+00\tt\n"},
		{"tab\there\nnew\\line\r", nil, math.NaN(), "tab\\there\\nnew\\\\line\\r\t\\\\x\tNaN\t-1.23\t2024-02-29\t2024-03-01 00:30:00.123456+00\tt\n"},
		{`\N`, []byte{}, math.Inf(-1), "\\\\N\t\\\\x\t-Infinity\t-1.23\t2024-02-29\t2024-03-01 00:30:00.123456+00\tt\n"},
	}
	for _, c := range cases {
		bld.Field(0).(*array.StringBuilder).Append(c.s)
		bld.Field(1).(*array.BinaryBuilder).Append(c.b)
		bld.Field(2).(*array.Float64Builder).Append(c.f)
		bld.Field(3).(*array.Decimal128Builder).Append(decimal128.FromI64(-123))
		bld.Field(4).(*array.Date32Builder).Append(19782)
		bld.Field(5).(*array.TimestampBuilder).Append(1709253000123456)
		bld.Field(6).(*array.BooleanBuilder).Append(true)
	}
	for i := range schema.Fields() {
		bld.Field(i).AppendNull()
	}
	rec := bld.NewRecordBatch()
	defer rec.Release()
	rr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	var sent int64
	if err := writeCopyText(rr, w, &sent); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	want := ""
	for _, c := range cases {
		want += c.want
	}
	want += "\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n"
	if buf.String() != want || sent != 4 {
		t.Errorf("COPY text (%d rows)\n got %q\nwant %q", sent, buf.String(), want)
	}
}

func TestSchemaOf(t *testing.T) {
	for in, want := range map[string]string{`crm.stage`: "crm", `"My ""S"".x"."t"`: `"My ""S"".x"`, `nosch`: ""} {
		got, ok := schemaOf(in)
		if got != want || ok != (want != "") {
			t.Errorf("schemaOf(%q) = %q, %t", in, got, ok)
		}
	}
}

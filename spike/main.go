package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	key := make([]byte, 32)
	rand.Read(key)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "amt", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"张三", ""}, []bool{true, false})
	b.Field(2).(*array.Decimal128Builder).AppendValues([]decimal128.Num{decimal128.FromI64(123456), decimal128.FromI64(-5)}, nil)
	b.Field(3).(*array.Date32Builder).AppendValues([]arrow.Date32{19000, 0}, nil)
	b.Field(4).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1700000000123456, 1700000000000000}, nil)
	b.Field(5).(*array.BooleanBuilder).AppendValues([]bool{true, false}, nil)
	rec := b.NewRecordBatch()
	f, _ := os.Create("/tmp/spike/enc.parquet")
	enc := parquet.NewFileEncryptionProperties(string(key), parquet.WithAlg(parquet.AesGcm))
	props := parquet.NewWriterProperties(parquet.WithEncryptionProperties(enc), parquet.WithDataPageVersion(parquet.DataPageV1), parquet.WithDictionaryDefault(true), parquet.WithCompression(0))
	w, err := pqarrow.NewFileWriter(schema, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil { panic(err) }
	if err := w.Write(rec); err != nil { panic(err) }
	if err := w.Close(); err != nil { panic(err) }
	db, _ := sql.Open("duckdb", "")
	db.Exec("SET autoinstall_known_extensions=false")
	if _, err := db.Exec("PRAGMA add_parquet_key('k1', '" + base64.StdEncoding.EncodeToString(key) + "')"); err != nil { panic(err) }
	rows, err := db.Query(`SELECT id, name, amt::VARCHAR, d::VARCHAR, ts::VARCHAR, epoch_us(ts), b::VARCHAR, typeof(ts), typeof(amt) FROM read_parquet('/tmp/spike/enc.parquet', encryption_config={footer_key:'k1'})`)
	if err != nil { panic(err) }
	for rows.Next() {
		var id int64; var name sql.NullString; var a, d, ts, bb, t1, t2 string; var eu int64
		if err := rows.Scan(&id, &name, &a, &d, &ts, &eu, &bb, &t1, &t2); err != nil { panic(err) }
		fmt.Println(id, name, a, d, ts, eu, bb, t1, t2)
	}
	var s string
	db.QueryRow(`select sha256('abc')`).Scan(&s); fmt.Println(s)
	var h string
	err = db.QueryRow(`select (sum(('0x'||substr(sha256(x),1,16))::UBIGINT::HUGEINT) % 18446744073709551616)::VARCHAR from (values ('a'),('b')) t(x)`).Scan(&h); fmt.Println(h, err)
}

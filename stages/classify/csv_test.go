package classify_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// readCSV reads a UTF-8 CSV file (optional BOM) into Arrow record batches of
// string columns; empty cells become nulls. The caller releases the batches.
func readCSV(path string, mem memory.Allocator, batch int) (*arrow.Schema, []arrow.RecordBatch, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(b))
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, nil, err
	}
	fields := make([]arrow.Field, len(head))
	for i, h := range head {
		fields[i] = arrow.Field{Name: strings.Clone(h), Type: arrow.BinaryTypes.String, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	var out []arrow.RecordBatch
	n := 0
	flush := func() {
		if n > 0 {
			out = append(out, bld.NewRecordBatch())
			n = 0
		}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			for _, o := range out {
				o.Release()
			}
			return nil, nil, err
		}
		for i, v := range rec {
			sb := bld.Field(i).(*array.StringBuilder)
			if v == "" {
				sb.AppendNull()
			} else {
				sb.Append(v)
			}
		}
		if n++; n == batch {
			flush()
		}
	}
	flush()
	return schema, out, nil
}

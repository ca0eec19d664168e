package extract_test

import (
	"context"
	"fmt"

	"github.com/vigil-dg/vigil/stages/extract"
)

func ExampleOpenCSV() {
	r, err := extract.OpenCSV(context.Background(), "testdata/bad.csv", extract.CSVOptions{
		Types: map[string]extract.Type{"amount": extract.Decimal(10, 2), "day": extract.TypeDate},
		OnReject: func(rj extract.Reject) error {
			// Store rj (Raw is personal data: encrypt it, never log it).
			fmt.Printf("line %d: %s\n", rj.Line, rj.Reason)
			return nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for r.Next() {
		fmt.Println("batch of", r.RecordBatch().NumRows(), "rows")
	}
	if err := r.Err(); err != nil {
		fmt.Println(err)
	}
	s := r.Stats()
	fmt.Printf("read %d = written %d + rejected %d (%s)\n", s.RowsRead, s.RowsWritten, s.RowsRejected, s.Encoding)
	// Output:
	// line 3: record has 5 fields, the header has 4
	// line 4: record has 2 fields, the header has 4
	// line 5: quote inside an unquoted field in column "name"; quote the whole field and double inner quotes
	// line 6: unexpected character after a closing quote in column "name"
	// line 7: value in column "amount" is not a valid decimal(10,2) (the declared type)
	// line 8: value in column "day" is not a valid date (the declared type)
	// batch of 2 rows
	// read 8 = written 2 + rejected 6 (utf-8)
}

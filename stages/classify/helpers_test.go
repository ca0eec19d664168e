package classify_test

import (
	"context"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/vigil-dg/vigil/demo"
)

// demoValues returns, per "table.column", the distinct values of at least 5
// characters in demo data (the ones that could not appear in evidence by
// coincidence, like "35" in "2,935").
func demoValues(t testing.TB, rows int, seed uint64) map[string]map[string]bool {
	t.Helper()
	dir := t.TempDir()
	if _, err := demo.Generate(context.Background(), demo.Options{Rows: rows, Seed: seed, Out: dir}); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	for _, tbl := range []string{"customers", "orders", "staff", "ownership", "enrollments"} {
		mem := memory.NewGoAllocator()
		schema, recs, err := readCSV(filepath.Join(dir, tbl+".csv"), mem, 4096)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			for i, f := range schema.Fields() {
				m := out[tbl+"."+f.Name]
				if m == nil {
					m = map[string]bool{}
					out[tbl+"."+f.Name] = m
				}
				col := rec.Column(i).(*array.String)
				for j := 0; j < col.Len(); j++ {
					if v := col.Value(j); !col.IsNull(j) && utf8.RuneCountInString(v) >= 5 {
						m[string([]byte(v))] = true
					}
				}
			}
			rec.Release()
		}
	}
	return out
}

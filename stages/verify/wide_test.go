package verify

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/vigil-dg/vigil/stages/snapshot"
)

// TestCheckWideTable: a healthy table of 5,000 columns verifies, DuckDB's
// digest included (a "||" chain per column exceeded DuckDB's expression
// depth limit of 1000 and reported healthy wide tables as broken).
func TestCheckWideTable(t *testing.T) {
	const cols, rows = 5000, 20
	ctx := context.Background()
	fields := make([]arrow.Field, cols)
	for i := range fields {
		typ := arrow.DataType(arrow.BinaryTypes.String)
		if i%3 == 1 {
			typ = arrow.PrimitiveTypes.Int64
		}
		fields[i] = arrow.Field{Name: fmt.Sprintf("col_%04d", i), Type: typ, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	b := array.NewRecordBuilder(alloc, schema)
	defer b.Release()
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			switch fb := b.Field(c).(type) {
			case *array.StringBuilder:
				if (r+c)%11 == 0 {
					fb.AppendNull()
				} else {
					fb.Append(fmt.Sprintf("v%d-%d", r, c))
				}
			case *array.Int64Builder:
				fb.Append(int64(r*c - 7))
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	store := t.TempDir()
	keys, auth := newKeys("wide"), newAuth("wide")
	w, err := snapshot.Create(ctx, snapshot.Options{Store: store, Table: "wide", Source: "csv:wide", Keys: keys, Auth: auth,
		Now: func() time.Time { return time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC) }}, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	m, err := w.Commit(ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Check(ctx, store, m.Ref(), keys, auth, Options{Alloc: alloc})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || len(res.Problems) != 0 {
		t.Fatalf("a healthy %d-column table failed verification: %v", cols, res.Problems)
	}
	found := false
	for _, c := range res.Checks {
		found = found || c == CheckDuckDB
	}
	if !found {
		t.Fatalf("the DuckDB check did not run: %v", res.Checks)
	}
}

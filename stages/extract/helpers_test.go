package extract

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/expected")

// chunkSizes are the block sizes every table test runs with: tiny blocks put
// record, field and multi-byte boundaries everywhere.
var chunkSizes = []int{64, 100, 4096, chunkSize}

// result is everything a reader produced, in comparable form.
type result struct {
	schema  *arrow.Schema
	rows    [][]string // ValueStr of each cell
	batches []int      // rows per batch
	rejects []Reject
	stats   Stats
}

func (r result) columns() string {
	var b strings.Builder
	for i, f := range r.schema.Fields() {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(f.Name + ":" + f.Type.String())
	}
	return b.String()
}

func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// readAll reads a whole file with a checked allocator, asserting the stats
// invariant after every batch and that every Arrow byte is freed at the end.
func readAll(t testing.TB, path string, opts CSVOptions, chunk int) (result, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts.Alloc = mem
	var res result
	user := opts.OnReject
	opts.OnReject = func(rj Reject) error {
		res.rejects = append(res.rejects, rj)
		if user != nil {
			return user(rj)
		}
		return nil
	}
	r, err := openCSV(context.Background(), path, opts, chunk)
	if err != nil {
		return res, err
	}
	defer r.Release()
	res.schema = r.Schema()
	for r.Next() {
		rec := r.RecordBatch()
		res.batches = append(res.batches, int(rec.NumRows()))
		res.rows = append(res.rows, rowsOf(rec)...)
		checkInvariant(t, r.Stats())
	}
	res.stats = r.Stats()
	checkInvariant(t, res.stats)
	if r.Err() == nil && (int64(len(res.rows)) != res.stats.RowsWritten || int64(len(res.rejects)) != res.stats.RowsRejected) {
		t.Errorf("delivered %d rows and %d rejects, stats say %+v", len(res.rows), len(res.rejects), res.stats)
	}
	return res, r.Err()
}

func checkInvariant(t testing.TB, s Stats) {
	t.Helper()
	if s.RowsRead != s.RowsWritten+s.RowsRejected {
		t.Fatalf("stats invariant broken: %+v", s)
	}
}

func rowsOf(rec arrow.RecordBatch) [][]string {
	rows := make([][]string, rec.NumRows())
	for i := range rows {
		rows[i] = make([]string, rec.NumCols())
		for c, col := range rec.Columns() {
			rows[i][c] = col.ValueStr(i)
		}
	}
	return rows
}

// mustRead is readAll for inputs that must read without a fatal error, run
// with every chunk size; all runs must agree.
func mustRead(t *testing.T, path string, opts CSVOptions) result {
	t.Helper()
	var first result
	for i, chunk := range chunkSizes {
		res, err := readAll(t, path, opts, chunk)
		if err != nil {
			t.Fatalf("chunk %d: %v", chunk, err)
		}
		if i == 0 {
			first = res
			continue
		}
		if !sameResult(first, res) {
			t.Fatalf("chunk %d differs from chunk %d:\n%+v\n%+v", chunk, chunkSizes[0], first, res)
		}
	}
	return first
}

func sameResult(a, b result) bool {
	if !a.schema.Equal(b.schema) || !reflect.DeepEqual(a.stats, b.stats) || len(a.rows) != len(b.rows) || len(a.rejects) != len(b.rejects) {
		return false
	}
	for i := range a.rows {
		if strings.Join(a.rows[i], "\x00") != strings.Join(b.rows[i], "\x00") {
			return false
		}
	}
	for i := range a.rejects {
		if a.rejects[i] != b.rejects[i] {
			return false
		}
	}
	return true
}

// parseErrorOf returns the first *ParseError in err wrapping target.
func parseErrorOf(err, target error) *ParseError {
	var found *ParseError
	var walk func(error)
	walk = func(e error) {
		if e == nil || found != nil {
			return
		}
		if pe, ok := e.(*ParseError); ok && errors.Is(pe, target) {
			found = pe
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return found
}

package snapshot

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/vigil-dg/vigil/internal/atomicfile"
)

// Format is a plaintext restore format.
type Format string

// Restore formats.
const (
	FormatParquet Format = "parquet" // plain (unencrypted) Parquet, same schema
	FormatCSV     Format = "csv"     // RFC 4180 with header; NULL is an empty field
)

// Restored describes a restored file.
type Restored struct {
	Path   string `json:"path"`
	Format Format `json:"format"`
	Rows   int64  `json:"rows"`
	Erased int64  `json:"erased,omitempty"` // rows of erased subjects left out
}

// Restore decrypts the data rows of s into one PLAINTEXT file
// <dir>/<table>-<id>.<format> with mode 0600. Only call it where the user
// asked for a plaintext copy. The file is written under a temporary name
// and renamed when complete; an existing file is never overwritten
// (ErrExists).
//
// CSV text: dates as YYYY-MM-DD, timestamps as RFC 3339 in UTC with
// microseconds, binary as upper-case hex, decimals and floats as DuckDB
// prints them. CSV cannot tell NULL from an empty string; use Parquet for an
// exact copy.
func Restore(ctx context.Context, s *Snapshot, dir string, format Format) (*Restored, error) {
	if format != FormatParquet && format != FormatCSV {
		return nil, fmt.Errorf("%w: restore format %q (want parquet or csv)", ErrInvalidOptions, format)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("snapshot: restore: %w", err)
	}
	m := s.Manifest()
	final := filepath.Join(dir, fmt.Sprintf("%s-%s.%s", m.Table, m.ID, format))
	if _, err := os.Lstat(final); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrExists, final)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("snapshot: restore: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".vigil-restore-*")
	if err != nil {
		return nil, fmt.Errorf("snapshot: restore: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return nil, fmt.Errorf("snapshot: restore: %w", err)
	}
	alloc := memory.DefaultAllocator
	rr, err := s.Records(ctx, alloc)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	var rows int64
	switch format {
	case FormatParquet:
		rows, err = restoreParquet(rr, bw, alloc)
	case FormatCSV:
		rows, err = restoreCSV(rr, bw)
	}
	if err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("snapshot: restore: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("snapshot: restore: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("snapshot: restore: %w", err)
	}
	var erased int64
	if f, ok := rr.(*ErasureFilter); ok {
		erased = f.Erased
	}
	if rows+erased != m.Rows {
		return nil, fmt.Errorf("%w: restored %d rows and left out %d erased, manifest says %d", ErrRowCount, rows, erased, m.Rows)
	}
	// Link instead of rename so that an existing file is never replaced.
	if err := os.Link(tmp.Name(), final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%w: %s", ErrExists, final)
		}
		return nil, fmt.Errorf("snapshot: restore: %w", err)
	}
	os.Remove(tmp.Name())
	ok = true
	if err := atomicfile.SyncDir(dir); err != nil {
		return nil, err
	}
	return &Restored{Path: final, Format: format, Rows: rows, Erased: erased}, nil
}

func restoreParquet(rr array.RecordReader, w *bufio.Writer, alloc memory.Allocator) (int64, error) {
	fw, err := pqarrow.NewFileWriter(rr.Schema(), w, writerProps(nil, alloc, DefaultRowGroupRows, codec(), defaultDict, rr.Schema()),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(alloc)))
	if err != nil {
		return 0, fmt.Errorf("snapshot: restore: %w", err)
	}
	var rows int64
	for rr.Next() {
		rec := rr.RecordBatch()
		if err := fw.WriteBuffered(rec); err != nil {
			fw.Close()
			return 0, fmt.Errorf("snapshot: restore: %w", err)
		}
		rows += rec.NumRows()
	}
	if err := rr.Err(); err != nil {
		fw.Close()
		return 0, err
	}
	if err := fw.Close(); err != nil {
		return 0, fmt.Errorf("snapshot: restore: %w", err)
	}
	return rows, nil
}

func restoreCSV(rr array.RecordReader, w *bufio.Writer) (int64, error) {
	cw := csv.NewWriter(w)
	sc := rr.Schema()
	row := make([]string, sc.NumFields())
	for i, f := range sc.Fields() {
		row[i] = f.Name
	}
	if err := cw.Write(row); err != nil {
		return 0, fmt.Errorf("snapshot: restore: %w", err)
	}
	var rows int64
	var buf []byte
	fns := make([]textFunc, sc.NumFields())
	for rr.Next() {
		rec := rr.RecordBatch()
		for c, col := range rec.Columns() {
			fn, err := csvTextFunc(col)
			if err != nil {
				return 0, err
			}
			fns[c] = fn
		}
		n := int(rec.NumRows())
		for r := 0; r < n; r++ {
			for c, col := range rec.Columns() {
				if col.IsNull(r) {
					row[c] = ""
					continue
				}
				buf = fns[c](buf[:0], r)
				row[c] = string(buf)
			}
			if err := cw.Write(row); err != nil {
				return 0, fmt.Errorf("snapshot: restore: %w", err)
			}
		}
		rows += int64(n)
	}
	if err := rr.Err(); err != nil {
		return 0, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return 0, fmt.Errorf("snapshot: restore: %w", err)
	}
	return rows, nil
}

// textFunc appends the text of non-NULL row i.
type textFunc func(dst []byte, i int) []byte

func csvTextFunc(col arrow.Array) (textFunc, error) {
	switch a := col.(type) {
	case *array.String:
		return func(dst []byte, i int) []byte { return append(dst, a.Value(i)...) }, nil
	case *array.LargeString:
		return func(dst []byte, i int) []byte { return append(dst, a.Value(i)...) }, nil
	case *array.Date32:
		return func(dst []byte, i int) []byte {
			return time.Unix(int64(a.Value(i))*86400, 0).UTC().AppendFormat(dst, time.DateOnly)
		}, nil
	case *array.Timestamp:
		return func(dst []byte, i int) []byte {
			return time.UnixMicro(int64(a.Value(i))).UTC().AppendFormat(dst, "2006-01-02T15:04:05.999999Z07:00")
		}, nil
	}
	cell, err := newCellFunc(col)
	if err != nil {
		return nil, err
	}
	// Strip the "<length>:" prefix of the digest form.
	return func(dst []byte, i int) []byte {
		start := len(dst)
		dst = cell(dst, i)
		for k := start; k < len(dst); k++ {
			if dst[k] == ':' {
				return append(dst[:start], dst[k+1:]...)
			}
		}
		return dst
	}, nil
}

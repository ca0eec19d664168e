package extract

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// ErrUnsupportedFormat is a file the extractor cannot read (legacy .xls).
var ErrUnsupportedFormat = fmt.Errorf("extract: unsupported file format")

// Open opens one table file, choosing the reader by its extension: .xlsx and
// .xlsm are read as Excel workbooks (sheet names the sheet; default the
// first visible one), .xls is refused with a clear error, anything else is
// CSV.
func Open(ctx context.Context, path string, opts CSVOptions, sheet string) (TableReader, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return OpenXLSX(ctx, path, opts, sheet)
	case ".xls":
		return nil, &ParseError{File: path, Err: fmt.Errorf("%w: legacy Excel 97-2003 .xls; open it in Excel or LibreOffice and save it as .xlsx or CSV (UTF-8)", ErrUnsupportedFormat)}
	}
	if sheet != "" {
		return nil, fmt.Errorf("%w: sheet %q is set but %s is not an .xlsx workbook", ErrInvalidOption, sheet, filepath.Base(path))
	}
	return OpenCSV(ctx, path, opts)
}

// OpenXLSX streams one sheet of an .xlsx workbook with excelize's row
// iterator (bounded memory: a worksheet's XML is unzipped to a temporary
// file above 16 MiB instead of memory). Cells are read as Excel shows them,
// with dates and times written ISO style (2026-11-03, 2026-11-03 09:15:00)
// so that the usual inference types them; shared and inline strings are
// text; long numeric IDs typed as text stay text. Rows then go through the
// same header detection, inference, typing and rejects as CSV. Hidden rows
// and columns are read like the others and noted in Stats.Warnings. The
// encoding and delimiter options do not apply.
func OpenXLSX(ctx context.Context, path string, opts CSVOptions, sheet string) (TableReader, error) {
	opts.Encoding, opts.Delimiter = "utf-8", ','
	opts, cs, err := opts.withDefaults(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("extract: %w", err)
	}
	wb, err := excelize.OpenFile(path, excelize.Options{ShortDatePattern: "yyyy-mm-dd", LongDatePattern: "yyyy-mm-dd", LongTimePattern: "hh:mm:ss"})
	if err != nil {
		f.Close()
		return nil, &ParseError{File: path, Err: fmt.Errorf("%w: not a readable .xlsx workbook: %v", ErrUnsupportedFormat, err)}
	}
	name, err := pickSheet(wb, sheet)
	if err != nil {
		wb.Close()
		f.Close()
		return nil, &ParseError{File: path, Err: err}
	}
	rows, err := wb.Rows(name)
	if err != nil {
		wb.Close()
		f.Close()
		return nil, &ParseError{File: path, Err: fmt.Errorf("%w: sheet %q: %v", ErrUnsupportedFormat, name, err)}
	}
	r := &csvReader{
		chunk:  chunkSize,
		path:   path,
		opts:   opts,
		f:      f,
		blocks: make(chan *block, 4),
		free:   make(chan *block, 8),
		out:    make(chan *batchMsg, 1),
		opened: fi,
		delim:  ',',
	}
	_ = cs
	r.sheet = name
	r.ctx, r.cancel = context.WithCancelCause(ctx)
	r.refs.Store(1)
	r.wg.Add(1)
	go r.produceXLSX(wb, rows, name)
	if err := r.start(); err != nil {
		r.Close()
		return nil, err
	}
	r.stats.Delimiter = ""
	return r, nil
}

// pickSheet returns the named sheet, or the first visible one.
func pickSheet(wb *excelize.File, want string) (string, error) {
	list := wb.GetSheetList()
	if want != "" {
		for _, s := range list {
			if s == want {
				return s, nil
			}
		}
		return "", fmt.Errorf("%w: no sheet %q; the workbook has %s", ErrInvalidOption, want, strings.Join(list, ", "))
	}
	for _, s := range list {
		if v, err := wb.GetSheetVisible(s); err == nil && v {
			return s, nil
		}
	}
	return "", fmt.Errorf("%w: the workbook has no visible sheet", ErrUnsupportedFormat)
}

// produceXLSX turns rows into blocks of records, as the CSV splitter does:
// cells are appended to the block's text separated by tabs (which is what
// Reject.Raw shows), each a field; a record's line is its row number.
func (r *csvReader) produceXLSX(wb *excelize.File, rows *excelize.Rows, sheet string) {
	defer r.wg.Done()
	defer close(r.blocks)
	defer wb.Close()
	defer rows.Close()
	send := func(b *block) bool {
		select {
		case r.blocks <- b:
			return true
		case <-r.ctx.Done():
			return false
		}
	}
	fail := func(blk *block, err error) {
		blk.err = err
		send(blk)
	}
	hiddenRows := 0
	blk := r.getBlock(0)
	blk.enc, blk.encName, blk.confidence = encUTF8, "xlsx", 1
	rowNum := int64(0)
	for rows.Next() {
		if r.ctx.Err() != nil {
			return
		}
		rowNum++
		cells, err := rows.Columns()
		if err != nil {
			fail(blk, &ParseError{File: r.path, Line: rowNum, Err: fmt.Errorf("%w: sheet %q row %d: %v", ErrUnsupportedFormat, sheet, rowNum, err)})
			return
		}
		if rows.GetRowOpts().Hidden {
			hiddenRows++
		}
		if len(cells) == 0 {
			blk.blank++
			continue
		}
		rec := record{line: rowNum, first: int32(len(blk.fields)), nfields: int32(len(cells)), rawStart: uint32(len(blk.text)), probField: -1}
		for i, c := range cells {
			if i > 0 {
				blk.text = append(blk.text, '\t')
			}
			start := len(blk.text)
			blk.text = append(blk.text, c...)
			blk.fields = append(blk.fields, field{uint32(start), uint32(len(blk.text))})
		}
		rec.rawEnd = uint32(len(blk.text))
		blk.recs = append(blk.recs, rec)
		if len(blk.text) >= r.chunk || len(blk.recs) >= 1<<16 {
			if !send(blk) {
				return
			}
			blk = r.getBlock(0)
			blk.enc, blk.encName, blk.confidence = encUTF8, "xlsx", 1
		}
	}
	if err := rows.Error(); err != nil {
		fail(blk, &ParseError{File: r.path, Line: rowNum, Err: fmt.Errorf("%w: sheet %q: %v", ErrUnsupportedFormat, sheet, err)})
		return
	}
	r.hiddenRows.Store(int64(hiddenRows))
	blk.bytes = r.opened.Size()
	if err := r.unchanged(); err != nil {
		blk.err = err
	}
	send(blk)
}

package extract

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"bytes"
	"strconv"
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

// OpenXLSX streams one sheet of an .xlsx workbook straight from its zip
// with bounded memory: the worksheet XML is scanned as it is inflated, the
// shared strings are held once. Cells are read raw and typed here, not as
// Excel would display them: a number keeps the digits stored (at most the
// 15 significant digits Excel keeps; a display format such as 0.00 does not
// round it); a number whose cell style shows a date or time (built-in or
// custom number format, looked up once per style) becomes 2026-11-03,
// 09:15:00 or 2026-11-03 09:15:00 so that the usual inference types it;
// shared, inline and rich-text strings are text (a long ID typed as text
// stays text); booleans are TRUE/FALSE; formula cells give their cached
// result. A merged range gives every cell of the range the value of its
// top cell when it is one column over several rows (sub-form exports
// merge a record's cells over its sub-rows; each row keeps its record);
// ranges across columns (titles, group headers) keep their value in the
// top-left cell only, as Excel's own CSV export does. Hidden rows and columns are read
// like the others; both are noted in Stats.Warnings. Rows then go through
// the same header detection, inference, typing and rejects as CSV. The
// encoding and delimiter options do not apply.
func OpenXLSX(ctx context.Context, path string, opts CSVOptions, sheet string) (TableReader, error) {
	opts.Encoding, opts.Delimiter = "utf-8", ','
	opts, _, err := opts.withDefaults(path)
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
	fail := func(err error) (TableReader, error) {
		f.Close()
		return nil, &ParseError{File: path, Err: err}
	}
	wb, err := openXLSXBook(f, fi.Size())
	if err != nil {
		return fail(fmt.Errorf("%w: %v", ErrUnsupportedFormat, err))
	}
	ref, err := pickSheet(wb, sheet)
	if err != nil {
		return fail(err)
	}
	x := &xlsxSheet{book: wb, ref: ref}
	if x.kinds, err = wb.styleKinds(); err != nil {
		return fail(fmt.Errorf("%w: %v", ErrUnsupportedFormat, err))
	}
	if x.sst, err = wb.sharedStrings(); err != nil {
		return fail(fmt.Errorf("%w: %v", ErrUnsupportedFormat, err))
	}
	if x.merges, x.mergedAll, err = wb.mergedRanges(ref.path); err != nil {
		return fail(fmt.Errorf("%w: sheet %q: %v", ErrUnsupportedFormat, ref.name, err))
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
	r.sheet = ref.name
	if f := wb.files[strings.ToLower(ref.path)]; f != nil {
		r.sheetBytes = int64(f.UncompressedSize64)
	}
	r.ctx, r.cancel = context.WithCancelCause(ctx)
	r.refs.Store(1)
	r.wg.Add(1)
	go r.produceXLSX(x)
	if err := r.start(); err != nil {
		r.Close()
		return nil, err
	}
	r.stats.Delimiter = ""
	return r, nil
}

// pickSheet returns the named sheet, or the first visible worksheet.
func pickSheet(wb *xlsxBook, want string) (xlsxSheetRef, error) {
	var names []string
	for _, s := range wb.sheets {
		names = append(names, s.name)
	}
	if want != "" {
		for _, s := range wb.sheets {
			if s.name == want {
				if !s.worksheet {
					return s, fmt.Errorf("%w: sheet %q is a chart sheet, not a worksheet", ErrInvalidOption, want)
				}
				return s, nil
			}
		}
		return xlsxSheetRef{}, fmt.Errorf("%w: no sheet %q; the workbook has %s", ErrInvalidOption, want, strings.Join(names, ", "))
	}
	for _, s := range wb.sheets {
		if s.worksheet && s.state != "hidden" && s.state != "veryHidden" {
			return s, nil
		}
	}
	return xlsxSheetRef{}, fmt.Errorf("%w: the workbook has no visible worksheet", ErrUnsupportedFormat)
}

// xlsxSheet is what reading one worksheet needs.
type xlsxSheet struct {
	book   *xlsxBook
	ref    xlsxSheetRef
	kinds  []cellKind
	sst    []string
	merges []mergeRange // single-column ranges, filled down
	// mergedAll counts every merged range of the sheet
	mergedAll int
}

// xlsxRow collects one row's cells: text[ends[i-1]:ends[i]] is column i.
type xlsxRow struct {
	text    []byte
	ends    []int
	tooLong int // 0-based column of a cell over MaxRecordBytes, or -1
}

func (w *xlsxRow) cell(i int) []byte {
	s := 0
	if i > 0 {
		s = w.ends[i-1]
	}
	return w.text[s:w.ends[i]]
}

// pad extends the row with empty cells up to n columns.
func (w *xlsxRow) pad(n int) {
	for len(w.ends) < n {
		w.ends = append(w.ends, len(w.text))
	}
}

// set puts val at column i (0-based), which must be at or after the end.
func (w *xlsxRow) set(i int, val []byte) {
	w.pad(i)
	w.text = append(w.text, val...)
	w.ends = append(w.ends, len(w.text))
}

// produceXLSX turns rows into blocks of records, as the CSV splitter does:
// cells are appended to the block's text separated by tabs (which is what
// Reject.Raw shows), each a field; a record's line is its row number.
func (r *csvReader) produceXLSX(x *xlsxSheet) {
	defer r.wg.Done()
	defer close(r.blocks)
	send := func(b *block) bool {
		select {
		case r.blocks <- b:
			return true
		case <-r.ctx.Done():
			return false
		}
	}
	blk := r.getBlock(0)
	blk.enc, blk.encName, blk.confidence = encUTF8, "xlsx", 1
	fail := func(line int64, err error) {
		blk.err = &ParseError{File: r.path, Line: line, Err: fmt.Errorf("%w: sheet %q: %v", ErrUnsupportedFormat, x.ref.name, err)}
		send(blk)
	}
	rc, err := x.book.open(x.ref.path)
	if err != nil {
		fail(0, err)
		return
	}
	defer rc.Close()
	s := newXMLScan(countingReader{rc, &r.read}, r.opts.MaxRecordBytes)
	var (
		row                 xlsxRow
		val                 []byte
		rowNum, prev        int64
		col, style          int
		typ                 byte
		inRow, inCell, inIS bool
		collect             bool
		rph                 int
		hiddenRows          int64
		hiddenCols          int
		active              []*mergeRange
		nextMerge           int
	)
	emit := func() bool {
		// merged ranges: capture top-left values, fill the others
		for nextMerge < len(x.merges) && int64(x.merges[nextMerge].r1) <= rowNum {
			m := &x.merges[nextMerge]
			nextMerge++
			if int64(m.r2) >= rowNum {
				active = append(active, m)
			}
		}
		for _, m := range active {
			if int64(m.r1) == rowNum && m.c1 <= len(row.ends) {
				m.val = append(m.val[:0], row.cell(m.c1-1)...)
			}
		}
		if len(active) > 0 && len(row.ends) > 0 {
			var fill xlsxRow
			fill.text, fill.ends = row.text[:0:0], nil
			width := len(row.ends)
			for _, m := range active {
				width = max(width, m.c2)
			}
			for c := 0; c < width; c++ {
				var v []byte
				if c < len(row.ends) {
					v = row.cell(c)
				}
				if len(v) == 0 {
					for _, m := range active {
						if c+1 >= m.c1 && c+1 <= m.c2 && !(int64(m.r1) == rowNum && c+1 == m.c1) {
							v = m.val
							break
						}
					}
				}
				fill.set(c, v)
			}
			// trailing empty cells are not cells
			for len(fill.ends) > 0 && len(fill.cell(len(fill.ends)-1)) == 0 {
				fill.ends = fill.ends[:len(fill.ends)-1]
			}
			row.text, row.ends = fill.text, fill.ends
		}
		kept := active[:0]
		for _, m := range active {
			if int64(m.r2) > rowNum {
				kept = append(kept, m)
			}
		}
		active = kept
		blk.blank += rowNum - prev - 1
		prev = rowNum
		if len(row.ends) == 0 {
			blk.blank++
			return true
		}
		rec := record{line: rowNum, first: int32(len(blk.fields)), nfields: int32(len(row.ends)), rawStart: uint32(len(blk.text)), probField: -1}
		if row.tooLong >= 0 {
			rec.prob, rec.probField = probCellTooLong, int32(row.tooLong)
		}
		for i := range row.ends {
			if i > 0 {
				blk.text = append(blk.text, '\t')
			}
			start := len(blk.text)
			blk.text = append(blk.text, row.cell(i)...)
			blk.fields = append(blk.fields, field{uint32(start), uint32(len(blk.text))})
		}
		rec.rawEnd = uint32(len(blk.text))
		blk.recs = append(blk.recs, rec)
		if len(blk.text) >= r.chunk || len(blk.recs) >= 1<<16 {
			if !send(blk) {
				return false
			}
			blk = r.getBlock(0)
			blk.enc, blk.encName, blk.confidence = encUTF8, "xlsx", 1
		}
		return true
	}
	for {
		kind, name, err := s.next(collect)
		if err != nil {
			fail(rowNum, err)
			return
		}
		if kind == tagEOF {
			break
		}
		if len(name) == 0 {
			continue
		}
		switch name[0] {
		case 'r':
			switch string(name) {
			case "row":
				if kind == tagEnd {
					if inRow {
						inRow = false
						if !emit() {
							return
						}
					}
					continue
				}
				if r.ctx.Err() != nil {
					return
				}
				n := rowNum + 1
				if v, ok := s.attr("r"); ok {
					if p, ok := parseSmallUint(v); ok && int64(p) > rowNum && p <= 1<<20 {
						n = int64(p)
					} else {
						fail(rowNum, fmt.Errorf("row number %q after row %d", v, rowNum))
						return
					}
				}
				rowNum, col = n, 0
				r.sheetRow.Store(n)
				row.text, row.ends, row.tooLong = row.text[:0], row.ends[:0], -1
				if v, _ := s.attr("hidden"); string(v) == "1" || string(v) == "true" {
					hiddenRows++
				}
				inRow = kind == tagStart
				if !inRow && !emit() {
					return
				}
			case "rPh":
				if kind == tagStart {
					rph++
				} else if kind == tagEnd && rph > 0 {
					rph--
				}
			}
		case 'c':
			switch string(name) {
			case "c":
				if kind == tagEnd {
					if inCell {
						inCell = false
						if s.over {
							row.tooLong = col - 1
							s.raw = s.raw[:0]
						}
						var ok bool
						val, ok = x.value(val[:0], typ, style, s.raw)
						if !ok {
							fail(rowNum, fmt.Errorf("cell %s%d: shared string %q is not in the workbook", columnLetters(col), rowNum, s.raw))
							return
						}
						if len(val) > r.opts.MaxRecordBytes {
							row.tooLong, val = col-1, val[:0]
						}
						if len(val) > 0 {
							row.set(col-1, val)
						}
					}
					continue
				}
				if !inRow {
					continue
				}
				c := col + 1
				style, typ = 0, 0
				var bad []byte
				s.eachAttr(func(name, v []byte) bool {
					if len(name) != 1 {
						return true
					}
					switch name[0] {
					case 'r':
						cc, _, err := cellRef(v)
						if err != nil || cc <= col {
							bad = append([]byte(nil), v...)
							return false
						}
						c = cc
					case 's':
						style, _ = parseSmallUint(v)
					case 't':
						typ = cellType(v)
					}
					return true
				})
				if bad != nil {
					fail(rowNum, fmt.Errorf("cell reference %q out of order", bad))
					return
				}
				col = c
				s.raw, s.over = s.raw[:0], false
				inCell = kind == tagStart
			case "col":
				if kind == tagEnd {
					continue
				}
				if v, _ := s.attr("hidden"); string(v) == "1" || string(v) == "true" {
					lo, _ := s.attr("min")
					hi, _ := s.attr("max")
					a, _ := strconv.Atoi(string(lo))
					b, _ := strconv.Atoi(string(hi))
					if a >= 1 && b >= a {
						hiddenCols += min(b, 16384) - a + 1
					}
				}
			}
		case 'v':
			if inCell && string(name) == "v" {
				collect = kind == tagStart
			}
		case 'i':
			if inCell && string(name) == "is" {
				inIS = kind == tagStart
			}
		case 't':
			if inCell && inIS && rph == 0 && string(name) == "t" {
				collect = kind == tagStart
			}
		case 's':
			if (kind == tagEnd || kind == tagEmpty) && string(name) == "sheetData" {
				goto done
			}
		case 'd':
			// <dimension ref="A1:F1001"/> comes before sheetData: the used
			// range, the total of a progress bar (RowsEstimate). Only a
			// hint: a wrong or missing one changes nothing else.
			if kind != tagEnd && string(name) == "dimension" {
				r.sheetRows.Store(dimensionRows(s.attr("ref")))
			}
		}
	}
	fail(rowNum, fmt.Errorf("the worksheet ends before its data does"))
	return
done:
	r.hiddenRows.Store(hiddenRows)
	r.hiddenCols.Store(int64(hiddenCols))
	r.merged.Store(int64(x.mergedAll))
	r.mergedFilled.Store(int64(len(x.merges)))
	blk.bytes = r.opened.Size()
	if err := r.unchanged(); err != nil {
		blk.err = err
	}
	send(blk)
}

// dimensionRows is the last row of a <dimension ref> range such as
// "A1:F1001", or 0 when ref is missing, a single cell (what writers that do
// not track the used range put) or malformed.
func dimensionRows(ref []byte, ok bool) int64 {
	_, last, found := bytes.Cut(ref, []byte(":"))
	if !ok || !found {
		return 0
	}
	if _, row, err := cellRef(last); err == nil {
		return int64(row)
	}
	return 0
}

// value turns a cell's raw (escaped) text into its value, by cell type and
// style; ok is false for a shared string index outside the table.
func (x *xlsxSheet) value(dst []byte, typ byte, style int, raw []byte) ([]byte, bool) {
	if len(raw) == 0 {
		return dst, true
	}
	switch typ {
	case 's':
		i, ok := parseSmallUint(bytes.TrimSpace(raw))
		if !ok || i >= len(x.sst) {
			return dst, false
		}
		return append(dst, x.sst[i]...), true
	case 'i':
		return append(dst, decodeXstring(unescapeXML(nil, raw))...), true
	case 't', 'e':
		return unescapeXML(dst, raw), true
	case 'b':
		switch string(raw) {
		case "1", "true":
			return append(dst, "TRUE"...), true
		case "0", "false":
			return append(dst, "FALSE"...), true
		}
		return append(dst, raw...), true
	case 'd':
		// an ISO 8601 date cell: as written, with a space for the T
		v := unescapeXML(dst, raw)
		if i := bytes.IndexByte(v[len(dst):], 'T'); i >= 0 {
			v[len(dst)+i] = ' '
		}
		return bytes.TrimSuffix(v, []byte("Z")), true
	}
	if bytes.IndexByte(raw, '&') >= 0 {
		raw = unescapeXML(nil, raw)
	}
	raw = bytes.TrimSpace(raw)
	if style >= 0 && style < len(x.kinds) && x.kinds[style] != kindNumber {
		if out, ok := appendExcelTime(dst, raw, x.kinds[style], x.book.date1904); ok {
			return out, true
		}
	}
	return appendExcelNumber(dst, raw), true
}

// columnLetters is Excel's name of a 1-based column.
func columnLetters(c int) string {
	var b []byte
	for c > 0 {
		c--
		b = append([]byte{byte('A' + c%26)}, b...)
		c /= 26
	}
	return string(b)
}

// cellType maps a cell's t attribute to one byte: s shared string, i
// inline string, t formula string, e error, b boolean, d ISO date, 0 number.
func cellType(v []byte) byte {
	switch string(v) {
	case "s":
		return 's'
	case "inlineStr":
		return 'i'
	case "str":
		return 't'
	case "e":
		return 'e'
	case "b":
		return 'b'
	case "d":
		return 'd'
	}
	return 0
}

// parseSmallUint parses a decimal of at most 9 digits.
func parseSmallUint(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

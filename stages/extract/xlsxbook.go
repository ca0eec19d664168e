package extract

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	kflate "github.com/klauspost/compress/flate"
)

// xlsxBook is an .xlsx workbook opened for streaming: its package parts are
// read straight from the zip, the worksheet and the shared strings with
// xmlScan, the small parts (workbook, relationships, styles) with
// encoding/xml.
type xlsxBook struct {
	zr       *zip.Reader
	files    map[string]*zip.File // by lower-case name
	sheets   []xlsxSheetRef
	date1904 bool
	sstPath  string
	stylPath string
}

type xlsxSheetRef struct {
	name, state, path string
	worksheet         bool
}

// maxXMLPart bounds the small parts read whole (workbook, relationships,
// styles) and maxSST the text of the shared strings, against zip bombs.
const (
	maxXMLPart = 64 << 20
	maxSST     = 256 << 20
)

func openXLSXBook(ra io.ReaderAt, size int64) (*xlsxBook, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, fmt.Errorf("not a readable .xlsx workbook (zip: %v)", err)
	}
	// klauspost/compress inflates faster than compress/flate; the sheet is
	// inflated twice (merged ranges come after the data).
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return kflate.NewReader(r) })
	b := &xlsxBook{zr: zr, files: map[string]*zip.File{}}
	for _, f := range zr.File {
		b.files[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	wbPath := "xl/workbook.xml"
	if rels, err := b.rels("_rels/.rels"); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPath = resolvePart("", r.Target)
			}
		}
	}
	var wb struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name  string `xml:"name,attr"`
			State string `xml:"state,attr"`
			ID    string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
			ID2   string `xml:"http://purl.oclc.org/ooxml/officeDocument/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := b.decode(wbPath, &wb); err != nil {
		return nil, fmt.Errorf("not a readable .xlsx workbook: %v", err)
	}
	b.date1904 = wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"
	dir := path.Dir(wbPath)
	relPath := path.Join(dir, "_rels", path.Base(wbPath)+".rels")
	rels, err := b.rels(relPath)
	if err != nil {
		return nil, fmt.Errorf("not a readable .xlsx workbook: %v", err)
	}
	byID := map[string]xlsxRel{}
	for _, r := range rels {
		byID[r.ID] = r
		switch {
		case strings.HasSuffix(r.Type, "/sharedStrings"):
			b.sstPath = resolvePart(dir, r.Target)
		case strings.HasSuffix(r.Type, "/styles"):
			b.stylPath = resolvePart(dir, r.Target)
		}
	}
	for _, s := range wb.Sheets {
		id := s.ID
		if id == "" {
			id = s.ID2
		}
		r := byID[id]
		b.sheets = append(b.sheets, xlsxSheetRef{name: s.Name, state: s.State, path: resolvePart(dir, r.Target), worksheet: strings.HasSuffix(r.Type, "/worksheet")})
	}
	return b, nil
}

type xlsxRel struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

func (b *xlsxBook) rels(name string) ([]xlsxRel, error) {
	var r struct {
		Rel []xlsxRel `xml:"Relationship"`
	}
	err := b.decode(name, &r)
	return r.Rel, err
}

func resolvePart(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return path.Clean(path.Join(dir, target))
}

func (b *xlsxBook) open(name string) (io.ReadCloser, error) {
	f := b.files[strings.ToLower(name)]
	if f == nil {
		return nil, fmt.Errorf("part %s is missing", name)
	}
	return f.Open()
}

func (b *xlsxBook) decode(name string, v any) error {
	rc, err := b.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxXMLPart+1))
	if err != nil {
		return fmt.Errorf("part %s: %v", name, err)
	}
	if len(data) > maxXMLPart {
		return fmt.Errorf("part %s is larger than %d MiB", name, maxXMLPart>>20)
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return fmt.Errorf("part %s: %v", name, err)
	}
	return nil
}

// cellKind is what a cell's number format makes of a number.
type cellKind uint8

const (
	kindNumber cellKind = iota
	kindDate
	kindTime
	kindDateTime
)

// styleKinds reads the styles part once: the kind of each cell style (the
// s attribute of a cell indexes cellXfs), from its number format.
func (b *xlsxBook) styleKinds() ([]cellKind, error) {
	if b.stylPath == "" {
		return nil, nil
	}
	var st struct {
		NumFmts []struct {
			ID   int    `xml:"numFmtId,attr"`
			Code string `xml:"formatCode,attr"`
		} `xml:"numFmts>numFmt"`
		Xfs []struct {
			NumFmtID int `xml:"numFmtId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := b.decode(b.stylPath, &st); err != nil {
		if strings.Contains(err.Error(), "is missing") {
			return nil, nil
		}
		return nil, err
	}
	custom := map[int]string{}
	for _, f := range st.NumFmts {
		custom[f.ID] = f.Code
	}
	kinds := make([]cellKind, len(st.Xfs))
	for i, x := range st.Xfs {
		if code, ok := custom[x.NumFmtID]; ok {
			kinds[i] = numFmtKind(code)
		} else {
			kinds[i] = builtinFmtKind(x.NumFmtID)
		}
	}
	return kinds, nil
}

// builtinFmtKind: Excel's built-in number formats that show dates or
// times, including the East Asian ones (27-36, 50-58).
func builtinFmtKind(id int) cellKind {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id >= 34 && id <= 36, id >= 50 && id <= 58:
		return kindDate
	case id == 22:
		return kindDateTime
	case id >= 18 && id <= 21, id == 32, id == 33, id == 45, id == 47:
		return kindTime
	}
	return kindNumber // 46 is [h]:mm:ss, an elapsed duration: a number
}

// numFmtKind classifies a custom number format code by its first section:
// text in quotes, escaped characters, [colors]/[$locale] and padding are
// dropped; y or d (or m without h or s) make a date, h or s a time.
// Elapsed-time formats ([h]:mm) are durations and stay numbers.
func numFmtKind(code string) cellKind {
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch c {
		case ';':
			i = len(code)
			continue
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				i = len(code)
			} else {
				i += j + 1
			}
			continue
		case '\\', '_', '*':
			i++
			continue
		case '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				i = len(code)
				continue
			}
			in := strings.ToLower(code[i+1 : i+j])
			if in != "" && strings.Trim(in, "hms") == "" {
				return kindNumber // elapsed time
			}
			i += j
			continue
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	s := strings.NewReplacer("am/pm", "", "a/p", "", "general", "").Replace(b.String())
	hasTime := strings.ContainsAny(s, "hs")
	hasDate := strings.ContainsAny(s, "yd") || (strings.IndexByte(s, 'm') >= 0 && !hasTime)
	switch {
	case hasDate && hasTime:
		return kindDateTime
	case hasDate:
		return kindDate
	case hasTime:
		return kindTime
	}
	return kindNumber
}

// sharedStrings reads the shared-strings part into one string each (rich
// text runs joined, phonetic runs left out).
func (b *xlsxBook) sharedStrings() ([]string, error) {
	if b.sstPath == "" {
		return nil, nil
	}
	rc, err := b.open(b.sstPath)
	if err != nil {
		return nil, nil // a workbook without shared strings
	}
	defer rc.Close()
	s := newXMLScan(rc, maxSST)
	var out []string
	total := 0
	inSI, inT, rph := false, false, 0
	var cur []byte
	for {
		kind, name, err := s.next(inT)
		if err != nil {
			return nil, fmt.Errorf("part %s: %v", b.sstPath, err)
		}
		if kind == tagEOF {
			break
		}
		switch string(name) {
		case "si":
			switch kind {
			case tagStart:
				inSI, s.raw, s.over = true, s.raw[:0], false
			case tagEmpty:
				out = append(out, "")
			case tagEnd:
				if s.over {
					return nil, fmt.Errorf("part %s: a shared string longer than %d MiB", b.sstPath, maxSST>>20)
				}
				cur = decodeXstring(unescapeXML(cur[:0], s.raw))
				total += len(cur)
				if total > maxSST {
					return nil, fmt.Errorf("part %s: the shared strings hold more than %d MiB of text", b.sstPath, maxSST>>20)
				}
				out = append(out, string(cur))
				inSI = false
			}
		case "rPh":
			if kind == tagStart {
				rph++
			} else if kind == tagEnd && rph > 0 {
				rph--
			}
		case "t":
			inT = kind == tagStart && inSI && rph == 0
		}
	}
	return out, nil
}

// mergeRange is a merged range of cells, 1-based, inclusive.
type mergeRange struct {
	r1, c1, r2, c2 int
	val            []byte
}

// mergedRanges reads the <mergeCells> of a worksheet, which come after its
// <sheetData>: a quick byte search finds the end of the sheet data, the
// rest is scanned for mergeCell tags. It returns the ranges to fill (one
// column, several rows: a record's cell over its sub-rows), sorted by first
// row, and the number of all merged ranges. Ranges across columns (titles
// over the table, group headers) are left as Excel's CSV export leaves
// them: the value in the top-left cell only.
func (b *xlsxBook) mergedRanges(sheetPath string) ([]mergeRange, int, error) {
	out, err := b.allMergedRanges(sheetPath)
	if err != nil {
		return nil, 0, err
	}
	fill := out[:0:0]
	for _, m := range out {
		if m.c1 == m.c2 && m.r2 > m.r1 {
			fill = append(fill, m)
		}
	}
	return fill, len(out), nil
}

func (b *xlsxBook) allMergedRanges(sheetPath string) ([]mergeRange, error) {
	rc, err := b.open(sheetPath)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	const chunk = 1 << 20
	buf := make([]byte, 0, chunk+64)
	tail := -1
	for tail < 0 {
		keep := 0
		if len(buf) > 64 {
			keep = 64
		}
		copy(buf, buf[len(buf)-keep:])
		buf = buf[:keep]
		n, err := io.ReadFull(rc, buf[keep:keep+chunk])
		buf = buf[:keep+n]
		tail = sheetDataEnd(buf)
		if err != nil {
			if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			return nil, err
		}
	}
	if tail < 0 {
		return nil, nil
	}
	s := newXMLScan(io.MultiReader(bytes.NewReader(append([]byte(nil), buf[tail:]...)), rc), 0)
	var out []mergeRange
	for {
		kind, name, err := s.next(false)
		if err != nil {
			return nil, err
		}
		if kind == tagEOF {
			break
		}
		if (kind == tagEmpty || kind == tagStart) && string(name) == "mergeCell" {
			ref, _ := s.attr("ref")
			a, z, ok := strings.Cut(string(ref), ":")
			if !ok {
				continue
			}
			c1, r1, err1 := cellRef([]byte(a))
			c2, r2, err2 := cellRef([]byte(z))
			if err1 != nil || err2 != nil || r2 < r1 || c2 < c1 {
				return nil, fmt.Errorf("merged range %q is not a range", ref)
			}
			if r1 == r2 && c1 == c2 {
				continue
			}
			out = append(out, mergeRange{r1: r1, c1: c1, r2: r2, c2: c2})
			if len(out) > 1<<20 {
				return nil, fmt.Errorf("more than %d merged ranges", 1<<20)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].r1 < out[j].r1 })
	return out, nil
}

// sheetDataEnd finds, in buf, the position after the worksheet's
// </sheetData> (or <sheetData/>), or -1. Character data cannot hold '<',
// so "</" before the name is always a tag.
func sheetDataEnd(buf []byte) int {
	name := []byte("sheetData")
	for off := 0; ; {
		i := bytes.Index(buf[off:], name)
		if i < 0 {
			return -1
		}
		i += off
		off = i + len(name)
		j := i
		for j > 0 && (isNameByte(buf[j-1]) || buf[j-1] == ':') {
			j--
		}
		if j >= 2 && buf[j-1] == '/' && buf[j-2] == '<' {
			return j - 2
		}
		if j >= 1 && buf[j-1] == '<' {
			k := off
			for k < len(buf) && isXMLSpace(buf[k]) {
				k++
			}
			if k+1 < len(buf) && buf[k] == '/' && buf[k+1] == '>' {
				return j - 1
			}
		}
	}
}

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// cellRef parses an A1-style reference into 1-based column and row.
func cellRef(ref []byte) (col, row int, err error) {
	i := 0
	for i < len(ref) && i < 3 {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		i++
	}
	if i == 0 || i == len(ref) {
		return 0, 0, fmt.Errorf("bad cell reference %q", ref)
	}
	row, err = strconv.Atoi(string(ref[i:]))
	if err != nil || row < 1 || row > 1<<20 || col > 16384 {
		return 0, 0, fmt.Errorf("bad cell reference %q", ref)
	}
	return col, row, nil
}

// Excel serial dates: days since 1899-12-30 (the 1900 system, which counts
// a 29 February 1900 that never was: serials before 61 are one day off),
// or since 1904-01-01.
var (
	excelEpoch1900 = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	excelEpoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
)

// appendExcelTime appends a serial date/time in ISO form for kind; ok is
// false when v is not a serial Excel can show as a date.
func appendExcelTime(dst, v []byte, kind cellKind, date1904 bool) ([]byte, bool) {
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || f < 0 || f >= 2958466 || math.IsNaN(f) {
		return dst, false
	}
	days := math.Floor(f)
	ms := math.Round((f - days) * 86400000)
	t := excelEpoch1900
	switch {
	case date1904:
		t = excelEpoch1904
	case days < 61 && days >= 1:
		t = t.AddDate(0, 0, 1)
	}
	t = t.AddDate(0, 0, int(days)).Add(time.Duration(ms) * time.Millisecond)
	switch kind {
	case kindDate:
		return t.AppendFormat(dst, "2006-01-02"), true
	case kindTime:
		return t.AppendFormat(dst, "15:04:05.999"), true
	}
	return t.AppendFormat(dst, "2006-01-02 15:04:05.999"), true
}

// appendExcelNumber appends a numeric cell's value: as written when it is a
// plain decimal of at most 15 significant digits (exact), else rounded to
// the 15 significant digits Excel keeps and shows, without an exponent
// when one is not needed.
func appendExcelNumber(dst, v []byte) []byte {
	digits, plain := 0, len(v) > 0
	lead := true
	for i, c := range v {
		switch {
		case c >= '0' && c <= '9':
			if c != '0' || !lead {
				lead = false
				digits++
			}
		case c == '.':
		case c == '-' && i == 0:
		default:
			plain = false
		}
	}
	if plain && digits <= 15 {
		return append(dst, v...)
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return append(dst, v...)
	}
	g := strconv.FormatFloat(f, 'g', 15, 64)
	f, _ = strconv.ParseFloat(g, 64)
	if a := math.Abs(f); a == 0 || (a >= 1e-7 && a < 1e21) {
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'G', -1, 64)
}

package extract

import (
	"bytes"
	"fmt"
	"strconv"
)

// DelimiterAuto asks OpenCSV to sniff the delimiter (see [sniffDelimiter]).
const DelimiterAuto rune = -1

// sniffCandidates are the delimiters DelimiterAuto chooses between, in the
// order that breaks ties.
var sniffCandidates = []byte{',', ';', '\t', '|'}

// sniffDelimiter picks the delimiter that splits the first records of text
// into the same number (more than one) of fields most consistently, as
// DuckDB's and Python's sniffers do. Quoting is honoured (the real splitter
// does the work). Ties go to the earlier candidate; when no candidate gives
// more than one field the file has one column and ',' is as good as any.
func sniffDelimiter(text []byte, atEOF bool) byte {
	if len(text) > 256<<10 {
		text, atEOF = text[:256<<10], false
	}
	if !atEOF {
		if i := bytes.LastIndexByte(text, '\n'); i > 0 {
			text = text[:i+1]
		}
	}
	best, bestScore := byte(','), 0.0
	for _, d := range sniffCandidates {
		sp := newSplitter(d, DefaultMaxRecordBytes)
		blk := &block{text: text}
		sp.split(blk, true)
		recs := blk.recs
		if len(recs) > 200 {
			recs = recs[:200]
		}
		counts := map[int32]int{}
		for _, r := range recs {
			if r.prob == probNone {
				counts[r.nfields]++
			}
		}
		var mode int32
		for n, c := range counts {
			if c > counts[mode] || (c == counts[mode] && n > mode) {
				mode = n
			}
		}
		if mode < 2 || len(recs) == 0 {
			continue
		}
		// Consistency first; more fields break near-ties.
		score := float64(counts[mode])/float64(len(recs)) + 0.001*float64(min(mode, 50))
		if score > bestScore+1e-9 {
			best, bestScore = d, score
		}
	}
	return best
}

// sepLine recognises Excel's "sep=;" first line. It returns the delimiter
// and the length of the line with its terminator, or 0.
func sepLine(text []byte) (byte, int) {
	if len(text) < 5 || !bytes.HasPrefix(text, []byte("sep=")) {
		return 0, 0
	}
	d := text[4]
	n := 5
	switch {
	case len(text) > n && text[n] == '\n':
		n++
	case len(text) > n+1 && text[n] == '\r' && text[n+1] == '\n':
		n += 2
	case len(text) == n:
	default:
		return 0, 0
	}
	if d == '"' || d == '\n' || d == '\r' || d >= 0x80 {
		return 0, 0
	}
	return d, n
}

// crOnly reports a file whose lines end in CR alone ("CSV (Macintosh)"):
// carriage returns and not a single line feed in its first block.
func crOnly(text []byte) bool {
	return bytes.IndexByte(text, '\n') < 0 && bytes.IndexByte(text, '\r') >= 0
}

// recordWidth is the number of fields up to the last non-empty one.
func recordWidth(blk *block, rec *record) int {
	fields := blk.fields[rec.first : rec.first+rec.nfields]
	for i := len(fields) - 1; i >= 0; i-- {
		if len(trimSpace(blk.value(fields[i]))) > 0 {
			return i + 1
		}
	}
	return 0
}

// maxTitleRows bounds the title or note rows skipped above a header.
const maxTitleRows = 10

// titleRows counts the title or note rows above the header in the first
// block: leading records at most half as wide as the widest of the first
// 30 (a report title, "exported on ...", an empty row). Zero when the file
// is one column wide (nothing to tell them apart by).
func titleRows(blk *block) int {
	n := min(len(blk.recs), 30)
	if n < 2 {
		return 0
	}
	w := make([]int, n)
	widest := 0
	for i := range n {
		if blk.recs[i].prob == probNone {
			w[i] = recordWidth(blk, &blk.recs[i])
		}
		widest = max(widest, w[i])
	}
	if widest < 2 {
		return 0
	}
	i := 0
	for i < min(n-1, maxTitleRows) && blk.recs[i].prob == probNone && w[i] <= widest/2 {
		i++
	}
	return i
}

// dataLike says whether a header cell looks like a value of the kind its
// column holds: a number in a numeric column, a date in a date column, an
// e-mail address or a phone number where the rows below hold them. Real
// headers are words; such a first row is data, and must not become names.
func dataLike(cell []byte, col Type, values [][]byte) bool {
	cell = trimSpace(cell)
	if len(cell) == 0 {
		return false
	}
	switch col.Kind {
	case KindInt64, KindDecimal:
		_, ok := scanNumber(cell, false)
		return ok
	case KindDate, KindTimestamp:
		_, _, ok := parseTimestamp(cell)
		return ok
	}
	for _, kind := range []func([]byte) bool{looksEmail, looksPhone, looksLongID} {
		if !kind(cell) {
			continue
		}
		hits := 0
		for _, v := range values {
			if kind(trimSpace(v)) {
				hits++
			}
		}
		if len(values) > 0 && hits*2 >= len(values) {
			return true
		}
	}
	return false
}

func looksEmail(v []byte) bool {
	at := bytes.IndexByte(v, '@')
	return at > 0 && bytes.IndexByte(v[at:], '.') > 1 && bytes.IndexByte(v, ' ') < 0
}

// looksPhone: 7 to 15 digits with the usual separators.
func looksPhone(v []byte) bool {
	digits := 0
	for _, c := range v {
		switch {
		case isDigit(c):
			digits++
		case c == '+' || c == '-' || c == ' ' || c == '(' || c == ')':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

// looksLongID: 15 to 20 digits, an X allowed last (resident IDs, cards).
func looksLongID(v []byte) bool {
	if len(v) < 15 || len(v) > 20 {
		return false
	}
	for i, c := range v {
		if !isDigit(c) && !(i == len(v)-1 && (c == 'X' || c == 'x')) {
			return false
		}
	}
	return true
}

// sciNotation recognises what Excel writes for long numbers it has already
// rounded: 3.58517E+15.
func sciNotation(v []byte) bool {
	e := bytes.IndexAny(v, "Ee")
	if e < 1 || e+2 > len(v) || (v[e+1] != '+' && v[e+1] != '-') {
		return false
	}
	if _, ok := scanNumber(v[:e], false); !ok {
		return false
	}
	_, err := strconv.Atoi(string(v[e+2:]))
	return err == nil
}

// colNames returns col1..colN.
func colNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("col%d", i+1)
	}
	return names
}

// HeaderMode says whether a CSV file has a header row.
type HeaderMode int

const (
	// HeaderAuto: the first row (after title rows) is the header, unless it
	// looks like data, which is an ErrHeaderLooksLikeData error.
	HeaderAuto HeaderMode = iota
	// HeaderYes: the first row (after title rows) is the header, always.
	HeaderYes
	// HeaderNo: there is no header; columns are col1..colN.
	HeaderNo
)

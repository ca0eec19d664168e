package extract

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// field locates one field's text: text[start:end] of its block, or
// extra[start:end] when start has extraBit (a quoted field with doubled
// quotes, unescaped).
type field struct{ start, end uint32 }

const extraBit = 1 << 31

// problem is why a record could not be split into fields.
type problem uint8

const (
	probNone         problem = iota
	probBareQuote            // a quote inside an unquoted field
	probAfterQuote           // a character other than delimiter or newline after a closing quote
	probUnterminated         // a quoted field still open at the end of the file
	probTooLong              // a quoted field still open after MaxRecordBytes
	probEncoding             // undecodable bytes
	probCellTooLong          // an .xlsx cell longer than MaxRecordBytes
	probLineTooLong          // a line longer than MaxRecordBytes (only its start is kept)
)

// record is one CSV record of a block.
type record struct {
	line             int64  // physical line where the record starts (1-based)
	first, nfields   int32  // its fields are block.fields[first:first+nfields]
	rawStart, rawEnd uint32 // its text (without line terminator) is block.text[rawStart:rawEnd]
	prob             problem
	probField        int32 // 0-based field the problem was found in, -1 if none
}

// block is a run of complete records handed from the splitter to the builder.
type block struct {
	text       []byte
	extra      []byte
	fields     []field
	recs       []record
	skip       int   // records at the start that are not data (the header)
	bytes      int64 // source bytes read for this block
	blank      int64 // blank lines skipped
	markers    bool  // undecodable bytes are markers (GBK/GB18030), not raw bytes
	enc        textEncoding
	encName    string
	confidence float64
	err        error // set on the last block when reading failed
}

func (b *block) value(f field) []byte {
	if f.start&extraBit != 0 {
		return b.extra[f.start&^extraBit : f.end&^extraBit]
	}
	return b.text[f.start:f.end]
}

func (b *block) reset() {
	b.text = b.text[:0]
	b.extra = b.extra[:0]
	b.fields = b.fields[:0]
	b.recs = b.recs[:0]
	b.skip, b.bytes, b.blank, b.markers, b.enc, b.err = 0, 0, 0, false, encUndecided, nil
	b.encName, b.confidence = "", 0
}

// splitter is an RFC 4180 parser working on whole blocks of text. It never
// copies a field unless the field holds doubled quotes.
type splitter struct {
	delim     byte
	special   [256]bool // delimiter, quote, line feed
	delimWord uint64    // the delimiter in every byte
	line      int64     // line number of the next unread byte
	maxRec    int
}

func newSplitter(delim byte, maxRec int) *splitter {
	s := &splitter{delim: delim, line: 1, maxRec: maxRec, delimWord: uint64(delim) * lowBits}
	s.special[delim] = true
	s.special['"'] = true
	s.special['\n'] = true
	return s
}

const (
	lowBits     = 0x0101010101010101
	highBits    = 0x8080808080808080
	quoteWord   = '"' * lowBits
	newlineWord = '\n' * lowBits
)

// zeroBytes flags the zero bytes of w in their high bits. Only the lowest
// flag is exact (a borrow can flag bytes above it), which is all we use.
func zeroBytes(w uint64) uint64 { return (w - lowBits) &^ w & highBits }

// maxTooLongRaw is how much of a line over MaxRecordBytes its reject keeps.
const maxTooLongRaw = 4096

// tooLongError reports a physical line longer than maxRec.
type tooLongError struct{ line int64 }

// split appends the complete records of blk.text to blk and returns how many
// bytes they (and skipped blank lines) take; the rest must be carried over to
// the next block. At EOF everything is consumed.
func (s *splitter) split(blk *block, atEOF bool) (int, *tooLongError) {
	text := blk.text
	n := len(text)
	r0 := len(blk.recs)
	pos := 0
	for pos < n {
		switch text[pos] {
		case '\n':
			s.line++
			blk.blank++
			pos++
			continue
		case '\r':
			if pos+1 == n {
				if !atEOF {
					return s.finish(blk, r0, pos), nil
				}
				blk.blank++
				pos++
				continue
			}
			if text[pos+1] == '\n' {
				s.line++
				blk.blank++
				pos += 2
				continue
			}
		}
		f0, x0, r1, line0 := len(blk.fields), len(blk.extra), len(blk.recs), s.line
		next, ok := s.record(blk, pos, atEOF)
		if ok {
			if rec := &blk.recs[r1]; int(rec.rawEnd-rec.rawStart) <= s.maxRec {
				pos = next
				continue
			}
			// Too long: undo it and treat it as below.
			blk.recs, blk.fields, blk.extra, s.line = blk.recs[:r1], blk.fields[:f0], blk.extra[:x0], line0
		} else if n-pos-1 <= s.maxRec {
			break // wait for more text
		}
		// The record is longer than maxRec. If its first line is too, the
		// file is not a CSV we can read. Otherwise a quoted field opened
		// on that line is taken to be a stray quote: reject the line and
		// resume on the next one.
		nl := bytes.IndexByte(text[pos:], '\n')
		if nl < 0 || trimEOL(text, pos, pos+nl)-pos > s.maxRec {
			return s.finish(blk, r0, pos), &tooLongError{line: s.line}
		}
		end := pos + nl
		blk.recs = append(blk.recs, record{line: s.line, first: int32(len(blk.fields)), rawStart: uint32(pos), rawEnd: uint32(trimEOL(text, pos, end)), prob: probTooLong, probField: -1})
		s.line++
		pos = end + 1
	}
	return s.finish(blk, r0, pos), nil
}

// finish marks records holding invalid UTF-8 (or markers).
func (s *splitter) finish(blk *block, r0, consumed int) int {
	if utf8.Valid(blk.text[:consumed]) {
		return consumed
	}
	for i := r0; i < len(blk.recs); i++ {
		rec := &blk.recs[i]
		if rec.prob != probNone {
			continue // keep the structural reason; Raw still shows the bytes
		}
		for j, f := range blk.fields[rec.first : rec.first+rec.nfields] {
			if !utf8.Valid(blk.value(f)) {
				rec.prob, rec.probField = probEncoding, int32(j)
				break
			}
		}
	}
	return consumed
}

// record parses the record starting at start. It returns the position after
// its line terminator, or ok=false (and no changes) when text ends first.
func (s *splitter) record(blk *block, start int, atEOF bool) (next int, ok bool) {
	text := blk.text
	n := len(text)
	line0 := s.line
	f0 := int32(len(blk.fields))
	x0 := len(blk.extra)
	prob, probField := probNone, int32(-1)
	rawEnd := 0
	i := start
	for {
		nf := int32(len(blk.fields)) - f0
		if i < n && text[i] == '"' {
			// Quoted field.
			i++
			fs, seg := i, i
			xs := -1 // start of the unescaped copy in blk.extra
			for {
				q := bytes.IndexByte(text[i:], '"')
				if q < 0 {
					if !atEOF {
						goto incomplete
					}
					s.line += int64(bytes.Count(text[i:], nlBytes))
					prob, probField = probUnterminated, nf
					next, rawEnd = n, trimFinalEOL(text, start, n)
					goto done
				}
				q += i
				s.line += int64(bytes.Count(text[i:q], nlBytes))
				if q+1 == n && !atEOF {
					goto incomplete
				}
				if q+1 < n && text[q+1] == '"' { // doubled quote
					if xs < 0 {
						xs = len(blk.extra)
						blk.extra = append(blk.extra, text[fs:q+1]...)
					} else {
						blk.extra = append(blk.extra, text[seg:q+1]...)
					}
					i = q + 2
					seg = i
					continue
				}
				if xs >= 0 {
					blk.extra = append(blk.extra, text[seg:q]...)
					blk.fields = append(blk.fields, field{uint32(xs) | extraBit, uint32(len(blk.extra)) | extraBit})
				} else {
					blk.fields = append(blk.fields, field{uint32(fs), uint32(q)})
				}
				i = q + 1
				break
			}
			// After the closing quote.
			if i == n { // atEOF
				next, rawEnd = n, n
				goto done
			}
			switch c := text[i]; {
			case c == s.delim:
				i++
				continue
			case c == '\n':
				s.line++
				next, rawEnd = i+1, i
				goto done
			case c == '\r' && i+1 < n && text[i+1] == '\n':
				s.line++
				next, rawEnd = i+2, i
				goto done
			case c == '\r' && i+1 == n:
				if !atEOF {
					goto incomplete
				}
				next, rawEnd = n, i
				goto done
			}
			prob, probField = probAfterQuote, nf
			goto skipLine
		}
		// Unquoted field.
		{
			fs := i
			// Eight bytes at a time, then byte by byte.
			for ; i+8 <= n; i += 8 {
				w := binary.LittleEndian.Uint64(text[i:])
				if m := zeroBytes(w^s.delimWord) | zeroBytes(w^quoteWord) | zeroBytes(w^newlineWord); m != 0 {
					i += bits.TrailingZeros64(m) >> 3
					break
				}
			}
			for i < n && !s.special[text[i]] {
				i++
			}
			if i == n {
				if !atEOF {
					goto incomplete
				}
				fe := trimEOL(text, fs, n)
				blk.fields = append(blk.fields, field{uint32(fs), uint32(fe)})
				next, rawEnd = n, fe
				goto done
			}
			switch text[i] {
			case s.delim:
				blk.fields = append(blk.fields, field{uint32(fs), uint32(i)})
				i++
				continue
			case '\n':
				fe := trimEOL(text, fs, i)
				blk.fields = append(blk.fields, field{uint32(fs), uint32(fe)})
				s.line++
				next, rawEnd = i+1, fe
				goto done
			}
			prob, probField = probBareQuote, nf
			goto skipLine
		}
	}

skipLine:
	// A malformed record ends at the next line feed.
	if nl := bytes.IndexByte(text[i:], '\n'); nl >= 0 {
		s.line++
		next, rawEnd = i+nl+1, trimEOL(text, start, i+nl)
	} else if atEOF {
		next, rawEnd = n, trimFinalEOL(text, start, n)
	} else {
		goto incomplete
	}

done:
	if prob != probNone {
		blk.fields = blk.fields[:f0]
		blk.extra = blk.extra[:x0]
	}
	blk.recs = append(blk.recs, record{
		line: line0, first: f0, nfields: int32(len(blk.fields)) - f0,
		rawStart: uint32(start), rawEnd: uint32(rawEnd),
		prob: prob, probField: probField,
	})
	return next, true

incomplete:
	s.line = line0
	blk.fields = blk.fields[:f0]
	blk.extra = blk.extra[:x0]
	return start, false
}

var nlBytes = []byte{'\n'}

// trimEOL returns end, less one if text[end-1] is a carriage return.
func trimEOL(text []byte, start, end int) int {
	if end > start && text[end-1] == '\r' {
		return end - 1
	}
	return end
}

// trimFinalEOL drops a final LF or CRLF.
func trimFinalEOL(text []byte, start, end int) int {
	if end > start && text[end-1] == '\n' {
		end--
	}
	return trimEOL(text, start, end)
}

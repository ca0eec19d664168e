package extract

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// textEncoding is the kind of a source file's character encoding: it picks
// the decoding path. The encoding itself is a [charset].
type textEncoding int

const (
	encUndecided textEncoding = iota // "auto" before the first non-ASCII byte
	encUTF8
	encGBK
	encGB18030
	encSingle  // a single-byte encoding (windows-1252, iso-8859-15 ...)
	encUTF16LE // UTF-16, little endian
	encUTF16BE
	encXText // another multi-byte encoding, through x/text (big5, shift_jis ...)
)

func (e textEncoding) String() string {
	switch e {
	case encGBK:
		return "gbk"
	case encGB18030:
		return "gb18030"
	case encSingle:
		return "single-byte"
	case encUTF16LE:
		return "utf-16le"
	case encUTF16BE:
		return "utf-16be"
	case encXText:
		return "multi-byte"
	}
	return "utf-8" // undecided at the end means the file was ASCII
}

// parseEncoding maps the CSVOptions.Encoding spellings to a charset.
func parseEncoding(s string) (charset, error) { return lookupCharset(s) }

const (
	rawBufSize   = 1 << 20 // bytes read from the file at a time
	detectWindow = 1 << 20 // bytes from the first non-ASCII one examined by "auto"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomGB18030 = []byte{0x84, 0x31, 0x95, 0x33}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// Invalid input bytes of a GBK/GB18030 file are passed on as a three-byte
// marker 0xFF, 0x80|hi, 0x80|lo. 0xFF never occurs in UTF-8, so the marker
// makes the field invalid UTF-8 (and the row is rejected), contains no ASCII
// (so it cannot be taken for a delimiter, quote or newline), and still names
// the original byte for Reject.Raw.
const markerByte = 0xFF

// source turns the bytes of a file into UTF-8 text. It strips a byte-order
// mark, resolves "auto", and transcodes GBK/GB18030. Invalid UTF-8 is passed
// through unchanged; invalid GBK/GB18030 bytes become markers.
type source struct {
	r          io.Reader
	raw        []byte
	rs, re     int // unread bytes are raw[rs:re]
	eof        bool
	started    bool
	enc        textEncoding
	cs         charset
	confidence float64               // of the encoding: 1 when declared or certain
	dec        transform.Transformer // four-byte GB18030 codes
	table      *[126 * 191]uint16
	x          *xtext // encUTF16*, encXText
	consumed   int64  // source bytes delivered (including a BOM)
}

// newSource reads r through a buffer of size+window bytes, where window is
// detectWindow for "auto" (the detector's evidence) and 64 KiB otherwise.
func newSource(r io.Reader, cs charset, size int) *source {
	window := 64 << 10
	if cs.kind == encUndecided {
		window = detectWindow
	}
	s := &source{r: r, raw: make([]byte, size+window), confidence: 1}
	s.setCharset(cs)
	return s
}

func (s *source) setCharset(cs charset) {
	s.cs, s.enc = cs, cs.kind
	switch cs.kind {
	case encGBK:
		s.dec = simplifiedchinese.GBK.NewDecoder()
		s.table = gbTwoByte()
	case encGB18030:
		s.dec = simplifiedchinese.GB18030.NewDecoder()
		s.table = gbTwoByte()
	case encUTF16LE, encUTF16BE, encXText:
		s.x = newXText(cs)
	}
}

// setEncoding switches to one of the fast-path kinds.
func (s *source) setEncoding(enc textEncoding) {
	s.setCharset(charset{kind: enc, name: enc.String()})
}

// name is the encoding's name for Stats and messages.
func (s *source) name() string {
	if s.cs.name != "" {
		return s.cs.name
	}
	return s.enc.String()
}

// fill reads until the buffer is full or the file ends.
func (s *source) fill() error {
	if s.rs > 0 {
		s.re = copy(s.raw, s.raw[s.rs:s.re])
		s.rs = 0
	}
	for empty := 0; !s.eof && s.re < len(s.raw); {
		n, err := s.r.Read(s.raw[s.re:])
		s.re += n
		switch {
		case errors.Is(err, io.EOF):
			s.eof = true
		case err != nil:
			return err
		case n == 0:
			if empty++; empty > 100 {
				return io.ErrNoProgress
			}
		}
	}
	return nil
}

// read writes text into dst (len(dst) >= 64) and returns the number of bytes
// written; it returns io.EOF once the file is exhausted. It may return fewer
// bytes than fit.
func (s *source) read(dst []byte) (int, error) {
	if s.enc == encUTF8 && s.started && s.rs == s.re && !s.eof && len(dst) >= detectWindow {
		// Nothing to decode: read straight into the caller's buffer.
		n, err := s.r.Read(dst)
		s.consumed += int64(n)
		switch {
		case errors.Is(err, io.EOF):
			s.eof = true
		case err != nil:
			return 0, err
		}
		if n > 0 {
			return n, nil
		}
	}
	for {
		// Keep the buffer topped up, except that UTF-8 text left in it is
		// handed out first so that the direct read above takes over.
		if !s.eof && s.re-s.rs < detectWindow && (s.enc != encUTF8 || !s.started || s.rs == s.re) {
			if err := s.fill(); err != nil {
				return 0, err
			}
		}
		if !s.started {
			s.started = true
			if err := s.startFile(); err != nil {
				return 0, err
			}
		}
		if s.rs == s.re && s.eof {
			return 0, io.EOF
		}
		src := s.raw[s.rs:s.re]
		if s.enc == encUndecided {
			p := firstNonASCII(src[:min(len(src), len(dst))])
			if p != 0 {
				if p < 0 {
					p = min(len(src), len(dst))
				}
				n := copy(dst, src[:p])
				s.advance(n)
				return n, nil
			}
			if !s.eof && len(src) < detectWindow {
				if err := s.fill(); err != nil {
					return 0, err
				}
				src = s.raw[s.rs:s.re]
			}
			window, final := src, s.eof
			if len(window) > detectWindow {
				window, final = window[:detectWindow], false
			}
			d, err := detectCharset(window, final)
			if err != nil {
				return 0, err
			}
			s.setCharset(d.cs)
			s.confidence = d.confidence
		}
		if s.enc == encUTF8 {
			n := copy(dst, src)
			s.advance(n)
			return n, nil
		}
		atEOF := s.eof
		if max := len(dst) / 3; len(src) > max { // worst case expansion is 3x
			src, atEOF = src[:max], false
		}
		var nDst, nSrc int
		switch s.enc {
		case encSingle:
			nDst, nSrc = transcodeSingle(dst, src, s.cs.single), len(src)
		case encUTF16LE, encUTF16BE, encXText:
			nDst, nSrc = s.x.transcode(dst, src, atEOF)
		default:
			nDst, nSrc = s.transcode(dst, src, atEOF)
		}
		s.advance(nSrc)
		if nDst > 0 || nSrc > 0 {
			return nDst, nil
		}
		if s.eof { // cannot happen: at EOF every byte decodes or becomes a marker
			return 0, io.EOF
		}
		// An incomplete multi-byte sequence at the end of the buffer: read on.
		if err := s.fill(); err != nil {
			return 0, err
		}
	}
}

func (s *source) advance(n int) {
	s.rs += n
	s.consumed += int64(n)
}

// startFile handles a byte-order mark.
func (s *source) startFile() error {
	b := s.raw[s.rs:s.re]
	switch {
	case bytes.HasPrefix(b, bomUTF8):
		if s.enc != encUndecided && s.enc != encUTF8 {
			return fmt.Errorf("%w: the file starts with a UTF-8 byte-order mark but encoding %s is configured", ErrUnsupportedEncoding, s.name())
		}
		s.advance(len(bomUTF8))
		s.setEncoding(encUTF8)
	case bytes.HasPrefix(b, bomGB18030):
		if s.enc != encUndecided && s.enc != encGB18030 && s.enc != encGBK {
			return fmt.Errorf("%w: the file starts with a GB18030 byte-order mark but encoding %s is configured", ErrUnsupportedEncoding, s.name())
		}
		s.advance(len(bomGB18030))
		s.setEncoding(encGB18030)
	case bytes.HasPrefix(b, bomUTF16LE), bytes.HasPrefix(b, bomUTF16BE):
		want := encUTF16LE
		if b[0] == 0xFE {
			want = encUTF16BE
		}
		if s.enc != encUndecided && s.enc != want {
			return fmt.Errorf("%w: the file starts with a %s byte-order mark but encoding %s is configured", ErrUnsupportedEncoding, want, s.name())
		}
		s.advance(2)
		cs, _ := lookupCharset(want.String())
		s.setCharset(cs)
	default:
		if s.enc == encUndecided {
			if e := sniffUTF16(b); e != encUndecided {
				cs, _ := lookupCharset(e.String())
				s.setCharset(cs)
			}
		}
	}
	return nil
}

// sniffUTF16 recognises UTF-16 without a byte-order mark by its zero bytes:
// text that is mostly ASCII puts a zero in every other byte, on the high
// side. It needs both a clear pattern and some length.
func sniffUTF16(b []byte) textEncoding {
	b = b[:min(len(b), 4096)]
	if len(b) < 32 {
		return encUndecided
	}
	var even, odd int
	for i := 0; i+1 < len(b); i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	pairs := len(b) / 2
	switch {
	case odd*10 >= pairs*6 && even*20 < pairs:
		return encUTF16LE
	case even*10 >= pairs*6 && odd*20 < pairs:
		return encUTF16BE
	}
	return encUndecided
}

// firstNonASCII returns the index of the first byte >= 0x80, or -1.
func firstNonASCII(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= 0x80 {
			return i
		}
	}
	return -1
}

// looksUTF8 decides "auto": b starts at the first non-ASCII byte of the file.
// It is UTF-8 when it is valid UTF-8, or nearly so (at least four valid
// multi-byte sequences per invalid byte: a UTF-8 file with a few corrupt
// bytes keeps its encoding and only the rows holding them are rejected).
// GBK text is valid UTF-8 far less often than that. final says that b ends
// where the file ends (else a cut sequence at the end is ignored).
func looksUTF8(b []byte, final bool) bool {
	valid, invalid := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			if !final && !utf8.FullRune(b[i:]) {
				break
			}
			invalid++
			i++
			continue
		}
		valid++
		i += size
	}
	return invalid == 0 || valid >= 4*invalid
}

// gbSequence returns the length of the GBK/GB18030 sequence at the start of b
// and whether it is well formed; size 0 means b ends inside the sequence.
// It follows x/text's decoder (and the WHATWG gb18030 decoder) except that
// it is stricter about the second byte of a four-byte sequence.
func gbSequence(b []byte, gb18030 bool) (size int, ok bool) {
	c0 := b[0]
	switch {
	case c0 < 0x80:
		return 1, true
	case c0 == 0x80: // the euro sign in code page 936
		return 1, true
	case c0 == 0xFF:
		return 1, false
	}
	if len(b) < 2 {
		return 0, false
	}
	c1 := b[1]
	switch {
	case 0x40 <= c1 && c1 <= 0x7E, 0x80 <= c1 && c1 <= 0xFE:
		return 2, true
	case gb18030 && 0x30 <= c1 && c1 <= 0x39:
		if len(b) < 4 {
			return 0, false
		}
		c2, c3 := b[2], b[3]
		if c2 < 0x81 || c2 == 0xFF || c3 < 0x30 || c3 > 0x39 {
			return 1, false
		}
		r := ((int(c0-0x81)*10+int(c1-0x30))*126+int(c2-0x81))*10 + int(c3-0x30)
		if r < 39420 || (r >= 189000 && r < 189000+0x100000) {
			return 4, true
		}
		return 1, false
	}
	return 1, false
}

// gbTwoByte maps two-byte GBK/GB18030 codes (lead 0x81..0xFE, trail
// 0x40..0xFE) to runes; U+FFFD marks an unassigned code. It is derived once
// from x/text's decoder, which GBK and GB18030 share for two-byte codes.
var gbTwoByte = sync.OnceValue(func() *[126 * 191]uint16 {
	var t [126 * 191]uint16
	dec := simplifiedchinese.GB18030.NewDecoder()
	var src [2]byte
	var dst [8]byte
	for c0 := 0x81; c0 <= 0xFE; c0++ {
		for c1 := 0x40; c1 <= 0xFE; c1++ {
			r := rune(utf8.RuneError)
			if c1 != 0x7F {
				src[0], src[1] = byte(c0), byte(c1)
				if n, _, err := dec.Transform(dst[:], src[:], true); err == nil {
					if d, size := utf8.DecodeRune(dst[:n]); size == n && d <= 0xFFFF {
						r = d
					}
				}
			}
			t[(c0-0x81)*191+c1-0x40] = uint16(r)
		}
	}
	return &t
})

// transcode decodes GBK/GB18030 src into dst (len(dst) >= 3*len(src)).
// ASCII is copied, two-byte codes are looked up, four-byte codes go through
// x/text; malformed or unassigned codes become markers. Unless atEOF, a
// sequence cut at the end of src is left unread.
func (s *source) transcode(dst, src []byte, atEOF bool) (nDst, nSrc int) {
	gb18030 := s.enc == encGB18030
	table := s.table
	i := 0
	for i < len(src) {
		c0 := src[i]
		if c0 < 0x80 {
			j := firstNonASCII(src[i:])
			if j < 0 {
				j = len(src) - i
			}
			nDst += copy(dst[nDst:], src[i:i+j])
			i += j
			continue
		}
		size, ok := gbSequence(src[i:], gb18030)
		if size == 0 {
			if !atEOF {
				break
			}
			size, ok = 1, false
		}
		switch {
		case !ok:
			nDst += writeMarkers(dst[nDst:], src[i:i+size])
		case size == 1: // 0x80
			nDst += utf8.EncodeRune(dst[nDst:], '€')
		case size == 2:
			r := table[int(c0-0x81)*191+int(src[i+1]-0x40)]
			switch {
			case r == utf8.RuneError:
				nDst += writeMarkers(dst[nDst:], src[i:i+2])
			case r < 0x800:
				dst[nDst] = byte(0xC0 | r>>6)
				dst[nDst+1] = byte(0x80 | r&0x3F)
				nDst += 2
			default:
				dst[nDst] = byte(0xE0 | r>>12)
				dst[nDst+1] = byte(0x80 | (r>>6)&0x3F)
				dst[nDst+2] = byte(0x80 | r&0x3F)
				nDst += 3
			}
		default: // four bytes; U+FFFD is genuine here (0x84 0x31 0xA4 0x37)
			n, _, _ := s.dec.Transform(dst[nDst:], src[i:i+4], true)
			nDst += n
		}
		i += size
	}
	return nDst, i
}

func writeMarkers(dst, b []byte) int {
	for i, c := range b {
		dst[3*i] = markerByte
		dst[3*i+1] = 0x80 | c>>4
		dst[3*i+2] = 0x80 | c&0x0F
	}
	return 3 * len(b)
}

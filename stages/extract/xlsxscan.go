package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScan is a small streaming XML tag scanner for the two large parts of a
// workbook, the worksheet and the shared strings. encoding/xml allocates a
// token per tag and was most of the reading time; the worksheet grammar
// needs only tags, their attributes and the text of <v> and <t>. It
// handles prefixes (<x:c>), quoted '>' in attributes, comments, processing
// instructions and CDATA; it refuses DTDs (an .xlsx never has one, and
// entity expansion is a known attack).
type xmlScan struct {
	r    io.Reader
	buf  []byte
	pos  int
	end  int
	eof  bool
	tag  []byte // the current tag, between < and > (valid until the next call)
	raw  []byte // collected character data, still escaped
	over bool   // raw reached maxRaw and stopped growing
	// maxRaw bounds raw; maxTag bounds one tag.
	maxRaw, maxTag int
	consumed       int64
}

type tagKind uint8

const (
	tagStart tagKind = iota + 1
	tagEnd
	tagEmpty // <name/>
	tagEOF
)

var errXMLSyntax = errors.New("malformed XML")

func newXMLScan(r io.Reader, maxRaw int) *xmlScan {
	return &xmlScan{r: r, buf: make([]byte, 256<<10), maxRaw: maxRaw, maxTag: 1 << 20}
}

// fill reads more input, keeping buf[keep:end].
func (s *xmlScan) fill(keep int) error {
	if s.eof {
		return io.EOF
	}
	if keep > 0 {
		copy(s.buf, s.buf[keep:s.end])
		s.end -= keep
		s.pos -= keep
	}
	if s.end == len(s.buf) {
		if len(s.buf) > s.maxTag {
			return fmt.Errorf("%w: a tag longer than %d bytes", errXMLSyntax, s.maxTag)
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	s.consumed += int64(n)
	if err == io.EOF {
		s.eof = true
		if n == 0 {
			return io.EOF
		}
		return nil
	}
	return err
}

// collect appends text to raw, up to maxRaw.
func (s *xmlScan) collect(text []byte) {
	if s.over {
		return
	}
	if len(s.raw)+len(text) > s.maxRaw {
		s.over = true
		return
	}
	s.raw = append(s.raw, text...)
}

// next moves to the next tag, collecting the character data before it
// into raw when collect is set. It returns the tag's kind and local name
// (without prefix).
func (s *xmlScan) next(collect bool) (tagKind, []byte, error) {
	for {
		i := bytes.IndexByte(s.buf[s.pos:s.end], '<')
		if i < 0 {
			if collect {
				s.collect(s.buf[s.pos:s.end])
			}
			s.pos = s.end
			if err := s.fill(s.pos); err != nil {
				if err == io.EOF {
					return tagEOF, nil, nil
				}
				return 0, nil, err
			}
			continue
		}
		if collect {
			s.collect(s.buf[s.pos : s.pos+i])
		}
		s.pos += i
		// A tag: find its end.
		for {
			end, kind := s.tagEnd()
			if end > 0 {
				start := s.pos
				s.pos = end
				switch kind {
				case 'c': // comment or processing instruction
				case 'd': // CDATA: text
					if collect {
						s.collectCDATA(s.buf[start+9 : end-3])
					}
				default:
					t := s.buf[start+1 : end-1]
					s.tag = t
					k := tagStart
					if t[0] == '/' {
						k, t = tagEnd, t[1:]
					} else if t[len(t)-1] == '/' {
						k = tagEmpty
					}
					return k, localName(t), nil
				}
				break
			}
			if end < 0 {
				return 0, nil, fmt.Errorf("%w near byte %d", errXMLSyntax, s.consumed-int64(s.end-s.pos))
			}
			if err := s.fill(s.pos); err != nil {
				if err == io.EOF {
					return 0, nil, fmt.Errorf("%w: the part ends inside a tag", errXMLSyntax)
				}
				return 0, nil, err
			}
		}
	}
}

// tagEnd finds the end of the tag at buf[pos] ('<'): the index after its
// '>' and its kind ('t' tag, 'c' comment/PI, 'd' CDATA); 0 when more input
// is needed, -1 when it is not a tag we accept.
func (s *xmlScan) tagEnd() (int, byte) {
	b := s.buf[s.pos:s.end]
	if len(b) < 2 {
		return 0, 0
	}
	find := func(from int, close string, kind byte) (int, byte) {
		if j := bytes.Index(b[from:], []byte(close)); j >= 0 {
			return s.pos + from + j + len(close), kind
		}
		return 0, 0
	}
	switch b[1] {
	case '?':
		return find(2, "?>", 'c')
	case '!':
		if len(b) < 9 {
			return 0, 0
		}
		switch {
		case bytes.HasPrefix(b, []byte("<!--")):
			return find(4, "-->", 'c')
		case bytes.HasPrefix(b, []byte("<![CDATA[")):
			return find(9, "]]>", 'd')
		}
		return -1, 0 // DOCTYPE and other declarations
	}
	var q byte
	for j := 1; j < len(b); j++ {
		c := b[j]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '<':
			return -1, 0
		case c == '>':
			if j == 1 || (j == 2 && b[1] == '/') {
				return -1, 0
			}
			return s.pos + j + 1, 't'
		}
	}
	return 0, 0
}

// collectCDATA adds CDATA text, escaped so that raw stays uniformly escaped.
func (s *xmlScan) collectCDATA(t []byte) {
	for _, c := range t {
		switch c {
		case '&':
			s.collect([]byte("&amp;"))
		case '<':
			s.collect([]byte("&lt;"))
		default:
			s.collect([]byte{c})
		}
	}
}

func localName(t []byte) []byte {
	n := len(t)
	for i, c := range t {
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '/' {
			n = i
			break
		}
	}
	name := t[:n]
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// attr returns the value of the attribute with local name want in the
// current tag (unescaped), and whether it is there.
func (s *xmlScan) attr(want string) ([]byte, bool) {
	var out []byte
	found := false
	s.eachAttr(func(name, val []byte) bool {
		if string(name) == want {
			out, found = val, true
			return false
		}
		return true
	})
	return out, found
}

// eachAttr calls fn with each attribute's local name and (unescaped) value
// in the current tag until fn returns false.
func (s *xmlScan) eachAttr(fn func(name, val []byte) bool) {
	t := s.tag
	// skip the element name
	i := 0
	for i < len(t) && !isXMLSpace(t[i]) {
		i++
	}
	for i < len(t) {
		for i < len(t) && isXMLSpace(t[i]) {
			i++
		}
		ns := i
		for i < len(t) && t[i] != '=' && !isXMLSpace(t[i]) && t[i] != '/' {
			i++
		}
		name := t[ns:i]
		for i < len(t) && isXMLSpace(t[i]) {
			i++
		}
		if i >= len(t) || t[i] != '=' {
			if i < len(t) {
				i++
			}
			continue
		}
		i++
		for i < len(t) && isXMLSpace(t[i]) {
			i++
		}
		if i >= len(t) || (t[i] != '"' && t[i] != '\'') {
			return
		}
		q := t[i]
		i++
		vs := i
		for i < len(t) && t[i] != q {
			i++
		}
		val := t[vs:min(i, len(t))]
		i++
		if j := bytes.IndexByte(name, ':'); j >= 0 {
			name = name[j+1:]
		}
		if bytes.IndexByte(val, '&') >= 0 {
			val = unescapeXML(nil, val)
		}
		if !fn(name, val) {
			return
		}
	}
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// unescapeXML appends raw's text with XML's predefined and numeric entities
// decoded and line ends normalised to LF (as XML requires). An unknown or
// broken entity is kept as written.
func unescapeXML(dst, raw []byte) []byte {
	for len(raw) > 0 {
		i := bytes.IndexAny(raw, "&\r")
		if i < 0 {
			return append(dst, raw...)
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		if raw[0] == '\r' {
			dst = append(dst, '\n')
			raw = raw[1:]
			if len(raw) > 0 && raw[0] == '\n' {
				raw = raw[1:]
			}
			continue
		}
		semi := bytes.IndexByte(raw[:min(len(raw), 12)], ';')
		if semi < 0 {
			dst = append(dst, '&')
			raw = raw[1:]
			continue
		}
		ent := string(raw[1:semi])
		switch ent {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			var n uint64
			var err error
			switch {
			case len(ent) > 2 && (ent[:2] == "#x" || ent[:2] == "#X"):
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			case len(ent) > 1 && ent[0] == '#':
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				err = errXMLSyntax
			}
			if err != nil || !utf8.ValidRune(rune(n)) {
				dst = append(dst, raw[:semi+1]...)
			} else {
				dst = utf8.AppendRune(dst, rune(n))
			}
		}
		raw = raw[semi+1:]
	}
	return dst
}

// decodeXstring decodes OOXML's _xHHHH_ escapes (ST_Xstring: control
// characters such as _x000D_ and a literal "_x" written as _x005F_x).
func decodeXstring(s []byte) []byte {
	if bytes.Index(s, []byte("_x")) < 0 {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if n, err := strconv.ParseUint(string(s[i+2:i+6]), 16, 16); err == nil {
				out = utf8.AppendRune(out, rune(n))
				i += 7
				continue
			}
		}
		out = append(out, s[i])
		i++
	}
	return out
}

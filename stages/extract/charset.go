package extract

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// charset is a resolved encoding: its kind picks the decoding path, name is
// the canonical (WHATWG, else IANA) name reported in Stats and messages.
type charset struct {
	kind   textEncoding
	name   string
	x      encoding.Encoding // encSingle, encUTF16*, encXText
	single *[256]rune        // encSingle: byte → rune, utf8.RuneError = undefined
}

// lookupCharset resolves a declared encoding name: "auto", the three fast
// paths (utf-8, gbk, gb18030), then any WHATWG label (htmlindex: windows-1252,
// iso-8859-1, latin1, iso-8859-15, big5, shift_jis, euc-kr, euc-jp,
// utf-16le/be ...), then any IANA name x/text knows (ianaindex: cp936 ...).
// Following WHATWG, iso-8859-1 and latin1 mean windows-1252, which decodes
// every byte iso-8859-1 does the same way except the C1 controls. Stateful
// encodings (iso-2022-*), "replacement" and "x-user-defined" are refused.
func lookupCharset(name string) (charset, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	switch key {
	case "", "auto":
		return charset{kind: encUndecided}, nil
	case "utf-8", "utf8":
		return charset{kind: encUTF8, name: "utf-8"}, nil
	case "gbk", "cp936", "windows-936", "gb2312":
		return gbCharset(encGBK), nil
	case "gb18030":
		return gbCharset(encGB18030), nil
	}
	e, err := htmlindex.Get(key)
	canon := ""
	if err == nil {
		canon, _ = htmlindex.Name(e)
	} else {
		e, err = ianaindex.IANA.Encoding(key)
		if err != nil || e == nil {
			return charset{}, fmt.Errorf("%w %q: want auto or an encoding name such as utf-8, windows-1252, iso-8859-15, gb18030, gbk, big5, shift_jis, euc-kr or utf-16le", ErrUnsupportedEncoding, name)
		}
		canon, _ = ianaindex.IANA.Name(e)
		if canon == "" {
			canon = key
		}
		canon = strings.ToLower(canon)
	}
	switch canon {
	case "utf-8":
		return charset{kind: encUTF8, name: "utf-8"}, nil
	case "gbk":
		return gbCharset(encGBK), nil
	case "gb18030":
		return gbCharset(encGB18030), nil
	case "utf-16le":
		return charset{kind: encUTF16LE, name: canon, x: unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)}, nil
	case "utf-16be":
		return charset{kind: encUTF16BE, name: canon, x: unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)}, nil
	case "replacement", "x-user-defined":
		return charset{}, fmt.Errorf("%w %q: not a text encoding Vigil can read", ErrUnsupportedEncoding, name)
	}
	if strings.HasPrefix(canon, "iso-2022") || strings.HasPrefix(canon, "utf-32") || strings.HasPrefix(canon, "utf-7") {
		return charset{}, fmt.Errorf("%w %q: stateful or 32-bit encodings are not supported; convert the file to utf-8", ErrUnsupportedEncoding, name)
	}
	if cm, ok := e.(*charmap.Charmap); ok {
		return singleByte(canon, cm), nil
	}
	return charset{kind: encXText, name: canon, x: e}, nil
}

func gbCharset(k textEncoding) charset {
	if k == encGBK {
		return charset{kind: k, name: "gbk", x: simplifiedchinese.GBK}
	}
	return charset{kind: k, name: "gb18030", x: simplifiedchinese.GB18030}
}

// singleByte builds the byte → rune table of a single-byte encoding.
func singleByte(name string, cm *charmap.Charmap) charset {
	var t [256]rune
	for b := 0; b < 256; b++ {
		t[b] = cm.DecodeByte(byte(b))
	}
	return charset{kind: encSingle, name: name, x: cm, single: &t}
}

// asciiCompatible reports whether ASCII bytes stand for themselves.
func (c charset) asciiCompatible() bool {
	return c.kind != encUTF16LE && c.kind != encUTF16BE
}

// transcodeSingle decodes a single-byte encoding; undefined bytes become
// markers (the row is rejected).
func transcodeSingle(dst, src []byte, t *[256]rune) int {
	n := 0
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			j := firstNonASCII(src[i:])
			if j < 0 {
				j = len(src) - i
			}
			n += copy(dst[n:], src[i:i+j])
			i += j
			continue
		}
		if r := t[c]; r == utf8.RuneError {
			n += writeMarkers(dst[n:], src[i:i+1])
		} else {
			n += utf8.EncodeRune(dst[n:], r)
		}
		i++
	}
	return n
}

// xtext decodes through an x/text decoder and proves every character: a chunk
// is accepted when it decodes without U+FFFD and encodes back to the same
// bytes; otherwise it is decoded character by character, and a character
// that does not decode, or decodes to text that encodes back to other bytes,
// becomes markers (its row is rejected, never stored as a guess).
type xtext struct {
	cs  charset
	dec transform.Transformer
	enc *encoding.Encoder
	buf []byte
}

func newXText(cs charset) *xtext {
	return &xtext{cs: cs, dec: cs.x.NewDecoder(), enc: cs.x.NewEncoder()}
}

var replacementUTF8 = []byte("\uFFFD")

// transcode decodes src into dst (len(dst) >= 3*len(src)). Unless atEOF, a
// sequence cut at the end of src is left unread.
func (x *xtext) transcode(dst, src []byte, atEOF bool) (nDst, nSrc int) {
	x.dec.Reset()
	n, m, err := x.dec.Transform(dst, src, atEOF)
	if (err == nil || errors.Is(err, transform.ErrShortSrc)) && !bytes.Contains(dst[:n], replacementUTF8) {
		x.enc.Reset()
		back, eerr := x.enc.Bytes(dst[:n])
		if eerr == nil && bytes.Equal(back, src[:m]) {
			return n, m
		}
	}
	return x.slow(dst, src, atEOF)
}

func (x *xtext) slow(dst, src []byte, atEOF bool) (nDst, nSrc int) {
	step := 1
	if !x.cs.asciiCompatible() {
		step = 2
	}
	var tmp [16]byte
	i := 0
	for i < len(src) {
		if step == 1 && src[i] < utf8.RuneSelf {
			nDst += copy(dst[nDst:], src[i:i+1])
			i++
			continue
		}
		done := false
		for k := step; k <= 4; k += step {
			if i+k > len(src) {
				if !atEOF {
					return nDst, i // wait for more bytes
				}
				break
			}
			x.dec.Reset()
			n, m, err := x.dec.Transform(tmp[:], src[i:i+k], atEOF && i+k == len(src))
			if errors.Is(err, transform.ErrShortSrc) || m < k {
				continue
			}
			if err != nil {
				break
			}
			out := tmp[:n]
			x.enc.Reset()
			back, eerr := x.enc.Bytes(out)
			if eerr != nil || !bytes.Equal(back, src[i:i+k]) {
				break
			}
			nDst += copy(dst[nDst:], out)
			i += k
			done = true
			break
		}
		if !done {
			w := min(step, len(src)-i)
			nDst += writeMarkers(dst[nDst:], src[i:i+w])
			i += w
		}
	}
	return nDst, i
}

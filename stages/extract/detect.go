package extract

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The "auto" encoding detector. Every candidate encoding decodes the same
// window of the file (from its first non-ASCII byte, up to detectWindow
// bytes, cut at a line feed); each decoded non-ASCII character scores by how
// plausible it is in real text, in its context; the candidate with the best
// score per non-ASCII source byte wins, if it is plausible at all and ahead of
// the runner-up by a clear margin, given how much evidence there is.
// Candidates that decode the window to identical text are not rivals (the
// first listed is reported). Otherwise reading stops with
// [ErrAmbiguousEncoding] naming the candidates: a wrong guess would turn text
// into other text without any error, so it is never made.
//
// The idea follows the frequency-based detectors (Mozilla's universal
// charset detector, ICU's CharsetDetector): a right decoding is dense in the
// commonest characters of some language; a wrong one scatters over
// thousands of rare ones, splits letters of words, or meets undecodable
// sequences.

// autoCandidates are the encodings "auto" chooses between, in the order that
// breaks ties between identical decodings.
var autoCandidates = []string{"utf-8", "gb18030", "big5", "shift_jis", "euc-jp", "euc-kr", "windows-1252", "iso-8859-15"}

const (
	scoreWindow    = 256 << 10 // bytes scored (the rest of the file is checked as it is decoded)
	minPlausible   = 0.25      // score per non-ASCII byte a winner needs
	minMargin      = 0.3       // lead per byte over the runner-up
	minTotalMargin = 6.0       // lead in total (a few characters of evidence)
)

// detection is the detector's verdict.
type detection struct {
	cs         charset
	confidence float64 // 0..1
}

type candidateScore struct {
	cs    charset
	score float64 // per non-ASCII byte
	text  []byte
}

// detectCharset decides "auto" from window, which starts at the file's
// first non-ASCII byte. final says the window reaches the end of the file.
func detectCharset(window []byte, final bool) (detection, error) {
	if len(window) > scoreWindow {
		window, final = window[:scoreWindow], false
	}
	if !final {
		if i := bytes.LastIndexByte(window, '\n'); i > 0 {
			window = window[:i+1]
		}
	}
	nonASCII := 0
	for _, c := range window {
		if c >= utf8.RuneSelf {
			nonASCII++
		}
	}
	if nonASCII == 0 {
		return detection{cs: charset{kind: encUTF8, name: "utf-8"}, confidence: 1}, nil
	}
	var scores []candidateScore
	for _, name := range autoCandidates {
		cs, err := lookupCharset(name)
		if err != nil {
			continue
		}
		var text []byte
		bonus := 0.0
		if cs.kind == encUTF8 {
			text = window
			if utf8.Valid(window) {
				bonus = float64(nonASCII) // valid UTF-8 is rare by chance
			}
		} else {
			text, _ = cs.x.NewDecoder().Bytes(window)
		}
		s := (plausibility(text) + bonus) / float64(nonASCII)
		scores = append(scores, candidateScore{cs: cs, score: s, text: text})
	}
	sort.SliceStable(scores, func(i, j int) bool { return scores[i].score > scores[j].score })
	best := scores[0]
	var rival *candidateScore
	for i := 1; i < len(scores); i++ {
		if !bytes.Equal(scores[i].text, best.text) {
			rival = &scores[i]
			break
		}
	}
	if best.score < minPlausible {
		return detection{}, fmt.Errorf("%w: no candidate encoding reads this file as plausible text (best: %s, score %.2f); set the source's `encoding` option", ErrAmbiguousEncoding, best.cs.name, best.score)
	}
	conf := 1.0
	if rival != nil {
		margin := best.score - rival.score
		total := margin * float64(nonASCII)
		// Valid UTF-8 that reads as plausible text is UTF-8 unless a rival
		// reads better: legacy text is seldom valid UTF-8 by chance, and
		// when it is, it decodes to implausible characters.
		validUTF8 := best.cs.kind == encUTF8 && utf8.Valid(window)
		if !validUTF8 && (margin < minMargin || total < minTotalMargin) {
			return detection{}, fmt.Errorf("%w: the file reads as %s (score %.2f) or %s (score %.2f) and the evidence does not tell them apart; set the source's `encoding` option (for example `encoding: %s`)",
				ErrAmbiguousEncoding, best.cs.name, best.score, rival.cs.name, rival.score, best.cs.name)
		}
		conf = 1 - math.Exp(-total/minTotalMargin)
	}
	return detection{cs: best.cs, confidence: conf}, nil
}

// Rune classes of the scoring table.
const (
	clsOther     uint8 = iota // rare ideographs, half-width katakana, other blocks: -3
	clsError                  // U+FFFD: a sequence that did not decode
	clsControl                // C1 controls, private use
	clsLatin                  // common Western European letter
	clsLatinRare              // less common Latin letter
	clsSymbol                 // common Western punctuation or sign
	clsRareLatin              // other letters below U+2000
	clsRarePunct              // U+2000..U+2FFF not in clsSymbol
	clsCJKPunct               // U+3000..U+303F, full-width punctuation
	clsKana                   // hiragana, katakana
	clsCommonCJK              // frequent ideograph or Hangul syllable
	clsCJK                    // other ideograph (URO) or Hangul syllable
	clsFullAlnum              // full-width letters and digits
)

// runeClasses maps every BMP rune to its class, built once.
var runeClasses = sync.OnceValue(func() *[0x10000]uint8 {
	var t [0x10000]uint8
	for r := rune(0x80); r < 0x10000; r++ {
		var c uint8
		switch {
		case r == utf8.RuneError:
			c = clsError
		case r <= 0x9F, r >= 0xE000 && r <= 0xF8FF:
			c = clsControl
		case r < 0x2000:
			c = clsRareLatin
		case r < 0x3000:
			c = clsRarePunct
		case r <= 0x303F:
			c = clsCJKPunct
		case jaKana(r):
			c = clsKana
		case r >= 0x4E00 && r <= 0x9FFF, r >= 0xAC00 && r <= 0xD7A3:
			c = clsCJK
		case r >= 0xFF01 && r <= 0xFF5E:
			c = clsCJKPunct
			if a := r - 0xFF01 + '!'; isASCIILetter(a) || (a >= '0' && a <= '9') {
				c = clsFullAlnum
			}
		}
		t[r] = c
	}
	for _, r := range commonLatin {
		t[r] = clsLatin
	}
	for _, r := range lessCommonLatin {
		t[r] = clsLatinRare
	}
	for _, r := range commonSymbols {
		t[r] = clsSymbol
	}
	for _, s := range []string{commonHan, commonHangul} {
		for _, r := range s {
			t[r] = clsCommonCJK
		}
	}
	return &t
})

func isASCIILetter(r rune) bool { return r < utf8.RuneSelf && ('a' <= r|0x20 && r|0x20 <= 'z') }

// plausibility scores the non-ASCII characters of decoded text.
func plausibility(text []byte) float64 {
	classes := runeClasses()
	total := 0.0
	prev := ' '
	for i := 0; i < len(text); {
		if text[i] < utf8.RuneSelf {
			prev = rune(text[i])
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		i += size
		next := ' '
		if i < len(text) {
			next, _ = utf8.DecodeRune(text[i:])
		}
		letterSides, highSides := 0, 0
		if isASCIILetter(prev) {
			letterSides++
		}
		if isASCIILetter(next) {
			letterSides++
		}
		if prev >= utf8.RuneSelf {
			highSides++
		}
		if next >= utf8.RuneSelf {
			highSides++
		}
		cls := clsOther
		if r < 0x10000 {
			cls = classes[r]
		}
		if (cls == clsLatin || cls == clsLatinRare) && unicode.IsUpper(r) && unicode.IsLower(prev) {
			// A capital inside a lower-case word: what "JosÃ©" and GBK
			// read as iso-8859-15 ("tšŠt") look like, not words.
			total -= 2
		} else {
			total += classWeight(cls, letterSides, highSides)
		}
		prev = r
	}
	return total
}

// classWeight is the evidence one character gives: positive for characters
// real text is made of, negative for what wrong decodings produce.
func classWeight(cls uint8, letterSides, highSides int) float64 {
	switch cls {
	case clsError:
		return -6
	case clsControl:
		return -10
	case clsLatin:
		switch {
		case letterSides > 0:
			return 3
		case highSides == 2:
			return -2
		}
		return 1
	case clsLatinRare:
		if letterSides > 0 {
			return 0.5
		}
		return -2
	case clsSymbol:
		if highSides == 2 {
			return -2
		}
		return 0.5
	case clsRareLatin:
		return -2
	case clsRarePunct:
		return -1.5
	case clsCJKPunct:
		return 2
	case clsKana:
		return cjkContext(2.5, letterSides)
	case clsCommonCJK:
		return cjkContext(3.5, letterSides)
	case clsCJK:
		return cjkContext(-0.25, letterSides)
	case clsFullAlnum:
		return 0.5
	}
	return -3
}

// cjkContext: an ideograph wedged between ASCII letters is what a Latin
// word decoded as a double-byte encoding looks like.
func cjkContext(w float64, letterSides int) float64 {
	switch letterSides {
	case 2:
		return -3
	case 1:
		return w*0.5 - 0.5
	}
	return w
}

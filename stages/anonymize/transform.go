package anonymize

import (
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-dg/vigil/rules"
)

// Tokenizer computes keyed, deterministic tokens (e.g. HMAC-SHA256 under
// the pseudonym key). The label separates uses; the same label and data
// always give the same token under the same key. Implementations must not
// reveal the key.
type Tokenizer interface {
	Token(label string, data []byte) ([]byte, error)
}

// Token labels. Versioned so that a future change of derivation cannot
// silently collide with old tokens.
const (
	labelPseudonym = "vigil/pseudonym/v1:"
	labelFormat    = "vigil/pseudonym-format/v1:"
	labelDateShift = "vigil/date-shift/v1"
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// MaskValue masks v keeping keepPrefix leading and keepSuffix trailing
// characters (138****5678). Values too short to keep anything are masked
// entirely. With email set, only the local part is masked and the domain is
// kept (j***@example.com).
func MaskValue(v string, keepPrefix, keepSuffix int, maskChar rune, email bool) string {
	if email {
		if at := strings.LastIndexByte(v, '@'); at > 0 {
			return maskRunes(v[:at], keepPrefix, keepSuffix, maskChar) + v[at:]
		}
	}
	return maskRunes(v, keepPrefix, keepSuffix, maskChar)
}

func maskRunes(v string, pre, suf int, ch rune) string {
	n := utf8.RuneCountInString(v)
	if pre+suf >= n {
		return strings.Repeat(string(ch), n)
	}
	var b strings.Builder
	b.Grow(len(v))
	i := 0
	for _, r := range v {
		if i < pre || i >= n-suf {
			b.WriteRune(r)
		} else {
			b.WriteRune(ch)
		}
		i++
	}
	return b.String()
}

// Pseudonym returns the token of v: prefix + base32 (lower case, no
// padding) or hex of the first TokenBytes bytes of the keyed token, or a
// format-preserving token when p.Format is set.
func Pseudonym(tok Tokenizer, p Protection, v string) (string, error) {
	if tok == nil {
		return "", fmt.Errorf("%w: no tokenizer configured for pseudonyms", ErrTokenizer)
	}
	if p.Format != "" {
		return formatToken(tok, p, v)
	}
	b, err := tok.Token(labelPseudonym+p.Domain, []byte(strings.TrimSpace(v)))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrTokenizer, err)
	}
	n := p.TokenBytes
	if n <= 0 || n > len(b) {
		n = min(16, len(b))
	}
	if p.Encoding == "hex" {
		return p.Prefix + hex.EncodeToString(b[:n]), nil
	}
	return p.Prefix + strings.ToLower(b32.EncodeToString(b[:n])), nil
}

// formatToken maps the token into digits of the same shape: non-digit
// characters stay in place, the first FixedPrefix digits are kept (for
// cn_mobile the leading "1", or "861" after a +86 country code), and check
// characters are recomputed for cn_id (GB 11643) and card (Luhn). The token
// input is the digits of the value, so "138-1234-5678" and "13812345678"
// get the same digits.
func formatToken(tok Tokenizer, p Protection, v string) (string, error) {
	r := []rune(strings.TrimSpace(v))
	var digits []byte
	var pos []int // rune index of every digit
	for i, c := range r {
		if isDigit(c) {
			digits = append(digits, byte(c))
			pos = append(pos, i)
		}
	}
	format := p.Format
	fixed := p.FixedPrefix
	switch format {
	case "cn_id":
		if len(r) != 18 || !allDigits(r[:17]) || !(isDigit(r[17]) || r[17] == 'X' || r[17] == 'x') {
			format = "digits"
		} else {
			digits, pos = digits[:17], pos[:17] // the check character is recomputed
		}
	case "card":
		if len(digits) < 12 {
			format = "digits"
		} else {
			pos = pos[:len(pos)-1] // the Luhn digit is recomputed
		}
	case "cn_mobile":
		if len(digits) == 13 && strings.HasPrefix(string(digits), "86") && p.FixedPrefix <= 1 {
			fixed = 3
		}
	}
	if len(digits) == 0 {
		q := p
		q.Format = ""
		if q.Prefix == "" {
			q.Prefix = "tok_"
		}
		return Pseudonym(tok, q, v)
	}
	fixed = min(fixed, len(pos))
	td, err := tokenDigits(tok, labelFormat+p.Domain+":"+format, digits, len(pos)-fixed)
	if err != nil {
		return "", err
	}
	out := append([]rune(nil), r...)
	for j := fixed; j < len(pos); j++ {
		out[pos[j]] = rune(td[j-fixed])
	}
	body := make([]byte, len(pos))
	for j, i := range pos {
		body[j] = byte(out[i])
	}
	switch format {
	case "cn_id":
		if c, ok := rules.GB11643CheckChar(string(body)); ok {
			out[17] = rune(c)
		}
	case "card":
		last := -1
		for i := len(out) - 1; i >= 0; i-- {
			if isDigit(out[i]) {
				last = i
				break
			}
		}
		if c, ok := rules.LuhnCheckDigit(string(body)); ok && last >= 0 {
			out[last] = rune(c)
		}
	}
	return string(out), nil
}

func allDigits(r []rune) bool {
	for _, c := range r {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// tokenDigits derives n decimal digits from keyed tokens (rejection
// sampling of bytes < 250 keeps the digits uniform).
func tokenDigits(tok Tokenizer, label string, data []byte, n int) ([]byte, error) {
	out := make([]byte, 0, n)
	for round := 0; len(out) < n; round++ {
		if round > 16 {
			return nil, fmt.Errorf("%w: token too short for %d digits", ErrTokenizer, n)
		}
		l := label
		if round > 0 {
			l = label + "#" + strconv.Itoa(round)
		}
		b, err := tok.Token(l, data)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrTokenizer, err)
		}
		if len(b) == 0 {
			return nil, fmt.Errorf("%w: empty token", ErrTokenizer)
		}
		for _, x := range b {
			if x < 250 {
				out = append(out, '0'+x%10)
				if len(out) == n {
					break
				}
			}
		}
	}
	return out, nil
}

// ShiftDays returns the date offset of a subject: a keyed, deterministic
// number of days in [-max,-1] ∪ [1,max], so every date of one subject moves
// by the same amount (intervals between them are kept) across tables and
// runs.
func ShiftDays(tok Tokenizer, subject string, max int) (int, error) {
	if tok == nil {
		return 0, fmt.Errorf("%w: no tokenizer configured for date shifting", ErrTokenizer)
	}
	b, err := tok.Token(labelDateShift, []byte(strings.TrimSpace(subject)))
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrTokenizer, err)
	}
	if len(b) < 8 {
		return 0, fmt.Errorf("%w: token shorter than 8 bytes", ErrTokenizer)
	}
	u := binary.BigEndian.Uint64(b[:8])
	off := int(u%uint64(2*max)) - max
	if off >= 0 {
		off++
	}
	return off, nil
}

// truncateDate keeps the given part of a date value (year, month, day).
func truncateDate(v, part string) (string, error) {
	t, err := parseDate(v)
	if err != nil {
		return "", err
	}
	switch part {
	case "year":
		return t.Format("2006"), nil
	case "month":
		return t.Format("2006-01"), nil
	default:
		return t.Format("2006-01-02"), nil
	}
}

// shiftDateString shifts a date or timestamp written as text, keeping its
// layout where it is one of the common ones.
func shiftDateString(v string, days int) (string, error) {
	s := strings.TrimSpace(v)
	for _, l := range []string{"2006-01-02", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006/01/02", "20060102"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.AddDate(0, 0, days).Format(l), nil
		}
	}
	return "", fmt.Errorf("not a date")
}

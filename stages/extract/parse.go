package extract

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Value parsers. They work on bytes, allocate nothing, and accept surrounding
// spaces and tabs. strict is used for inferred columns: it refuses forms
// that inference would not have taken for numbers (leading zeros, a plus sign).

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

func isDigit(c byte) bool { return c-'0' < 10 }

// number is a scanned decimal number: the value is ±mantissa × 10^-frac.
// Trailing zeros of the fraction are not part of the mantissa.
type number struct {
	neg       bool
	hi, lo    uint64 // mantissa
	intDigits int    // significant digits before the point (no leading zeros)
	frac      int    // fraction digits up to the last non-zero one
	point     bool   // a decimal point was present
	written   int    // fraction digits as written (with trailing zeros)
	digits    int    // significant digits in the mantissa
}

// scanNumber reads [sign] digits [with ',' groups of three] [. digits].
// In strict mode a plus sign and leading zeros ("007", "00.5") are refused.
// Mantissas of more than 38 significant digits are refused.
func scanNumber(b []byte, strict bool) (number, bool) {
	var x number
	if len(b) == 0 {
		return x, false
	}
	switch b[0] {
	case '-':
		x.neg = true
		b = b[1:]
	case '+':
		if strict {
			return x, false
		}
		b = b[1:]
	}
	// Integer part.
	i, group, nint := 0, -1, 0 // group: digits since the last ',' (-1: no ',' yet)
	lead := true
	for ; i < len(b); i++ {
		c := b[i]
		if isDigit(c) {
			if nint == 0 && c == '0' && strict && i+1 < len(b) && (isDigit(b[i+1]) || b[i+1] == ',') {
				return x, false // leading zero
			}
			nint++
			if group >= 0 {
				group++
				if group > 3 {
					return x, false
				}
			}
			if lead && c == '0' {
				continue
			}
			lead = false
			if !x.push(c) {
				return x, false
			}
			x.intDigits++
			continue
		}
		if c == ',' {
			if nint == 0 || (group >= 0 && group != 3) || (group < 0 && nint > 3) {
				return x, false
			}
			group = 0
			continue
		}
		break
	}
	if group >= 0 && group != 3 {
		return x, false
	}
	if i == len(b) {
		return x, nint > 0
	}
	if b[i] != '.' {
		return x, false
	}
	x.point = true
	b = b[i+1:]
	x.written = len(b)
	last := -1 // last non-zero fraction digit
	for j, c := range b {
		if !isDigit(c) {
			return x, false
		}
		if c != '0' {
			last = j
		}
	}
	if nint == 0 && len(b) == 0 {
		return x, false
	}
	if strict && len(b) == 0 {
		return x, false // "5." is not inferred as a number
	}
	for _, c := range b[:last+1] {
		if x.digits == 0 && c == '0' {
			x.frac++
			continue
		}
		if !x.push(c) {
			return x, false
		}
		x.frac++
	}
	return x, true
}

// push appends a digit to the mantissa.
func (x *number) push(c byte) bool {
	if x.digits >= MaxDecimalPrecision {
		return false
	}
	x.digits++
	d := uint64(c - '0')
	if x.hi == 0 && x.lo < 1<<59 {
		x.lo = x.lo*10 + d
		return true
	}
	h, l := bits.Mul64(x.lo, 10)
	var carry uint64
	x.lo, carry = bits.Add64(l, d, 0)
	x.hi = x.hi*10 + h + carry
	return true
}

// parseInt parses an int64. Thousands separators are accepted.
func parseInt(b []byte, strict bool) (int64, bool) {
	// Fast path: [-]digits, at most 18 of them.
	i := 0
	if len(b) > 1 && b[0] == '-' {
		i = 1
	}
	if n := len(b) - i; n > 0 && n <= 18 {
		var v int64
		j := i
		for ; j < len(b); j++ {
			d := b[j] - '0'
			if d > 9 {
				break
			}
			v = v*10 + int64(d)
		}
		if j == len(b) {
			if strict && b[i] == '0' && n > 1 {
				return 0, false
			}
			if i == 1 {
				v = -v
			}
			return v, true
		}
	}
	return parseIntSlow(b, strict)
}

// parseIntSlow is parseInt without the fast path.
func parseIntSlow(b []byte, strict bool) (int64, bool) {
	x, ok := scanNumber(b, strict)
	if !ok || x.frac > 0 || (x.point && strict) || x.hi != 0 {
		return 0, false
	}
	if x.neg {
		if x.lo > 1<<63 {
			return 0, false
		}
		return -int64(x.lo), true
	}
	if x.lo > 1<<63-1 {
		return 0, false
	}
	return int64(x.lo), true
}

var pow10 = func() (p [39][2]uint64) { // 10^i as {hi, lo}
	p[0] = [2]uint64{0, 1}
	for i := 1; i < len(p); i++ {
		h, l := bits.Mul64(p[i-1][1], 10)
		p[i] = [2]uint64{p[i-1][0]*10 + h, l}
	}
	return p
}()

// parseDecimal parses a decimal(prec, scale) value.
func parseDecimal(b []byte, prec, scale int32, strict bool) (decimal128.Num, bool) {
	// Fast path: [-]digits[.digits] with no more than scale fraction digits
	// and a result below 10^18.
	if scale <= 18 && len(b) <= 20 {
		i := 0
		if len(b) > 1 && b[0] == '-' {
			i = 1
		}
		var v uint64
		nint, nfrac, lead := 0, -1, 0
		j := i
		for ; j < len(b); j++ {
			c := b[j]
			if d := c - '0'; d <= 9 {
				v = v*10 + uint64(d)
				if nfrac >= 0 {
					nfrac++
				} else {
					if nint == lead && d == 0 {
						lead++
					}
					nint++
				}
				continue
			}
			if c != '.' || nfrac >= 0 {
				break
			}
			nfrac = 0
		}
		sig := nint - lead
		if nint == lead && nint > 0 {
			sig = 0
		}
		if j == len(b) && nint > 0 && nfrac != 0 && nfrac <= int(scale) && sig <= int(prec-scale) && sig+int(scale) <= 18 &&
			!(strict && lead > 0 && nint > 1) {
			if nfrac < 0 {
				nfrac = 0
			}
			v *= pow10[int(scale)-nfrac][1]
			n := decimal128.FromU64(v)
			if i == 1 {
				n = n.Negate()
			}
			return n, true
		}
	}
	return parseDecimalSlow(b, prec, scale, strict)
}

// parseDecimalSlow is parseDecimal without the fast path.
func parseDecimalSlow(b []byte, prec, scale int32, strict bool) (decimal128.Num, bool) {
	x, ok := scanNumber(b, strict)
	if !ok || x.frac > int(scale) || x.intDigits > int(prec-scale) {
		return decimal128.Num{}, false
	}
	// mantissa × 10^(scale-frac); fits because intDigits+scale <= prec <= 38.
	p := pow10[int(scale)-x.frac]
	hi, lo := bits.Mul64(x.lo, p[1])
	hi += x.hi*p[1] + x.lo*p[0]
	n := decimal128.New(int64(hi), lo)
	if x.neg {
		n = n.Negate()
	}
	return n, true
}

// parseBool accepts true/false, yes/no, t/f in any case; and 1/0 unless strict.
func parseBool(b []byte, strict bool) (v, ok bool) {
	if len(b) > 5 {
		return false, false
	}
	var buf [5]byte
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(b)]) {
	case "true", "t", "yes":
		return true, true
	case "false", "f", "no":
		return false, true
	case "1":
		return !strict, !strict
	case "0":
		return false, !strict
	}
	return false, false
}

// Chinese date markers 年 月 日 in UTF-8.
var (
	zhYear  = []byte("年")
	zhMonth = []byte("月")
	zhDay   = []byte("日")
)

// digits reads 1..max digits.
func digits(b []byte, max int) (v, n int) {
	for n < len(b) && n < max && isDigit(b[n]) {
		v = v*10 + int(b[n]-'0')
		n++
	}
	return v, n
}

// parseDatePrefix reads YYYY-M-D, YYYY/M/D, YYYY.M.D (month and day with one
// or two digits) or YYYY年M月D日 at the start of b. It returns days since
// 1970-01-01 and the number of bytes read.
func parseDatePrefix(b []byte) (days int32, n int, ok bool) {
	if len(b) < 8 {
		return 0, 0, false
	}
	y, k := digits(b, 4)
	if k != 4 || y == 0 {
		return 0, 0, false
	}
	i := 4
	var m, d int
	if sep := b[i]; sep == '-' || sep == '/' || sep == '.' {
		i++
		if m, k = digits(b[i:], 2); k == 0 || i+k >= len(b) || b[i+k] != sep {
			return 0, 0, false
		}
		i += k + 1
		if d, k = digits(b[i:], 2); k == 0 {
			return 0, 0, false
		}
		i += k
	} else {
		if !hasPrefix(b[i:], zhYear) {
			return 0, 0, false
		}
		i += len(zhYear)
		if m, k = digits(b[i:], 2); k == 0 || !hasPrefix(b[i+k:], zhMonth) {
			return 0, 0, false
		}
		i += k + len(zhMonth)
		if d, k = digits(b[i:], 2); k == 0 || !hasPrefix(b[i+k:], zhDay) {
			return 0, 0, false
		}
		i += k + len(zhDay)
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, 0, false
	}
	return int32(daysFromCivil(y, m, d)), i, true
}

func hasPrefix(b, p []byte) bool { return len(b) >= len(p) && string(b[:len(p)]) == string(p) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian date.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400 // y >= 0 here
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// two reads two digits.
func two(a, b byte) (int, bool) {
	a, b = a-'0', b-'0'
	return int(a)*10 + int(b), a <= 9 && b <= 9
}

// fixedDate reads YYYY-MM-DD at the start of b (len(b) >= 10, dashes checked by the caller).
func fixedDate(b []byte) (int32, bool) {
	y1, ok1 := two(b[0], b[1])
	y2, ok2 := two(b[2], b[3])
	m, ok3 := two(b[5], b[6])
	d, ok4 := two(b[8], b[9])
	y := y1*100 + y2
	if !ok1 || !ok2 || !ok3 || !ok4 || y == 0 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return int32(daysFromCivil(y, m, d)), true
}

// parseDate parses a whole value as a date.
func parseDate(b []byte) (int32, bool) {
	if len(b) == 10 && b[4] == '-' && b[7] == '-' {
		return fixedDate(b)
	}
	return parseDateSlow(b)
}

// parseDateSlow is parseDate without the fast path.
func parseDateSlow(b []byte) (int32, bool) {
	d, n, ok := parseDatePrefix(b)
	return d, ok && n == len(b)
}

const microsPerDay = 86400 * 1_000_000

// parseTimestamp parses a date, optionally followed by ' ' or 'T', a time
// H:MM[:SS[.fraction]] and a zone (Z, ±HH:MM, ±HHMM or ±HH, optionally
// after a space). Values without a zone are UTC. dateOnly reports a bare date.
func parseTimestamp(b []byte) (micros int64, dateOnly, ok bool) {
	// Fast path: YYYY-MM-DD HH:MM:SS, optionally with Z or ±HH:MM.
	if len(b) >= 19 && b[4] == '-' && b[7] == '-' && (b[10] == ' ' || b[10] == 'T') && b[13] == ':' && b[16] == ':' {
		var off int64
		zone := b[19:]
		switch {
		case len(zone) == 0 || (len(zone) == 1 && zone[0] == 'Z'):
		case len(zone) == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':':
			zh, ok1 := two(zone[1], zone[2])
			zm, ok2 := two(zone[4], zone[5])
			if !ok1 || !ok2 || zh > 23 || zm > 59 {
				return 0, false, false
			}
			off = int64(zh*3600+zm*60) * 1_000_000
			if zone[0] == '+' {
				off = -off
			}
		default:
			return parseTimestampSlow(b)
		}
		if days, ok := fixedDate(b); ok {
			h, ok1 := two(b[11], b[12])
			mi, ok2 := two(b[14], b[15])
			sec, ok3 := two(b[17], b[18])
			if ok1 && ok2 && ok3 && h < 24 && mi < 60 && sec < 60 {
				return int64(days)*microsPerDay + int64(h*3600+mi*60+sec)*1_000_000 + off, false, true
			}
		}
	}
	return parseTimestampSlow(b)
}

// parseTimestampSlow is parseTimestamp without the fast path.
func parseTimestampSlow(b []byte) (micros int64, dateOnly, ok bool) {
	days, i, ok := parseDatePrefix(b)
	if !ok {
		return 0, false, false
	}
	us := int64(days) * microsPerDay
	if i == len(b) {
		return us, true, true
	}
	if c := b[i]; c != ' ' && c != 'T' && c != 't' {
		return 0, false, false
	}
	i++
	h, k := digits(b[i:], 2)
	if k == 0 || h > 23 || i+k >= len(b) || b[i+k] != ':' {
		return 0, false, false
	}
	i += k + 1
	mi, k := digits(b[i:], 2)
	if k != 2 || mi > 59 {
		return 0, false, false
	}
	i += 2
	sec := 0
	var frac int64
	if i < len(b) && b[i] == ':' {
		i++
		if sec, k = digits(b[i:], 2); k != 2 || sec > 59 {
			return 0, false, false
		}
		i += 2
		if i < len(b) && (b[i] == '.' || b[i] == ',') {
			i++
			nd := 0
			for ; i < len(b) && isDigit(b[i]); i++ {
				if nd < 6 {
					frac = frac*10 + int64(b[i]-'0')
				} else if b[i] != '0' {
					return 0, false, false // finer than microseconds
				}
				nd++
			}
			if nd == 0 || nd > 9 {
				return 0, false, false
			}
			for ; nd < 6; nd++ {
				frac *= 10
			}
		}
	}
	us += (int64(h)*3600+int64(mi)*60+int64(sec))*1_000_000 + frac
	if i == len(b) {
		return us, false, true
	}
	if b[i] == ' ' && i+1 < len(b) && (b[i+1] == '+' || b[i+1] == '-' || b[i+1] == 'Z') {
		i++
	}
	switch c := b[i]; c {
	case 'Z', 'z':
		if i+1 != len(b) {
			return 0, false, false
		}
		return us, false, true
	case '+', '-':
		i++
		zh, k := digits(b[i:], 2)
		if k != 2 || zh > 23 {
			return 0, false, false
		}
		i += 2
		zm := 0
		if i < len(b) && b[i] == ':' {
			i++
		}
		if i < len(b) {
			if zm, k = digits(b[i:], 2); k != 2 || zm > 59 {
				return 0, false, false
			}
			i += 2
		}
		if i != len(b) {
			return 0, false, false
		}
		off := int64(zh*3600+zm*60) * 1_000_000
		if c == '+' {
			return us - off, false, true
		}
		return us + off, false, true
	}
	return 0, false, false
}

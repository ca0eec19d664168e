package rules

import "time"

// More national identity numbers a global CRM meets: South Africa, the
// Nordic countries, Poland, the Netherlands and Belgium. Each checks the
// birth date it encodes (where it has one) and its issuer's check digits.

// birthDate reports whether day/month/year (year in full) is a real date
// not in the future.
func birthDate(day, month, year int) bool {
	if month < 1 || month > 12 || day < 1 || year < 1800 {
		return false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	return t.Day() == day && !t.After(time.Now())
}

// twoDigits returns the number in s[i:i+2] (s holds digits).
func twoDigits(s string, i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }

// ValidZAID reports whether s is a South African identity number: YYMMDD,
// four sequence digits, citizenship 0/1/2, a digit and the Luhn check digit.
func ValidZAID(s string) bool {
	d, ok := compactDigits(s, " ")
	if !ok || len(d) != 13 || d[10] > '2' || !LuhnValid(d) {
		return false
	}
	yy, mm, dd := twoDigits(d, 0), twoDigits(d, 2), twoDigits(d, 4)
	return birthDate(dd, mm, 2000+yy) || birthDate(dd, mm, 1900+yy)
}

// ValidDKCPR reports whether s is a Danish CPR number written DDMMYY-SSSS
// (the dash is required: ten bare digits are too common to count). Since
// 2007 the modulus-11 check is not guaranteed, so the date is the check.
func ValidDKCPR(s string) bool {
	if len(s) != 11 || s[6] != '-' || !allDigits(s[:6]) || !allDigits(s[7:]) {
		return false
	}
	dd, mm, yy := twoDigits(s, 0), twoDigits(s, 2), twoDigits(s, 4)
	return birthDate(dd, mm, 1900+yy) || birthDate(dd, mm, 2000+yy)
}

// ValidSEPersonnummer reports whether s is a Swedish personal identity
// number (or coordination number, day + 60): [YY]YYMMDD-NNNC or with '+'
// for people over 100, the last digit a Luhn check over the ten digits.
func ValidSEPersonnummer(s string) bool {
	if len(s) == 13 && (s[8] == '-' || s[8] == '+') {
		s = s[2:]
	}
	if len(s) != 11 || (s[6] != '-' && s[6] != '+') || !allDigits(s[:6]) || !allDigits(s[7:]) {
		return false
	}
	d := s[:6] + s[7:]
	dd, mm, yy := twoDigits(d, 4), twoDigits(d, 2), twoDigits(d, 0)
	if dd > 60 {
		dd -= 60
	}
	return (birthDate(dd, mm, 1900+yy) || birthDate(dd, mm, 2000+yy)) && LuhnValid(d)
}

// ValidNOFodselsnummer reports whether s is a Norwegian national identity
// number (fødselsnummer, or D-number with day + 40): DDMMYY, three
// individual digits and two modulus-11 check digits.
func ValidNOFodselsnummer(s string) bool {
	d, ok := compactDigits(s, " ")
	if !ok || len(d) != 11 {
		return false
	}
	dd, mm, yy := twoDigits(d, 0), twoDigits(d, 2), twoDigits(d, 4)
	if dd > 40 {
		dd -= 40
	}
	if !birthDate(dd, mm, 1900+yy) && !birthDate(dd, mm, 2000+yy) {
		return false
	}
	check := func(w []int) int {
		sum := 0
		for i, x := range w {
			sum += x * int(d[i]-'0')
		}
		c := 11 - sum%11
		if c == 11 {
			c = 0
		}
		return c
	}
	k1 := check([]int{3, 7, 6, 1, 8, 9, 4, 5, 2})
	k2 := check([]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2})
	return k1 < 10 && k2 < 10 && int(d[9]-'0') == k1 && int(d[10]-'0') == k2
}

// ValidFIHETU reports whether s is a Finnish personal identity code:
// DDMMYY, the century sign (+, -, A, and since 2023 B-F and U-Y), three
// individual digits and the check character (DDMMYYZZZ mod 31).
func ValidFIHETU(s string) bool {
	if len(s) != 11 || !allDigits(s[:6]) || !allDigits(s[7:10]) {
		return false
	}
	century := 0
	switch c := s[6]; {
	case c == '+':
		century = 1800
	case c == '-' || c >= 'U' && c <= 'Y':
		century = 1900
	case c >= 'A' && c <= 'F':
		century = 2000
	default:
		return false
	}
	if !birthDate(twoDigits(s, 0), twoDigits(s, 2), century+twoDigits(s, 4)) {
		return false
	}
	n := 0
	for _, c := range s[:6] + s[7:10] {
		n = n*10 + int(c-'0')
	}
	const table = "0123456789ABCDEFHJKLMNPRSTUVWXY"
	return s[10] == table[n%31]
}

// ValidPLPESEL reports whether s is a Polish PESEL: YYMMDD (the month
// carries the century: +80 1800s, +20 2000s, +40 2100s), four digits and a
// weighted check digit.
func ValidPLPESEL(s string) bool {
	d, ok := compactDigits(s, " ")
	if !ok || len(d) != 11 {
		return false
	}
	w := []int{1, 3, 7, 9, 1, 3, 7, 9, 1, 3}
	sum := 0
	for i, x := range w {
		sum += x * int(d[i]-'0')
	}
	if (10-sum%10)%10 != int(d[10]-'0') {
		return false
	}
	yy, mm, dd := twoDigits(d, 0), twoDigits(d, 2), twoDigits(d, 4)
	century := 1900
	switch {
	case mm > 80:
		century, mm = 1800, mm-80
	case mm > 60:
		century, mm = 2200, mm-60
	case mm > 40:
		century, mm = 2100, mm-40
	case mm > 20:
		century, mm = 2000, mm-20
	}
	return birthDate(dd, mm, century+yy)
}

// ValidNLBSN reports whether s is a Dutch citizen service number (BSN):
// nine digits passing the "elfproef" (9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 mod 11),
// written with separators (nine bare digits are too common to count).
func ValidNLBSN(s string) bool {
	d, ok := compactDigits(s, " .-")
	if !ok || len(d) != 9 || len(d) == len(s) || d[0] == '0' && d[1] == '0' {
		return false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += (9 - i) * int(d[i]-'0')
	}
	sum -= int(d[8] - '0')
	return sum%11 == 0 && sum > 0
}

// ValidBENN reports whether s is a Belgian national register number:
// YY.MM.DD-SSS.CC, where CC = 97 − (YYMMDDSSS mod 97), with a leading 2 for
// people born from 2000. Month and day may be 0 (date unknown) or raised
// by 20/40 (bis numbers); written with separators.
func ValidBENN(s string) bool {
	d, ok := compactDigits(s, " .-")
	if !ok || len(d) != 11 || len(d) == len(s) {
		return false
	}
	mm := twoDigits(d, 2) % 20
	if mm > 12 || twoDigits(d, 4) > 31 {
		return false
	}
	n := 0
	for _, c := range d[:9] {
		n = n*10 + int(c-'0')
	}
	cc := twoDigits(d, 9)
	return 97-n%97 == cc || 97-(2000000000+n)%97 == cc
}

package rules

import (
	"strings"
	"unicode"
)

// National identity numbers of other countries than China, each with the
// check its issuer publishes. Separators (spaces, dashes, dots, slashes) are
// allowed where people write them.

// idCompact upper-cases s and removes spaces, dashes, dots and slashes.
func idCompact(s string) string {
	if len(s) > 40 {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '.' || r == '/':
		case r < 128 && (unicode.IsDigit(r) || unicode.IsLetter(r)):
			b.WriteRune(unicode.ToUpper(r))
		default:
			return ""
		}
	}
	return b.String()
}

func digitsOnly(s string) bool { return s != "" && allDigits(s) }

// ValidUSSSN reports whether s is a US Social Security number in the
// 3-2-4 form, written with dashes or spaces (nine bare digits are too common
// to count): area not 000, 666 or 9xx, group not 00, serial not 0000.
func ValidUSSSN(s string) bool {
	if len(s) != 11 || (s[3] != '-' && s[3] != ' ') || s[6] != s[3] {
		return false
	}
	d := s[:3] + s[4:6] + s[7:]
	if !digitsOnly(d) {
		return false
	}
	area := d[:3]
	return area != "000" && area != "666" && area[0] != '9' && d[3:5] != "00" && d[5:] != "0000"
}

// ValidUKNINO reports whether s is a UK National Insurance number: two
// prefix letters (not D, F, I, Q, U, V; second not O; not BG, GB, KN, NK,
// NT, TN, ZZ), six digits and a suffix A-D, which HMRC's own records may
// leave out (then the number must be written in its 2-2-2-2 groups).
func ValidUKNINO(s string) bool {
	u := idCompact(s)
	if len(u) == 8 && len(s) == 11 && s[2] == ' ' && s[5] == ' ' && s[8] == ' ' {
		u += "A"
	}
	if len(u) != 9 || !digitsOnly(u[2:8]) {
		return false
	}
	a, b, suf := u[0], u[1], u[8]
	if !isUpper(a) || !isUpper(b) || suf < 'A' || suf > 'D' {
		return false
	}
	if strings.IndexByte("DFIQUV", a) >= 0 || strings.IndexByte("DFIQUVO", b) >= 0 {
		return false
	}
	switch u[:2] {
	case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
		return false
	}
	return true
}

// ValidCASIN reports whether s is a Canadian Social Insurance Number: nine
// digits (3-3-3 groups allowed) passing the Luhn check, not starting with 0 or 8.
func ValidCASIN(s string) bool {
	d, ok := compactDigits(s, " -")
	return ok && len(d) == 9 && d[0] != '8' && LuhnValid(d)
}

// ValidFRNIR reports whether s is a French social security number (NIR):
// sex 1/2, year, month, department (2A/2B for Corsica), commune, order and
// the 2-digit key 97 - (number mod 97).
func ValidFRNIR(s string) bool {
	u := idCompact(s)
	if len(u) != 15 || (u[0] != '1' && u[0] != '2') {
		return false
	}
	body := u[:13]
	switch body[5:7] {
	case "2A":
		body = body[:5] + "19" + body[7:]
	case "2B":
		body = body[:5] + "18" + body[7:]
	}
	if !digitsOnly(body) || !digitsOnly(u[13:]) {
		return false
	}
	m := atoiPrefix(u[3:5], 2)
	if m < 1 || (m > 12 && m < 20) || m > 42 && m != 99 {
		return false
	}
	rem := 0
	for i := 0; i < len(body); i++ {
		rem = (rem*10 + int(body[i]-'0')) % 97
	}
	return 97-rem == atoiPrefix(u[13:], 2)
}

// ValidITCodiceFiscale reports whether s is an Italian fiscal code of a
// person: 6 letters, 2 digits (omocodia letters allowed), month letter,
// 2 digits, a letter and 3 digits (or omocodia letters), and the check letter.
func ValidITCodiceFiscale(s string) bool {
	u := idCompact(s)
	if len(u) != 16 {
		return false
	}
	for i := 0; i < 6; i++ {
		if !isUpper(u[i]) {
			return false
		}
	}
	if strings.IndexByte("ABCDEHLMPRST", u[8]) < 0 || !isUpper(u[11]) || !isUpper(u[15]) {
		return false
	}
	for _, i := range []int{6, 7, 9, 10, 12, 13, 14} {
		if !isDigit(u[i]) && strings.IndexByte("LMNPQRSTUV", u[i]) < 0 {
			return false
		}
	}
	odd := [...]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}
	sum := 0
	for i := 0; i < 15; i++ {
		c := u[i]
		v := 0
		if isDigit(c) {
			v = int(c - '0')
		} else {
			v = int(c - 'A')
		}
		if i%2 == 0 { // 1st, 3rd ... position: odd table
			sum += odd[v]
		} else {
			sum += v
		}
	}
	return u[15] == byte('A'+sum%26)
}

const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

// ValidESDNI reports whether s is a Spanish DNI (8 digits and the mod-23
// letter) or NIE (X, Y or Z, 7 digits and the letter).
func ValidESDNI(s string) bool {
	u := idCompact(s)
	if len(u) != 9 || !isUpper(u[8]) {
		return false
	}
	num := u[:8]
	switch u[0] {
	case 'X':
		num = "0" + u[1:8]
	case 'Y':
		num = "1" + u[1:8]
	case 'Z':
		num = "2" + u[1:8]
	}
	if !digitsOnly(num) {
		return false
	}
	n := 0
	for i := 0; i < 8; i++ {
		n = n*10 + int(num[i]-'0')
	}
	return dniLetters[n%23] == u[8]
}

// ValidDETaxID reports whether s is a German tax identification number
// (Steuer-IdNr.): 11 digits, first not 0, among the first ten one digit
// twice or three times, check digit by ISO 7064 MOD 11,10.
func ValidDETaxID(s string) bool {
	d, ok := compactDigits(s, " /")
	if !ok || len(d) != 11 || d[0] == '0' {
		return false
	}
	var cnt [10]int
	for i := 0; i < 10; i++ {
		cnt[d[i]-'0']++
	}
	multi := 0
	for _, c := range cnt {
		if c > 3 {
			return false
		}
		if c >= 2 {
			multi++
		}
	}
	if multi != 1 {
		return false
	}
	p := 10
	for i := 0; i < 10; i++ {
		sum := (int(d[i]-'0') + p) % 10
		if sum == 0 {
			sum = 10
		}
		p = (2 * sum) % 11
	}
	check := 11 - p
	if check == 10 {
		check = 0
	}
	return check == int(d[10]-'0')
}

// ValidBRCPF reports whether s is a Brazilian CPF: 11 digits (written
// 000.000.000-00 or bare) with its two mod-11 check digits, not all equal.
func ValidBRCPF(s string) bool {
	d, ok := compactDigits(s, ".- ")
	if !ok || len(d) != 11 || strings.Count(d, d[:1]) == 11 {
		return false
	}
	for _, n := range []int{9, 10} {
		sum := 0
		for i := 0; i < n; i++ {
			sum += int(d[i]-'0') * (n + 1 - i)
		}
		c := sum * 10 % 11 % 10
		if c != int(d[n]-'0') {
			return false
		}
	}
	return true
}

var verhoeffD = [10][10]byte{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
	{3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
	{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
	{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}}
var verhoeffP = [8][10]byte{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
	{8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
	{2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}}

// VerhoeffValid reports whether a digit string passes the Verhoeff check.
func VerhoeffValid(d string) bool {
	c := byte(0)
	for i := 0; i < len(d); i++ {
		x := d[len(d)-1-i]
		if x < '0' || x > '9' {
			return false
		}
		c = verhoeffD[c][verhoeffP[i%8][x-'0']]
	}
	return len(d) > 0 && c == 0
}

// ValidINAadhaar reports whether s is an Indian Aadhaar number: 12 digits
// (4-4-4 groups allowed), first digit 2-9, Verhoeff check.
func ValidINAadhaar(s string) bool {
	d, ok := compactDigits(s, " -")
	return ok && len(d) == 12 && d[0] >= '2' && VerhoeffValid(d)
}

// ValidHKID reports whether s is a Hong Kong identity card number: one or two
// letters, six digits and a check digit or A (mod 11), brackets allowed.
func ValidHKID(s string) bool {
	u := strings.NewReplacer("(", "", ")", "", "（", "", "）", "").Replace(s)
	u = idCompact(u)
	if len(u) == 8 {
		u = " " + u
	}
	if len(u) != 9 || !isUpper(u[1]) || !digitsOnly(u[2:8]) || (u[0] != ' ' && !isUpper(u[0])) {
		return false
	}
	sum := 0
	if u[0] == ' ' {
		sum += 36 * 9
	} else {
		sum += (int(u[0]-'A') + 10) * 9
	}
	sum += (int(u[1]-'A') + 10) * 8
	for i := 2; i < 8; i++ {
		sum += int(u[i]-'0') * (9 - i)
	}
	c := (11 - sum%11) % 11
	want := byte('0' + c)
	if c == 10 {
		want = 'A'
	}
	return u[8] == want
}

// ValidTWID reports whether s is a Taiwan national identification number:
// a region letter, 1 or 2 (8 or 9 for residents), eight digits, checksum.
func ValidTWID(s string) bool {
	u := idCompact(s)
	if len(u) != 10 || !isUpper(u[0]) || !digitsOnly(u[1:]) || strings.IndexByte("1289", u[1]) < 0 {
		return false
	}
	codes := "ABCDEFGHJKLMNPQRSTUVXYWZIO" // 10..35
	v := strings.IndexByte(codes, u[0]) + 10
	sum := v/10 + (v%10)*9
	for i := 1; i < 9; i++ {
		sum += int(u[i]-'0') * (9 - i)
	}
	sum += int(u[9] - '0')
	return sum%10 == 0
}

// ValidSGNRIC reports whether s is a Singapore NRIC/FIN: S, T, F, G or M,
// seven digits and the check letter.
func ValidSGNRIC(s string) bool {
	u := idCompact(s)
	if len(u) != 9 || !digitsOnly(u[1:8]) || !isUpper(u[8]) {
		return false
	}
	w := [...]int{2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i := 0; i < 7; i++ {
		sum += int(u[1+i]-'0') * w[i]
	}
	var table string
	switch u[0] {
	case 'S':
		table = "JZIHGFEDCBA"
	case 'T':
		sum += 4
		table = "JZIHGFEDCBA"
	case 'F':
		table = "XWUTRQPNMLK"
	case 'G':
		sum += 4
		table = "XWUTRQPNMLK"
	case 'M':
		sum += 3
		table = "KLJNPQRTUWX"
	default:
		return false
	}
	return u[8] == table[sum%11]
}

// nationalID reports whether s is one of the national identity numbers
// above (the Chinese resident ID has its own class).
func nationalID(s string) bool {
	return ValidUSSSN(s) || ValidUKNINO(s) || ValidCASIN(s) || ValidFRNIR(s) || ValidITCodiceFiscale(s) ||
		ValidESDNI(s) || ValidDETaxID(s) || ValidBRCPF(s) || ValidINAadhaar(s) || ValidHKID(s) ||
		ValidTWID(s) || ValidSGNRIC(s) || ValidZAID(s) || ValidDKCPR(s) || ValidSEPersonnummer(s) ||
		ValidNOFodselsnummer(s) || ValidFIHETU(s) || ValidPLPESEL(s) || ValidNLBSN(s) || ValidBENN(s)
}

// excelNumber reports whether s is a long number as a spreadsheet shows it
// after turning it into a float ("5.54563E+15"): the digits are gone, but the
// column held an identifier.
func excelNumber(s string, minExp, maxExp int) bool {
	i := strings.IndexAny(s, "Ee")
	if i < 1 || i+2 >= len(s) || s[i+1] != '+' {
		return false
	}
	mant, exp := s[:i], s[i+2:]
	if !allDigits(exp) || len(exp) > 2 {
		return false
	}
	e := atoiPrefix(exp, len(exp))
	if e < minExp || e > maxExp {
		return false
	}
	m := strings.Replace(mant, ".", "", 1)
	return allDigits(m) && len(m) <= 16
}

// idShape reports whether s is shaped like an identity number.
func idShape(s string) bool {
	if excelNumber(s, 5, 20) {
		return true
	}
	u := idCompact(strings.NewReplacer("(", "", ")", "").Replace(s))
	if len(u) < 6 || len(u) > 24 {
		return false
	}
	digits := 0
	for i := 0; i < len(u); i++ {
		if isDigit(u[i]) {
			digits++
		}
	}
	return digits >= 4
}

// cardShape reports whether s is shaped like a payment card number.
func cardShape(s string) bool {
	if excelNumber(s, 11, 18) {
		return true
	}
	d, ok := compactDigits(s, " -")
	return ok && len(d) >= 12 && len(d) <= 19
}

package rules

import "strings"

// LuhnCheckDigit returns the Luhn (ISO/IEC 7812) check digit for the given
// digits (the payload without its check digit). ok is false when payload holds
// a non-digit.
func LuhnCheckDigit(payload string) (digit byte, ok bool) {
	sum := 0
	double := true // the rightmost payload digit is doubled once the check digit is appended
	for i := len(payload) - 1; i >= 0; i-- {
		c := payload[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10), true
}

// LuhnValid reports whether number (digits only) passes the Luhn check.
func LuhnValid(number string) bool {
	if len(number) < 2 {
		return false
	}
	d, ok := LuhnCheckDigit(number[:len(number)-1])
	return ok && d == number[len(number)-1]
}

var gb11643Weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// GB11643CheckChar returns the check character ('0'-'9' or 'X') of an 18-character
// Chinese resident identity number (GB 11643-1999, ISO 7064 MOD 11-2) for its
// first 17 digits.
func GB11643CheckChar(body17 string) (check byte, ok bool) {
	if len(body17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := body17[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		sum += int(c-'0') * gb11643Weights[i]
	}
	return "10X98765432"[sum%11], true
}

// GB32100Alphabet is the 31-character alphabet of the unified social credit
// code (GB 32100-2015): digits and upper-case letters without I, O, S, V, Z.
const GB32100Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var gb32100Weights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// GB32100CheckChar returns the check character of an 18-character unified social
// credit code (GB 32100-2015) for its first 17 characters.
func GB32100CheckChar(body17 string) (check byte, ok bool) {
	if len(body17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(GB32100Alphabet, body17[i])
		if v < 0 {
			return 0, false
		}
		sum += v * gb32100Weights[i]
	}
	return GB32100Alphabet[(31-sum%31)%31], true
}

// IBANCheckDigits returns the two check digits of an IBAN (ISO 13616, MOD 97-10)
// for a country code and a BBAN. ok is false for characters outside A-Z, 0-9.
func IBANCheckDigits(country, bban string) (digits string, ok bool) {
	r, ok := ibanMod97(bban + country + "00")
	if !ok {
		return "", false
	}
	c := 98 - r
	return string([]byte{byte('0' + c/10), byte('0' + c%10)}), true
}

// ibanMod97 computes s mod 97 where letters count as two digits (A=10 ... Z=35).
func ibanMod97(s string) (int, bool) {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			v := int(c-'A') + 10
			r = (r*100 + v) % 97
		default:
			return 0, false
		}
	}
	return r, true
}

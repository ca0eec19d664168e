package rules

import "testing"

func TestCheckDigitsKnownAnswers(t *testing.T) {
	if d, _ := LuhnCheckDigit("7992739871"); d != '3' {
		t.Errorf("Luhn(7992739871) = %c, want 3", d)
	}
	for _, n := range []string{"4111111111111111", "79927398713", "5500000000000004"} {
		if !LuhnValid(n) {
			t.Errorf("LuhnValid(%s) = false", n)
		}
	}
	if LuhnValid("4111111111111112") {
		t.Error("LuhnValid accepted a wrong check digit")
	}
	// GB 11643 example from the standard's annex: 11010519491231002X.
	if c, _ := GB11643CheckChar("11010519491231002"); c != 'X' {
		t.Errorf("GB11643 check = %c, want X", c)
	}
	if c, _ := GB11643CheckChar("44052418800101001"); c != '4' {
		t.Errorf("GB11643 check = %c, want 4", c)
	}
	// A published unified social credit code (Tencent Technology (Shenzhen)): 9144030071526726XG.
	if c, _ := GB32100CheckChar("9144030071526726X"); c != 'G' {
		t.Errorf("GB32100 check = %c, want G", c)
	}
	// ISO 13616 example: GB82 WEST 1234 5698 7654 32.
	if d, _ := IBANCheckDigits("GB", "WEST12345698765432"); d != "82" {
		t.Errorf("IBAN check = %s, want 82", d)
	}
	if d, _ := IBANCheckDigits("DE", "370400440532013000"); d != "89" {
		t.Errorf("IBAN check = %s, want 89", d)
	}
}

package rules

import (
	"strings"
	"testing"
)

// TestFindInTextWesternPhones: US and European forms inside free text,
// with parentheses, dots, international prefixes and extensions.
func TestFindInTextWesternPhones(t *testing.T) {
	for _, tc := range []struct {
		text string
		want string // the phone as found, "" for none
	}{
		{"Call (212) 555-0123 x12 today", "(212) 555-0123 x12"},
		{"Call back on 001-176-053-8136x708 after 5pm", "001-176-053-8136x708"},
		{"office 212.555.0123 ext. 45, ask for Ann", "212.555.0123 ext. 45"},
		{"ring +44 20 7946 0958 please", "+44 20 7946 0958"},
		{"客户要求回电 13812345678 周五前", "13812345678"},
		{"parcel 1Z 999 AA1 01 2345 6784 shipped", ""},
		{"pi is 3.14159265 roughly", ""},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/74.0.3729.131 Safari/537.36", ""},
		{"appel au 02.64.62.52.37 demain", "02.64.62.52.37"},
		{"version 10.2.3.4 released", ""},
	} {
		got := ""
		for _, f := range FindInText(tc.text) {
			if f.Kind == "phone" {
				got = tc.text[f.Start:f.End]
			}
		}
		if got != tc.want {
			t.Errorf("FindInText(%q) phone = %q, want %q", tc.text, got, tc.want)
		}
	}
	if containsPII("1Z 789 686 82 8979 914 6") {
		t.Error("a parcel number is not free text with personal data")
	}
}

// TestPhoneDefaultRegion: a national form valid in the configured region is
// a phone; the region list leads the search.
func TestPhoneDefaultRegion(t *testing.T) {
	de := newPhoneRegions([]string{"DE"})
	if de.order[0] != "DE" || len(de.order) < 200 || len(de.defaults) != 1 {
		t.Fatalf("regions = %v...", de.order[:3])
	}
	for _, v := range []string{"030 901820", "0660 475 13 89", "02.64.62.52.37", "(11) 7113-8192", "+49 30 901820", "0049 30 901820", "(212) 555-0123 x12"} {
		if !de.phone(v) {
			t.Errorf("phone(%q) = false", v)
		}
	}
	for _, v := range []string{"77.377518", "75.5.163.152", "2024-01-01", "70777.45", "6945116246"} {
		if de.phone(v) {
			t.Errorf("phone(%q) = true", v)
		}
	}
	packs, err := LoadBuiltinRegions([]string{"GB"})
	if err != nil || len(packs) == 0 {
		t.Fatal(err)
	}
}

// TestPhoneBareDigitsDefaultRegion: a bare national number (a leading zero
// lost in a spreadsheet) is a phone only in a configured region.
func TestPhoneBareDigitsDefaultRegion(t *testing.T) {
	gb, none := newPhoneRegions([]string{"GB"}), newPhoneRegions(nil)
	for _, v := range []string{"7400123456", "07400 123456"} {
		if !gb.phone(v) {
			t.Errorf("GB: phone(%q) = false", v)
		}
		if none.phone(v) != strings.HasPrefix(v, "0") {
			t.Errorf("no region: phone(%q) = %v", v, !strings.HasPrefix(v, "0"))
		}
	}
	cn := newPhoneRegions([]string{"CN"})
	for _, v := range []string{"1234567", "20240101", "100000001", "1381234567"} {
		if cn.phone(v) {
			t.Errorf("CN: phone(%q) = true", v)
		}
	}
}

// TestPhoneInRegion: the region of the row decides national forms and bare
// digits; an international form must belong to that region.
func TestPhoneInRegion(t *testing.T) {
	for _, c := range []struct {
		v, region string
		want      bool
	}{
		{"7400123456", "GB", true},
		{"07400 123456", "GB", true},
		{"+44 7400 123456", "GB", true},
		{"+44 7400 123456", "DE", false},
		{"7400123456", "FR", false},
		{"612345678", "FR", true},
		{"30 901820", "DE", true},
		{"13812345678", "CN", true},
		{"2024-01-01", "GB", false},
		{"77.377518", "GB", false},
		{"7400123456", "", false},
		{"123", "GB", false},
	} {
		if got := PhoneInRegion(c.v, c.region); got != c.want {
			t.Errorf("PhoneInRegion(%q, %q) = %v, want %v", c.v, c.region, got, c.want)
		}
	}
	if !KnownPhoneRegion("CN") || KnownPhoneRegion("XX") {
		t.Error("KnownPhoneRegion")
	}
}

// TestCountryCode: codes and names in several languages map to alpha-2.
func TestCountryCode(t *testing.T) {
	for v, want := range map[string]string{"GB": "GB", "gbr": "GB", "United Kingdom": "GB", "Deutschland": "DE", "中国": "CN", "美国": "US", "USA": "US", "Atlantis": "", "": ""} {
		if got := CountryCode(v); got != want {
			t.Errorf("CountryCode(%q) = %q, want %q", v, got, want)
		}
	}
}

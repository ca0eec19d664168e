package rules

import "testing"

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
	if de[0] != "DE" || len(de) < 200 {
		t.Fatalf("regions = %v...", de[:3])
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

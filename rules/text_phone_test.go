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

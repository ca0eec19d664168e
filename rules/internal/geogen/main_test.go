package main

import "testing"

// The same cases as rules.TestPlaceKey: the generator's keys and the
// lookup's must agree (rules.TestGazetteerKeysAreKeys checks the output).
func TestKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Lääne-Virumaa", "laane virumaa"},
		{"ORLÉANS", "orleans"},
		{"Łódź", "lodz"},
		{"Gießen", "giessen"},
		{"Ærøskøbing", "aeroskobing"},
		{"King William's Town", "king william s town"},
		{"  São   Paulo ", "sao paulo"},
		{"St. Gallen", "st gallen"},
		{"Λευκωσία", "λευκωσια"},
		{"Москва", "москва"},
		{"東京", "東京"},
	} {
		if got := key(tc.in); got != tc.want {
			t.Errorf("key(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestKeepAlt(t *testing.T) {
	for _, tc := range []struct {
		alt, cc string
		want    bool
	}{
		{"München", "DE", true},
		{"서울", "KR", true},
		{"東京", "JP", true},
		{"广州", "CN", false},  // the Chinese lexicon decides places in China
		{"MUC", "DE", false}, // an airport code
		{"NY", "US", false},
		{"Praha 1", "CZ", false},
		{"Nicosia (Lefkosia)", "CY", false},
		{"Wu", "CN", false},
	} {
		if got := keepAlt(tc.alt, tc.cc); got != tc.want {
			t.Errorf("keepAlt(%q, %q) = %v, want %v", tc.alt, tc.cc, got, tc.want)
		}
	}
}

func TestSplitAlt(t *testing.T) {
	has := map[string]bool{}
	for _, p := range splitAlt("Brussels Capital Region / Région de Bruxelles-Capitale") {
		has[p] = true
	}
	for _, want := range []string{"Brussels Capital Region / Région de Bruxelles-Capitale", "Brussels Capital Region", "Région de Bruxelles-Capitale"} {
		if !has[want] {
			t.Errorf("splitAlt lacks %q", want)
		}
	}
}

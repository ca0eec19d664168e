package main

import "testing"

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

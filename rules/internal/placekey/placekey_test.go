package placekey

import "testing"

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
		{"", ""},
	} {
		if got := Key(tc.in); got != tc.want {
			t.Errorf("Key(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

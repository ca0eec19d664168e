package classify_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vigil-dg/vigil/stages/classify"
)

// TestCountryColumnHintsPhones: bare national numbers (leading zeros lost in
// a spreadsheet) are phones of the country named on the same row; without
// the country column they are not evidence, and record numbers stay none.
func TestCountryColumnHintsPhones(t *testing.T) {
	countries := []string{"United Kingdom", "France", "Germany"}
	n := 60
	country := cycle(n, countries)
	contact := column(n, func(i int) string {
		switch i % 3 {
		case 0:
			return fmt.Sprintf("74001234%02d", i)
		case 1:
			return fmt.Sprintf("6123456%02d", i)
		}
		return fmt.Sprintf("151234567%02d", i)
	})
	ids := column(n, func(i int) string { return fmt.Sprint(100001 + i) })
	with := classifyRows(t, []string{"Country", "col2", "col3"}, [][]string{country, contact, ids}, classify.Options{})
	if c := with.Columns[0]; c.Class != "country" {
		t.Fatalf("Country: %s %v", c.Class, c.Evidence)
	}
	c := with.Columns[1]
	if c.Class != "phone" || !strings.Contains(strings.Join(c.Evidence, ";"), `country named on the same row (column "Country")`) {
		t.Errorf("with country: %s %.2f %v", c.Class, c.Confidence, c.Evidence)
	}
	if c := with.Columns[2]; c.Class == "phone" {
		t.Errorf("record numbers: %s %v", c.Class, c.Evidence)
	}
	without := classifyRows(t, []string{"col1", "col2"}, [][]string{cycle(n, []string{"a", "b"}), contact}, classify.Options{})
	if c := without.Columns[1]; c.Class == "phone" {
		t.Errorf("without country: %s %v", c.Class, c.Evidence)
	}
}

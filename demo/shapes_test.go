package demo

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/vigil-dg/vigil/rules/presets"
)

func TestGenerateShapes(t *testing.T) {
	for _, shape := range Shapes {
		t.Run(shape, func(t *testing.T) {
			dir := t.TempDir()
			sum, err := GenerateShape(context.Background(), ShapeOptions{Shape: shape, Rows: 50, Seed: 4, Out: dir})
			if err != nil {
				t.Fatal(err)
			}
			again, err := GenerateShape(context.Background(), ShapeOptions{Shape: shape, Rows: 50, Seed: 4, Out: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			p, _ := presets.Get(shape)
			personal := 0
			for i, tb := range sum.Tables {
				if _, err := os.Stat(filepath.Join(dir, tb.File)); err != nil {
					t.Fatal(err)
				}
				if tb.Rows == 0 || tb.Rows != again.Tables[i].Rows {
					t.Errorf("%s: %d rows", tb.Table, tb.Rows)
				}
				if p.Object(tb.Table) == nil {
					t.Errorf("%s: not an object of the preset", tb.Table)
				}
				personal += len(tb.Personal)
			}
			if personal == 0 || p.StaffObject() == nil {
				t.Errorf("no personal columns or no staff object")
			}
		})
	}
}

func TestSalesforceIDs(t *testing.T) {
	re := regexp.MustCompile(`^[0-9A-Za-z]{18}$`)
	// The case-safe suffix of a known id: 001 + "5g00000" + "0000A" →
	// chunk 3 has its 5th character upper case → bit 4 → 'Q'.
	if id := sfID("001", 10); !re.MatchString(id) || id[:15] != "0015g000000000A" || id[15:] != "AAQ" {
		t.Errorf("sfID = %s", id)
	}
}

package anonymize

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHierarchyFixtures(t *testing.T) {
	valid, _ := filepath.Glob("testdata/hierarchy/valid/*.csv")
	invalid, _ := filepath.Glob("testdata/hierarchy/invalid/*.csv")
	if len(valid) == 0 || len(invalid) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range valid {
		t.Run(filepath.Base(f), func(t *testing.T) {
			h, err := LoadHierarchyCSV(f, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range h.Domain() {
				for lvl := range row {
					got, err := h.Generalize(row[0], lvl)
					if err != nil || got != row[lvl] {
						t.Errorf("Generalize(row %q, %d) = %q, %v", row[0], lvl, got, err)
					}
				}
			}
		})
	}
	for _, f := range invalid {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := LoadHierarchyCSV(f, 0)
			if !errors.Is(err, ErrHierarchy) {
				t.Fatalf("err = %v, want ErrHierarchy", err)
			}
			var he *HierarchyError
			if !errors.As(err, &he) || !strings.Contains(err.Error(), filepath.Base(f)) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestHierarchyErrorNamesLine(t *testing.T) {
	_, err := ReadHierarchyCSV(strings.NewReader("a;x;*\nb;*\nc;y;*\n"), "h.csv", ';')
	if err == nil || !strings.Contains(err.Error(), "h.csv line 2") {
		t.Fatalf("err = %v, want line 2 named", err)
	}
}

func TestBuiltinHierarchies(t *testing.T) {
	cases := []struct {
		h     Hierarchy
		value string
		want  []string
	}{
		{AgeBands(), "37", []string{"37", "35-39", "30-39", "20-39", "*"}},
		{AgeBands(), "0", []string{"0", "0-4", "0-9", "0-19", "*"}},
		{IntervalHierarchy{Widths: []float64{2.5}}, "3.1", []string{"3.1", "[2.5,5)", "*"}},
		{DateHierarchy{}, "1987-06-05", []string{"1987-06-05", "1987-06", "1987", "1980-1989", "*"}},
		{DateHierarchy{}, "2001-02-03 04:05:06Z", []string{"2001-02-03 04:05:06Z", "2001-02", "2001", "2000-2009", "*"}},
		{PrefixHierarchy{MaxMasked: 3}, "100080", []string{"100080", "10008*", "1000**", "100***", "*"}},
		{PrefixHierarchy{MaxMasked: 3}, "12", []string{"12", "1*", "*", "*", "*"}},
	}
	for _, c := range cases {
		if c.h.Levels() != len(c.want) {
			t.Errorf("%T levels = %d, want %d", c.h, c.h.Levels(), len(c.want))
			continue
		}
		for lvl, w := range c.want {
			got, err := c.h.Generalize(c.value, lvl)
			if err != nil || got != w {
				t.Errorf("%T.Generalize(%q, %d) = %q, %v; want %q", c.h, c.value, lvl, got, err, w)
			}
		}
	}
	if _, err := AgeBands().Generalize("abc", 1); !errors.Is(err, ErrHierarchy) {
		t.Errorf("non-numeric age: err = %v", err)
	}
	if _, err := (DateHierarchy{}).Generalize("not a date", 2); !errors.Is(err, ErrHierarchy) {
		t.Errorf("bad date: err = %v", err)
	}
}

// FuzzReadHierarchyCSV checks that the parser never panics and that every
// hierarchy it accepts is consistent.
func FuzzReadHierarchyCSV(f *testing.F) {
	for _, dir := range []string{"testdata/hierarchy/valid", "testdata/hierarchy/invalid"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHierarchyCSV(bytes.NewReader(data), "fuzz", ';')
		if err != nil {
			if !errors.Is(err, ErrHierarchy) {
				t.Fatalf("error %v is not ErrHierarchy", err)
			}
			return
		}
		for _, row := range h.Domain() {
			if len(row) != h.Levels() {
				t.Fatalf("row with %d levels in a %d-level hierarchy", len(row), h.Levels())
			}
			for lvl := range row {
				if got, err := h.Generalize(row[0], lvl); err != nil || got != row[lvl] {
					t.Fatalf("Generalize(%q,%d) = %q, %v", row[0], lvl, got, err)
				}
			}
		}
	})
}

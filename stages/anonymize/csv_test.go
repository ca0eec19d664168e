package anonymize

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAnonymizeCSVOutput(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("\ufeffid,age,sex,zip,disease\n")
	ages := []string{"21", "22", "23", "24", "25", "31", "32", "33", "34", "35", "36", "41"}
	for i, a := range ages {
		sex := []string{"F", "M"}[i%2]
		b.WriteString(strings.Join([]string{"p" + a, a, sex, "1000" + string(rune('1'+i%3)), []string{"flu", "cold", "hiv"}[i%3]}, ",") + "\n")
	}
	in := writeFile(t, dir, "people.csv", b.String())
	sexH := writeFile(t, dir, "sex.csv", "F;*\nM;*\n")
	var out bytes.Buffer
	res, err := AnonymizeCSV(context.Background(), CSVOptions{
		Input: in, HierarchyFiles: map[string]string{"sex": sexH},
		Privacy: PrivacyOptions{QuasiIdentifiers: []string{"age", "sex", "zip"}, K: 3, Suppression: 0.1,
			Hierarchies: map[string]Hierarchy{"age": AgeBands(), "zip": PrefixHierarchy{MaxMasked: 4}}},
		Output: &out, Drop: []string{"id"},
	})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "age,sex,zip,disease" {
		t.Fatalf("header %v", recs[0])
	}
	if int64(len(recs)-1) != res.Records-res.Suppressed {
		t.Fatalf("%d records written, %d - %d expected", len(recs)-1, res.Records, res.Suppressed)
	}
	classes := map[string]int{}
	for _, r := range recs[1:] {
		classes[strings.Join(r[:3], "|")]++
	}
	for k, n := range classes {
		if n < 3 {
			t.Errorf("class %s has %d records", k, n)
		}
	}
	if res.KReached < 3 || len(classes) != res.Classes {
		t.Errorf("result: k %d, classes %d (output has %d)", res.KReached, res.Classes, len(classes))
	}
}

func TestAnonymizeCSVErrors(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "in.csv", "a;b\n1;x\n2;y\n3;unknown\n")
	h := writeFile(t, dir, "b.csv", "x;*\ny;*\n")
	_, err := AnonymizeCSV(context.Background(), CSVOptions{Input: in, Delimiter: ';',
		HierarchyFiles: map[string]string{"b": h}, Privacy: PrivacyOptions{QuasiIdentifiers: []string{"b"}, K: 2}})
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Row != 3 || ve.Column != "b" || !errors.Is(err, ErrHierarchy) {
		t.Fatalf("err = %v, want a ValueError for row 3 column b", err)
	}
	if strings.Contains(err.Error(), "unknown") {
		t.Errorf("error reveals the value: %v", err)
	}
	_, err = AnonymizeCSV(context.Background(), CSVOptions{Input: in, Delimiter: ';',
		Privacy: PrivacyOptions{QuasiIdentifiers: []string{"b", "c"}, K: 2, Suppression: 2}})
	if !errors.Is(err, ErrPolicy) {
		t.Fatalf("err = %v, want ErrPolicy", err)
	}
	for _, want := range []string{`"b"`, `"c"`, "suppression"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not report %s: %v", want, err)
		}
	}
	_, err = AnonymizeCSV(context.Background(), CSVOptions{Input: in, Delimiter: ';',
		HierarchyFiles: map[string]string{"x": h}, Privacy: PrivacyOptions{QuasiIdentifiers: []string{"x"}, K: 2}})
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "x") {
		t.Fatalf("missing column: err = %v", err)
	}
	_, err = AnonymizeCSV(context.Background(), CSVOptions{Input: in, Delimiter: ';',
		Privacy: PrivacyOptions{QuasiIdentifiers: []string{"a"}, K: 10, Hierarchies: map[string]Hierarchy{"a": AgeBands()}}})
	if !errors.Is(err, ErrNoSolution) {
		t.Fatalf("k larger than the table: err = %v", err)
	}
}

// FuzzAnonymizeCSV feeds arbitrary delimited input (seeded from
// testdata/csv) through AnonymizeCSV: it must not panic, and failures must
// be typed errors.
func FuzzAnonymizeCSV(f *testing.F) {
	files, _ := filepath.Glob("testdata/csv/*.csv")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		in := filepath.Join(dir, "in.csv")
		if err := os.WriteFile(in, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		for _, alg := range []Algorithm{AlgorithmMondrian, AlgorithmOptimal} {
			res, err := AnonymizeCSV(context.Background(), CSVOptions{Input: in, Output: &out,
				Privacy: PrivacyOptions{QuasiIdentifiers: []string{"age", "zip"}, K: 2, Suppression: 0.5, Algorithm: alg,
					Hierarchies: map[string]Hierarchy{"age": AgeBands(), "zip": PrefixHierarchy{MaxMasked: 3}}}})
			if err != nil {
				if !errors.Is(err, ErrInput) && !errors.Is(err, ErrHierarchy) && !errors.Is(err, ErrNoSolution) && !errors.Is(err, ErrPolicy) {
					t.Fatalf("untyped error: %v", err)
				}
				continue
			}
			if res.KReached < 2 {
				t.Fatalf("k reached %d", res.KReached)
			}
		}
	})
}

package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readBack(t *testing.T, file string) [][]string {
	t.Helper()
	fh, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestStageOne: sObject trees flatten in field order without attributes,
// booleans as True/False and numbers as written; column subsets and rows
// spread over a long file; BOM and unnamed columns dropped.
func TestStageOne(t *testing.T) {
	dir := t.TempDir()
	tree := `{"records": [
		{"attributes": {"type": "Contact"}, "FirstName": "Amy", "Phone": "4152568563", "Price__c": 975000, "Active": true},
		{"attributes": {"type": "Contact"}, "FirstName": "Li", "Lat": 42.35663, "Active": false, "Note": null}]}`
	if err := stageOne(dir, stageFile{to: "sf/c.csv", json: true}, []byte(tree)); err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"FirstName", "Phone", "Price__c", "Active", "Lat", "Note"},
		{"Amy", "4152568563", "975000", "True", "", ""},
		{"Li", "", "", "False", "42.35663", ""},
	}
	if got := readBack(t, filepath.Join(dir, "sf", "c.csv")); !reflect.DeepEqual(got, want) {
		t.Errorf("flattened:\n got %q\nwant %q", got, want)
	}

	var b strings.Builder
	b.WriteString("\ufeffcode,name,,extra\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "%d,n%d,x,e\n", i, i)
	}
	if err := stageOne(dir, stageFile{to: "a.csv", spread: true}, []byte(b.String())); err != nil {
		t.Fatal(err)
	}
	rows := readBack(t, filepath.Join(dir, "a.csv"))
	if len(rows) != maxRows+1 || !reflect.DeepEqual(rows[0], []string{"code", "name", "extra"}) || rows[1][0] != "0" || rows[2][0] != "5" || rows[maxRows][0] != "995" {
		t.Errorf("spread: %d rows, header %q, first %q, second %q, last %q", len(rows), rows[0], rows[1], rows[2], rows[len(rows)-1])
	}
	if err := stageOne(dir, stageFile{to: "b.csv", columns: []string{"name", "code"}}, []byte(b.String())); err != nil {
		t.Fatal(err)
	}
	rows = readBack(t, filepath.Join(dir, "b.csv"))
	if len(rows) != maxRows+1 || !reflect.DeepEqual(rows[0], []string{"name", "code"}) || !reflect.DeepEqual(rows[maxRows], []string{"n199", "199"}) {
		t.Errorf("subset: %d rows, %q ... %q", len(rows), rows[0], rows[len(rows)-1])
	}
	if err := stageOne(dir, stageFile{to: "c.csv", columns: []string{"nosuch"}}, []byte(b.String())); err == nil {
		t.Error("a missing column is not an error")
	}
	if err := stageOne(dir, stageFile{to: "d.csv", json: true}, []byte(`{"records": [{"a": {"b": 1}}]}`)); err == nil {
		t.Error("a nested value is not an error")
	}
}

// FuzzFlattenRecords: any input either fails or gives rows as wide as the
// header.
func FuzzFlattenRecords(f *testing.F) {
	f.Add([]byte(`{"records": [{"attributes": {}, "a": 1, "b": "x"}, {"c": true}]}`))
	f.Add([]byte(`{"records": []}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"records": [[1, 2]]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cols, rows, err := flattenRecords(b)
		if err != nil {
			return
		}
		for _, r := range rows {
			if len(r) != len(cols) {
				t.Fatalf("row of %d for %d columns", len(r), len(cols))
			}
		}
	})
}

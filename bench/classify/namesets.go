package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/vigil-dg/vigil/rules"
)

// nameSets prints, for the FakeNameGenerator exports of the Presidio
// source, the share of given names and surnames that pass the person_name
// value rule per name set (the culture each row's name was drawn from): the
// name dictionaries' reach per language, measured value by value.
func nameSets(public string, set *rules.Set) {
	cl, ok := set.Class("person_name")
	if !ok {
		return
	}
	type tally struct{ n, given, surname int }
	by := map[string]*tally{}
	for _, f := range []string{"presidio/fakenamegenerator_100.csv", "presidio/fakenamegenerator_3000_excel.csv"} {
		fh, err := os.Open(filepath.Join(public, f))
		if err != nil {
			return
		}
		rows, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil || len(rows) < 2 {
			return
		}
		idx := map[string]int{}
		for i, h := range rows[0] {
			idx[h] = i
		}
		ns, okN := idx["NameSet"]
		g, okG := idx["GivenName"]
		s, okS := idx["Surname"]
		if !okN || !okG || !okS {
			return
		}
		for _, r := range rows[1:] {
			t := by[r[ns]]
			if t == nil {
				t = &tally{}
				by[r[ns]] = t
			}
			t.n++
			if cl.MatchValue(r[g]) {
				t.given++
			}
			if cl.MatchValue(r[s]) {
				t.surname++
			}
		}
	}
	keys := make([]string, 0, len(by))
	all := tally{}
	for k, t := range by {
		keys = append(keys, k)
		all.n += t.n
		all.given += t.given
		all.surname += t.surname
	}
	sort.Strings(keys)
	fmt.Println("== name values per name set (Presidio FakeNameGenerator exports): share passing the person_name value rule")
	fmt.Printf("%-24s %5s %7s %8s\n", "name set", "rows", "given", "surname")
	for _, k := range keys {
		t := by[k]
		fmt.Printf("%-24s %5d %7.2f %8.2f\n", k, t.n, ratio(t.given, t.n), ratio(t.surname, t.n))
	}
	fmt.Printf("%-24s %5d %7.2f %8.2f\n\n", "all", all.n, ratio(all.given, all.n), ratio(all.surname, all.n))
}

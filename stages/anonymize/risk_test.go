package anonymize

import (
	"context"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestSampleRiskAgainstPopulation(t *testing.T) {
	pop := NewPopulation([]string{"a"})
	for _, v := range []string{"x", "x", "x", "x", "y", "y", "y", "z"} {
		pop.Add([]string{v})
	}
	r := Risk{Threshold: 0.2}
	addSampleRisk(&r, []int64{2, 3}, []string{"x", "y"}, pop, func(v []string) (string, bool) { return v[0], true })
	j, m := r.Journalist, r.Marketer
	// Population classes 4 and 3: highest 1/3; success max(2/7, (2/4+3/3)/5).
	if j.Population != "table" || j.PopulationRecords != 8 || !near(j.Highest, 1.0/3) || !near(j.Average, 0.3) || !near(m.Average, 0.3) {
		t.Errorf("journalist %+v marketer %+v", j, m)
	}
	if j.RecordsAtRisk != 5 || !near(j.ShareAtRisk, 1) {
		t.Errorf("at risk %d (%v), want 5 (1)", j.RecordsAtRisk, j.ShareAtRisk)
	}
	// Without a population: the prosecutor's figures.
	r = Risk{Threshold: 0.2}
	addSampleRisk(&r, []int64{5, 10}, nil, nil, nil)
	if !near(r.Journalist.Highest, 0.2) || !near(r.Journalist.Average, 2.0/15) || !near(r.Marketer.Average, 2.0/15) || r.Journalist.RecordsAtRisk != 0 {
		t.Errorf("no population: %+v %+v", r.Journalist, r.Marketer)
	}
}

// TestAdultRiskModels: journalist risk of ARX's research subset of Adult
// against the full table is never above the prosecutor risk, and the
// journalist and marketer bounds are enforced by the search.
func TestAdultRiskModels(t *testing.T) {
	qis := adultColumns
	opts := adultOptions(t, qis)
	pop, err := LoadPopulationCSV(opts.Input, ';', qis)
	if err != nil {
		t.Fatal(err)
	}
	opts.Input = filepath.Join(adultDir, "adult_subset.csv")
	opts.Privacy.K, opts.Privacy.Suppression, opts.Privacy.Population = 5, 0.04, pop
	res, err := AnonymizeCSV(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	j, m := res.Risk.Journalist, res.Risk.Marketer
	if j == nil || m == nil || j.Population != "table" || j.PopulationRecords != 30162 {
		t.Fatalf("journalist %+v marketer %+v", j, m)
	}
	if j.Highest > res.Risk.Highest || m.Average > res.Risk.Average || j.Highest <= 0 {
		t.Errorf("journalist %+v / marketer %+v above prosecutor %+v", j, m, res.Risk)
	}
	t.Logf("subset %d records: prosecutor highest %.4f average %.4f; journalist highest %.4f average %.4f; marketer %.4f",
		res.Records, res.Risk.Highest, res.Risk.Average, j.Highest, j.Average, m.Average)

	// Bounds as privacy models.
	opts = adultOptions(t, qis)
	opts.Privacy.K, opts.Privacy.Suppression, opts.Privacy.Metric = 2, 0.04, MetricLoss
	opts.Privacy.MaxJournalistRisk, opts.Privacy.MaxMarketerRisk = 0.1, 0.01
	res, err = AnonymizeCSV(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Model.K != 10 || res.KReached < 10 || res.Risk.Journalist.Highest > 0.1 {
		t.Errorf("journalist bound 0.1: k %d reached %d highest %v", res.Model.K, res.KReached, res.Risk.Journalist.Highest)
	}
	if res.Risk.Marketer.Average > 0.01 || math.IsNaN(res.Risk.Marketer.Average) {
		t.Errorf("marketer bound 0.01: average %v", res.Risk.Marketer.Average)
	}
	t.Logf("bounds 0.1/0.01: levels %v, k %d, marketer %.5f", res.Transformation, res.KReached, res.Risk.Marketer.Average)
}

// TestDatasetTClosenessAndPopulation: t-closeness and a population table
// through WriteDataset; the sensitive attribute is exempt from the
// disclosure check's class-size test, as under l-diversity.
func TestDatasetTClosenessAndPopulation(t *testing.T) {
	rows := makeCustomers(2000, 41)
	pol := customerPolicy()
	diag := pol.Columns["diagnosis"]
	diag.Insensitive, diag.Reason = false, "test: under t-closeness"
	pol.Columns["diagnosis"] = diag
	pol.Privacy.Sensitive, pol.Privacy.T, pol.Privacy.TModel = "diagnosis", 0.3, TEqual
	// Every column of the search: the declared quasi-identifiers and the
	// masked and bucketed columns that join it.
	pop := NewPopulation([]string{"age", "gender", "postal", "city", "phone", "email", "income"})
	for _, r := range append(makeCustomers(2000, 41), makeCustomers(3000, 42)...) {
		pop.Add([]string{strconv.FormatInt(r.age, 10), r.gender, r.postal, r.city, r.phone, r.email, strconv.FormatFloat(r.income, 'f', -1, 64)})
	}
	pol.Privacy.Population = pop
	rep, err := writeT(t, t.TempDir(), rows, pol, customerClasses())
	if err != nil {
		t.Fatal(err)
	}
	p := rep.Privacy
	if p.TReached == nil || *p.TReached > 0.3 || p.Model.T != 0.3 || p.Model.TModel != TEqual {
		t.Errorf("t reached %v, model %+v", p.TReached, p.Model)
	}
	j := p.Risk.Journalist
	if j == nil || j.Population != "table" || j.PopulationRecords != 5000 || j.Highest > p.Risk.Highest {
		t.Errorf("journalist %+v vs prosecutor %+v", j, p.Risk)
	}
	if !rep.Disclosure.Passed {
		t.Errorf("disclosure: %v", rep.Disclosure.Failures)
	}
	for _, c := range rep.Disclosure.Columns {
		if c.Column == "diagnosis" && c.Status != "exempt" {
			t.Errorf("diagnosis: %+v", c)
		}
	}
	// A population without the joined columns is not used (fail safe).
	pol.Privacy.Population = NewPopulation([]string{"age", "gender", "postal", "city"})
	rep, err = writeT(t, t.TempDir(), rows, pol, customerClasses())
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Privacy.Risk.Journalist.Population; !strings.HasPrefix(got, "dataset (population table lacks ") {
		t.Errorf("population without joined columns: %q", got)
	}
	t.Logf("t reached %.4f; prosecutor highest %.3f, journalist highest %.3f (population 5,000), marketer %.4f",
		*p.TReached, p.Risk.Highest, j.Highest, p.Risk.Marketer.Average)
}

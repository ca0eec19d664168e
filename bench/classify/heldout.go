package main

import (
	"fmt"
	"sort"

	"github.com/vigil-dg/vigil/stages/classify"
)

// Held-out calibration: the shipped calibration's parameters were fitted on
// this corpus, so its reliability table is in-sample. heldOut refits the
// same parameters without each source in turn (Brier score, coordinate
// descent over a grid) and reports the reliability of the decisions of the
// source left out; and once fitted on the committed Faker part alone and
// reported on the public part.

// calParam is one parameter of classify.Calibration with its search grid.
type calParam struct {
	name   string
	field  func(*classify.Calibration) *float64
	lo, hi float64
	step   float64
}

var calParams = []calParam{
	{"knee", func(c *classify.Calibration) *float64 { return &c.Knee }, 0.55, 0.95, 0.05},
	{"low", func(c *classify.Calibration) *float64 { return &c.Low }, 0, 0.9, 0.05},
	{"floor", func(c *classify.Calibration) *float64 { return &c.Floor }, 0.7, 0.98, 0.01},
	{"contradicted", func(c *classify.Calibration) *float64 { return &c.Contradicted }, 0.2, 0.9, 0.05},
	{"none_max", func(c *classify.Calibration) *float64 { return &c.NoneMax }, 0.85, 0.995, 0.005},
	{"none_slope", func(c *classify.Calibration) *float64 { return &c.NoneSlope }, 0, 4, 0.2},
	{"value_only_none", func(c *classify.Calibration) *float64 { return &c.ValueOnlyNone }, 0.4, 0.95, 0.05},
	{"value_only_few", func(c *classify.Calibration) *float64 { return &c.ValueOnlyFew }, 0.4, 0.95, 0.05},
	{"value_only_named", func(c *classify.Calibration) *float64 { return &c.ValueOnlyNamed }, 0.3, 0.95, 0.05},
	{"no_values", func(c *classify.Calibration) *float64 { return &c.NoValues }, 0.3, 0.95, 0.05},
	{"table_slope", func(c *classify.Calibration) *float64 { return &c.TableSlope }, 0, 0.6, 0.05},
	{"key_guess", func(c *classify.Calibration) *float64 { return &c.KeyGuess }, 0, 0.6, 0.05},
}

func brier(c classify.Calibration, os []outcome) float64 {
	sum := 0.0
	for _, o := range os {
		p := c.Confidence(o.basis)
		y := 0.0
		if same(o.class, o.pred) {
			y = 1
		}
		sum += (p - y) * (p - y)
	}
	return sum
}

// fitStart is where every fit starts: a neutral point, not the shipped
// values, so that a held-out fit owes nothing to the data it is tested on.
var fitStart = classify.Calibration{Knee: 0.7, Low: 0.7, Floor: 0.9, Contradicted: 0.5, NoneMax: 0.95, NoneSlope: 1, ValueOnlyNone: 0.7, ValueOnlyFew: 0.7, ValueOnlyNamed: 0.7, NoValues: 0.6}

// fitCalibration fits the calibration's parameters to os.
func fitCalibration(os []outcome) classify.Calibration {
	c := fitStart
	best := brier(c, os)
	for pass := 0; pass < 10; pass++ {
		improved := false
		for _, p := range calParams {
			f := p.field(&c)
			keep := *f
			for v := p.lo; v <= p.hi+1e-9; v += p.step {
				*f = v
				if b := brier(c, os); b < best-1e-12 {
					best, keep, improved = b, v, true
				}
			}
			*f = keep
		}
		if !improved {
			break
		}
	}
	return c
}

func recalibrated(c classify.Calibration, os []outcome) []outcome {
	out := make([]outcome, len(os))
	for i, o := range os {
		o.confidence = c.Confidence(o.basis)
		out[i] = o
	}
	return out
}

func paramString(c classify.Calibration) string {
	s := ""
	for i, p := range calParams {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%s=%.3g", p.name, *p.field(&c))
	}
	return s
}

func heldOut(all []outcome) bool {
	bySource := map[string][]outcome{}
	for _, o := range all {
		s := sourceOf(o.file)
		bySource[s] = append(bySource[s], o)
	}
	sources := make([]string, 0, len(bySource))
	for s := range bySource {
		sources = append(sources, s)
	}
	sort.Strings(sources)
	if debugKinds && false {
		for _, o := range all {
			fmt.Printf("K %s %s %v %.3f %d %v %s %s\n", sourceOf(o.file), o.basis.Kind, o.valueOnly, o.basis.Score, o.basis.Values, same(o.class, o.pred), o.class, o.pred)
		}
	}
	fmt.Printf("\nfitted on the whole corpus: %s\n", paramString(fitCalibration(all)))
	fmt.Printf("shipped:                    %s\n", paramString(classify.DefaultCalibration))
	var held []outcome
	for _, s := range sources {
		var train []outcome
		for _, t := range sources {
			if t != s {
				train = append(train, bySource[t]...)
			}
		}
		c := fitCalibration(train)
		held = append(held, recalibrated(c, bySource[s])...)
		if debugKinds {
			fmt.Printf("fold %s: %s\n", s, paramString(c))
			for _, o := range recalibrated(c, bySource[s]) {
				if o.confidence >= 0.8 && o.confidence < 0.9 {
					fmt.Printf("H %s %s %v %.3f %v\n", s, o.basis.Kind, o.valueOnly, o.confidence, same(o.class, o.pred))
				}
			}
		}
	}
	fmt.Println()
	ok := reliability(fmt.Sprintf("held out by source: %d folds, each source's decisions calibrated by a fit on the other sources", len(sources)), held)
	var faker, public []outcome
	for _, o := range all {
		if sourceOf(o.file) == "faker" {
			faker = append(faker, o)
		} else {
			public = append(public, o)
		}
	}
	if len(faker) > 0 && len(public) > 0 {
		c := fitCalibration(faker)
		fmt.Printf("\nfitted on the committed Faker part: %s\n", paramString(c))
		// for information: Faker's values are regular, so a fit on them alone
		// is expected to be overconfident on public data
		reliability("fitted on the Faker part only, reported on the public part (for information, not a target)", recalibrated(c, public))
		fmt.Println()
		reliability("shipped calibration on the public part only", public)
	}
	return ok
}

var debugKinds = false

package classify

// Calibration maps the evidence behind a decision (its Basis) to the
// confidence reported with it. Its few parameters were fitted on the
// evaluation corpus of bench/classify; the bench also refits them without
// each source in turn and reports the reliability of the held-out source, so
// that the table it prints is not only the one the parameters were tuned on.
type Calibration struct {
	// Assigned classes: scores below Knee are reported as they are; from
	// Knee up they are spread over [Floor, 1), capped at 0.99 (header and value evidence
	// together were right 97-100% of the time there).
	Knee, Floor float64
	// Low is the confidence of a class assigned at the lowest score (0.5):
	// scores between it and Knee rise linearly from Low to Floor. 0 reports
	// such scores as they are.
	Low float64
	// A class the header names and the values contradict:
	// Contradicted + (1-Contradicted)*score.
	Contradicted float64
	// "none" after n values checked: NoneMax - NoneSlope/(n+3).
	NoneMax, NoneSlope float64
	// "none" judged on values alone (no meaningful header) is capped here:
	// some classes only a header reveals. ValueOnlyFew caps it instead when
	// the values repeat (a small enumeration, or fewer than 30% distinct):
	// on the evaluation corpus such columns were "none" far more often than
	// columns of many distinct values that no class recognised (city,
	// company, ID and code columns of other countries).
	ValueOnlyNone, ValueOnlyFew float64
	// ValueOnlyNamed caps a value-only "none" whose values are written like
	// proper names (capitalised words) that no list recognised: towns,
	// companies or people the dictionaries do not know.
	ValueOnlyNamed float64
	// "none" with no values to judge.
	NoValues float64
	// TableSlope lowers a value-only "none" by this much times the share
	// of the table's other columns that hold personal data: without a
	// header, a column of a people table is less likely to be nothing.
	TableSlope float64
	// KeyGuess is the confidence of a class assigned from key-like values
	// without a header (a person's number? for review); 0 reports the
	// score as it is.
	KeyGuess float64
}

// DefaultCalibration is the calibration fitted on bench/classify's corpus.
var DefaultCalibration = Calibration{Knee: 0.7, Low: 0.75, Floor: 0.9, Contradicted: 0.5, NoneMax: 0.97, NoneSlope: 1.2, ValueOnlyNone: 0.65, ValueOnlyFew: 0.9, ValueOnlyNamed: 0.45, NoValues: 0.6, TableSlope: 0.05, KeyGuess: 0.25}

// Decision kinds of a Basis.
const (
	KindAssigned     = "assigned"     // a class reached the assignment score
	KindContradicted = "contradicted" // the header names a class the values do not support
	KindNone         = "none"         // no class reached the assignment score
)

// Basis is the evidence a confidence is computed from; it is kept with each
// column (not written to classification.json) so that a calibration can be
// refitted and re-applied without classifying again.
type Basis struct {
	Kind        string
	Score       float64 // best class's score (assigned, contradicted); top candidate's score for none
	Values      int     // non-blank values judged
	ValueOnly   bool    // the header carried no meaning
	NonPersonal bool    // the header marks business data
	HeaderCap   bool    // assigned from values against a business header: capped at 0.75
	Ambiguous   bool    // runner-up within 0.05
	Vetoed      bool    // none: value evidence vetoed by a business header
	Repetitive  bool    // none: the sample's values repeat (few distinct)
	ProperNames bool    // none, value-only: values written like proper names
	KeyGuess    bool    // assigned from key-like values without a header
	// TablePersonal is the share of the table's other columns that were
	// assigned a personal class (set for value-only "none").
	TablePersonal float64
}

// Confidence is the confidence of a decision with basis b.
func (c Calibration) Confidence(b Basis) float64 {
	switch b.Kind {
	case KindAssigned:
		if b.KeyGuess && c.KeyGuess > 0 {
			return round3(c.KeyGuess)
		}
		if b.Ambiguous {
			return round3(b.Score * 0.8)
		}
		conf := round3(c.assigned(b.Score))
		if b.HeaderCap {
			conf = round3(min(conf, 0.75))
		}
		return conf
	case KindContradicted:
		return round3(c.Contradicted + (1-c.Contradicted)*b.Score)
	}
	conf := c.NoneMax - c.NoneSlope/float64(b.Values+3)
	switch {
	case b.Values == 0 && b.NonPersonal:
		conf = 0.9
	case b.Values == 0:
		conf = c.NoValues
	case b.ValueOnly:
		cap := c.ValueOnlyNone
		switch {
		case b.Repetitive:
			cap = c.ValueOnlyFew
		case b.ProperNames:
			cap = c.ValueOnlyNamed
		}
		conf = min(conf, cap-c.TableSlope*b.TablePersonal)
	}
	if b.Vetoed {
		conf = min(conf, 0.9)
	}
	if b.Score > 0 {
		conf = min(conf, 1-b.Score)
	}
	return conf
}

// assigned maps the score of an assigned class to its confidence.
func (c Calibration) assigned(score float64) float64 {
	if score < c.Knee || c.Knee >= 1 {
		if c.Low > 0 && c.Knee > assignAt && score >= assignAt {
			return c.Low + (c.Floor-c.Low)*(score-assignAt)/(c.Knee-assignAt)
		}
		return score
	}
	return min(0.99, c.Floor+(1-c.Floor)*(score-c.Knee)/(1-c.Knee))
}

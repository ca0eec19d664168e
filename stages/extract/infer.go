package extract

// Inference limits.
const (
	maxInferredIntDigits = 15 // longer integers are identifiers (cards, IDs): strings
	inferredPrecision    = 18 // decimal precision when it fits, else 38
)

// inference collects what the sample says about one column.
type inference struct {
	seen                                    int
	notInt, notDec, notBool, notDate, notTS bool
	maxIntDigits, maxScale                  int
}

// observe looks at one non-empty, space-trimmed value.
func (f *inference) observe(v []byte) {
	f.seen++
	if !f.notInt || !f.notDec {
		x, ok := scanNumber(v, true)
		switch {
		case !ok:
			f.notInt, f.notDec = true, true
		case !x.point:
			// An integer: too many digits means an identifier, not a number.
			if x.intDigits > maxInferredIntDigits {
				f.notInt, f.notDec = true, true
			}
		default:
			f.notInt = true
		}
		if ok && !f.notDec {
			f.maxIntDigits = max(f.maxIntDigits, x.intDigits)
			f.maxScale = max(f.maxScale, x.written)
		}
	}
	if !f.notBool {
		if _, ok := parseBool(v, true); !ok {
			f.notBool = true
		}
	}
	if !f.notDate || !f.notTS {
		_, dateOnly, ok := parseTimestamp(v)
		if !ok {
			f.notDate, f.notTS = true, true
		} else if !dateOnly {
			f.notDate = true
		}
	}
}

// result is the inferred type: int64, decimal, bool, date, timestamp, else string.
func (f *inference) result() Type {
	switch {
	case f.seen == 0:
		return TypeString
	case !f.notInt:
		return TypeInt64
	case !f.notDec:
		p := f.maxIntDigits + f.maxScale
		switch {
		case p <= inferredPrecision:
			return Decimal(inferredPrecision, int32(f.maxScale))
		case p <= MaxDecimalPrecision:
			return Decimal(MaxDecimalPrecision, int32(f.maxScale))
		}
		return TypeString
	case !f.notBool:
		return TypeBool
	case !f.notDate:
		return TypeDate
	case !f.notTS:
		return TypeTimestamp
	}
	return TypeString
}

package anonymize

import "fmt"

// levelRange restricts a hierarchy to the levels [min, max]: level 0 of the
// view is level min of h. A quasi-identifier with a pinned minimum (or a
// pinned level, min = max) keeps the same grain whatever the data size,
// and the search never looks below it. The Loss metric then measures
// shares against the pinned level's values instead of the raw domain.
type levelRange struct {
	h        Hierarchy
	min, max int
}

func (r levelRange) Levels() int { return r.max - r.min + 1 }

func (r levelRange) Generalize(v string, level int) (string, error) {
	if level < 0 || level > r.max-r.min {
		return "", fmt.Errorf("level %d out of range", level)
	}
	return r.h.Generalize(v, level+r.min)
}

// restrictLevels wraps h when min/max are set and checks them.
func restrictLevels(h Hierarchy, minL, maxL *int) (Hierarchy, int, error) {
	if minL == nil && maxL == nil {
		return h, 0, nil
	}
	lo, hi := 0, h.Levels()-1
	if minL != nil {
		lo = *minL
	}
	if maxL != nil {
		hi = *maxL
	}
	if lo < 0 || hi >= h.Levels() || lo > hi {
		return nil, 0, fmt.Errorf("levels [%d,%d] out of range (hierarchy has levels 0..%d)", lo, hi, h.Levels()-1)
	}
	if lo == 0 && hi == h.Levels()-1 {
		return h, 0, nil
	}
	return levelRange{h: h, min: lo, max: hi}, lo, nil
}

// transformHierarchy turns a per-value protection (mask, bucket, a fixed
// generalization, or keep) into a three-level hierarchy: the raw value,
// the protected value, "*". A released column that is not a declared
// quasi-identifier joins the privacy search through it, pinned at level 1
// (so its raw value is never released and the search may still replace it
// by "*"): whatever a protection keeps, k holds over it too.
type transformHierarchy struct {
	fn func(string) (string, bool)
}

func (transformHierarchy) Levels() int { return 3 }

func (t transformHierarchy) Generalize(v string, level int) (string, error) {
	switch level {
	case 0:
		return v, nil
	case 1:
		if out, ok := t.fn(v); ok {
			return out, nil
		}
		return Suppressed, nil
	case 2:
		return Suppressed, nil
	}
	return "", fmt.Errorf("level %d out of range", level)
}

package rules

import (
	"errors"
	"fmt"
	"sort"
)

// ErrUnknownClass is returned for a class id no pack in the set defines.
var ErrUnknownClass = errors.New("rules: unknown class")

// Set is the data classes of one or more packs, ready for classification.
// Later packs may replace a class of an earlier pack by declaring the same id
// with override: true.
type Set struct {
	packs   []*Pack
	classes []*Class
	byID    map[string]*Class
}

// PackInfo identifies a pack for reports: which rules produced a result.
type PackInfo struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	File    string `json:"file"`
	Digest  string `json:"digest"`
}

// NewSet combines packs. A class id defined twice is an error (a *PackError
// for the later pack) unless the later class sets override: true.
func NewSet(packs ...*Pack) (*Set, error) {
	if len(packs) == 0 {
		return nil, fmt.Errorf("%w: no packs", ErrInvalidPack)
	}
	s := &Set{byID: map[string]*Class{}}
	var errs []error
	for _, p := range packs {
		perr := &PackError{File: p.File}
		for _, c := range p.Classes {
			old, dup := s.byID[c.ID]
			switch {
			case dup && !c.Override:
				perr.Problems = append(perr.Problems, Problem{File: p.File, Line: c.Line, Class: c.ID,
					Msg: fmt.Sprintf("class already defined in %s:%d (set override: true to replace it)", old.File, old.Line)})
				continue
			case dup:
				for i := range s.classes {
					if s.classes[i] == old {
						s.classes[i] = c
					}
				}
			default:
				s.classes = append(s.classes, c)
			}
			s.byID[c.ID] = c
		}
		if len(perr.Problems) > 0 {
			errs = append(errs, perr)
		}
		s.packs = append(s.packs, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// Classes returns the classes in pack order.
func (s *Set) Classes() []*Class { return s.classes }

// Class returns the class with the given id.
func (s *Set) Class(id string) (*Class, bool) {
	c, ok := s.byID[id]
	return c, ok
}

// Packs describes the packs of the set.
func (s *Set) Packs() []PackInfo {
	out := make([]PackInfo, 0, len(s.packs))
	for _, p := range s.packs {
		out = append(out, PackInfo{ID: p.ID, Version: p.Version, File: p.File, Digest: p.Digest})
	}
	return out
}

// NonPersonal reports whether header h marks business data in any pack, and
// the pack name or pattern that matched.
func (s *Set) NonPersonal(h Header) (string, bool) {
	for _, p := range s.packs {
		if t, ok := p.NonPersonal.Match(h); ok {
			return t, true
		}
	}
	return "", false
}

// BestHeader returns the classes whose header evidence for h is strongest
// (more than one on a tie) and that strength; nil and 0 when none matches.
func (s *Set) BestHeader(h Header) ([]*Class, float64) {
	var best []*Class
	top := 0.0
	for _, c := range s.classes {
		st := c.MatchHeader(h)
		switch {
		case st == 0 || st < top:
		case st > top:
			best, top = []*Class{c}, st
		default:
			best = append(best, c)
		}
	}
	return best, top
}

// Test checks every example in every pack, and that each header example of a
// class is, in the whole set, matched best by that class and not marked as
// business data by a non_personal rule.
func (s *Set) Test() []ExampleFailure {
	var out []ExampleFailure
	for _, p := range s.packs {
		out = append(out, p.Test()...)
	}
	for _, c := range s.classes {
		for _, e := range c.Examples.HeaderMatch {
			h := NormalizeHeader(e.Text)
			best, _ := s.BestHeader(h)
			found := false
			var ids []string
			for _, b := range best {
				found = found || b == c
				ids = append(ids, b.ID)
			}
			if !found && len(best) > 0 {
				sort.Strings(ids)
				out = append(out, ExampleFailure{Pack: c.Pack, File: c.File, Line: e.Line, Class: c.ID, Kind: "header_match", Example: e.Text,
					Reason: fmt.Sprintf("header example %q is matched more strongly by class %v", e.Text, ids)})
			}
			if t, ok := s.NonPersonal(h); ok && c.MatchHeader(h) < HeaderName {
				out = append(out, ExampleFailure{Pack: c.Pack, File: c.File, Line: e.Line, Class: c.ID, Kind: "header_match", Example: e.Text,
					Reason: fmt.Sprintf("header example %q is marked as business data by non_personal %q", e.Text, t)})
			}
		}
	}
	return out
}

package audit

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// SuppressionsFormat is the format field of a suppressions file.
const SuppressionsFormat = "vigil.suppressions/v1"

// Suppression statuses.
const (
	SuppressAccepted      = "accepted"       // a known risk, accepted by its owner
	SuppressFalsePositive = "false_positive" // not an incident
)

// Suppression hides findings from the open list: by fingerprint, or by
// detection and user. Expired suppressions are listed but not applied.
type Suppression struct {
	Fingerprint string     `json:"fingerprint,omitempty"`
	Detection   string     `json:"detection,omitempty"`
	User        string     `json:"user,omitempty"`
	Status      string     `json:"status"`
	Reason      string     `json:"reason"`
	By          string     `json:"by"`
	Expires     *time.Time `json:"expires,omitempty"`
	File        string     `json:"file"`
	Line        int        `json:"line"`
}

// SuppressionState is a suppression as applied in one report.
type SuppressionState struct {
	Suppression
	State   string `json:"state"` // active | expired
	Matched int    `json:"matched"`
}

var fingerprintRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

var suppressionKeys = []string{"fingerprint", "detection", "user", "status", "reason", "by", "expires"}

// LoadSuppressions reads a suppressions file. knownDetections, when not
// nil, catches typos in detection ids. Every problem is reported.
func LoadSuppressions(path string, knownDetections []string) ([]Suppression, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSuppressions, err)
	}
	return ParseSuppressions(path, data, knownDetections)
}

// ParseSuppressions parses the YAML of a suppressions file named name.
func ParseSuppressions(name string, data []byte, knownDetections []string) ([]Suppression, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &SuppressionError{File: name, Line: yamlErrLine(err), Err: err}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	var errs []error
	fail := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, &SuppressionError{File: name, Line: n.Line, Err: fmt.Errorf(format, args...)})
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		fail(root, "want a mapping with format and suppressions")
		return nil, errors.Join(errs...)
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "format":
			if v.Value != SuppressionsFormat {
				fail(v, "format %q is not %s", v.Value, SuppressionsFormat)
			}
		case "suppressions":
			list = v
		default:
			fail(k, "unknown key %q (format, suppressions)", k.Value)
		}
	}
	if list == nil {
		if len(errs) == 0 {
			return nil, nil
		}
		return nil, errors.Join(errs...)
	}
	if list.Kind != yaml.SequenceNode {
		fail(list, "suppressions: want a list")
		return nil, errors.Join(errs...)
	}
	var out []Suppression
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			fail(item, "want a mapping")
			continue
		}
		s := Suppression{File: name, Line: item.Line}
		ok := true
		seen := map[string]bool{}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			if !slices.Contains(suppressionKeys, k.Value) {
				fail(k, "unknown key %q (%s)", k.Value, strings.Join(suppressionKeys, ", "))
				ok = false
				continue
			}
			if seen[k.Value] {
				fail(k, "duplicate key %q", k.Value)
				ok = false
				continue
			}
			seen[k.Value] = true
			if v.Kind != yaml.ScalarNode {
				fail(v, "%s: want a scalar", k.Value)
				ok = false
				continue
			}
			val := strings.TrimSpace(v.Value)
			switch k.Value {
			case "fingerprint":
				s.Fingerprint = strings.ToLower(val)
			case "detection":
				s.Detection = val
			case "user":
				s.User = strings.ToLower(val)
			case "status":
				s.Status = val
			case "reason":
				s.Reason = val
			case "by":
				s.By = val
			case "expires":
				t, err := parseExpiry(val)
				if err != nil {
					fail(v, "expires: %v", err)
					ok = false
				}
				s.Expires = &t
			}
		}
		if s.Status != SuppressAccepted && s.Status != SuppressFalsePositive {
			fail(item, "status %q is not %s or %s", s.Status, SuppressAccepted, SuppressFalsePositive)
			ok = false
		}
		if s.Reason == "" {
			fail(item, "reason is required")
			ok = false
		}
		if s.By == "" {
			fail(item, "by is required")
			ok = false
		}
		switch {
		case s.Fingerprint != "" && (s.Detection != "" || s.User != ""):
			fail(item, "give either fingerprint or detection and user, not both")
			ok = false
		case s.Fingerprint == "" && (s.Detection == "" || s.User == ""):
			fail(item, "fingerprint, or detection and user, are required")
			ok = false
		}
		if s.Fingerprint != "" && !fingerprintRe.MatchString(s.Fingerprint) {
			fail(item, "fingerprint %q is not 32 hexadecimal digits", s.Fingerprint)
			ok = false
		}
		if s.Detection != "" && knownDetections != nil && !slices.Contains(knownDetections, s.Detection) {
			fail(item, "unknown detection %q", s.Detection)
			ok = false
		}
		if ok {
			out = append(out, s)
		}
	}
	return out, errors.Join(errs...)
}

func parseExpiry(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Add(24*time.Hour - time.Nanosecond).UTC(), nil // through the end of that day
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("invalid date %q (YYYY-MM-DD or RFC 3339)", s)
}

func yamlErrLine(err error) int {
	var n int
	if _, e := fmt.Sscanf(strings.TrimPrefix(err.Error(), "yaml: "), "line %d", &n); e == nil {
		return n
	}
	return 0
}

// applySuppressions marks suppressed findings and returns the state of
// every suppression.
func applySuppressions(findings []Finding, sups []Suppression, now time.Time) []SuppressionState {
	states := make([]SuppressionState, len(sups))
	for i, s := range sups {
		states[i] = SuppressionState{Suppression: s, State: "active"}
		if s.Expires != nil && now.After(*s.Expires) {
			states[i].State = "expired"
		}
	}
	for fi := range findings {
		f := &findings[fi]
		for si := range states {
			s := &states[si]
			if s.State != "active" {
				continue
			}
			match := (s.Fingerprint != "" && s.Fingerprint == f.Fingerprint) ||
				(s.Detection != "" && s.Detection == f.Detection && strings.EqualFold(s.User, f.User))
			if !match {
				continue
			}
			s.Matched++
			if !f.Suppressed {
				f.Suppressed = true
				f.Suppression = &SuppressionRef{Status: s.Status, Reason: s.Reason, By: s.By, Expires: s.Expires}
			}
		}
	}
	return states
}

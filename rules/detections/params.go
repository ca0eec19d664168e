package detections

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Parameter types.
const (
	TypeDuration = "duration" // Go duration ("90m") or days ("14d"); bound as a DuckDB interval string
	TypeInt      = "int"
	TypeFloat    = "float"
	TypeString   = "string"
	TypeBool     = "bool"
	TypeStrings  = "strings" // list of strings, bound as VARCHAR[]
)

var paramTypes = []string{TypeDuration, TypeInt, TypeFloat, TypeString, TypeBool, TypeStrings}

// Parameter is a named, typed rule parameter with a default. SQL refers to
// it as $name.
type Parameter struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Default     any    `json:"default"` // time.Duration, int64, float64, string, bool or []string
	Description string `json:"description"`
	Line        int    `json:"-"`
}

// Normalize converts v to the parameter's Go type: time.Duration, int64,
// float64, string, bool or []string.
func (p Parameter) Normalize(v any) (any, error) {
	switch p.Type {
	case TypeDuration:
		switch x := v.(type) {
		case time.Duration:
			return x, nil
		case string:
			return ParseDuration(x)
		}
	case TypeInt:
		switch x := v.(type) {
		case int:
			return int64(x), nil
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		case uint64:
			if x <= math.MaxInt64 {
				return int64(x), nil
			}
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), nil
			}
		case string:
			return strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		}
	case TypeFloat:
		switch x := v.(type) {
		case float64:
			return x, nil
		case float32:
			return float64(x), nil
		case int:
			return float64(x), nil
		case int64:
			return float64(x), nil
		case string:
			return strconv.ParseFloat(strings.TrimSpace(x), 64)
		}
	case TypeString:
		if x, ok := v.(string); ok {
			return x, nil
		}
	case TypeBool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			return strconv.ParseBool(x)
		}
	case TypeStrings:
		switch x := v.(type) {
		case []string:
			return append([]string(nil), x...), nil
		case []any:
			out := make([]string, 0, len(x))
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("list element %v is %T, want string", e, e)
				}
				out = append(out, s)
			}
			return out, nil
		}
	default:
		return nil, fmt.Errorf("unknown parameter type %q", p.Type)
	}
	return nil, fmt.Errorf("value %v (%T) is not a %s", v, v, p.Type)
}

// SQLValue converts a normalized value to what database/sql binds: durations
// become DuckDB interval strings ("5400000000 microseconds") so that SQL can
// write $window::INTERVAL.
func SQLValue(v any) any {
	if d, ok := v.(time.Duration); ok {
		return strconv.FormatInt(d.Microseconds(), 10) + " microseconds"
	}
	return v
}

// Values merges overrides into the defaults and returns every parameter's
// normalized value by name. Unknown override names are errors.
func (r *Rule) Values(overrides map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(r.Parameters))
	for _, p := range r.Parameters {
		out[p.Name] = p.Default
	}
	var errs []error
	for name, v := range overrides {
		p, ok := r.Parameter(name)
		if !ok {
			errs = append(errs, fmt.Errorf("%w: rule %s has no parameter %q", ErrUnknownParameter, r.ID, name))
			continue
		}
		nv, err := p.Normalize(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("rule %s: parameter %s: %w", r.ID, name, err))
			continue
		}
		out[name] = nv
	}
	return out, errors.Join(errs...)
}

// Parameter returns the declared parameter called name.
func (r *Rule) Parameter(name string) (Parameter, bool) {
	for _, p := range r.Parameters {
		if p.Name == name {
			return p, true
		}
	}
	return Parameter{}, false
}

// ParseDuration parses a Go duration or a whole number of days ("14d").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "d") {
		n, err := strconv.ParseInt(strings.TrimSuffix(s, "d"), 10, 64)
		if err != nil || n < 0 || n > 36500 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("negative duration %q", s)
	}
	return d, nil
}

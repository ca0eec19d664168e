package rules

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Protection methods the anonymizer understands.
const (
	ProtectDrop       = "drop"       // remove the column
	ProtectRedact     = "redact"     // replace every value by a fixed marker
	ProtectMask       = "mask"       // keep_prefix / keep_suffix characters, mask the rest
	ProtectPseudonym  = "pseudonym"  // keyed, deterministic token (joins still work)
	ProtectGeneralize = "generalize" // coarser value (level steps up a hierarchy)
	ProtectBucket     = "bucket"     // numeric ranges of width
	ProtectDateShift  = "date_shift" // shift dates by up to max_days, per record
	ProtectPass       = "pass"       // leave as is
)

// ErrProtection is returned for a protection that is not understood.
var ErrProtection = errors.New("rules: invalid protection")

// protectionParams lists the parameters each method accepts.
func protectionParams(method string) ([]string, bool) {
	switch method {
	case ProtectDrop, ProtectRedact, ProtectPseudonym, ProtectPass:
		return nil, true
	case ProtectMask:
		return []string{"keep_prefix", "keep_suffix"}, true
	case ProtectGeneralize:
		return []string{"level"}, true
	case ProtectBucket:
		return []string{"width"}, true
	case ProtectDateShift:
		return []string{"max_days"}, true
	}
	return nil, false
}

// Protection is the default way a class of data is protected: a method and
// its integer parameters (mask: keep_prefix, keep_suffix; generalize: level;
// bucket: width; date_shift: max_days).
type Protection struct {
	Method string         `json:"method"`
	Params map[string]int `json:"params,omitempty"`
}

// String returns the canonical text form, e.g. "pseudonym" or
// "mask(keep_prefix=3,keep_suffix=4)"; ParseProtection reads it back.
func (p Protection) String() string {
	if len(p.Params) == 0 {
		return p.Method
	}
	keys := make([]string, 0, len(p.Params))
	for k := range p.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(p.Method)
	b.WriteByte('(')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%d", k, p.Params[k])
	}
	b.WriteByte(')')
	return b.String()
}

// Validate checks the method and its parameters.
func (p Protection) Validate() error {
	allowed, ok := protectionParams(p.Method)
	if !ok {
		return fmt.Errorf("%w: unknown method %q (want one of drop, redact, mask, pseudonym, generalize, bucket, date_shift, pass)", ErrProtection, p.Method)
	}
	for k, v := range p.Params {
		found := false
		for _, a := range allowed {
			found = found || a == k
		}
		if !found {
			return fmt.Errorf("%w: %s takes no parameter %q", ErrProtection, p.Method, k)
		}
		if v < 0 || (v == 0 && (k == "width" || k == "max_days")) {
			return fmt.Errorf("%w: %s %s=%d out of range", ErrProtection, p.Method, k, v)
		}
	}
	return nil
}

// ParseProtection parses the text form written by Protection.String.
func ParseProtection(s string) (Protection, error) {
	s = strings.TrimSpace(s)
	method, args, hasArgs := strings.Cut(s, "(")
	p := Protection{Method: strings.TrimSpace(method)}
	if hasArgs {
		args, ok := strings.CutSuffix(args, ")")
		if !ok {
			return Protection{}, fmt.Errorf("%w: %q: missing )", ErrProtection, s)
		}
		p.Params = map[string]int{}
		for _, kv := range strings.Split(args, ",") {
			k, v, ok := strings.Cut(kv, "=")
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if !ok || err != nil {
				return Protection{}, fmt.Errorf("%w: %q: bad parameter %q", ErrProtection, s, kv)
			}
			p.Params[strings.TrimSpace(k)] = n
		}
	}
	if err := p.Validate(); err != nil {
		return Protection{}, err
	}
	return p, nil
}

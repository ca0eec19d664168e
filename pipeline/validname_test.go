package pipeline

import (
	"regexp"
	"strings"
	"testing"
)

// validName is the written-out form of this pattern; they must agree.
var nameRE = regexp.MustCompile(`^[\p{L}_][\p{L}\p{N}_-]{0,63}$`)

func TestValidNameMatchesPattern(t *testing.T) {
	for _, s := range []string{
		"", "a", "_", "-", "1", "a1", "_a-b_c", "a b", "a.b", "客户", "客户_2", "ä", "Ⅻ", "aⅫ", "a٣",
		"a\xff", "\xffa", "a\u0301", "ab$", "a\n", strings.Repeat("a", 64), strings.Repeat("a", 65),
		strings.Repeat("客", 64), strings.Repeat("客", 65), "_" + strings.Repeat("9", 63), "_" + strings.Repeat("9", 64),
	} {
		if got, want := validName(s), nameRE.MatchString(s); got != want {
			t.Errorf("validName(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}

func FuzzValidName(f *testing.F) {
	for _, s := range []string{"a", "客户_2", "a\xff", strings.Repeat("a", 64)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validName(s), nameRE.MatchString(s); got != want {
			t.Errorf("validName(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}

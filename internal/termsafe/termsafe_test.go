package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		keep     bool
	}{
		{"客户姓名", "客户姓名", false},
		{"name\x1b[2Jx", `name\x1b[2Jx`, false},
		{"\x1b]8;;http://evil\x07link", `\x1b]8;;http://evil\x07link`, false},
		{"a\nb\tc", `a\x0ab\x09c`, false},
		{"a\nb\tc", "a\nb\tc", true},
		{"line1\r\nline2", "line1\nline2", true},
		{"over\u202eride", `over\u202eride`, true},
		{"c1\u009bx", `c1\u009bx`, false},
		{"bad\xffutf8", `bad\xffutf8`, false},
		{"\ufeffid", "\ufeffid", false},
	} {
		if got := String(tc.in, tc.keep); got != tc.want {
			t.Errorf("String(%q, %v) = %q, want %q", tc.in, tc.keep, got, tc.want)
		}
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[31mred", "a\nb", "\u202e", "\xff\xfe", "姓名\x07"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, keep := range []bool{false, true} {
			out := String(s, keep)
			if !utf8.ValidString(out) {
				t.Fatalf("invalid UTF-8 out of %q", s)
			}
			for _, r := range out {
				if unsafe(r) && !(keep && (r == '\n' || r == '\t')) {
					t.Fatalf("String(%q) = %q keeps %U", s, out, r)
				}
			}
			if !keep && strings.ContainsAny(out, "\n\r") {
				t.Fatalf("newline kept in %q", out)
			}
		}
	})
}

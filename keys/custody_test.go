package keys

import (
	"errors"
	"testing"
)

func TestCheckPassphrase(t *testing.T) {
	for _, tc := range []struct {
		p  string
		ok bool
	}{
		{"correct horse battery staple", true},
		{"purple elephant wanders quietly", true},
		{"Tr0ub4dor&3xyz!", true},
		{"短密码但是很长的中文句子可以吗", true},
		{"short", false},
		{"Password123!", false},
		{"aaaaaaaaaaaaaaaa", false},
		{"abababababababab", false},
		{"qwerty123456789", false},
		{"abcdefghijkl", false},
	} {
		err := CheckPassphrase(tc.p)
		if (err == nil) != tc.ok {
			t.Errorf("CheckPassphrase(%q) = %v, want ok=%v", tc.p, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrWeakPassphrase) {
			t.Errorf("error %v does not wrap ErrWeakPassphrase", err)
		}
	}
}

func FuzzCheckPassphrase(f *testing.F) {
	for _, s := range []string{"correct horse battery staple", "Password123!", "", "\x00\xff", "短密码"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		_ = CheckPassphrase(p) // must not panic
	})
}
